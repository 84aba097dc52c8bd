/** The structured spec of what the owner asked for, updated by every prompt before planning. */
export interface Spec {
  subject: string | null;
  siteName: string | null;
  /** Section ids in the order asked for. */
  sections: string[];
  facts: string[];
  prompts: string[];
}

export const emptySpec = (): Spec => ({
  subject: null,
  siteName: null,
  sections: [],
  facts: [],
  prompts: [],
});

/** Words that name a section, by the section id they mean. */
export const sectionVocabulary: Record<string, { title: string; words: string[] }> = {
  about: { title: "About", words: ["about", "our story", "story", "who we are"] },
  services: { title: "Services", words: ["services", "what we do", "offerings"] },
  menu: { title: "Menu", words: ["menu", "dishes", "drinks list"] },
  pricing: { title: "Pricing", words: ["pricing", "prices", "plans", "rates"] },
  testimonials: { title: "Testimonials", words: ["testimonials", "reviews", "what people say"] },
  gallery: { title: "Gallery", words: ["gallery", "photos", "pictures"] },
  portfolio: { title: "Portfolio", words: ["portfolio", "work samples", "projects", "case studies"] },
  team: { title: "Team", words: ["team", "staff", "our people"] },
  faq: { title: "FAQ", words: ["faq", "questions", "q&a"] },
  contact: { title: "Contact", words: ["contact", "get in touch", "email us"] },
  hours: { title: "Opening hours", words: ["hours", "opening times", "opening hours"] },
  location: { title: "Location", words: ["location", "map", "directions", "find us"] },
  features: { title: "Features", words: ["features", "benefits"] },
  events: { title: "Events", words: ["events", "schedule", "calendar"] },
  booking: { title: "Booking", words: ["booking", "reservations", "book a table", "appointments"] },
  newsletter: { title: "Newsletter", words: ["newsletter", "sign up", "mailing list"] },
};

const escapeRegExp = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Section ids named in a text, in the order they appear; `[section:id:Title]` names any other. */
export function sectionsIn(text: string): string[] {
  const lower = text.toLowerCase();
  const found: { id: string; at: number }[] = [];
  for (const [id, entry] of Object.entries(sectionVocabulary)) {
    let at = -1;
    for (const word of entry.words) {
      const match = new RegExp(`\\b${escapeRegExp(word)}\\b`).exec(lower);
      if (match && (at < 0 || match.index < at)) at = match.index;
    }
    if (at >= 0) found.push({ id, at });
  }
  for (const match of text.matchAll(/\[section:([a-z][a-z0-9-]*)(?::[^\]]*)?\]/g)) {
    found.push({ id: match[1]!, at: match.index });
  }
  return [...new Set(found.sort((a, b) => a.at - b.at).map((f) => f.id))];
}

function subjectIn(text: string): string | null {
  const match =
    /\b(?:website|site|page|homepage)\s+(?:for|about)\s+(?:a|an|my|our|the)?\s*([^.,;:!?\n]+?)(?=\s+(?:with|that|which|called|named|in|on|and)\b|[.,;:!?\n]|$)/i.exec(
      text,
    ) ??
    /\b(?:for|about)\s+(?:a|an|my|our)\s+([^.,;:!?\n]+?)(?=\s+(?:with|that|called|named|in|and)\b|[.,;:!?\n]|$)/i.exec(
      text,
    );
  return match ? match[1]!.trim().replace(/\s+/g, " ") : null;
}

function nameIn(text: string): string | null {
  const match =
    /\b(?:called|named)\s+["“]([^"”]{2,40})["”]/.exec(text) ??
    /\b(?:called|named)\s+([A-Z][\w'&-]*(?:\s+(?:&\s+)?[A-Z][\w'&-]*){0,4})/.exec(text) ??
    /["“]([^"”]{2,40})["”]/.exec(text);
  return match ? match[1]!.trim() : null;
}

/** Sentences that carry concrete facts (numbers, times, places, contact details) are kept verbatim. */
function factsIn(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.trim().replace(/[.]$/, ""))
    .filter(
      (s) => /\d|@|\b(open|located|based|since|every|daily|street|avenue|road)\b/i.test(s) && s.length > 6,
    );
}

export function updateSpec(spec: Spec, prompt: string): Spec {
  const sections = [...spec.sections];
  for (const id of sectionsIn(prompt)) if (!sections.includes(id)) sections.push(id);
  for (const match of prompt.matchAll(
    /\b(?:remove|drop|without)\s+(?:the\s+)?([a-z ]+?)(?:\s+section)?\b(?=[.,;]|$)/gi,
  )) {
    for (const id of sectionsIn(match[1]!)) {
      const at = sections.indexOf(id);
      if (at >= 0) sections.splice(at, 1);
    }
  }
  const facts = [...spec.facts];
  for (const fact of factsIn(prompt)) if (!facts.includes(fact)) facts.push(fact);
  return {
    subject: subjectIn(prompt) ?? spec.subject,
    siteName: nameIn(prompt) ?? spec.siteName,
    sections,
    facts,
    prompts: [...spec.prompts, prompt],
  };
}
