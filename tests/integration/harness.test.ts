import postgres from "postgres";
import { expect, test } from "vitest";
import { createTestDatabase } from "../support/db.ts";

test("each test file gets its own empty database on a real PostgreSQL", async () => {
  const url = await createTestDatabase("harness");
  const sql = postgres(url, { max: 1 });
  const [row] =
    await sql`select current_database() as name, current_setting('server_version_num')::int as version`;
  await sql.end();
  expect(row?.name).toMatch(/^harness_/);
  expect(row?.version).toBeGreaterThanOrEqual(180000);
});
