import { readFileSync } from "node:fs";
import { colornames } from "color-name-list";
import { colord, extend } from "colord";
import labPlugin from "colord/plugins/lab";
import nlp from "compromise";
import { OfflineSession } from "../../tests/support/runtime/offline-build.ts";

// Scores a held-out set of owner requests (written blind, see docs/benchmarks.md) on the offline model:
// `node scripts/bench/builder-heldout.ts <set.json> [--details]`. Every step runs through the runtime's
// agent steps as the builder service runs them; where a run stops to ask, the owner approves the plan
// and answers a question with its first choice (or, when it offers none, says the request again).

extend([labPlugin]);

export interface HeldoutStep {
  prompt: string;
  autonomy: number;
  creativity: number;
  /** Exact text of this or an earlier prompt that must be readable on the site after this step. */
  facts?: string[];
  /** Text that must no longer be readable. */
  gone?: string[];
  /** Words of section headings, in the order the sections must come. */
  order?: string[];
  colors?: { part: "header" | "background" | "accent" | "text"; color: string }[];
  intent?: string;
}

export interface HeldoutSet {
  set: string;
  cases: { business: string; steps: HeldoutStep[] }[];
}

export interface HeldoutScore {
  set: string;
  steps: number;
  factsKept: number;
  factsChecked: number;
  editsApplied: number;
  edits: number;
  invented: string[];
  pasted: string[];
  questionsAsked: number;
  /** Steps in which a question already asked in the case came back. */
  questionsRepeated: number;
  /** Edits at autonomy 2 and above that ended unapplied with a question. */
  deadEnds: number;
  approvals: number;
  entirelyRight: number;
  failures: string[];
}

/** Reads a held-out set and scores it. */
export async function scoreHeldoutFile(path: string): Promise<HeldoutScore> {
  return scoreHeldout(JSON.parse(readFileSync(path, "utf8")) as HeldoutSet);
}

export async function scoreHeldout(set: HeldoutSet): Promise<HeldoutScore> {
  const score: HeldoutScore = {
    set: set.set,
    steps: 0,
    factsKept: 0,
    factsChecked: 0,
    editsApplied: 0,
    edits: 0,
    invented: [],
    pasted: [],
    questionsAsked: 0,
    questionsRepeated: 0,
    deadEnds: 0,
    approvals: 0,
    entirelyRight: 0,
    failures: [],
  };
  for (const c of set.cases) {
    const session = new OfflineSession();
    const asked = new Set<string>();
    const invented = new Set<string>();
    const prompts: string[] = [];
    const owned: { fact: string; step: number }[] = [];
    for (const [index, step] of c.steps.entries()) {
      score.steps++;
      const where = `${c.business} #${index + 1}`;
      const fail = (what: string) => score.failures.push(`${where}: ${what}\n    prompt: ${step.prompt}`);
      const before = pageBlocks(session.files);
      prompts.push(step.prompt);
      const answers: string[] = [];
      const result = await session.prompt(step.prompt, {
        autonomy: step.autonomy,
        creativity: step.creativity,
        seed: 1000 + index,
        answer: (questions) => {
          const text = ownerAnswer(questions[0]!, step.prompt);
          answers.push(text);
          return text;
        },
      });
      prompts.push(...answers);
      score.approvals += result.approvals;
      let right = true;

      // Questions: each one counted; one asked again in a case (after its answer) is a loop, counted once a step.
      const again = new Set<string>();
      for (const q of result.questions) {
        score.questionsAsked++;
        if (asked.has(q)) again.add(q);
        asked.add(q);
      }
      if (again.size) {
        score.questionsRepeated++;
        right = false;
        fail(`question asked again: ${[...again].join(" | ")}`);
      }

      const files = session.files;
      const text = visibleText(files);
      // Facts: this step's, and every earlier one not taken off since.
      for (const g of step.gone ?? [])
        for (const o of owned) if (o.fact.includes(g) || g.includes(o.fact)) o.step = -1;
      for (const fact of step.facts ?? []) owned.push({ fact, step: index });
      const missing: string[] = [];
      for (const o of owned.filter((o) => o.step >= 0)) {
        score.factsChecked++;
        if (text.includes(normalise(o.fact))) score.factsKept++;
        else missing.push(o.fact);
      }
      if (missing.length) fail(`facts missing: ${missing.map((f) => `“${f}”`).join(", ")}`);
      const stillThere = (step.gone ?? []).filter((g) => text.includes(normalise(g)));
      if (stillThere.length) fail(`still on the page: ${stillThere.map((g) => `“${g}”`).join(", ")}`);
      const order = orderHolds(files, step.order ?? []);
      if (!order.ok) fail(`sections not in the order ${step.order!.join(", ")} (found ${order.found})`);
      const colours = (step.colors ?? []).filter((want) => !colourHolds(files, want.part, want.color));
      for (const want of colours)
        fail(`the ${want.part} is not ${want.color} (found ${partColour(files, want.part)})`);
      const ownMissing = (step.facts ?? []).filter((f) => missing.includes(f));
      const stepHolds = !ownMissing.length && !stillThere.length && order.ok && !colours.length;
      if (missing.length || !stepHolds) right = false;

      if (index > 0) {
        score.edits++;
        const after = pageBlocks(files);
        const allowed = [...(step.facts ?? []), ...(step.gone ?? [])].map(normalise);
        const carries = (block: string | undefined) =>
          block !== undefined && allowed.some((t) => blockText(block).includes(t));
        const changed = [...before.keys()].filter(
          (id) =>
            after.has(id) &&
            before.get(id) !== after.get(id) &&
            !carries(before.get(id)) &&
            !carries(after.get(id)),
        );
        if (changed.length) fail(`sections the edit did not concern changed: ${changed.join(", ")}`);
        const applied = stepHolds && changed.length === 0;
        if (applied) score.editsApplied++;
        else right = false;
        if (!applied && step.autonomy >= 2 && (result.questions.length || result.unanswered)) {
          score.deadEnds++;
          fail("an edit at autonomy 2 or more ended unapplied with a question");
        }
      }

      const newlyInvented = inventedFacts(text, prompts).filter((f) => !invented.has(f));
      for (const f of newlyInvented) invented.add(f);
      if (newlyInvented.length) {
        right = false;
        score.invented.push(...newlyInvented.map((f) => `${where}: ${f}`));
        fail(`invented: ${newlyInvented.join(", ")}`);
      }
      const facts = c.steps.flatMap((s) => s.facts ?? []);
      const pasted = pastedClauses(text, step.prompt, facts);
      if (pasted.length) {
        right = false;
        score.pasted.push(...pasted.map((p) => `${where}: ${p}`));
        fail(`prompt pasted: ${pasted.map((p) => `“${p}”`).join(", ")}`);
      }
      if (right) score.entirelyRight++;
    }
  }
  return score;
}

/**
 * The owner's answer: the first choice the question offers ("…: A, B or C?", "(for example A, B, C)"),
 * else the request again in the owner's words.
 */
function ownerAnswer(question: string, prompt: string): string {
  const offered = /\(for example ([^)]+)\)|:\s*([^:?]+)\?\s*$/.exec(question);
  const list = offered?.[1] ?? offered?.[2];
  if (!list) return prompt;
  return list.split(/,\s*|\s+or\s+/)[0]!.trim();
}

const entities: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };
const decode = (html: string) =>
  html.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, name: string) => {
    if (name[0] === "#")
      return String.fromCodePoint(
        name[1] === "x" || name[1] === "X" ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1)),
      );
    return entities[name.toLowerCase()] ?? whole;
  });
const normalise = (text: string) => text.replace(/\s+/g, " ").trim();

/** What a visitor reads on every page: markup, the page head and the owner's placeholders left out. */
export function visibleText(files: Record<string, string>): string {
  return Object.entries(files)
    .filter(([path]) => path.endsWith(".html"))
    .map(([, html]) => blockText(html.replace(/<head>[\s\S]*?<\/head>/, "")))
    .join(" \n ");
}

const blockText = (html: string) =>
  normalise(
    decode(html.replace(/<(\w+)[^>]*data-placeholder[^>]*>[\s\S]*?<\/\1>/g, " ").replace(/<[^>]+>/g, " ")),
  );

/** The header (its navigation aside), each section and the footer of every page, by id, as markup. */
function pageBlocks(files: Record<string, string>): Map<string, string> {
  const blocks = new Map<string, string>();
  for (const [path, html] of Object.entries(files)) {
    if (!path.endsWith(".html")) continue;
    for (const m of html.matchAll(/<section id="([^"]+)"[\s\S]*?<\/section>/g)) blocks.set(m[1]!, m[0]);
    // The header's navigation lists the sections, so it follows any section added, removed or renamed.
    const header = /<header[\s\S]*?<\/header>/.exec(html)?.[0]?.replace(/<nav[\s\S]*?<\/nav>/, "<nav></nav>");
    const footer = /<footer[\s\S]*?<\/footer>/.exec(html)?.[0];
    if (header) blocks.set(`${path} header`, header);
    if (footer) blocks.set(`${path} footer`, footer);
  }
  return blocks;
}

/** Each word must name a section heading, and those sections come in the words' order. */
function orderHolds(files: Record<string, string>, words: string[]): { ok: boolean; found: string } {
  const headings = Object.entries(files)
    .filter(([p]) => p.endsWith(".html"))
    .sort(([a], [b]) => (a === "index.html" ? -1 : b === "index.html" ? 1 : 0))
    .flatMap(([, html]) => [...html.matchAll(/<h2[^>]*>([\s\S]*?)<\/h2>/g)].map((m) => blockText(m[1]!)));
  const positions = words.map((w) => headings.findIndex((h) => h.toLowerCase().includes(w.toLowerCase())));
  const ok = positions.every((p, i) => p >= 0 && (i === 0 || p > positions[i - 1]!));
  return { ok, found: headings.join(", ") };
}

/** The colour a visitor sees for a part of the site, read from the stylesheet and the page's layout. */
function partColour(files: Record<string, string>, part: string): string {
  const css = files["styles.css"] ?? "";
  const vars = Object.fromEntries(
    [...(/:root\{([^}]*)\}/.exec(css)?.[1] ?? "").matchAll(/--([\w-]+):([^;]+)/g)].map((m) => [m[1]!, m[2]!]),
  );
  if (part === "background") return vars.bg ?? "";
  if (part === "text") return vars.text ?? "";
  if (part === "accent") return vars.accent ?? "";
  const header = /\.hero,\.layout-bold \.hero\{background:([^;}]+)/.exec(css)?.[1];
  if (header) return header;
  return (files["index.html"] ?? "").includes('class="layout-bold"')
    ? (vars.accent ?? "")
    : (vars.surface ?? "");
}

const shades = new Set(["warm", "cool", "soft", "deep", "rich", "bright", "pale", "muted", "dusty", "vivid"]);
const named = new Map(colornames.map((c) => [c.name.toLowerCase(), c.hex]));

/** A colour as the owner named it, from the list of colour names (the full name, else without a shade word). */
function colourOf(name: string): string | null {
  const words = name.toLowerCase().trim().split(/\s+/);
  const candidates = [words.join(" "), words.filter((w) => !shades.has(w)).join(" "), words.at(-1)!];
  for (const candidate of candidates) {
    if (colord(candidate).isValid()) return colord(candidate).toHex();
    const hex = named.get(candidate);
    if (hex) return hex;
  }
  return null;
}

/** Within 20 units of CIEDE2000 of the named colour: what one would call the same colour. */
function colourHolds(files: Record<string, string>, part: string, name: string): boolean {
  const want = colourOf(name);
  const found = partColour(files, part).trim();
  if (!want || !colord(found).isValid()) return false;
  return colord(found).delta(want) <= 0.2;
}

/**
 * Facts on the page that appear in no prompt or answer of the case. What counts as a fact:
 * - prices: a currency sign with a number (£4, $9.99, €12,50); the same number in a prompt is the same price;
 * - phone numbers: seven or more digits in groups joined by spaces, dashes, dots or brackets, compared by
 *   digits (a run on the page that holds a given number, joined to the figure before it, is that number);
 * - emails, and @handles not part of an email, compared without case;
 * - times: 7am, 7:30 pm, 14:00, compared without spaces and case;
 * - addresses: a house number followed by capitalised words ending in a street word (Street, Rd, Lane…), and
 *   UK postcodes, compared without case;
 * - person names: where compromise reads a person with a known first name, that name (and the surname after
 *   it) when one of its words is in no prompt.
 */
/** Groups of digits joined by a space, a dash, or a dot inside the number, with brackets: "(303) 555-0172". */
const phonePattern = /\+?\(?\d+\)?(?:(?:[ -]|\.(?=\d))\(?\d+\)?)+/g;

export function inventedFacts(text: string, prompts: string[]): string[] {
  const said = prompts.join(" \n ");
  const saidLower = said.toLowerCase();
  const saidDigits = prompts.map((p) => p.replace(/[^\d\n]/g, "")).join("\n");
  const saidPhones = [...said.matchAll(phonePattern)]
    .map((m) => m[0].replace(/\D/g, ""))
    .filter((d) => d.length >= 7);
  const saidCompact = saidLower.replace(/\s+/g, "");
  const found: string[] = [];
  const add = (kind: string, value: string) => {
    const entry = `${kind} ${value}`;
    if (!found.includes(entry)) found.push(entry);
  };
  for (const m of text.matchAll(/[£$€]\s?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d{1,2})?(?!\d)/g)) {
    const number = m[0].replace(/[£$€\s]/g, "");
    if (!new RegExp(`(^|[^\\d.,])${number.replace(/[.]/g, "\\.")}(?![\\d])`).test(said)) add("price", m[0]);
  }
  for (const m of text.matchAll(phonePattern)) {
    const digits = m[0].replace(/\D/g, "");
    // A run of digits may join a given number to the next figure on the page ("01453 762 118 14 Mill Lane").
    const given = saidDigits.includes(digits) || saidPhones.some((p) => digits.includes(p));
    if (digits.length >= 7 && !given) add("phone", m[0].trim());
  }
  const emails = [...text.matchAll(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g)].map((m) => m[0]);
  for (const email of emails) if (!saidLower.includes(email.toLowerCase())) add("email", email);
  for (const m of text.matchAll(/(?<![\w.@])@[A-Za-z0-9_][A-Za-z0-9_.]*[A-Za-z0-9_]/g))
    if (!saidLower.includes(m[0].toLowerCase())) add("handle", m[0]);
  for (const m of text.matchAll(/\b\d{1,2}(?::\d{2})?\s?(?:am|pm)\b|\b\d{1,2}:\d{2}\b/gi))
    if (!saidCompact.includes(m[0].toLowerCase().replace(/\s+/g, ""))) add("time", m[0]);
  const street =
    /\b\d+[a-z]?,?\s+(?:[A-Z][\w'’-]*\s+){1,3}(?:Street|St|Road|Rd|Lane|Ln|Avenue|Ave|Way|Drive|Dr|Place|Pl|Square|Sq|Close|Court|Ct|Terrace|Crescent|Boulevard|Blvd|Row|Parade|Gardens|Hill|Mews|Walk|Green)\b\.?/g;
  for (const m of text.matchAll(street))
    if (!saidLower.includes(m[0].toLowerCase().replace(/\.$/, ""))) add("address", m[0]);
  for (const m of text.matchAll(/\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b/g))
    if (!saidCompact.includes(m[0].toLowerCase().replace(/\s+/g, ""))) add("postcode", m[0]);
  const words = new Set(saidLower.match(/[\p{L}]+/gu) ?? []);
  type Term = { text: string; tags: string[] };
  for (const person of nlp(text).people().json() as { terms: Term[] }[]) {
    const terms = person.terms;
    const first = terms.findIndex((t) => t.tags.includes("FirstName"));
    if (first < 0) continue;
    const next = terms[first + 1];
    const surname = next?.tags.includes("LastName") && /^[A-Z][a-z]+(?:[-'’][A-Z][a-z]+)?$/.test(next.text);
    const name = [terms[first]!.text, ...(surname && next ? [next.text] : [])].map((w) =>
      w.replace(/['’]s$/, "").replace(/[^\p{L}'’-]/gu, ""),
    );
    if (name.some((w) => !words.has(w.toLowerCase()))) add("person", name.join(" "));
  }
  return found;
}

/**
 * Clauses of the prompt (its sentences, cut at commas, colons, semicolons and brackets) of five words or
 * more that a visitor reads on the page, unless the clause is part of a fact the owner gave or is made of
 * facts (fewer than three of its words are left once the case's facts are taken out of it: "Small dog full
 * groom £40" is an item and its price side by side).
 */
export function pastedClauses(text: string, prompt: string, facts: string[]): string[] {
  const page = text.toLowerCase();
  const given = facts.map((f) => normalise(f).toLowerCase());
  return (nlp(prompt).sentences().out("array") as string[])
    .flatMap((s) => s.split(/[,;()]\s*|(?<!\d):|:(?!\d)|\s+[–—-]\s+/))
    .map((s) =>
      normalise(s)
        .replace(/^["'“‘]|[.!?"'”’]+$/g, "")
        .toLowerCase(),
    )
    .filter((s) => s.split(" ").length >= 5 && !given.some((f) => f.includes(s)))
    .filter(
      (s) =>
        given
          .reduce((rest, f) => rest.split(f).join(" "), s)
          .split(/\s+/)
          .filter(Boolean).length >= 3,
    )
    .filter((s) => page.includes(s));
}

const percent = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)} %` : "—");

export function printHeldout(score: HeldoutScore, details: boolean): void {
  console.log(
    `Held-out set ${score.set} (offline model): ${score.entirelyRight}/${score.steps} steps entirely right (${percent(score.entirelyRight, score.steps)})`,
  );
  console.log(
    `  facts kept verbatim  ${score.factsKept}/${score.factsChecked} (${percent(score.factsKept, score.factsChecked)})`,
  );
  console.log(
    `  edits applied        ${score.editsApplied}/${score.edits} (${percent(score.editsApplied, score.edits)}), other sections byte-identical`,
  );
  console.log(`  invented facts       ${score.invented.length}`);
  console.log(`  prompt fragments     ${score.pasted.length}`);
  console.log(
    `  questions            ${score.questionsAsked} asked, ${score.questionsRepeated} steps with a question repeated, ${score.deadEnds} edits left unapplied with a question at autonomy ≥ 2; ${score.approvals} plans approved`,
  );
  if (details) for (const f of score.failures) console.log(`  FAILED ${f}`);
}

if (import.meta.main) {
  const [path, ...flags] = process.argv.slice(2);
  if (!path) {
    console.error("usage: node scripts/bench/builder-heldout.ts <set.json> [--details]");
    process.exit(2);
  }
  printHeldout(await scoreHeldoutFile(path), flags.includes("--details"));
}
