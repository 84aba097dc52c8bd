/** `30d`, `12h`, `90m`: the KPI window, from now back. Null when the text is not one. */
export function parseWindow(text: string): { text: string; ms: number } | null {
  const match = /^(\d{1,4})([mhd])$/.exec(text.trim());
  if (!match) return null;
  const amount = Number(match[1]);
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as "m" | "h" | "d"];
  if (amount < 1 || amount * unit > 3650 * 86_400_000) return null;
  return { text: `${amount}${match[2]}`, ms: amount * unit };
}
