import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import {
  generateOwnerKeyPair,
  signOwnerToken,
  verifyOwnerToken,
} from "../../control-plane/auth/owner-token.ts";
import { loadSecrets } from "../../control-plane/secrets.ts";

test("replicas given the same owner signing key verify each other's sign-in links, and no key is written to disk", async () => {
  const { privateKeyPem } = generateOwnerKeyPair();
  const dirs = await Promise.all([1, 2].map(() => mkdtemp(join(tmpdir(), "websplat-secrets-"))));
  try {
    const [a, b] = await Promise.all(dirs.map((dir) => loadSecrets(dir, { ownerSigningKey: privateKeyPem })));
    const { token } = signOwnerToken(a!.ownerPrivateKey, { slug: "shared-key", email: "owner@shared.test" });
    expect(verifyOwnerToken(b!.ownerPublicKey, token, { slug: "shared-key" }).ok).toBe(true);
    expect(await readdir(dirs[0]!)).not.toContain("owner-key.pem");
  } finally {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  }
});

test("without a configured key, each data dir generates its own and keeps it across restarts", async () => {
  const dir = await mkdtemp(join(tmpdir(), "websplat-secrets-"));
  try {
    const first = await loadSecrets(dir, {});
    const again = await loadSecrets(dir, {});
    expect(again.ownerPublicKey).toBe(first.ownerPublicKey);
    expect(await readdir(dir)).toContain("owner-key.pem");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("in production, replicas given the same owner signing key share the platform secret that signs export links", async () => {
  const { privateKeyPem } = generateOwnerKeyPair();
  const dirs = await Promise.all([1, 2].map(() => mkdtemp(join(tmpdir(), "websplat-secrets-"))));
  try {
    const shared = await Promise.all(
      dirs.map((dir) => loadSecrets(dir, { ownerSigningKey: privateKeyPem, sharedPlatformSecret: true })),
    );
    expect(shared[0]!.platformSecret).toBe(shared[1]!.platformSecret);
    expect(shared[0]!.platformSecret.length).toBeGreaterThanOrEqual(43);
    expect(await readdir(dirs[0]!)).not.toContain("platform-secret");
    // Another key, another secret; on one machine each data dir keeps its own.
    const other = await loadSecrets(dirs[0]!, {
      ownerSigningKey: generateOwnerKeyPair().privateKeyPem,
      sharedPlatformSecret: true,
    });
    expect(other.platformSecret).not.toBe(shared[0]!.platformSecret);
    const local = await Promise.all(dirs.map((dir) => loadSecrets(dir, { ownerSigningKey: privateKeyPem })));
    expect(local[0]!.platformSecret).not.toBe(local[1]!.platformSecret);
  } finally {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  }
});
