import { request } from "node:http";
import { beforeAll, describe, expect, it } from "vitest";
import { useControlPlane } from "../support/control-plane.ts";
import { waitForEmail } from "../support/outbox.ts";

/**
 * The local mailbox holds every tenant's sign-in links: it is the operator's alone. Attacks: a page of another
 * site reading it through a rebound DNS name, a local process without the key. (A tenant runtime's uid is
 * refused even with the key: tests/e2e/security-runtime-os-user.test.ts.)
 */
const plane = useControlPlane();
const email = "owner@mbx-victim.test";
let key: string;

beforeAll(async () => {
  key = /\/dev\/mailbox\?key=(\S+)/.exec(plane().output())?.[1] ?? "";
  const created = await fetch(`${plane().url}/admin/tenants`, {
    method: "POST",
    headers: { authorization: `Bearer ${plane().adminToken}`, "content-type": "application/json" },
    body: JSON.stringify({ slug: "mbx-victim", email, tier: "starter" }),
  });
  expect(created.status).toBe(201);
  await fetch(`${plane().url}/signin`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email }),
  });
  await waitForEmail(plane().dataDir, email, /sign-in link/);
}, 60_000);

/** A request with the Host header a browser sends for a rebound name (attacker.example → 127.0.0.1). */
function withHost(host: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: plane().port, path, headers: { host } }, (response) => {
      let body = "";
      response.on("data", (chunk) => {
        body += chunk;
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("the local mailbox is the operator's", () => {
  it("the start banner prints the key that opens it", () => {
    expect(key).toMatch(/^[\w-]{32}$/);
  });

  it("without the key or the admin token, a local process gets a page saying where the key is, and no mail", async () => {
    const answer = await fetch(`${plane().url}/dev/mailbox`);
    expect(answer.status).toBe(401);
    const body = await answer.text();
    expect(body).toContain("printed when it started");
    expect(body).not.toContain(email);
    expect(body).not.toContain("Your WebSplat sign-in link");
    const guessed = await fetch(`${plane().url}/dev/mailbox?key=${"a".repeat(32)}`);
    expect(guessed.status).toBe(401);
  });

  it("a page on a rebound DNS name gets nothing, even with the key", async () => {
    const rebound = await withHost(`attacker.example:${plane().port}`, `/dev/mailbox?key=${key}`);
    expect(rebound.status).toBe(404);
    expect(rebound.body).not.toContain(email);
  });

  it("the key moves into a cookie of the mailbox's path and leaves the address; the cookie then opens it", async () => {
    const opened = await fetch(`${plane().url}/dev/mailbox?key=${key}`, { redirect: "manual" });
    expect(opened.status).toBe(303);
    expect(opened.headers.get("location")).toBe("/dev/mailbox");
    const cookie = opened.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/Path=\/dev\/mailbox/);
    expect(cookie).toMatch(/SameSite=Strict/i);
    const listed = await fetch(`${plane().url}/dev/mailbox`, { headers: { cookie: cookie.split(";")[0]! } });
    expect(listed.status).toBe(200);
    expect(await listed.text()).toContain(email);
  });

  it("the admin token opens it too, a message included", async () => {
    const auth = { authorization: `Bearer ${plane().adminToken}` };
    const listed = await (await fetch(`${plane().url}/dev/mailbox`, { headers: auth })).text();
    const file = /href="\/dev\/mailbox\/([\w-]+\.eml)"/.exec(listed)?.[1];
    expect(file).toBeDefined();
    const message = await fetch(`${plane().url}/dev/mailbox/${file}`, { headers: auth });
    expect(message.status).toBe(200);
    expect(await message.text()).toContain("/signin/link?token=");
    expect((await fetch(`${plane().url}/dev/mailbox/${file}`)).status).toBe(401);
  });
});
