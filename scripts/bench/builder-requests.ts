import { readdirSync } from "node:fs";
import { sentences } from "../../agent-runtime/agents/request.ts";
import { OfflineSession, sectionBlock, visibleText } from "../../tests/support/runtime/offline-build.ts";
import { type Case, corpus, type Step } from "./builder-corpus.ts";
import { printHeldout, scoreHeldoutFile } from "./builder-heldout.ts";

// The builder benchmark: every request and follow-up edit of the corpus on the offline model, each
// checked against what the customer asked. Prints the score and every failed expectation; exits 1 under 95 %.

export interface Failure {
  business: string;
  step: number;
  prompt: string;
  expectation: string;
  detail: string;
}

export interface BuilderScore {
  expectations: number;
  passed: number;
  steps: number;
  businesses: number;
  failures: Failure[];
}

const sectionsOf = (html: string) => [...html.matchAll(/<section id="([^"]+)"/g)].map((m) => m[1]!);
const allHtml = (files: Record<string, string>) =>
  Object.entries(files)
    .filter(([p]) => p.endsWith(".html"))
    .map(([, c]) => c)
    .join("\n");
const decodeEntities = (html: string) =>
  html
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">");

export async function scoreBuilder(cases: Case[] = corpus): Promise<BuilderScore> {
  const score: BuilderScore = {
    expectations: 0,
    passed: 0,
    steps: 0,
    businesses: cases.length,
    failures: [],
  };
  for (const c of cases) {
    const session = new OfflineSession();
    for (const [index, step] of c.steps.entries()) {
      score.steps++;
      const before = { files: { ...session.files } };
      const result = await session.prompt(step.prompt, {
        autonomy: step.autonomy,
        creativity: step.creativity,
        seed: 1000 + index,
        selection: step.selection,
      });
      const html = allHtml(result.files);
      const check = (expectation: string, ok: boolean, detail = "") => {
        score.expectations++;
        if (ok) score.passed++;
        else
          score.failures.push({
            business: c.business,
            step: index + 1,
            prompt: step.prompt,
            expectation,
            detail,
          });
      };
      for (const e of expectationsOf(step, index > 0)) e(html, result.files, before.files, check);
      check("no question was needed", result.questions.length === 0, result.questions.join(" "));
    }
  }
  return score;
}

type Check = (expectation: string, ok: boolean, detail?: string) => void;
type Expectation = (
  html: string,
  files: Record<string, string>,
  before: Record<string, string>,
  check: Check,
) => void;

function expectationsOf(step: Step, edit: boolean): Expectation[] {
  const list: Expectation[] = [];
  if (step.sections) {
    list.push((html, _f, _b, check) => {
      const found = sectionsOf(html);
      check(
        `sections are exactly ${step.sections!.join(", ")}`,
        found.join() === step.sections!.join(),
        `found ${found.join(", ")}`,
      );
    });
  }
  if (step.title) {
    list.push((html, _f, _b, check) => {
      const h1 = decodeEntities(/<h1>([^<]*)<\/h1>/.exec(html)?.[1] ?? "");
      check(`the title reads “${step.title}”`, h1 === step.title, `found “${h1}”`);
    });
  }
  for (const text of step.visible ?? []) {
    list.push((html, _f, _b, check) => check(`a visitor reads “${text}”`, visibleText(html).includes(text)));
  }
  for (const [id, texts] of Object.entries(step.inSection ?? {})) {
    for (const text of texts) {
      list.push((html, _f, _b, check) => {
        const block = sectionBlock(html, id);
        check(
          `section ${id} has “${text}”`,
          block !== null && decodeEntities(block).includes(text),
          block ? "" : "no such section",
        );
      });
    }
  }
  for (const id of step.noPlaceholder ?? []) {
    list.push((html, _f, _b, check) => {
      const block = sectionBlock(html, id) ?? "";
      check(
        `section ${id} has no placeholder (the facts were given)`,
        block !== "" && !block.includes("data-placeholder"),
      );
    });
  }
  for (const text of step.css ?? []) {
    list.push((_h, files, _b, check) =>
      check(`the stylesheet has ${text}`, (files["styles.css"] ?? "").includes(text)),
    );
  }
  if (step.pages) {
    list.push((_h, files, _b, check) => {
      const pages = Object.keys(files)
        .filter((p) => p.endsWith(".html"))
        .sort();
      check(
        `pages are ${step.pages!.join(", ")}`,
        pages.join() === step.pages!.join(),
        `found ${pages.join(", ")}`,
      );
    });
  }
  // Always: nothing of the prompt is pasted into the page (clauses of five words or more).
  list.push((html, _f, _b, check) => {
    const text = visibleText(html).toLowerCase();
    const quoted = (step.quoted ?? []).map((q) => q.toLowerCase());
    const pasted = sentences(step.prompt)
      .flatMap((s) => s.text.split(/[,:;]\s+/))
      .map((s) =>
        s
          .trim()
          .replace(/[.!?]$/, "")
          .toLowerCase(),
      )
      .filter((s) => s.split(/\s+/).length >= 5 && !quoted.some((q) => q.includes(s) || s.includes(q)))
      .filter((s) => text.includes(s));
    check("no prompt text is pasted into the page", pasted.length === 0, pasted.join(" | "));
  });
  if (edit && step.changes) {
    list.push((html, files, before, check) => {
      const old = allHtml(before);
      const moved = sectionsOf(old).filter(
        (id) => !step.changes!.includes(id) && sectionsOf(html).includes(id),
      );
      const differ = moved.filter((id) => sectionBlock(html, id) !== sectionBlock(old, id));
      check("untouched sections are byte-identical", differ.length === 0, `changed: ${differ.join(", ")}`);
      if (!step.theme) {
        check("the design is kept", files["styles.css"] === before["styles.css"]);
      }
    });
  }
  return list;
}

export function printScore(score: BuilderScore): void {
  const percent = (100 * score.passed) / score.expectations;
  const wrong = new Set(score.failures.map((f) => `${f.business}#${f.step}`)).size;
  console.log(
    `Builder benchmark (offline model): ${score.passed}/${score.expectations} expectations (${percent.toFixed(1)} %) over ${score.steps} requests and edits, ${score.businesses} kinds of business; ${score.steps - wrong}/${score.steps} steps entirely right`,
  );
  for (const f of score.failures) {
    console.log(
      `  FAILED  ${f.business} #${f.step}: ${f.expectation}${f.detail ? ` (${f.detail})` : ""}\n          prompt: ${f.prompt}`,
    );
  }
}

/** The held-out sets kept in the repository (each scored blind once, then kept as a regression suite). */
export const heldoutSets = () => {
  const dir = new URL("./heldout/", import.meta.url);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => new URL(f, dir).pathname);
};

if (import.meta.main) {
  const details = process.argv.includes("--details");
  const score = await scoreBuilder();
  printScore(score);
  for (const path of heldoutSets()) printHeldout(await scoreHeldoutFile(path), details);
  process.exitCode = score.passed / score.expectations >= 0.95 ? 0 : 1;
}
