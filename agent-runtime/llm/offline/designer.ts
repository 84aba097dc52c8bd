import type { Design, Direction, Plan } from "../../agents/schemas.ts";
import type { RunPolicy } from "../../policy/index.ts";
import { seededRandom } from "./random.ts";
import { kindOf } from "./subjects.ts";

export interface DesignerContext {
  plan: Plan;
  latitude: RunPolicy["designLatitude"];
  directions: number;
  creativity: number;
  /** The site's current theme, on a redesign: the new direction must differ from it. */
  current?: Direction;
}

function hsl(h: number, s: number, l: number): string {
  const a = (s / 100) * Math.min(l / 100, 1 - l / 100);
  const channel = (n: number) => {
    const k = (n + h / 30) % 12;
    const value = l / 100 - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(value * 255)
      .toString(16)
      .padStart(2, "0");
  };
  return `#${channel(0)}${channel(8)}${channel(4)}`;
}

const fontStacks = {
  system: ["system-ui, -apple-system, 'Segoe UI', sans-serif"],
  paired: [
    "Georgia, 'Times New Roman', serif",
    "'Palatino Linotype', Palatino, serif",
    "'Trebuchet MS', sans-serif",
  ],
  expressive: [
    "'Gill Sans', 'Gill Sans MT', Calibri, sans-serif",
    "'Didot', 'Bodoni 72', Georgia, serif",
    "ui-rounded, 'Arial Rounded MT Bold', sans-serif",
    "'Courier New', ui-monospace, monospace",
    "Impact, 'Arial Narrow Bold', sans-serif",
  ],
};
const directionNames = ["Quiet", "Daylight", "Market", "Night shift", "Poster", "Gallery", "Harbour"];

/** Proposes as many directions as the policy allows, within its palette, layout and type latitude. */
export function offlineDesign(context: DesignerContext, seed: number): Design {
  const random = seededRandom((seed ^ 0x5bd1e995) + (context.current ? 7919 : 0));
  const baseHue = kindOf(`${context.plan.subject} ${context.plan.siteName}`).hue;
  const directions: Direction[] = [];
  for (let i = 0; i < context.directions; i++) {
    const { palette, layout, typography } = context.latitude;
    const hue =
      palette === "free" ? (baseHue + random.int(360)) % 360 : (baseHue + random.int(21) - 10 + 360) % 360;
    const saturation =
      palette === "neutral" ? 12 : palette === "subject" ? 45 + random.int(15) : 60 + random.int(30);
    const dark = palette === "free" && random.next() < 0.4;
    const accentHue = palette === "free" ? (hue + 150 + random.int(60)) % 360 : hue;
    directions.push({
      name: `${random.pick(directionNames)} ${i + 1}`,
      palette: {
        background: dark ? hsl(hue, 25, 9) : hsl(hue, Math.min(saturation, 40), 97),
        surface: dark ? hsl(hue, 22, 15) : hsl(hue, Math.min(saturation, 35), 92),
        text: dark ? hsl(hue, 15, 93) : hsl(hue, 25, 12),
        muted: dark ? hsl(hue, 12, 72) : hsl(hue, 12, 34),
        accent: dark
          ? hsl(accentHue, saturation, 66)
          : hsl(accentHue, saturation, palette === "neutral" ? 28 : 36),
        accentText: dark ? hsl(accentHue, 30, 8) : "#ffffff",
      },
      typography: {
        heading: random.pick(fontStacks[typography]),
        body: typography === "expressive" ? random.pick(fontStacks.paired) : fontStacks.system[0]!,
        scale: [1.2, 1.25, 1.3, 1.4, 1.5][context.creativity]!,
      },
      layout:
        layout === "single"
          ? "classic"
          : layout === "varied"
            ? random.pick(["classic", "split", "cards"] as const)
            : random.pick(["split", "cards", "editorial", "bold"] as const),
      radius: [4, 6, 10, 16, 24][context.creativity]! + random.int(4),
    });
  }
  const current = context.current;
  if (current) {
    // A redesign must look different: turn the hue and change the layout if the draw repeated them.
    for (const d of directions) {
      if (d.palette.accent === current.palette.accent) d.palette.accent = hsl((baseHue + 180) % 360, 45, 36);
      if (d.layout === current.layout) d.layout = current.layout === "classic" ? "split" : "classic";
    }
  }
  // The boldest direction wins when latitude is wide; the calmest when it is narrow.
  const chosen = context.creativity >= 3 ? directions.length - 1 : 0;
  return {
    directions,
    chosen,
    rationale: `${directions[chosen]!.name}: a ${directions[chosen]!.layout} layout for ${context.plan.audience}.`,
  };
}
