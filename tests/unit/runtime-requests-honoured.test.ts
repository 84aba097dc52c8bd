import { describe, expect, test } from "vitest";
import { buildOffline, OfflineSession, sectionBlock, visibleText } from "../support/runtime/offline-build.ts";

const headings = (html: string) => [...html.matchAll(/<h2 id="[^"]+">([^<]*)<\/h2>/g)].map((m) => m[1]);
const placeholders = (html: string) => [...html.matchAll(/data-placeholder="([^"]*)"/g)].map((m) => m[1]);

describe("the offline model builds what the customer asked", () => {
  test("exactly the two named sections, in order, under the business's own name", async () => {
    const site = await buildOffline(
      "A one-page website for Rosa's Bakery with exactly two sections: 'Our breads' and 'Opening hours'. Nothing else.",
      { autonomy: 0, creativity: 1, seed: 1 },
    );
    expect(site.sections).toEqual(["our-breads", "hours"]);
    expect(headings(site.html)).toEqual(["Our breads", "Opening hours"]);
    expect(site.html).toContain("<h1>Rosa&#39;s Bakery</h1>");
    expect(site.html).not.toMatch(/Rosa&#39;S|Rosa'S/);
    // No hours were given: the gap is marked for the owner, and the stylesheet keeps it from visitors.
    expect(placeholders(sectionBlock(site.html, "hours")!)).toEqual(["hours"]);
    expect(site.css).toContain("[data-placeholder]{display:none}");
    expect(visibleText(site.html)).not.toMatch(/to follow|Nothing else|exactly two/i);
  });

  test("a header colour and a new title change those and nothing else, and the palette does not drift", async () => {
    const session = new OfflineSession();
    const before = await session.prompt(
      "A one-page website for Rosa's Bakery with exactly two sections: 'Our breads' and 'Opening hours'. Nothing else.",
      { autonomy: 0, creativity: 1, seed: 1 },
    );
    const after = await session.prompt(
      "Make the header background dark green and change the title to Rosa's Sourdough.",
      { autonomy: 0, creativity: 1, seed: 99 },
    );
    expect(after.html).toContain("<h1>Rosa&#39;s Sourdough</h1>");
    expect(after.css).toContain(".hero,.layout-bold .hero{background:#006400;color:#ffffff}");
    // Every line of the stylesheet but the header's is as it was: same palette, fonts and layout.
    const withoutHeader = (css: string) =>
      css.split("\n").filter((l) => !l.startsWith(".hero,.layout-bold .hero{"));
    expect(withoutHeader(after.css)).toEqual(withoutHeader(before.css));
    for (const id of ["our-breads", "hours"])
      expect(sectionBlock(after.html, id)).toBe(sectionBlock(before.html, id));
  });

  test("a landing page gets its plans with their prices, testimonials and a sign-up call to action; the prompt is not pasted", async () => {
    const prompt =
      "Landing page for Tallyho, a time tracking app for freelancers: pricing with 3 plans ($0, $9, $29), testimonials, signup CTA";
    const site = await buildOffline(prompt, { autonomy: 1, creativity: 2, seed: 4 });
    expect(site.sections).toEqual(["pricing", "testimonials", "signup"]);
    const pricing = sectionBlock(site.html, "pricing")!;
    expect([...pricing.matchAll(/<p class="price">([^<]+)<\/p>/g)].map((m) => m[1])).toEqual([
      "$0",
      "$9",
      "$29",
    ]);
    expect(pricing).not.toMatch(/Details to follow|3 plans/);
    expect(site.html).toMatch(/<p class="cta"><a class="button" href="#signup">Sign up<\/a><\/p>/);
    expect(sectionBlock(site.html, "signup")).toMatch(/<form[\s\S]*type="email"/);
    expect(visibleText(site.html)).not.toContain("time tracking app for freelancers:");
    expect(site.html).toContain("<h1>Tallyho</h1>");
  });

  test("a dental clinic gets its own services, a booking form and three dentists, and no sentence of the prompt as the footer", async () => {
    const site = await buildOffline(
      "Website for Bright Smile Dental, a family dental clinic in Leeds. Services: cleanings, implants, invisalign and whitening. We need a booking form and a team of 3 dentists. Make it feel calm and trustworthy.",
      { autonomy: 1, creativity: 2, seed: 5 },
    );
    expect(site.sections).toEqual(["services", "booking", "team"]);
    const services = sectionBlock(site.html, "services")!;
    expect([...services.matchAll(/<h3>([^<]+)<\/h3>/g)].map((m) => m[1])).toEqual([
      "cleanings",
      "implants",
      "invisalign",
      "whitening",
    ]);
    expect(services).not.toMatch(/consult/i);
    const booking = sectionBlock(site.html, "booking")!;
    expect(booking).toMatch(/<form class="booking"[\s\S]*type="date"/);
    expect(booking).not.toMatch(/eat and drink/);
    const team = sectionBlock(site.html, "team")!;
    expect(team.match(/<h3>Dentist<\/h3>/g)).toHaveLength(3);
    expect(placeholders(team)).toEqual(["name", "name", "name"]);
    const footer = /<footer>([\s\S]*?)<\/footer>/.exec(site.html)![1]!;
    expect(footer).not.toMatch(/calm|trustworthy|team of 3/i);
    expect(visibleText(site.html)).not.toMatch(/Make it feel|We need/);
  });

  test("“Add a contact section with our phone number 555-0100” adds a contact section with the number, not the sentence", async () => {
    const session = new OfflineSession();
    const before = await session.prompt("A website for Harbor Beans, a café, with about and menu sections", {
      autonomy: 1,
      creativity: 1,
      seed: 3,
    });
    const after = await session.prompt("Add a contact section with our phone number 555-0100.", {
      autonomy: 1,
      creativity: 1,
      seed: 3,
    });
    expect(after.sections).toEqual(["about", "menu", "contact"]);
    const contact = sectionBlock(after.html, "contact")!;
    expect(contact).toContain('<a href="tel:5550100">555-0100</a>');
    expect(after.html).not.toMatch(/Add a contact section|our phone number/);
    for (const id of ["about", "menu"])
      expect(sectionBlock(after.html, id)).toBe(sectionBlock(before.html, id));
    expect(after.css).toBe(before.css);
  });

  test("facts are kept as written: emails, addresses, opening hours and names with their own capitals", async () => {
    const site = await buildOffline(
      "A site for my flower shop called McKenzie & Daughters with contact, hours and location sections. We are at 14 Elm Street, Galway. Open Tue-Sat 9am-6pm. Email orders@mckenzie.example or call +353 91 555 0123.",
      { autonomy: 0, creativity: 0, seed: 2 },
    );
    expect(site.html).toContain("<h1>McKenzie &amp; Daughters</h1>");
    expect(sectionBlock(site.html, "hours")).toContain("Open Tue-Sat 9am-6pm");
    expect(sectionBlock(site.html, "location")).toContain("<address>14 Elm Street, Galway</address>");
    const contact = sectionBlock(site.html, "contact")!;
    expect(contact).toContain('<a href="mailto:orders@mckenzie.example">orders@mckenzie.example</a>');
    expect(contact).toContain('<a href="tel:+353915550123">+353 91 555 0123</a>');
  });

  test("with no items given, a list section is a placeholder for the owner at any autonomy, never invented content", async () => {
    const low = await buildOffline("A website for Spokes, a bicycle repair shop, with services and contact", {
      autonomy: 0,
      creativity: 2,
      seed: 8,
    });
    expect(placeholders(sectionBlock(low.html, "services")!)).toEqual(["services"]);
    const high = await buildOffline(
      "A website for Spokes, a bicycle repair shop, with services and contact",
      {
        autonomy: 3,
        creativity: 2,
        seed: 8,
      },
    );
    expect(placeholders(sectionBlock(high.html, "services")!)).toEqual(["services"]);
  });

  test("pages asked for become pages with shared navigation", async () => {
    const site = await buildOffline("A website for Luigi's Pizzeria with home, menu and contact pages", {
      autonomy: 0,
      creativity: 1,
      seed: 2,
    });
    expect(Object.keys(site.files).sort()).toEqual(["contact.html", "index.html", "menu.html", "styles.css"]);
    const nav = (page: string) => /<nav aria-label="Pages">[\s\S]*?<\/nav>/.exec(site.files[page]!)![0];
    for (const page of ["index.html", "menu.html", "contact.html"]) {
      expect(nav(page)).toContain('href="index.html"');
      expect(nav(page)).toContain('href="menu.html"');
      expect(nav(page)).toContain('href="contact.html"');
      expect(nav(page)).toMatch(new RegExp(`href="${page}" aria-current="page"`));
    }
    expect(site.files["menu.html"]).toContain('<section id="menu"');
    expect(site.files["index.html"]).not.toContain('<section id="menu"');
  });

  test("on autopilot a long site gives its contact details a page of their own, linked from every page", async () => {
    const site = await buildOffline("A website for Harbor Beans, my café, with about and menu sections", {
      autonomy: 4,
      creativity: 2,
      seed: 6,
    });
    expect(Object.keys(site.files).sort()).toEqual(["contact.html", "index.html", "styles.css"]);
    expect(site.files["contact.html"]).toContain('<section id="contact"');
    expect(site.html).toContain('<a href="contact.html">Contact</a>');
    expect(site.sections).toEqual(expect.arrayContaining(["about", "menu"]));
  });
});
