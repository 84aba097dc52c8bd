import { createHash } from "node:crypto";
import { and, desc, eq } from "drizzle-orm";
import type { Database } from "../db/index.ts";
import { checkpoints, formSubmissions, projects } from "../db/schema.ts";
import { RuntimeError } from "../http/errors.ts";
import { headCheckpoint } from "../store/checkpoints.ts";
import { loadTree } from "../store/files.ts";
import type { PlatformClient } from "./platform.ts";

export interface SiteState {
  site: string | null;
  url: string | null;
  liveVersion: number | null;
  versions: { version: number; checkpointId: string; createdAt: string; files: number }[];
}

export interface Publications extends SiteState {
  /** Checkpoints with file changes since the live version (0 when the head is what is live). */
  unpublishedChanges: number;
  headCheckpointId: string;
  liveCheckpointId: string | null;
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** Publishing a project's checkpoint to the platform, and what the owner sees of it (DESIGN §12). */
export class Publishing {
  readonly #db: Database;
  readonly #platform: PlatformClient | null;

  constructor(db: Database, platform: PlatformClient | null) {
    this.#db = db;
    this.#platform = platform;
  }

  get #api(): PlatformClient {
    if (!this.#platform)
      throw new RuntimeError(
        "publishing_unavailable",
        "Publishing is not configured for this WebSplat (WEBSPLAT_PLATFORM_URL and WEBSPLAT_SITES_TOKEN).",
        409,
      );
    return this.#platform;
  }

  /** Uploads the checkpoint's files the platform does not have yet, then publishes them as a new version. */
  async publish(projectId: string, checkpointId?: string): Promise<{ version: number; url: string }> {
    const [project] = await this.#db.select().from(projects).where(eq(projects.id, projectId));
    if (!project) throw new RuntimeError("not_found", "No such project.", 404);
    const checkpoint = checkpointId
      ? await this.#checkpoint(projectId, checkpointId)
      : await headCheckpoint(this.#db, projectId);
    const files = await loadTree(this.#db, checkpoint.treeHash);
    if (Object.keys(files).length === 0)
      throw new RuntimeError(
        "nothing_to_publish",
        "Nothing is built yet: send a prompt first, then publish.",
        409,
      );
    const blobs = new Map<string, Uint8Array>();
    const manifest: Record<string, string> = {};
    for (const [path, content] of Object.entries(files)) {
      const bytes = Buffer.from(content, "utf8");
      const hash = sha256(bytes);
      blobs.set(hash, bytes);
      manifest[path] = hash;
    }
    const { missing } = await this.#api.call<{ missing: string[] }>("POST", "/blobs/missing", {
      hashes: [...blobs.keys()],
    });
    for (const hash of missing) await this.#api.call("PUT", `/blobs/${hash}`, undefined, blobs.get(hash));
    const published = await this.#api.call<SiteState & { version: number }>(
      "POST",
      `/projects/${projectId}/versions`,
      { projectName: project.name, checkpointId: checkpoint.id, files: manifest },
    );
    return { version: published.version, url: published.url! };
  }

  async publications(projectId: string): Promise<Publications> {
    const state = await this.#api.call<SiteState>("GET", `/projects/${projectId}/site`);
    const head = await headCheckpoint(this.#db, projectId);
    const live = state.versions.find((v) => v.version === state.liveVersion);
    return {
      ...state,
      headCheckpointId: head.id,
      liveCheckpointId: live?.checkpointId ?? null,
      unpublishedChanges: live ? await this.#changesSince(projectId, head.id, live.checkpointId) : 0,
    };
  }

  async restore(projectId: string, version: number): Promise<Publications> {
    await this.#api.call("POST", `/projects/${projectId}/versions/${version}/restore`);
    return await this.publications(projectId);
  }

  async unpublish(projectId: string): Promise<Publications> {
    await this.#api.call("DELETE", `/projects/${projectId}/publication`);
    return await this.publications(projectId);
  }

  domains(projectId: string) {
    return this.#api.call("GET", `/projects/${projectId}/domains`);
  }

  addDomain(projectId: string, hostname: string) {
    return this.#api.call("POST", `/projects/${projectId}/domains`, { hostname });
  }

  checkDomains(projectId: string) {
    return this.#api.call("POST", `/projects/${projectId}/domains/check`);
  }

  removeDomain(projectId: string, hostname: string) {
    return this.#api.call("DELETE", `/projects/${projectId}/domains`, { hostname });
  }

  /**
   * Takes the submissions the platform holds for this tenant into the tenant's own schema, then tells the
   * platform to drop them: stored first, acknowledged second, so nothing is lost if either side stops.
   */
  async collectSubmissions(): Promise<number> {
    if (!this.#platform) return 0;
    const { submissions } = await this.#api.call<{
      submissions: {
        id: string;
        site: string;
        projectId: string | null;
        form: string;
        page: string;
        fields: Record<string, string>;
        receivedAt: string;
      }[];
    }>("GET", "/submissions");
    if (submissions.length === 0) return 0;
    const known = new Set((await this.#db.select({ id: projects.id }).from(projects)).map((p) => p.id));
    const rows = submissions
      .filter((s) => s.projectId && known.has(s.projectId))
      .map((s) => ({ ...s, projectId: s.projectId!, receivedAt: new Date(s.receivedAt) }));
    if (rows.length > 0) await this.#db.insert(formSubmissions).values(rows).onConflictDoNothing();
    await this.#api.call("POST", "/submissions/ack", { ids: submissions.map((s) => s.id) });
    return rows.length;
  }

  async submissions(projectId: string) {
    await this.collectSubmissions();
    const rows = await this.#db
      .select()
      .from(formSubmissions)
      .where(eq(formSubmissions.projectId, projectId))
      .orderBy(desc(formSubmissions.receivedAt));
    return rows.map((row) => ({
      id: row.id,
      form: row.form,
      page: row.page,
      fields: row.fields,
      receivedAt: row.receivedAt.toISOString(),
    }));
  }

  async #checkpoint(projectId: string, id: string) {
    if (!/^[0-9a-f-]{36}$/.test(id)) throw new RuntimeError("not_found", "No such checkpoint.", 404);
    const [row] = await this.#db
      .select()
      .from(checkpoints)
      .where(and(eq(checkpoints.id, id), eq(checkpoints.projectId, projectId)));
    if (!row) throw new RuntimeError("not_found", "No such checkpoint in this project.", 404);
    return row;
  }

  /** Walks back from the head to the published checkpoint, counting the steps that changed the files. */
  async #changesSince(projectId: string, headId: string, publishedId: string): Promise<number> {
    const rows = await this.#db
      .select({ id: checkpoints.id, parentId: checkpoints.parentId, treeHash: checkpoints.treeHash })
      .from(checkpoints)
      .where(eq(checkpoints.projectId, projectId));
    const byId = new Map(rows.map((row) => [row.id, row]));
    const published = byId.get(publishedId);
    let changes = 0;
    let current = byId.get(headId);
    while (current && current.id !== publishedId) {
      if (published && current.treeHash === published.treeHash) break;
      const parent = current.parentId ? byId.get(current.parentId) : undefined;
      if (!parent || parent.treeHash !== current.treeHash) changes++;
      current = parent;
    }
    return changes;
  }
}

/** Submissions as CSV (RFC 4180), one column per field name seen. */
export function submissionsCsv(
  rows: { form: string; page: string; fields: Record<string, string>; receivedAt: string }[],
) {
  const names = [...new Set(rows.flatMap((row) => Object.keys(row.fields)))];
  const cell = (text: string) => {
    // A visitor's `=HYPERLINK(…)` must stay text in a spreadsheet (OWASP CSV injection): prefix it with '.
    const value = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
    return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
  };
  const lines = [["received_at", "form", "page", ...names].map(cell).join(",")];
  for (const row of rows)
    lines.push(
      [row.receivedAt, row.form, row.page, ...names.map((n) => row.fields[n] ?? "")].map(cell).join(","),
    );
  return `${lines.join("\r\n")}\r\n`;
}
