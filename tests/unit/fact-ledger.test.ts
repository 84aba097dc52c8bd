import { describe, expect, test } from "vitest";
import { readFactEdits } from "../../agent-runtime/agents/ledger/edits.ts";
import { readFacts } from "../../agent-runtime/agents/ledger/facts.ts";
import { applyLedger, inventedFacts, readLedger } from "../../agent-runtime/agents/ledger/index.ts";
import { loadNlp } from "../../agent-runtime/agents/ledger/nlp.ts";
import { keepFacts } from "../../agent-runtime/agents/ledger/place.ts";
import type { SiteModel } from "../../agent-runtime/agents/site-model.ts";

const nlp = await loadNlp();

const site = (sections: { id: string; heading: string; html: string }[]): SiteModel => ({
  title: "Crumb",
  tagline: "",
  description: "",
  footer: "Crumb",
  cta: null,
  pages: [{ id: "home", title: "Home", sections: sections.map((s) => s.id) }],
  sections,
  theme: {} as SiteModel["theme"],
});

describe("the fact ledger reads the owner's facts as written", () => {
  test("names with titles and apostrophes, list items with prices, hours, phone, email and places", () => {
    const facts = readFacts(
      nlp,
      "Website for Riverside Dental Practice. Our team: Dr. Priya Nair (principal dentist), Dr. Tom O'Connell, and hygienist Sarah Blake. Treatments: check-ups, white fillings £95. We're based in Leeds. Open Mon-Fri 8am-6pm. Call 0117 927 4410 or email hello@riverside.example.",
      true,
    );
    const text = (kind: string) => facts.filter((f) => f.kind === kind).map((f) => f.text);
    expect(text("name")).toEqual(["Riverside Dental Practice"]);
    expect(text("item")).toEqual(
      expect.arrayContaining(["Dr. Priya Nair", "Dr. Tom O'Connell", "check-ups", "white fillings"]),
    );
    expect(facts.find((f) => f.text === "Dr. Priya Nair")).toMatchObject({
      section: "team",
      note: "principal dentist",
    });
    expect(facts.find((f) => f.text === "white fillings")).toMatchObject({
      section: "services",
      price: "£95",
    });
    expect(text("phone")).toEqual(["0117 927 4410"]);
    expect(text("email")).toEqual(["hello@riverside.example"]);
    expect(text("hours")).toEqual(["Open Mon-Fri 8am-6pm"]);
    expect(text("place")).toEqual(["Leeds"]);
  });

  test("thousands in a price do not split a list, and a quoted headline is kept for the title", () => {
    const facts = readFacts(
      nlp,
      "Packages: Weekday Exclusive £4,500, Saturday Exclusive £8,900. Make the hero headline 'Baked before sunrise'",
      false,
    );
    expect(facts.filter((f) => f.kind === "item").map((f) => [f.text, f.price])).toEqual([
      ["Weekday Exclusive", "£4,500"],
      ["Saturday Exclusive", "£8,900"],
    ]);
    expect(facts.find((f) => f.kind === "quote")).toMatchObject({
      text: "Baked before sunrise",
      section: "title",
    });
  });
});

describe("after a build the facts are checked in code", () => {
  test("a missing item is written into its section and a recased one is put back as written", () => {
    const before = site([
      {
        id: "menu",
        heading: "Menu",
        html: '<ul class="cards"><li class="card"><h3>Sourdough loaf</h3></li></ul>',
      },
    ]);
    const kept = keepFacts(
      before,
      [
        { text: "sourdough loaf", kind: "item", section: "menu" },
        { text: "cinnamon buns", kind: "item", section: "menu", price: "£2.50" },
      ],
      { add: false, title: false },
    );
    const html = kept.site.sections[0]!.html;
    expect(html).toContain("<h3>sourdough loaf</h3>");
    expect(html).toContain('<li class="card"><h3>cinnamon buns</h3><p class="price">£2.50</p></li>');
    expect(kept.placements.every((p) => p.where === "menu" && p.repaired)).toBe(true);
  });

  test("a fact with no section of its kind is reported, not dropped, when no section may be added", () => {
    const kept = keepFacts(
      site([{ id: "about", heading: "About", html: "<p>Hi.</p>" }]),
      [{ text: "0117 927 4410", kind: "phone", section: "contact" }],
      {
        add: false,
        title: false,
      },
    );
    expect(kept.placements).toEqual([{ text: "0117 927 4410", where: null, repaired: false }]);
    expect(kept.site.sections[0]!.html).toBe("<p>Hi.</p>");
  });

  test("a price or email the owner never gave is found", () => {
    const built = site([
      { id: "menu", heading: "Menu", html: "<p>Croissant £9.99, loaf £4.20</p><p>me@x.example</p>" },
    ]);
    expect(inventedFacts(built, ["Menu: loaf £4.20"])).toEqual(["me@x.example", "£9.99"]);
  });
});

describe("a follow-up changes the owner's facts", () => {
  const ledgerFacts = readFacts(
    nlp,
    "Artists: Rosa Vega (fine line) and Dex Moreno (blackwork). Call 0113 496 0782.",
    false,
  );
  test("“Dex is on leave, remove him” takes off the person the pronoun means; the rest stays", () => {
    const edits = readFactEdits(nlp, "Dex is on leave till summer, remove him for now", ledgerFacts, "");
    expect(edits.remove).toEqual(["Dex Moreno"]);
  });

  test("a new phone number replaces the old one, and a section can be called something else", () => {
    const edits = readFactEdits(
      nlp,
      "change the phone to 0113 496 0911. Call the Services section What We Fix instead",
      ledgerFacts,
      "",
    );
    expect(edits.replace).toEqual([{ from: "0113 496 0782", to: "0113 496 0911" }]);
    expect(edits.rename).toEqual([{ from: "Services", to: "What We Fix" }]);
  });

  test("the ledger reads each prompt once and remembers what was taken off", async () => {
    const first = await readLedger(undefined, ["Menu: rye £3.90, sourdough £4.20."], undefined);
    const built = site([
      {
        id: "menu",
        heading: "Menu",
        html: '<ul class="cards"><li class="card"><h3>rye</h3><p class="price">£3.90</p></li><li class="card"><h3>sourdough</h3><p class="price">£4.20</p></li></ul>',
      },
    ]);
    const second = await readLedger(
      first.ledger,
      ["Menu: rye £3.90, sourdough £4.20.", "take off the rye"],
      built,
    );
    expect(second.ledger.removed).toEqual(["rye"]);
    const after = applyLedger(built, second.ledger, second.edits, { add: false, title: false });
    expect(after.site.sections[0]!.html).not.toContain("rye");
    expect(after.site.sections[0]!.html).toContain("sourdough");
    const again = await readLedger(
      second.ledger,
      ["Menu: rye £3.90, sourdough £4.20.", "take off the rye"],
      after.site,
    );
    expect(again.edits.remove).toEqual([]);
  });
});
