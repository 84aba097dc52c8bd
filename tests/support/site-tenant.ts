import type { RunningControlPlane } from "./control-plane.ts";
import { type HostResponse, hostRequest } from "./sites.ts";
import { waitFor } from "./wait.ts";

// biome-ignore lint/suspicious/noExplicitAny: answers are read loosely in tests, checked by expect
type Json = any;

export async function admin(plane: RunningControlPlane, path: string, init: RequestInit = {}): Promise<Json> {
  const response = await fetch(`${plane.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${plane.adminToken}`, "content-type": "application/json" },
  });
  return { status: response.status, body: await response.json().catch(() => null) };
}

/** A comped tenant made active through the admin API. */
export async function activeTenant(
  plane: RunningControlPlane,
  slug: string,
  tier: "starter" | "pro" | "studio",
) {
  const created = await admin(plane, "/admin/tenants", {
    method: "POST",
    body: JSON.stringify({ slug, email: `owner@${slug}.test`, tier }),
  });
  if (created.status !== 201)
    throw new Error(`create ${slug}: ${created.status} ${JSON.stringify(created.body)}`);
  await waitFor(async () => (await admin(plane, `/admin/tenants/${slug}`)).body?.status === "active", {
    what: `${slug} active`,
    timeoutMs: 45_000,
  });
}

/** The owner's builder API through the tenant's host, with a real session cookie. */
export async function ownerOf(plane: RunningControlPlane, slug: string) {
  // A link is single-use: when the runtime is stopped for idleness mid-answer, a new link is asked for.
  let signIn: HostResponse | undefined;
  for (let attempt = 0; attempt < 4 && signIn?.status !== 302; attempt++) {
    const link = await admin(plane, `/admin/tenants/${slug}/owner-link`, { method: "POST" });
    const url = new URL(link.body.url);
    signIn = await throughGateway(() =>
      hostRequest(plane.port, `${slug}.localhost`, url.pathname + url.search),
    );
  }
  if (signIn?.status !== 302) throw new Error(`sign-in failed: ${signIn?.status} ${signIn?.text()}`);
  const cookie = signIn.headers["set-cookie"]!.split(";")[0]!;
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await throughGateway(() =>
      hostRequest(plane.port, `${slug}.localhost`, path, {
        method,
        headers: {
          cookie,
          accept: "application/json",
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    );
    let parsed: Json = null;
    try {
      parsed = response.json();
    } catch {
      parsed = response.text();
    }
    return { status: response.status, body: parsed, headers: response.headers };
  };
  const owner = {
    cookie,
    get: (path: string) => call("GET", path),
    post: (path: string, body: unknown = {}) => call("POST", path, body),
    delete: (path: string, body?: unknown) => call("DELETE", path, body),
    /** Sends a prompt at autopilot and waits for the run to finish; returns the head's files. */
    async build(projectId: string, prompt: string): Promise<Record<string, string>> {
      const started = await call("POST", `/api/projects/${projectId}/runs`, {
        prompt,
        autonomy: 4,
        creativity: 2,
        seed: 7,
      });
      if (started.status !== 201) throw new Error(`run: ${started.status} ${JSON.stringify(started.body)}`);
      const runId = started.body.run.id;
      await waitFor(
        async () => {
          const run = (await call("GET", `/api/runs/${runId}`)).body.run;
          if (["failed", "stopped", "interrupted", "awaiting_input"].includes(run.status))
            throw new Error(`run ended ${run.status}`);
          return run.status === "completed";
        },
        { what: "the run to complete", timeoutMs: 60_000, intervalMs: 200 },
      );
      return await owner.files(projectId);
    },
    async files(projectId: string): Promise<Record<string, string>> {
      const files = (await call("GET", `/api/projects/${projectId}/files`)).body.files as {
        path: string;
        content: string;
      }[];
      return Object.fromEntries(files.map((f) => [f.path, f.content]));
    },
  };
  return owner;
}

/**
 * A runtime stopped for idleness at the moment a request is routed to it answers the gateway's 503 "did not
 * answer" (the request never reached it): such a request is sent again, as a browser's reload would.
 */
async function throughGateway(send: () => Promise<HostResponse>): Promise<HostResponse> {
  for (let attempt = 0; ; attempt++) {
    const response = await send();
    if (response.status !== 503 || !response.text().includes("did not answer") || attempt >= 5)
      return response;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}
