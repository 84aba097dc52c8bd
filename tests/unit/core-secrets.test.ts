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
