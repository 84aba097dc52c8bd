import { noThemeChange, parseColour, type ThemeChange } from "../theme.ts";
import { type EditReading, end } from "./reading.ts";

const themeTargets: Record<string, keyof ThemeChange> = {
  header: "header",
  "header background": "header",
  banner: "header",
  hero: "header",
  "top bar": "header",
  top: "header",
  accent: "accent",
  "accent colour": "accent",
  "accent color": "accent",
  buttons: "accent",
  button: "accent",
  links: "accent",
  background: "background",
  "page background": "background",
  "site background": "background",
  text: "text",
  "text colour": "text",
  "text color": "text",
};

/** Colours by part of the page, dark or light, and the font: one theme change, and a prompt about design. */
export function readTheme(r: EditReading): void {
  const theme = noThemeChange();
  const targets = Object.keys(themeTargets)
    .sort((a, b) => b.length - a.length)
    .map((t) => t.replace(/ /g, "\\s+"))
    .join("|");
  // A colour ends where the next part of the page is named: "header dark green and the accent a warm mustard".
  const until = String.raw`(?:${end}|(?=\s*(?:[.!?;,]|$)|\s+and\s+(?:the\s+)?(?:${targets})\b|\s+(?:please|too|instead)\b))`;
  const colourPatterns = [
    new RegExp(
      String.raw`\b(?:make|turn|set|change|colou?r|paint)\s+(?:the\s+)?(${targets})(?:\s+(?:background|colou?r))?\s+(?:to\s+|into\s+|in\s+|a\s+|an\s+)?(?:be\s+)?([#\w][\w\s#-]{1,30}?)${until}`,
      "gi",
    ),
    new RegExp(
      String.raw`\b(?:use|with|want|give it)\s+(?:a\s+|an\s+)?([#\w][\w\s#-]{1,30}?)\s+(?:for\s+the\s+|as\s+the\s+)?(${targets})(?:\s+colou?r)?\b`,
      "gi",
    ),
    // A list of parts after the first: "…and the accent a warm mustard", "header in sage green, text charcoal",
    // "accent colour orange please", "text should be dark brown".
    new RegExp(
      String.raw`(?:^|[,;]\s*|and\s+|make\s+)(?:the\s+)?(${targets})(?:\s+colou?r)?\s+(?:should\s+be\s+|to\s+be\s+|is\s+|in\s+|to\s+|as\s+)?(?:a\s+|an\s+)?([#\w][\w\s#-]{1,30}?)${until}`,
      "gi",
    ),
  ];
  for (const [index, pattern] of colourPatterns.entries()) {
    for (const m of r.prompt.matchAll(pattern)) {
      const [target, words] = index === 1 ? [m[2]!, m[1]!] : [m[1]!, m[2]!];
      const colour = parseColour(words.replace(/\s+(?:please|too|instead|now|thanks)$/i, ""));
      const key = themeTargets[target.toLowerCase().replace(/\s+/g, " ")];
      if (!colour || !key) continue;
      (theme as unknown as Record<string, string>)[key] = colour;
      r.aboutDesign = true;
      r.take(m);
    }
  }
  const mode =
    /\b(dark mode|darker|dark theme|dark background)\b/i.exec(r.prompt) ??
    /\b(light mode|lighter|light theme|brighter)\b/i.exec(r.prompt);
  if (mode && !theme.background) {
    theme.mode = /dark/i.test(mode[1]!) ? "dark" : "light";
    r.aboutDesign = true;
    r.take(mode);
  }
  const font =
    /\b(serif|sans[- ]serif|sans|monospace|mono|typewriter)\b[^.]*\b(?:font|type|typeface|headings)\b|\b(?:font|typeface|type)\b[^.]*\b(serif|sans[- ]serif|sans|monospace|mono)\b/i.exec(
      r.prompt,
    );
  if (font) {
    const word = (font[1] ?? font[2]!).toLowerCase();
    theme.font = /mono|typewriter/.test(word) ? "mono" : /sans/.test(word) ? "sans" : "serif";
    r.aboutDesign = true;
    r.take(font);
  }
  if (Object.values(theme).some((v) => v !== null)) r.ops.push({ op: "theme", change: theme });
}
