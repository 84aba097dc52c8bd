import { type SiteModel, sectionOrder } from "./site-model.ts";

/** What a planner is shown of the current site: its structure, each section's heading and text. */
export interface SiteOutline {
  title: string;
  pages: { id: string; title: string; sections: string[] }[];
  sections: { id: string; heading: string; text: string }[];
  theme: {
    layout: string;
    palette: Record<string, string>;
    header: { background: string; text: string } | null;
  };
}

export function outlineOf(site: SiteModel): SiteOutline {
  const order = sectionOrder(site);
  return {
    title: site.title,
    pages: site.pages,
    sections: order.flatMap((id) => {
      const s = site.sections.find((x) => x.id === id);
      if (!s) return [];
      const text = s.html
        .replace(/<[^>]+>/g, " ")
        .replace(/&#39;/g, "'")
        .replace(/&amp;/g, "&")
        .replace(/\s+/g, " ")
        .trim();
      return [{ id: s.id, heading: s.heading, text: text.slice(0, 400) }];
    }),
    theme: { layout: site.theme.layout, palette: site.theme.palette, header: site.theme.header },
  };
}
