import type { Theme } from "./site-model.ts";

// Colours as owners name them ("dark green", "navy", "#0a5"), and a theme change that keeps text readable.

type Rgb = [number, number, number];

const hex = ([r, g, b]: Rgb) =>
  `#${[r, g, b].map((c) => Math.round(c).toString(16).padStart(2, "0")).join("")}`;
const rgbOf = (value: string): Rgb => {
  const v = value.replace("#", "");
  return [0, 2, 4].map((i) => Number.parseInt(v.slice(i, i + 2), 16)) as Rgb;
};
const mix = (a: Rgb, b: Rgb, t: number): Rgb => [0, 1, 2].map((i) => a[i]! + (b[i]! - a[i]!) * t) as Rgb;

function luminance(value: string): number {
  const channel = (c: number) => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const [r, g, b] = rgbOf(value);
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

/** Near-black or white, whichever reads better on the colour. */
export const readableOn = (background: string) =>
  contrast(background, "#ffffff") >= contrast(background, "#141414") ? "#ffffff" : "#141414";

const isDark = (value: string) => luminance(value) < 0.18;

/** Colour names owners write: the common CSS keywords and a few CSS does not have. */
const table: Record<string, Rgb> = {
  black: [0, 0, 0],
  white: [255, 255, 255],
  grey: [128, 128, 128],
  gray: [128, 128, 128],
  lightgrey: [211, 211, 211],
  lightgray: [211, 211, 211],
  darkgrey: [169, 169, 169],
  silver: [192, 192, 192],
  red: [255, 0, 0],
  darkred: [139, 0, 0],
  maroon: [128, 0, 0],
  crimson: [220, 20, 60],
  pink: [255, 192, 203],
  hotpink: [255, 105, 180],
  orange: [255, 165, 0],
  coral: [255, 127, 80],
  gold: [255, 215, 0],
  yellow: [255, 255, 0],
  beige: [245, 245, 220],
  ivory: [255, 255, 240],
  green: [0, 128, 0],
  darkgreen: [0, 100, 0],
  forestgreen: [34, 139, 34],
  olive: [128, 128, 0],
  lime: [0, 255, 0],
  teal: [0, 128, 128],
  turquoise: [64, 224, 208],
  cyan: [0, 255, 255],
  blue: [0, 0, 255],
  darkblue: [0, 0, 139],
  navy: [0, 0, 128],
  royalblue: [65, 105, 225],
  lightblue: [173, 216, 230],
  purple: [128, 0, 128],
  violet: [238, 130, 238],
  lavender: [230, 230, 250],
  indigo: [75, 0, 130],
  brown: [165, 42, 42],
  chocolate: [210, 105, 30],
  tan: [210, 180, 140],
  cream: [255, 253, 208],
  offwhite: [248, 246, 240],
  sage: [156, 175, 136],
  sagegreen: [156, 175, 136],
  terracotta: [204, 78, 52],
  mustard: [225, 173, 1],
  burgundy: [128, 0, 32],
  charcoal: [54, 69, 79],
  emerald: [0, 155, 119],
  ruby: [155, 17, 30],
  rust: [183, 65, 14],
  sand: [194, 178, 128],
  mint: [152, 255, 152],
  forest: [34, 139, 34],
  bottlegreen: [0, 106, 78],
  navyblue: [0, 0, 128],
  skyblue: [135, 206, 235],
  babyblue: [137, 207, 240],
  wine: [114, 47, 55],
  blush: [222, 93, 131],
  peach: [255, 203, 164],
  ochre: [204, 119, 34],
};

/** "dark green" → #006400, "navy blue" → #000080, "pale pink" → a lighter pink; null when it names no colour. */
export function parseColour(words: string): string | null {
  const text = words
    .toLowerCase()
    .trim()
    .replace(/\s+colou?r$/, "");
  const literal = /#([0-9a-f]{6}|[0-9a-f]{3})\b/.exec(text);
  if (literal) {
    const v = literal[1]!;
    return v.length === 3 ? `#${[...v].map((c) => c + c).join("")}` : `#${v}`;
  }
  const compact = text.replace(/[\s-]+/g, "");
  if (table[compact]) return hex(table[compact]);
  const parts = text.split(/[\s-]+/);
  for (let i = 0; i < parts.length; i++) {
    const name = parts.slice(i).join("");
    const base = table[name];
    if (!base) continue;
    const modifier = parts.slice(0, i).join(" ");
    if (/\b(dark|deep)\b/.test(modifier)) return hex(mix(base, [0, 0, 0], 0.45));
    if (/\b(light|pale|soft|pastel)\b/.test(modifier)) return hex(mix(base, [255, 255, 255], 0.6));
    return hex(base);
  }
  return null;
}

export interface ThemeChange {
  header: string | null;
  accent: string | null;
  background: string | null;
  text: string | null;
  font: "serif" | "sans" | "mono" | null;
  mode: "dark" | "light" | null;
}

export const noThemeChange = (): ThemeChange => ({
  header: null,
  accent: null,
  background: null,
  text: null,
  font: null,
  mode: null,
});

export const isThemeChange = (c: ThemeChange | null | undefined) =>
  Boolean(c && Object.values(c).some((v) => v !== null));

const fonts = {
  serif: "Georgia, 'Times New Roman', serif",
  sans: "system-ui, -apple-system, 'Segoe UI', sans-serif",
  mono: "'Courier New', ui-monospace, monospace",
};

/** Applies only what was asked; every other part of the theme stays exactly as it was. */
export function changeTheme(theme: Theme, change: ThemeChange): Theme {
  const next: Theme = { ...theme, palette: { ...theme.palette }, typography: { ...theme.typography } };
  const p = next.palette;
  if (change.mode === "dark" && !isDark(p.background)) {
    p.background = hex(mix(rgbOf(p.accent), [12, 12, 14], 0.88));
    p.surface = hex(mix(rgbOf(p.accent), [24, 24, 28], 0.8));
    p.text = "#f2f2f2";
    p.muted = "#c4c4c8";
  } else if (change.mode === "light" && isDark(p.background)) {
    p.background = hex(mix(rgbOf(p.accent), [255, 255, 255], 0.95));
    p.surface = hex(mix(rgbOf(p.accent), [255, 255, 255], 0.88));
    p.text = "#1a1a1a";
    p.muted = "#4a4a4f";
  }
  if (change.background) {
    p.background = change.background;
    const on = isDark(change.background);
    p.surface = hex(mix(rgbOf(change.background), on ? [255, 255, 255] : [0, 0, 0], on ? 0.1 : 0.05));
    if (contrast(p.text, p.background) < 4.5) p.text = readableOn(p.background);
    if (contrast(p.muted, p.background) < 4.5) p.muted = on ? "#c8c8c8" : "#4a4a4a";
  }
  if (change.text) p.text = change.text;
  if (change.accent) {
    p.accent = change.accent;
    p.accentText = readableOn(change.accent);
  }
  if (change.header) next.header = { background: change.header, text: readableOn(change.header) };
  if (change.font)
    next.typography = { ...next.typography, heading: fonts[change.font], body: fonts[change.font] };
  return next;
}
