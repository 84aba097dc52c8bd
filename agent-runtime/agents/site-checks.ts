import type { Review } from "./schemas.ts";
import type { SiteFiles } from "./site.ts";

/** Checks the reviewer's verdict cannot overrule: they are read from the files themselves. */
export function checkSite(files: SiteFiles, plannedIds: string[]): Review["issues"] {
  const html = Object.entries(files)
    .filter(([path]) => path.endsWith(".html"))
    .map(([, content]) => content)
    .join("\n");
  const issues: Review["issues"] = [];
  const found = [...html.matchAll(/<section id="([^"]+)"/g)].map((m) => m[1]!);
  for (const id of plannedIds) {
    if (!found.includes(id))
      issues.push({ sectionId: id, problem: "planned section is missing", fix: "write it" });
  }
  for (const id of found) {
    if (!plannedIds.includes(id))
      issues.push({ sectionId: id, problem: "section was not planned", fix: "remove it" });
    const body = new RegExp(`<section id="${id}"[^>]*>([\\s\\S]*?)</section>`).exec(html)?.[1] ?? "";
    const content = body.replace(/<h2[\s\S]*?<\/h2>/, "");
    const hasText = content.replace(/<[^>]+>/g, "").trim().length > 0;
    if (!hasText && !/<(img|form|svg)\b|role="img"/.test(content)) {
      issues.push({ sectionId: id, problem: "section is empty", fix: "give it content" });
    }
  }
  for (const img of html.matchAll(/<img\b[^>]*>/g)) {
    if (!/\balt=/.test(img[0]))
      issues.push({ sectionId: "page", problem: "an image has no alt text", fix: "describe it" });
  }
  if (!/<meta name="viewport"/.test(html))
    issues.push({ sectionId: "page", problem: "not responsive", fix: "add viewport" });
  return issues;
}
