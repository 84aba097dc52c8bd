import type compromise from "compromise";

export type Nlp = typeof compromise;
export type Doc = ReturnType<Nlp>;

let loading: Promise<Nlp> | undefined;

/**
 * compromise, loaded with the first prompt to read rather than at start: a runtime that only serves the
 * preview or publishes never pays for it (see docs/benchmarks.md for what it costs).
 */
export const loadNlp = (): Promise<Nlp> => {
  loading ??= import("compromise").then((m) => m.default);
  return loading;
};

/** The sentences of a text as written (compromise finds where they end: "Dr.", "Co." and "£4.20" do not end one). */
export function sentencesOf(nlp: Nlp, text: string): string[] {
  const found = nlp(text).sentences().json({ offset: true }) as {
    offset: { start: number; length: number };
  }[];
  return found
    .map((s) => text.slice(s.offset.start, s.offset.start + s.offset.length).trim())
    .filter(Boolean);
}

/** People named in a sentence as written: titles ("Dr.", "Mrs.") and letters after the name ("MISCP") kept. */
export function peopleIn(nlp: Nlp, sentence: string): string[] {
  const found = nlp(sentence).people().json({ offset: true }) as {
    offset: { start: number; length: number };
    terms: { text: string; tags: string[] }[];
  }[];
  const people: string[] = [];
  for (const p of found) {
    // A possessive ("Dave's Plumbing") names a business, not a person on the page.
    if (p.terms.some((t) => /['’]s$/.test(t.text))) continue;
    if (p.terms.length < 2 && !p.terms.some((t) => t.tags.includes("FirstName"))) continue;
    let text = sentence.slice(p.offset.start, p.offset.start + p.offset.length);
    const letters = /^\s+[A-Z]{2,6}\b/.exec(sentence.slice(p.offset.start + p.offset.length));
    if (letters && !/[,.;:]$/.test(text)) text += letters[0];
    text = text.trim().replace(/[,;:!?)]+$/, "");
    if (!/[A-Z]\.$/.test(text.split(" ").at(-1) ?? "")) text = text.replace(/\.$/, "");
    if (text && !people.includes(text)) people.push(text);
  }
  return people;
}

/** Places named in a sentence ("Leeds", "Ludlow, Shropshire"), as written. */
export function placesIn(nlp: Nlp, sentence: string): string[] {
  const doc = nlp(sentence);
  const found = [
    ...(doc.places().json({ offset: true }) as { offset: { start: number; length: number } }[]),
    ...(doc.match("(in|near|around|across|serving) [#ProperNoun+]", 0).json({ offset: true }) as {
      offset: { start: number; length: number };
    }[]),
  ];
  const places: string[] = [];
  for (const p of found) {
    const text = sentence
      .slice(p.offset.start, p.offset.start + p.offset.length)
      .trim()
      .replace(/[,;:.!?]+$/, "");
    if (text && !places.some((q) => q.includes(text))) {
      for (const q of places.filter((q) => text.includes(q))) places.splice(places.indexOf(q), 1);
      places.push(text);
    }
  }
  return places;
}
