import type { EditOp } from "../../agents/edit.ts";
import type { Item } from "../../agents/request.ts";
import type { Build, Change, Plan, Review } from "../../agents/schemas.ts";
import type { SiteSection } from "../../agents/site-model.ts";
import { escapeHtml as e } from "../../ui/escape.ts";
import { heading, tagline } from "./copy.ts";
import { seededRandom } from "./random.ts";
import { factHtml, factList, factsFor, itemCard, sectionBody } from "./sections.ts";
import { kindOf } from "./subjects.ts";

export interface BuilderContext {
  plan: Plan;
  creativity: number;
  autonomy: number;
  repair: Review["issues"];
  /** Items the owner listed, by section id. */
  items: Record<string, Item[]>;
  /** On an edit: the change, the current sections to rewrite, and the runtime's reading of the prompt. */
  change?: Change;
  current?: SiteSection[];
  ops?: EditOp[];
}

/** Writes each planned section (and only those); on an edit, only the sections it is given. */
export function offlineBuild(context: BuilderContext, seed: number): Build {
  const random = seededRandom(seed ^ 0x27d4eb2f);
  const { plan, creativity } = context;
  const kind = kindOf(`${plan.subject} ${plan.siteName}`);
  const write = (s: { id: string; title: string }) => {
    const html = sectionBody({
      id: s.id,
      title: s.title,
      items: context.items?.[s.id],
      facts: plan.facts,
      kind,
      subject: plan.subject,
      siteName: plan.siteName,
      autonomy: context.autonomy ?? 0,
      creativity,
      random,
    });
    return { id: s.id, heading: heading(s.title, s.id, creativity, random), html };
  };
  const base = {
    title: plan.siteName,
    description: `${plan.siteName}: ${plan.subject}.`,
    tagline: tagline(kind, plan.subject, creativity, random),
  };
  if (!context.change) {
    const used = new Set(plan.sections.flatMap((s) => factsFor(s.id, plan.facts)));
    return {
      ...base,
      sections: plan.sections.map(write),
      footer: plan.facts.filter((f) => !used.has(f)).join(" · "),
    };
  }
  const current = new Map((context.current ?? []).map((s) => [s.id, s]));
  const ops = context.ops ?? [];
  const sections = plan.sections.flatMap((s) => {
    const old = current.get(s.id);
    if (!old) {
      const asked = context.change!.rewrite.some((r) => r.id === s.id);
      return asked ? [] : [write(s)];
    }
    if (context.change!.kind === "redesign") return [{ ...write(s), heading: old.heading }];
    return [{ id: s.id, heading: old.heading, html: edited(old, ops, write(s).html) }];
  });
  return { ...base, sections, footer: "" };
}

/** One section with the prompt's operations on it applied; the rest of its markup is kept as it was. */
function edited(section: SiteSection, ops: EditOp[], fresh: string): string {
  let html = section.html;
  for (const op of ops) {
    if (op.op === "replace-fact") {
      html = html.split(op.from).join(op.to);
      const digits = (v: string) => v.replace(/[^\d+]/g, "");
      html = html.split(`tel:${digits(op.from)}`).join(`tel:${digits(op.to)}`);
      continue;
    }
    if (!("id" in op) || op.id !== section.id) continue;
    switch (op.op) {
      case "set-text": {
        const text = `<p class="lead">${e(op.text)}</p>`;
        const withoutPlaceholder = html.replace(/<p data-placeholder="[^"]*">[\s\S]*?<\/p>/, "");
        html = /<p\b[^>]*>[\s\S]*?<\/p>/.test(withoutPlaceholder)
          ? withoutPlaceholder.replace(/<p\b[^>]*>[\s\S]*?<\/p>/, text)
          : text + withoutPlaceholder;
        break;
      }
      case "add-item": {
        const card = itemCard(op.item);
        html =
          /<\/ul>/.test(html) && /class="cards"/.test(html)
            ? html.replace(/<\/ul>(?![\s\S]*<\/ul>)/, `${card}</ul>`)
            : `${html.replace(/<p data-placeholder="[^"]*">[\s\S]*?<\/p>/, "")}<ul class="cards">${card}</ul>`;
        break;
      }
      case "remove-item": {
        const name = op.name.toLowerCase();
        html = html.replace(/<li class="card"><h3>([\s\S]*?)<\/h3>[\s\S]*?<\/li>/g, (card, h: string) =>
          h.toLowerCase().replace(/&#39;/g, "'") === name || h.toLowerCase().startsWith(`${name} `)
            ? ""
            : card,
        );
        break;
      }
      case "add-facts": {
        const fresh = op.facts.filter((f) => !html.includes(e(f)));
        if (!fresh.length) break;
        html = html.replace(/<p data-placeholder="(?:hours|address)">[\s\S]*?<\/p>/, "");
        html = /<ul class="facts">/.test(html)
          ? html.replace(
              /<ul class="facts">/,
              `<ul class="facts">${fresh.map((f) => `<li>${factHtml(f)}</li>`).join("")}`,
            )
          : factList(fresh) + html;
        break;
      }
      case "rewrite":
        html = fresh;
        break;
    }
  }
  return html;
}
