import type { Item } from "../../agents/request.ts";
import { factKind } from "../../agents/request.ts";
import { escapeHtml as e } from "../../ui/escape.ts";
import { lead } from "./copy.ts";
import type { Random } from "./random.ts";
import type { SubjectKind } from "./subjects.ts";

// Section bodies the offline model writes. The owner's items and facts are used as written; where the
// owner gave none and the autonomy forbids inventing, a placeholder marked for the owner stands in
// (`data-placeholder`: the site's stylesheet hides it from visitors, the builder's preview shows it).

export interface SectionInput {
  id: string;
  title: string;
  items: Item[] | undefined;
  facts: string[];
  kind: SubjectKind;
  subject: string;
  siteName: string;
  autonomy: number;
  creativity: number;
  random: Random;
}

export const placeholder = (what: string, text: string) => `<p data-placeholder="${e(what)}">${e(text)}</p>`;

/** Which facts belong in a section. */
export function factsFor(id: string, facts: string[]): string[] {
  const kinds: Record<string, string[]> = {
    contact: ["phone", "email", "address"],
    hours: ["hours"],
    location: ["address"],
    booking: ["phone"],
  };
  const wanted = kinds[id];
  return wanted ? facts.filter((f) => wanted.includes(factKind(f))) : [];
}

export function factHtml(fact: string): string {
  switch (factKind(fact)) {
    case "phone":
      return `<a href="tel:${e(fact.replace(/[^\d+]/g, ""))}">${e(fact)}</a>`;
    case "email":
      return `<a href="mailto:${e(fact)}">${e(fact)}</a>`;
    case "address":
      return `<address>${e(fact)}</address>`;
    default:
      return e(fact);
  }
}

export const factList = (facts: string[]) =>
  facts.length ? `<ul class="facts">${facts.map((f) => `<li>${factHtml(f)}</li>`).join("")}</ul>` : "";

export function itemCard(item: Item, note?: string): string {
  if (item.placeholder) {
    return `<li class="card"><h3>${e(item.name)}</h3>${placeholder("name", "Name and a line about them")}</li>`;
  }
  const price = item.price ? `<p class="price">${e(item.price)}</p>` : "";
  return `<li class="card"><h3>${e(item.name || item.price || "")}</h3>${item.name && price ? price : ""}${note ? `<p>${e(note)}</p>` : ""}</li>`;
}

const cards = (items: Item[], notes: (string | undefined)[] = []) =>
  `<ul class="cards">${items.map((item, i) => itemCard(item, notes[i])).join("")}</ul>`;

const planNames = ["Starter", "Standard", "Pro", "Business", "Enterprise"];

/** Whether the agents may write content of their own where the owner gave none. */
const mayInvent = (input: SectionInput) => input.autonomy >= 2;

export function sectionBody(input: SectionInput): string {
  const { id, creativity, random, items } = input;
  const own = factsFor(id, input.facts);
  const facts = factList(own);
  switch (id) {
    case "about":
      return `<p class="lead">${e(lead(input.kind, input.subject, input.siteName, creativity, random))}</p>`;
    case "menu":
    case "services":
    case "features":
    case "events": {
      if (items?.length) return cards(items);
      // Menus, services and events come only from the owner, at any autonomy: the builder asks for them.
      return placeholder(id, `Add your ${input.title.toLowerCase()} here: one line for each.`);
    }
    case "pricing": {
      if (!items?.length) return placeholder("prices", "Add your plans and their prices.");
      const named = items.map((item, i) =>
        item.name
          ? item
          : {
              ...item,
              name:
                item.price === "$0" || /^\D0$/.test(item.price ?? "")
                  ? "Free"
                  : (planNames[i] ?? `Plan ${i + 1}`),
            },
      );
      return `<ul class="cards">${named
        .map(
          (item) =>
            `<li class="card"><h3>${e(item.name)}</h3>${item.price ? `<p class="price">${e(item.price)}</p>` : placeholder("price", "Add the price")}</li>`,
        )
        .join("")}</ul>`;
    }
    case "testimonials":
      // Words of customers are the owner's to give, never written by the model.
      return placeholder("quotes", "Add a few words from your customers, with their names.");
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
      if (items?.length) return cards(items);
      return `<ul class="cards">${["Founder", "Lead", "Specialist"].map((r) => itemCard({ name: r, placeholder: true })).join("")}</ul>`;
    case "faq":
      if (!mayInvent(input))
        return placeholder("questions", "Add the questions people ask you, with your answers.");
      return ["How do I get started?", "What does it cost?", "Can I change my mind?"]
        .map(
          (q) =>
            `<details><summary>${q}</summary><p>${creativity >= 2 ? "Just ask; we'll walk you through it." : "Write to us and we will answer."}</p></details>`,
        )
        .join("");
    case "hours":
      return facts || placeholder("hours", "Add your opening hours.");
    case "location":
      return facts || placeholder("address", "Add your address.");
    case "contact":
      return `${facts}<form class="contact" action="#" method="post"><label>Your name <input name="name" autocomplete="name" required></label><label>Email <input type="email" name="email" autocomplete="email" required></label><label>Message <textarea name="message" rows="4" required></textarea></label><button type="submit">Send</button></form>`;
    case "booking":
      return `${facts}<form class="booking" action="#" method="post"><label>Your name <input name="name" autocomplete="name" required></label><label>Email or phone <input name="reach" autocomplete="email" required></label><label>Preferred date <input type="date" name="date" required></label><label>Anything we should know? <textarea name="message" rows="3"></textarea></label><button type="submit">Request a booking</button></form>`;
    case "newsletter":
      return `<form class="newsletter" action="#" method="post"><label>Email <input type="email" name="email" autocomplete="email" required></label><button type="submit">Subscribe</button></form>`;
    case "signup":
      return `<form class="signup" action="#" method="post"><label>Email <input type="email" name="email" autocomplete="email" required></label><button type="submit">Sign up</button></form>`;
    default:
      if (items?.length) return cards(items);
      return placeholder(id, `Write what “${input.title}” should say.`);
  }
}
