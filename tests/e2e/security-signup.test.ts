import { request } from "node:http";
import { describe, expect, it } from "vitest";
import { useControlPlane } from "../support/control-plane.ts";
import {
  admin,
  checkoutSession,
  deliver,
  getTenant,
  settledActive,
  stripeEvent,
  waitForTenant,
} from "../support/stripe-events.ts";
import { waitFor } from "../support/wait.ts";

/**
 * Attacks on the signup: taking over a slug someone is paying for, replaying or re-minting the welcome key,
 * squatting slugs. Slugs start with "sgn-". Reservations here hold for ~11 s so lapsing can be watched.
 * Requests come from 127.0.0.2, the one trusted proxy, which names the client in X-Forwarded-For; requests
 * from 127.0.0.1 are not from a trusted proxy, so their X-Forwarded-For must be ignored.
 */
const HOLD_MS = 0.003 * 3600_000;
const plane = useControlPlane({
  env: { WEBSPLAT_RESERVATION_HOURS: "0.003", WEBSPLAT_TRUSTED_PROXY: "127.0.0.2" },
});
let clients = 0;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: the tests read the JSON answer's fields as the API states them
  json: any;
}

/** One HTTP request to the control plane, from `localAddress` (127.0.0.2 is the trusted proxy). */
async function call(
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; localAddress?: string } = {},
): Promise<Answer> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return await new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: plane().port,
        path,
        method,
        localAddress: options.localAddress ?? "127.0.0.2",
        headers: {
          ...(payload ? { "content-type": "application/json" } : {}),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk) => chunks.push(chunk));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: unknown = null;
          try {
            json = JSON.parse(text);
          } catch {}
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on("error", reject);
    if (payload) req.write(payload);
    req.end();
  });
}

/** A fresh client address behind the trusted proxy, so caps from other tests do not interfere. */
const newClient = () => `198.51.100.${++clients}`;

async function signup(
  body: { email: string; slug: string; tier?: string; key?: string },
  options: { client?: string; cookie?: string } = {},
) {
  return await call("POST", "/api/signup", {
    body: { tier: "starter", ...body },
    headers: {
      "x-forwarded-for": options.client ?? newClient(),
      ...(options.cookie ? { cookie: options.cookie } : {}),
    },
  });
}

const keyOf = (answer: Answer) => new URL(answer.json.statusUrl).searchParams.get("key")!;
const checkoutIdOf = (answer: Answer) => new URL(answer.json.checkoutUrl).pathname.split("/").at(-1)!;
const cookieOf = (answer: Answer) =>
  ([answer.headers["set-cookie"] ?? []].flat() as string[]).map((line) => line.split(";")[0]).join("; ");
const pay = (answer: Answer) => call("POST", `/checkout/local/${checkoutIdOf(answer)}/pay`);
const progress = (slug: string, key: string) =>
  call("GET", `/api/tenants/${slug}/progress?key=${encodeURIComponent(key)}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("a slug someone is paying for cannot be taken over", () => {
  it("a second signup for a reserved slug, even with the same email in another case, is refused and the first buyer keeps it", async () => {
    const slug = "sgn-takeover";
    const first = await signup({ email: "CEO@takeover.test", slug });
    expect(first.status).toBe(201);
    const second = await signup({ email: "ceo@takeover.test", slug });
    expect(second.status).toBe(409);
    expect(second.json.error.code).toBe("slug_taken");
    expect(second.json.error.message).toContain("reserved");
    expect(second.headers["set-cookie"]).toBeUndefined();

    expect((await pay(first)).status).toBe(303);
    const tenant = await waitForTenant(plane(), slug, settledActive, { timeoutMs: 45_000, what: "active" });
    expect(tenant.email).toBe("CEO@takeover.test");
    // The first buyer's key still follows the purchase and gets the sign-in link.
    expect((await progress(slug, keyOf(first))).status).toBe(200);
    const link = await call("POST", `/api/tenants/${slug}/owner-link`, { body: { key: keyOf(first) } });
    expect(link.status).toBe(200);
  }, 60_000);

  it("the holder renews its own reservation with the cookie it was given; the superseded checkout and key stop working", async () => {
    const slug = "sgn-renewed";
    const client = newClient();
    const first = await signup({ email: "owner@renewed.test", slug }, { client });
    expect(first.status).toBe(201);
    const cookie = cookieOf(first);
    expect(String(first.headers["set-cookie"])).toMatch(/HttpOnly/i);

    const renewed = await signup({ email: "owner@renewed.test", slug, tier: "pro" }, { client, cookie });
    expect(renewed.status).toBe(201);
    expect(checkoutIdOf(renewed)).not.toBe(checkoutIdOf(first));
    expect(keyOf(renewed)).not.toBe(keyOf(first));

    const stale = await pay(first);
    expect(stale.status).toBe(410);
    expect(stale.text).toContain("replaced by a newer signup");
    expect((await progress(slug, keyOf(first))).status).toBe(404);
    expect((await getTenant(plane(), slug))?.status).toBe("awaiting_payment");

    expect((await pay(renewed)).status).toBe(303);
    const tenant = await waitForTenant(plane(), slug, settledActive, { timeoutMs: 45_000, what: "active" });
    expect(tenant.tier).toBe("pro");
  }, 60_000);

  it("after a reservation lapses, the old checkout's completion event does not hand the slug to its old buyer", async () => {
    const slug = "sgn-lapsed";
    const first = await signup({ email: "early@lapsed.test", slug });
    expect(first.status).toBe(201);
    await sleep(HOLD_MS + 500);
    const second = await signup({ email: "later@lapsed.test", slug });
    expect(second.status).toBe(201);

    // The first checkout's session completes late (as a Stripe session paid at the last second would).
    const late = { ...checkoutSession({ slug, email: "early@lapsed.test" }), id: checkoutIdOf(first) };
    await deliver(plane(), stripeEvent("checkout.session.completed", late));
    const refused = await waitFor(
      async () => {
        const answer = await admin(plane(), `/admin/audit?slug=${slug}`);
        const { entries } = (await answer.json()) as {
          entries: { action: string; details: { outcome?: string } }[];
        };
        return entries.find((entry) => entry.action === "billing.checkout.session.completed");
      },
      { what: "the late event to be processed" },
    );
    expect(refused.details.outcome).toMatch(/^rejected: superseded checkout/);
    const tenant = await getTenant(plane(), slug);
    expect(tenant).toMatchObject({ status: "awaiting_payment", email: "later@lapsed.test" });

    expect((await pay(second)).status).toBe(303);
    const active = await waitForTenant(plane(), slug, settledActive, { timeoutMs: 45_000, what: "active" });
    expect(active.email).toBe("later@lapsed.test");
  }, 60_000);

  it("a local checkout expires with its reservation: paying it later is refused with a message", async () => {
    const slug = "sgn-expired";
    const first = await signup({ email: "slow@expired.test", slug });
    expect(first.status).toBe(201);
    await sleep(HOLD_MS + 500);
    const page = await call("GET", `/checkout/local/${checkoutIdOf(first)}`);
    const paid = await pay(first);
    // The sweep may have removed it already: then it is unknown, which refuses just the same.
    expect([410, 404]).toContain(page.status);
    expect([410, 404]).toContain(paid.status);
    if (paid.status === 410) expect(paid.text).toContain("expired");
    expect(await getTenant(plane(), slug).then((tenant) => tenant?.status ?? null)).not.toBe("provisioning");
  }, 30_000);
});

describe("the welcome key is short-lived, single-purpose and kept out of URLs", () => {
  it("checkout's return URL trades the key for an HttpOnly cookie and sends the browser on without it", async () => {
    const slug = "sgn-return";
    const started = await signup({ email: "owner@return.test", slug });
    const statusUrl = new URL(started.json.statusUrl);
    const back = await call("GET", `${statusUrl.pathname}${statusUrl.search}`);
    expect(back.status).toBe(303);
    expect(back.headers.location).toBe(`/welcome/${slug}`);
    const cookie = String(back.headers["set-cookie"]);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/Path=\/api/i);
    const withCookie = await call("GET", `/api/tenants/${slug}/progress`, {
      headers: { cookie: cookieOf(back) },
    });
    expect(withCookie.status).toBe(200);
    expect(withCookie.json.status).toBe("awaiting_payment");
  });

  it("the key mints one sign-in link, not a stream of them", async () => {
    const slug = "sgn-one-link";
    const started = await signup({ email: "owner@one-link.test", slug });
    expect((await pay(started)).status).toBe(303);
    await waitForTenant(plane(), slug, settledActive, { timeoutMs: 45_000, what: "active" });
    const once = await call("POST", `/api/tenants/${slug}/owner-link`, { body: { key: keyOf(started) } });
    expect(once.status).toBe(200);
    const again = await call("POST", `/api/tenants/${slug}/owner-link`, { body: { key: keyOf(started) } });
    expect(again.status).toBe(410);
    expect(again.json.error.code).toBe("link_already_issued");
    expect(again.json.error.message).toContain("/signin");
  }, 60_000);

  it("an unpaid signup's key stops working when its reservation lapses", async () => {
    const slug = "sgn-key-lapse";
    const started = await signup({ email: "owner@key-lapse.test", slug });
    expect((await progress(slug, keyOf(started))).status).toBe(200);
    await sleep(HOLD_MS + 500);
    expect((await progress(slug, keyOf(started))).status).toBe(404);
  }, 30_000);
});

describe("slugs cannot be squatted", () => {
  it("a lapsed reservation is purged in the background and its slug is free for anyone", async () => {
    const slug = "sgn-purged";
    expect((await signup({ email: "squatter@purged.test", slug })).status).toBe(201);
    expect((await admin(plane(), `/admin/tenants/${slug}`)).status).toBe(200);
    await waitFor(async () => (await admin(plane(), `/admin/tenants/${slug}`)).status === 404, {
      what: "the lapsed reservation to be purged",
      timeoutMs: HOLD_MS + 15_000,
    });
    const free = await call("GET", `/api/slugs/${slug}`);
    expect(free.json.available).toBe(true);
  }, 40_000);

  it("one email holds at most 3 open reservations, whatever its case", async () => {
    const answers: number[] = [];
    for (const [i, email] of [
      "Cap@email.test",
      "cap@EMAIL.test",
      "CAP@email.test",
      "cap@email.test",
    ].entries()) {
      answers.push((await signup({ email, slug: `sgn-email-cap-${i}` })).status);
    }
    expect(answers).toEqual([201, 201, 201, 429]);
  });

  it("one client holds at most 5 open reservations, and behind the trusted proxy each client is counted apart", async () => {
    const client = newClient();
    const answers: number[] = [];
    for (let i = 0; i < 6; i++) {
      answers.push(
        (await signup({ email: `c${i}@client-cap.test`, slug: `sgn-client-cap-${i}` }, { client })).status,
      );
    }
    expect(answers).toEqual([201, 201, 201, 201, 201, 429]);
    const other = await signup({ email: "other@client-cap.test", slug: "sgn-client-cap-other" });
    expect(other.status).toBe(201);
  });

  it("X-Forwarded-For from a client that is not a trusted proxy is ignored: it cannot escape the cap", async () => {
    const answers: number[] = [];
    for (let i = 0; i < 6; i++) {
      const answer = await call("POST", "/api/signup", {
        localAddress: "127.0.0.1",
        body: { email: `x${i}@spoof.test`, slug: `sgn-spoof-${i}`, tier: "starter" },
        headers: { "x-forwarded-for": `203.0.113.${i + 1}` },
      });
      answers.push(answer.status);
    }
    expect(answers).toEqual([201, 201, 201, 201, 201, 429]);
  });
});
