import { expect, test } from "vitest";
import { connect, migrateDatabase } from "../../control-plane/db/client.ts";
import { OperationLog } from "../../control-plane/registry/operations.ts";
import { createTestDatabase } from "../support/db.ts";

test("log lines written without waiting are numbered and stored in the order they were written", async () => {
  const database = connect(await createTestDatabase("oplog"), { max: 10 });
  try {
    await migrateDatabase(database);
    const log = new OperationLog(database.db);
    const operation = await log.create({ slug: "oplog-shop", kind: "reconcile", reason: "test" });
    // Fire-and-forget, as drivers log: a reader resuming after line N must never miss a later line.
    const seen: number[] = [];
    const off = log.subscribe(
      operation.id,
      (line) => seen.push(line.seq),
      () => {},
    );
    const writes = Array.from({ length: 50 }, (_, i) => log.append(operation.id, `line ${i + 1}`));
    await Promise.all(writes);
    off();
    const lines = await log.lines(operation.id);
    expect(lines.map((line) => line.message)).toEqual(Array.from({ length: 50 }, (_, i) => `line ${i + 1}`));
    expect(lines.map((line) => line.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(seen).toEqual(lines.map((line) => line.seq));
  } finally {
    await database.close();
  }
});
