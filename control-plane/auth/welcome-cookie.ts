import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";

/**
 * The welcome key of one signup, held by the buyer's browser as an HttpOnly cookie scoped to `/api`: it proves
 * who may renew the reservation and follow the purchase, without sitting in a URL (history, logs, Referer).
 * One cookie per slug, so several signups in one browser do not overwrite each other.
 */
export const welcomeCookieName = (slug: string) => `websplat_welcome_${slug.replaceAll("-", "_")}`;

export function setWelcomeCookie(
  c: Context,
  input: { slug: string; key: string; expiresAt: Date; secure: boolean },
): void {
  const { slug, key, expiresAt, secure } = input;
  setCookie(c, welcomeCookieName(slug), key, {
    httpOnly: true,
    sameSite: "Lax",
    secure,
    path: "/api",
    expires: expiresAt,
  });
}

export function welcomeCookie(c: Context, slug: string): string | undefined {
  return getCookie(c, welcomeCookieName(slug)) || undefined;
}

export function clearWelcomeCookie(c: Context, slug: string): void {
  deleteCookie(c, welcomeCookieName(slug), { path: "/api" });
}
