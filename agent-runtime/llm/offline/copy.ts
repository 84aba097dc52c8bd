import type { Random } from "./random.ts";
import type { SubjectKind } from "./subjects.ts";

const article = (word: string) => (/^[aeiou]/i.test(word) ? "an" : "a");

/** Copy the offline model may write, by how much invention creativity allows. */
export function lead(
  kind: SubjectKind,
  subject: string,
  name: string,
  creativity: number,
  random: Random,
): string {
  if (creativity === 0) return `${name} is ${article(subject)} ${subject}.`;
  const voice = random.pick(kind.voice);
  const lines = [
    `${name} is ${article(voice)} ${voice} ${subject}, made for ${kind.audience}.`,
    `We keep things ${voice}: fewer promises, more care, and the details done properly.`,
    `Come once and you'll see why people come back; the ${subject} they would build for themselves.`,
    `Everything here starts with one question: what would make your day a little better?`,
  ];
  return lines.slice(0, Math.min(lines.length, creativity)).join(" ");
}

export function tagline(kind: SubjectKind, subject: string, creativity: number, random: Random): string {
  if (creativity === 0) return `Welcome to our ${subject}.`;
  if (creativity === 1) return `Welcome to our ${subject}.`;
  return random.pick(kind.taglines);
}

export function heading(title: string, id: string, creativity: number, random: Random): string {
  if (creativity < 3) return title;
  const flourishes: Record<string, string[]> = {
    about: ["Our story", "Who we are", "Why we do this"],
    menu: ["On the counter", "What we're serving", "Today's menu"],
    contact: ["Say hello", "Get in touch", "Write to us"],
    testimonials: ["Kind words", "What people say", "Heard around town"],
    services: ["What we do best", "How we can help", "Our work"],
    pricing: ["Straightforward prices", "Choose your plan"],
  };
  return random.pick(flourishes[id] ?? [title]);
}
