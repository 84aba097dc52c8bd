import { type Fact, readFacts } from "./facts.ts";
import { type Nlp, sentencesOf } from "./nlp.ts";

// What a follow-up prompt does to the owner's facts: "Take bathroom installs off the page", "Dex is on
// leave, remove him", "change the phone to …", "follow-up is €60 now", "call the business X instead",
// "Call the Services section What We Fix instead". Read with compromise for sentences and pronouns.

export interface FactEdits {
  /** Facts (or words on the page) to take off. */
  remove: string[];
  /** Text to put in place of other text, wherever a visitor reads it (only beside `item` when given). */
  replace: { from: string; to: string; item?: string }[];
  /** Sections to call by another name: the heading as it is, and the owner's new one. */
  rename: { from: string; to: string }[];
  /** The site's new name, when the owner gave one. */
  title: string | null;
}

export const noFactEdits = (): FactEdits => ({ remove: [], replace: [], rename: [], title: null });

const removal =
  /^(?:(?:please|and|then|also|can you|could you)\s+)*(?:take|remove|drop|delete|cut|lose|get rid of)\s+(?:off\s+)?(.+?)(?:\s+(?:off|out)\b.*|\s+from\b.*)?$/i;
const pronoun = /^(?:him|her|them|it|that|this|those|these)\b/i;
const filler =
  /^(?:the|a|an|our|my)\s+|\s+(?:bit|part|line|one|item|entry|for now|for this year|please|now|too|as well|off the page|from the page|off the site|off)$/gi;

const changeWords = /\b(?:change|changed|new|now|instead|update|updated|moved|switch|replace)\b/i;

/** Reads one follow-up prompt against the facts recorded so far and the page's text. */
export function readFactEdits(nlp: Nlp, prompt: string, ledger: Fact[], pageText: string): FactEdits {
  const edits = noFactEdits();
  const page = pageText.toLowerCase();
  for (const sentence of sentencesOf(nlp, prompt)) {
    const clauses = sentence
      .replace(/[.!?]+$/, "")
      .split(/,\s*|;\s*|\s+and\s+(?=(?:take|remove|drop|delete|add)\b)/i);
    // The subject of the first clause answers "him", "it": "Dex is on leave till summer, remove him".
    const subject = /^(.+?)\s+(?:is|are|has|have|was|were)\b/i.exec(clauses[0] ?? "")?.[1]?.trim();
    for (const clause of clauses) {
      const gone =
        removal.exec(clause.trim())?.[1] ??
        /^(.+?)\s+(?:has left|have left|left us|is leaving|no longer works here)\b/i.exec(clause.trim())?.[1];
      if (!gone) continue;
      let what = pronoun.test(gone) ? (subject ?? "") : gone;
      for (let i = 0; i < 3; i++) what = what.replace(filler, "").trim();
      if (!what || /\bsection\b/i.test(what)) continue;
      const lower = what.toLowerCase();
      const fact = ledger.find(
        (f) =>
          f.text.toLowerCase().includes(lower) || (lower.includes(f.text.toLowerCase()) && f.text.length > 3),
      );
      const target = fact?.text ?? (page.includes(lower) ? what : null);
      if (target && !edits.remove.includes(target)) edits.remove.push(target);
    }
    const rename =
      /\b(?:call|rename|retitle)\s+(?:the\s+)?(.+?)\s+section\s+(?:to\s+)?["“']?(.+?)["”']?(?:\s+instead)?$/i.exec(
        sentence.replace(/[.!]+$/, ""),
      );
    // The new name ends where the next instruction starts: "…to Drinks and move the menu to the top".
    const to = rename ? rename[2]!.split(/\s+and\s+|,\s*/)[0]!.trim() : "";
    if (rename && to) edits.rename.push({ from: rename[1]!.trim(), to });
    const title =
      /\b(?:call|rename)\s+(?:the\s+)?(?:business|site|company|shop|salon|studio|website)\s+(?:to\s+)?["“']?(.+?)["”']?(?:\s+instead)?$/i.exec(
        sentence.replace(/[.!]+$/, ""),
      );
    if (title) edits.title = title[1]!.trim();
  }
  // A new phone, email or address where one was given before, or a new price for a listed item.
  if (changeWords.test(prompt) || /\bis\b/.test(prompt)) {
    for (const fact of readFacts(nlp, prompt, false)) {
      if (["phone", "email", "address"].includes(fact.kind)) {
        const old = ledger.find((f) => f.kind === fact.kind && f.text !== fact.text);
        if (old && changeWords.test(prompt)) edits.replace.push({ from: old.text, to: fact.text });
      }
      const price = fact.kind === "item" ? fact.price : undefined;
      const named = price
        ? ledger.find((f) => f.kind === "item" && f.text.toLowerCase() === fact.text.toLowerCase())
        : undefined;
      if (price && named?.price && named.price !== price)
        edits.replace.push({ from: named.price, to: price, item: named.text });
    }
  }
  return edits;
}
