import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchTenant, type RunningControlPlane, startControlPlane } from "../support/control-plane.ts";
import { linkIn, readOutbox, waitForEmail } from "../support/outbox.ts";
import {
  admin,
  checkoutSession,
  deliver,
  settledActive,
  stripeEvent,
  waitForTenant,
} from "../support/stripe-events.ts";

/** DESIGN §13 with the local outbox: pay, get the welcome email, come back later by email. Slugs "acs-". */
describe("sign-in by emailed link", () => {
  let plane: RunningControlPlane;
  const slug = "acs-owner";
  const email = "owner@acs.example";

  beforeAll(async () => {
    plane = await startControlPlane();
  });

  afterAll(async () => {
    await plane?.stop();
    await plane?.cleanup();
  });

  const form = (fields: Record<string, string>) => ({
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  });

  /** Follows an emailed link the way a browser does: its page, its button, the refresh to the tenant host. */
  async function signInThrough(link: string, tenant = slug): Promise<string> {
    const page = await fetch(link);
    expect(page.status).toBe(200);
    const token = new URL(link).searchParams.get("token")!;
    const chosen = await fetch(`${plane.url}/signin/link`, form({ token, tenant }));
    expect(chosen.status).toBe(200);
    const callback = /id="continue" href="([^"]+)"/.exec(await chosen.text())?.[1]?.replaceAll("&amp;", "&");
    expect(callback).toContain(`${tenant}.localhost`);
    const url = new URL(callback!);
    const signedIn = await fetchTenant(plane, tenant, `${url.pathname}${url.search}`);
    expect(signedIn.status).toBe(302);
    return (signedIn.headers.get("set-cookie") ?? "").split(";")[0]!;
  }

  const builderStatus = async (cookie: string) =>
    (await fetchTenant(plane, slug, "/api/projects", { headers: { cookie } })).status;

  it("paying sends a welcome email whose link signs the owner in, once", async () => {
    const signup = await fetch(`${plane.url}/api/signup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, slug, tier: "pro" }),
    });
    expect(signup.status).toBe(201);
    const { checkoutUrl } = (await signup.json()) as { checkoutUrl: string };
    const id = new URL(checkoutUrl).pathname.split("/").at(-1);
    await fetch(`${plane.url}/checkout/local/${id}/pay`, { method: "POST", redirect: "manual" });
    await waitForTenant(plane, slug, settledActive, { timeoutMs: 45_000, what: "active" });

    const welcome = await waitForEmail(plane.dataDir, email, /is ready/);
    expect(welcome.text).toContain(`${slug}.localhost`);
    expect(welcome.html).toContain("/privacy");
    const link = linkIn(welcome, "/signin/link?token=");
    const cookie = await signInThrough(link);
    expect(await builderStatus(cookie)).toBe(200);

    const again = await fetch(link);
    expect(again.status).toBe(410);
    const refusal = await again.text();
    expect(refusal).toContain("already used or has expired");
    expect(refusal).toContain("Email me a sign-in link");
  }, 90_000);

  it("once the session is gone, /signin emails a new link that signs the owner in", async () => {
    const first = await waitForEmail(plane.dataDir, email, /is ready/);
    const cookie = await signInThrough(await freshLink());
    const signOut = await fetchTenant(plane, slug, "/auth/signout", { method: "POST", headers: { cookie } });
    expect(signOut.status).toBe(200);
    expect(await builderStatus(cookie)).toBe(401);

    const signInPage = await fetch(`${plane.url}/signin`);
    expect(await signInPage.text()).toContain('action="/signin"');
    const answer = await fetch(`${plane.url}/signin`, form({ email: "Owner@ACS.example" }));
    expect(answer.status).toBe(200);
    expect(await answer.text()).toContain("Check your email");
    const message = await waitForEmail(plane.dataDir, email, /sign-in link/, { after: 1 });
    expect(message.file).not.toBe(first.file);
    expect(await builderStatus(await signInThrough(linkIn(message, "/signin/link?token=")))).toBe(200);
  }, 60_000);

  it("an expired link is refused with a page offering a new one", async () => {
    const link = await freshLink();
    const sql = postgres(plane.databaseUrl, { max: 1, onnotice: () => {} });
    try {
      await sql`update control_plane.email_links set expires_at = now() - interval '1 minute' where used_at is null`;
    } finally {
      await sql.end();
    }
    const page = await fetch(link);
    expect(page.status).toBe(410);
    expect(await page.text()).toContain("Email me a sign-in link");
    const token = new URL(link).searchParams.get("token")!;
    expect((await fetch(`${plane.url}/signin/link`, form({ token, tenant: slug }))).status).toBe(410);
  });

  it("an unknown email gets the same answer and no email", async () => {
    const unknown = "nobody@acs.example";
    const asked = await fetch(`${plane.url}/signin`, form({ email: unknown }));
    const known = await fetch(`${plane.url}/signin`, form({ email }));
    expect(asked.status).toBe(known.status);
    expect((await asked.text()).replaceAll(unknown, "X")).toBe((await known.text()).replaceAll(email, "X"));
    // The known address's message was queued after the unknown's request: once it is here, nothing else is coming.
    const count = (await readOutbox(plane.dataDir)).filter(
      (m) => m.to.includes(email) && /sign-in link/.test(m.subject),
    ).length;
    await waitForEmail(plane.dataDir, email, /sign-in link/, { after: count - 1 });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await readOutbox(plane.dataDir)).filter((m) => m.to.includes(unknown))).toEqual([]);
  });

  it("an email owning several tenants gets one link that lists them all", async () => {
    const second = "acs-second";
    await deliver(
      plane,
      stripeEvent("checkout.session.completed", checkoutSession({ slug: second, email, tier: "starter" })),
    );
    await waitForTenant(plane, second, settledActive, { timeoutMs: 45_000, what: "active" });
    const before = (await readOutbox(plane.dataDir)).filter(
      (m) => m.to.includes(email) && /sign-in link/.test(m.subject),
    ).length;
    await fetch(`${plane.url}/signin`, form({ email }));
    const message = await waitForEmail(plane.dataDir, email, /sign-in link/, { after: before });
    expect(message.text).toContain(`${slug}.localhost`);
    expect(message.text).toContain(`${second}.localhost`);
    const link = linkIn(message, "/signin/link?token=");
    const page = await (await fetch(link)).text();
    expect(page).toContain(`Sign in to ${slug}.localhost`);
    expect(page).toContain(`Sign in to ${second}.localhost`);
    const cookie = await signInThrough(link, second);
    expect((await fetchTenant(plane, second, "/api/projects", { headers: { cookie } })).status).toBe(200);
    // A link opens only the tenants it names, and only once.
    expect(
      (
        await fetch(
          `${plane.url}/signin/link`,
          form({ token: new URL(link).searchParams.get("token")!, tenant: slug }),
        )
      ).status,
    ).toBe(410);
  }, 60_000);

  it("an owner email change, confirmed by the new address, ends the sessions of the old one", async () => {
    // The address has used its hourly sign-in budget by now: an administrator's owner link instead.
    const issued = (await (
      await admin(plane, `/admin/tenants/${slug}/owner-link`, { method: "POST" })
    ).json()) as { url: string };
    const callback = new URL(issued.url);
    const signedIn = await fetchTenant(plane, slug, `${callback.pathname}${callback.search}`);
    const cookie = (signedIn.headers.get("set-cookie") ?? "").split(";")[0]!;
    const newEmail = "new-owner@acs.example";
    const asked = await fetchTenant(plane, slug, "/billing/email", {
      method: "POST",
      headers: {
        cookie,
        "content-type": "application/x-www-form-urlencoded",
        "sec-fetch-site": "same-origin",
      },
      body: new URLSearchParams({ email: newEmail }).toString(),
    });
    expect(asked.status).toBe(200);
    expect(await asked.text()).toContain(`A confirmation link is on its way to ${newEmail}`);
    const confirmation = await waitForEmail(plane.dataDir, newEmail, /Confirm your new/);
    const link = linkIn(confirmation, "/account/email/confirm?token=");
    // Nothing changes until the new address confirms.
    expect(await builderStatus(cookie)).toBe(200);
    expect((await fetch(link)).status).toBe(200);
    const token = new URL(link).searchParams.get("token")!;
    const confirmed = await fetch(`${plane.url}/account/email/confirm`, form({ token }));
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain("Your email is changed");
    expect((await fetch(`${plane.url}/account/email/confirm`, form({ token }))).status).toBe(410);

    await waitForTenant(plane, slug, (t) => t.email === newEmail && settledActive(t), {
      what: "the new email",
    });
    await expect.poll(() => builderStatus(cookie), { timeout: 30_000 }).toBe(401);
    const before = (await readOutbox(plane.dataDir)).filter(
      (m) => m.to.includes(newEmail) && /sign-in link/.test(m.subject),
    ).length;
    await fetch(`${plane.url}/signin`, form({ email: newEmail }));
    const message = await waitForEmail(plane.dataDir, newEmail, /sign-in link/, { after: before });
    expect(await builderStatus(await signInThrough(linkIn(message, "/signin/link?token=")))).toBe(200);
  }, 90_000);

  it("sign-in requests are limited per email address and per client", async () => {
    const target = "flooded@acs.example";
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await fetch(`${plane.url}/signin`, form({ email: target }))).status);
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses[5]).toBe(429);
    // Other addresses from the same client run into the per-client budget soon after.
    let limited = false;
    for (let i = 0; i < 25 && !limited; i++) {
      limited = (await fetch(`${plane.url}/signin`, form({ email: `probe${i}@acs.example` }))).status === 429;
    }
    expect(limited).toBe(true);
  });

  async function freshLink(): Promise<string> {
    const before = (await readOutbox(plane.dataDir)).filter(
      (m) => m.to.includes(email) && /sign-in link/.test(m.subject),
    ).length;
    expect((await fetch(`${plane.url}/signin`, form({ email }))).status).toBe(200);
    return linkIn(
      await waitForEmail(plane.dataDir, email, /sign-in link/, { after: before }),
      "/signin/link?token=",
    );
  }
});
