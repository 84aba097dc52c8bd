import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, migrateDatabase } from "../../control-plane/db/client.ts";
import { OperationLog } from "../../control-plane/registry/operations.ts";
import { runOperation } from "../../control-plane/registry/run-operation.ts";
import { StackError } from "../../stacks/index.ts";
import { createTestDatabase } from "../support/db.ts";

describe("an operation's record, as the runner keeps it", () => {
  let database: ReturnType<typeof connect>;
  let log: OperationLog;
  const instance = 4242;
  const signal = new AbortController().signal;

  beforeAll(async () => {
    database = connect(await createTestDatabase("oprunner"), { max: 5 });
    await migrateDatabase(database);
    log = new OperationLog(database.db);
  });

  afterAll(async () => {
    await database?.close();
  });

  async function operation() {
    return (await log.create({ slug: "oprunner-shop", kind: "refresh", reason: "test" })).id;
  }

  it("names the instance that runs it while it runs, and keeps the work's result once it succeeded", async () => {
    const id = await operation();
    let during: Awaited<ReturnType<OperationLog["get"]>> = null;
    const value = await runOperation(id, { operations: log, instance, signal }, async (run) => {
      during = await log.get(id);
      run.context.log("working");
      return { changes: 2 };
    });
    expect(value).toEqual({ changes: 2 });
    expect(during).toMatchObject({ status: "running", instanceKey: instance, attempt: 1 });
    const done = await log.get(id);
    expect(done).toMatchObject({ status: "succeeded", result: { changes: 2 }, error: null });
    expect(done?.startedAt).not.toBeNull();
    expect(done?.finishedAt).not.toBeNull();
    expect((await log.lines(id)).map((line) => line.message)).toEqual(["working"]);
  });

  it("a final failure is recorded as failed with the error's code and sentence, and its line in the log", async () => {
    const id = await operation();
    const value = await runOperation(id, { operations: log, instance, signal }, async () => {
      throw new StackError("not_found", "refresh: the stack does not exist.");
    });
    expect(value).toBeUndefined();
    expect(await log.get(id)).toMatchObject({
      status: "failed",
      error: { code: "not_found", message: "refresh: the stack does not exist." },
    });
    expect(await log.lines(id)).toMatchObject([
      { level: "error", message: "refresh: the stack does not exist." },
    ]);
  });

  it("a failure that will be retried is thrown back and leaves the operation running with its error", async () => {
    const id = await operation();
    const attempt = { operations: log, instance, signal, attempt: 1, finalAttempt: false };
    await expect(
      runOperation(id, attempt, async () => {
        throw new Error("connection reset");
      }),
    ).rejects.toThrow("connection reset");
    expect(await log.get(id)).toMatchObject({
      status: "running",
      error: { code: "reconcile_failed", message: "connection reset" },
    });
    expect((await log.lines(id)).at(-1)?.message).toBe("connection reset — retrying with backoff");

    await runOperation(id, { ...attempt, attempt: 2, finalAttempt: true }, async () => "ok");
    expect(await log.get(id)).toMatchObject({ status: "succeeded", attempt: 2, error: null });
    expect((await log.lines(id)).map((line) => line.message)).toContain("Attempt 2");
  });

  it("a failure that cannot succeed later is final even with retries left", async () => {
    const id = await operation();
    const value = await runOperation(
      id,
      { operations: log, instance, signal, attempt: 1, finalAttempt: false },
      async () => {
        throw new StackError("cli_missing", "The pulumi CLI is not installed.");
      },
    );
    expect(value).toBeUndefined();
    expect(await log.get(id)).toMatchObject({ status: "failed", error: { code: "cli_missing" } });
  });
});
