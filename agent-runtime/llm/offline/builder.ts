import type { Build, Plan, Review } from "../../agents/schemas.ts";
import { escapeHtml as e } from "../../ui/escape.ts";
import { heading, lead, tagline } from "./copy.ts";
import { type Random, seededRandom } from "./random.ts";
import { kindOf, type SubjectKind } from "./subjects.ts";

export interface BuilderContext {
  plan: Plan;
  creativity: number;
  repair: Review["issues"];
}

interface SectionInput {
  id: string;
  title: string;
  purpose: string;
  facts: string[];
  kind: SubjectKind;
  plan: Plan;
  creativity: number;
  random: Random;
}

const factsFor = (id: string, facts: string[]) => {
  const tests: Record<string, RegExp> = {
    hours: /\b(open|closed|\d{1,2}\s?(am|pm|h)|\d{1,2}:\d{2}|mon|tue|wed|thu|fri|sat|sun|daily)/i,
    location: /\b(located|street|avenue|road|square|near|corner|based in)\b/i,
    contact: /@|\+?\d[\d\s-]{6,}|\bcall\b|\bemail\b/i,
    pricing: /[$€£]\s?\d|\d+\s?(dollars|euros|per)/i,
  };
  const test = tests[id];
  return test ? facts.filter((f) => test.test(f)) : [];
};

function cards(input: SectionInput, count: number): string {
  const items = input.kind.items.slice(0, count);
  return `<ul class="cards">${items
    .map(
      (item) =>
        `<li class="card"><h3>${e(item.name)}</h3>${input.creativity >= 1 ? `<p>${e(item.note)}</p>` : ""}</li>`,
    )
    .join("")}</ul>`;
}

function body(input: SectionInput): string {
  const { id, facts, creativity, random } = input;
  const own = factsFor(id, facts);
  const factList = own.length ? `<ul class="facts">${own.map((f) => `<li>${e(f)}</li>`).join("")}</ul>` : "";
  switch (id) {
    case "about":
      return `<p class="lead">${e(lead(input.kind, input.plan.subject, input.plan.siteName, creativity, random))}</p>${factList}`;
    case "menu":
    case "services":
    case "features":
      return `${cards(input, 3 + Math.min(3, creativity))}${factList}`;
    case "pricing": {
      const tiers = ["Basic", "Standard", "Plus"];
      return `${factList}<ul class="cards">${tiers
        .map(
          (t, i) =>
            `<li class="card"><h3>${t}</h3><p>${creativity >= 2 ? e(["For a first try.", "What most people choose.", "Everything, with priority."][i]!) : "Details to follow."}</p></li>`,
        )
        .join("")}</ul>`;
    }
    case "testimonials": {
      if (creativity <= 1) return `<p>Your customers' words will appear here.</p>`;
      const quotes = [
        "Exactly what I hoped for, and then some.",
        "I've recommended them to everyone I know.",
        "Friendly, careful and always on time.",
      ];
      return `<div class="quotes">${quotes
        .slice(0, 2 + (creativity >= 4 ? 1 : 0))
        .map(
          (q, i) =>
            `<blockquote><p>“${e(q)}”</p><footer>${["Sam", "Priya", "Jonas"][i]}</footer></blockquote>`,
        )
        .join("")}</div>`;
    }
    case "gallery":
    case "portfolio":
      return `<div class="tiles">${[1, 2, 3, 4, 5, 6]
        .slice(0, 3 + creativity)
        .map(
          (n) =>
            `<div class="tile tile-${n}" role="img" aria-label="${e(`${input.title} picture ${n}`)}"></div>`,
        )
        .join("")}</div>`;
    case "team":
      return `<ul class="cards">${["Founder", "Lead", "Specialist"].map((r) => `<li class="card"><h3>${r}</h3><p>Name and a line about them.</p></li>`).join("")}</ul>`;
    case "faq":
      return ["How do I get started?", "What does it cost?", "Can I change my mind?"]
        .map(
          (q) =>
            `<details><summary>${q}</summary><p>${creativity >= 2 ? "Just ask; we'll walk you through it." : "Answer to follow."}</p></details>`,
        )
        .join("");
    case "hours":
      return factList || `<p>Opening hours to follow.</p>`;
    case "location":
      return factList || `<p>Address to follow.</p>`;
    case "contact":
      return `${factList}<form class="contact" action="#" method="post"><label>Your name <input name="name" autocomplete="name" required></label><label>Email <input type="email" name="email" autocomplete="email" required></label><label>Message <textarea name="message" rows="4" required></textarea></label><button type="submit">Send</button></form>`;
    case "newsletter":
      return `<form class="newsletter" action="#" method="post"><label>Email <input type="email" name="email" required></label><button type="submit">Subscribe</button></form>`;
    default:
      return `<p>${e(input.purpose || input.title)}</p>${factList}`;
  }
}

/** Writes each planned section (and only those); repairs what the review found. */
export function offlineBuild(context: BuilderContext, seed: number): Build {
  const random = seededRandom(seed ^ 0x27d4eb2f);
  const { plan, creativity } = context;
  const kind = kindOf(`${plan.subject} ${plan.siteName}`);
  const sections = plan.sections.map((s) => {
    const input = { ...s, facts: plan.facts, kind, plan, creativity, random };
    let html = body(input);
    if (!html.trim() || context.repair.some((i) => i.sectionId === s.id))
      html ||= `<p>${e(s.purpose || s.title)}</p>`;
    return { id: s.id, heading: heading(s.title, s.id, creativity, random), html };
  });
  const used = new Set(plan.sections.flatMap((s) => factsFor(s.id, plan.facts)));
  return {
    title: plan.siteName,
    description: `${plan.siteName}: ${plan.subject}.`,
    tagline: tagline(kind, plan.subject, creativity, random),
    sections,
    footer: plan.facts.filter((f) => !used.has(f)).join(" · "),
  };
}
