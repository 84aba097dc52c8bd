import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RuntimeUsers } from "../../stacks/local/runtime-users.ts";

const asRoot = process.getuid?.() === 0;

/** The machine-wide register of runtime uids, as several control planes on one host use it at once. */
describe.skipIf(!asRoot)("runtime uid register", () => {
  let scratch: string;
  const users = (name: string) =>
    new RuntimeUsers({
      dataDir: join(scratch, name),
      runtimesDir: join(scratch, name, "runtimes"),
      key: `test-${name}`,
    });

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), "websplat-uids-"));
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it("control planes of different data dirs allocating at once never hand out one uid twice", async () => {
    const planes = ["a", "b", "c"].map(users);
    const slugs = Array.from({ length: 8 }, (_, n) => `tenant-${n}`);
    const uids = await Promise.all(planes.flatMap((plane) => slugs.map((slug) => plane.uidOf(slug))));
    expect(new Set(uids).size).toBe(uids.length);
    expect(Math.min(...uids)).toBeGreaterThanOrEqual(200_000);
  });

  it("a tenant keeps its uid in a new process, and a table of an older version is taken over", async () => {
    const first = await users("d").uidOf("kept");
    expect(await users("d").uidOf("kept")).toBe(first);

    const legacy = join(scratch, "e", "runtimes", "uids.json");
    await mkdir(join(scratch, "e", "runtimes"), { recursive: true });
    // Its uid is another data dir's already: the tenant gets a free one instead.
    await writeFile(legacy, JSON.stringify({ old: first }));
    const taken = await users("e").uidOf("old");
    expect(taken).not.toBe(first);
    expect(existsSync(legacy)).toBe(false);
    expect(await users("e").uidOf("old")).toBe(taken);
  });
});
