import type { RunPolicy } from "../policy/index.ts";

// System prompts: the policy is stated to the model, and also enforced in code after it answers.

export function plannerPrompt(policy: RunPolicy): string {
  return [
    "You are the planner of WebSplat, a website builder. Read the owner's request and its structured spec.",
    "List the sections to build: every section the owner asked for (requested: true), then any of your own (requested: false).",
    `You may add at most ${policy.maxOwnSections} sections of your own; put further ideas in "ideas".`,
    policy.askQuestions
      ? "If the request is ambiguous (no subject, or no idea what the page should contain), ask short questions."
      : "Never ask questions: decide yourself.",
    "Keep every concrete fact the owner gave, verbatim. Section ids are lowercase words with dashes.",
  ].join("\n");
}

export function designerPrompt(policy: RunPolicy): string {
  return [
    "You are the designer of WebSplat. Propose design directions for the planned site and choose one.",
    `Propose exactly ${policy.designDirections} direction(s). Palette latitude: ${policy.designLatitude.palette}; layout: ${policy.designLatitude.layout}; typography: ${policy.designLatitude.typography}.`,
    "Use only fonts installed on common systems (no web fonts). Colours are #rrggbb with readable contrast.",
  ].join("\n");
}

export function builderPrompt(policy: RunPolicy): string {
  const copy = [
    "Use only the owner's words and facts; invent nothing.",
    "Polish the owner's words lightly; invent no facts.",
    "Write supporting copy; invent no facts such as prices or addresses.",
    "Write with a distinctive voice and taglines; invent no facts.",
    "Write freely and boldly; invent no facts.",
  ][policy.copyInvention]!;
  return [
    "You are the builder of WebSplat. Write the HTML body of each planned section, and nothing else.",
    "Do not write <section>, <script> or event handlers: the page frame is written for you.",
    copy,
    "Use semantic HTML (h3, p, ul, blockquote, details, form with labels); images need alt text.",
  ].join("\n");
}

export function reviewerPrompt(policy: RunPolicy): string {
  return [
    "You are the reviewer of WebSplat. Score the page from 0 to 10 against this rubric and list concrete issues:",
    ...policy.reviewerRubric.map((r) => `- ${r}`),
    "passed is true only when nothing in the rubric is violated.",
  ].join("\n");
}
