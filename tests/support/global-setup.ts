import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "../../control-plane/db/embedded.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** Superuser URL of the one PostgreSQL server of this test run. */
    postgresAdminUrl: string;
  }
}

/** One real PostgreSQL per test run; each test file makes its own database (`tests/support/db.ts`). */
export default async function setup(project: TestProject) {
  const dir = await mkdtemp(join(tmpdir(), "websplat-test-pg-"));
  const database = await startEmbeddedPostgres({ dir, password: randomBytes(12).toString("hex") });
  for (const note of database.notes) process.stderr.write(`${note}\n`);
  project.provide("postgresAdminUrl", database.url);
  return async () => {
    await database.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
