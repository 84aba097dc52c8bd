/**
 * Requests and follow-up edits as customers write them, across kinds of business, each with what the
 * result must satisfy. Every step after the first is an edit of the site the previous steps built.
 */
export interface Step {
  prompt: string;
  autonomy: number;
  creativity: number;
  /** The section selected in the preview. */
  selection?: string;
  /** The sections the site has afterwards, in order (exactly these). */
  sections?: string[];
  /** Text a visitor must read, verbatim. */
  visible?: string[];
  /** Text that must appear in one section's markup, verbatim. */
  inSection?: Record<string, string[]>;
  /** Sections in which no owner placeholder may be left (the owner gave the facts). */
  noPlaceholder?: string[];
  title?: string;
  css?: string[];
  /** Files other than the stylesheet with these names. */
  pages?: string[];
  /** On an edit: the sections allowed to change (all others must be byte-identical). */
  changes?: string[];
  /** On an edit: the design may change. */
  theme?: boolean;
  /** Owner text the prompt asks to show, so it is not counted as a pasted prompt. */
  quoted?: string[];
}

export interface Case {
  business: string;
  steps: Step[];
}

export const corpus: Case[] = [
  {
    business: "bakery",
    steps: [
      {
        prompt:
          "A one-page website for Rosa's Bakery with exactly two sections: 'Our breads' and 'Opening hours'. Nothing else.",
        autonomy: 0,
        creativity: 1,
        sections: ["our-breads", "hours"],
        title: "Rosa's Bakery",
      },
      {
        prompt: "Make the header background dark green and change the title to Rosa's Sourdough.",
        autonomy: 0,
        creativity: 1,
        title: "Rosa's Sourdough",
        css: ["background:#006400"],
        changes: [],
        theme: true,
      },
      {
        prompt: "The opening hours are Tue-Sat 7am-2pm, add that to the opening hours section",
        autonomy: 0,
        creativity: 1,
        inSection: { hours: ["Tue-Sat 7am-2pm"] },
        noPlaceholder: ["hours"],
        changes: ["hours"],
      },
      {
        prompt: "add a contact section with our phone number 555-0100.",
        autonomy: 0,
        creativity: 1,
        sections: ["our-breads", "hours", "contact"],
        inSection: { contact: ["555-0100"] },
        changes: [],
      },
    ],
  },
  {
    business: "saas landing page",
    steps: [
      {
        prompt:
          "Landing page for Tallyho, a time tracking app for freelancers: pricing with 3 plans ($0, $9, $29), testimonials, signup CTA",
        autonomy: 1,
        creativity: 2,
        sections: ["pricing", "testimonials", "signup"],
        inSection: { pricing: ["$0", "$9", "$29"] },
        visible: ["Sign up"],
        title: "Tallyho",
      },
      {
        prompt: "Add a fourth plan, Team at $49, to the pricing",
        autonomy: 1,
        creativity: 2,
        inSection: { pricing: ["Team", "$49", "$29"] },
        changes: ["pricing"],
      },
      {
        prompt: "Move the testimonials to the top.",
        autonomy: 1,
        creativity: 2,
        sections: ["testimonials", "pricing", "signup"],
        changes: [],
      },
      {
        prompt: "make the accent colour orange",
        autonomy: 1,
        creativity: 2,
        css: ["--accent:#ffa500"],
        changes: [],
        theme: true,
      },
    ],
  },
  {
    business: "dental clinic",
    steps: [
      {
        prompt:
          "Website for Bright Smile Dental, a family dental clinic in Leeds. Services: cleanings, implants, invisalign and whitening. We need a booking form and a team of 3 dentists. Make it feel calm and trustworthy.",
        autonomy: 1,
        creativity: 2,
        sections: ["services", "booking", "team"],
        inSection: { services: ["cleanings", "implants", "invisalign", "whitening"], booking: ["<form"] },
        title: "Bright Smile Dental",
        noPlaceholder: ["services"],
      },
      {
        prompt:
          "Add a contact section with our phone number 0113 496 0000 and email hello@brightsmile.example",
        autonomy: 1,
        creativity: 2,
        inSection: { contact: ["0113 496 0000", "hello@brightsmile.example"] },
        changes: [],
      },
      {
        prompt: "Remove implants from the services",
        autonomy: 1,
        creativity: 2,
        inSection: { services: ["cleanings", "whitening"] },
        changes: ["services"],
      },
    ],
  },
  {
    business: "café",
    steps: [
      {
        prompt:
          "hi! I run a little cafe called Harbor Beans. I'd like about, menu and contact. menu: flat white $4, espresso $3, banana bread $3.50. We're open daily 8am-4pm. email hello@harborbeans.example",
        autonomy: 0,
        creativity: 1,
        sections: ["about", "menu", "contact"],
        visible: ["Harbor Beans", "flat white", "$3.50", "hello@harborbeans.example", "open daily 8am-4pm"],
        noPlaceholder: ["menu"],
      },
      {
        prompt: "Add cinnamon buns ($3) to the menu please",
        autonomy: 0,
        creativity: 1,
        inSection: { menu: ["cinnamon buns", "flat white"] },
        changes: ["menu"],
      },
      {
        prompt: "Rename the menu section to What we serve",
        autonomy: 0,
        creativity: 1,
        visible: ["What we serve"],
        changes: ["menu"],
      },
      {
        prompt: "Change the about text to: A tiny cafe by the harbour, run by two sisters since 2015.",
        autonomy: 0,
        creativity: 1,
        visible: ["A tiny cafe by the harbour, run by two sisters since 2015."],
        quoted: ["A tiny cafe by the harbour, run by two sisters since 2015."],
        changes: ["about"],
      },
    ],
  },
  {
    business: "plumber",
    steps: [
      {
        prompt:
          "Need a simple site for Dave's Plumbing. Services: boiler repairs, bathroom fitting, emergency callouts. Contact: 07700 900123. Only those two sections.",
        autonomy: 0,
        creativity: 0,
        sections: ["services", "contact"],
        inSection: {
          services: ["boiler repairs", "bathroom fitting", "emergency callouts"],
          contact: ["07700 900123"],
        },
        title: "Dave's Plumbing",
      },
      {
        prompt: "can you make the background light grey",
        autonomy: 0,
        creativity: 0,
        css: ["--bg:#d3d3d3"],
        changes: [],
        theme: true,
      },
      {
        prompt: "Change the phone number to 07700 900456.",
        autonomy: 0,
        creativity: 0,
        inSection: { contact: ["07700 900456"] },
        changes: ["contact"],
      },
    ],
  },
  {
    business: "yoga studio",
    steps: [
      {
        prompt:
          "A website for Still Point Yoga with classes, pricing and contact. Classes: vinyasa, yin, prenatal. Prices: drop-in $18, 10-class pass $150, monthly unlimited $120/month.",
        autonomy: 1,
        creativity: 2,
        sections: ["events", "pricing", "contact"],
        inSection: { pricing: ["$18", "$150", "$120/month"], events: ["vinyasa", "yin", "prenatal"] },
        noPlaceholder: ["pricing", "events"],
      },
      {
        prompt: "Remove the contact section.",
        autonomy: 1,
        creativity: 2,
        sections: ["events", "pricing"],
        changes: [],
      },
      {
        prompt: "Add a FAQ section after the classes",
        autonomy: 1,
        creativity: 2,
        sections: ["events", "faq", "pricing"],
        changes: [],
      },
    ],
  },
  {
    business: "photographer",
    steps: [
      {
        prompt:
          "Portfolio site for Mia Chen Photography: portfolio, about and contact sections. I shoot weddings and portraits. Email mia@miachen.example",
        autonomy: 0,
        creativity: 2,
        sections: ["portfolio", "about", "contact"],
        inSection: { contact: ["mia@miachen.example"] },
        title: "Mia Chen Photography",
      },
      {
        prompt: "Use a serif font for the whole site",
        autonomy: 0,
        creativity: 2,
        css: ["Georgia"],
        changes: [],
        theme: true,
      },
      {
        prompt: "Make it say: Natural light portraits and relaxed wedding days across Yorkshire.",
        autonomy: 0,
        creativity: 2,
        selection: "about",
        visible: ["Natural light portraits and relaxed wedding days across Yorkshire."],
        quoted: ["Natural light portraits and relaxed wedding days across Yorkshire."],
        changes: ["about"],
      },
    ],
  },
  {
    business: "hair salon",
    steps: [
      {
        prompt:
          "Salon website for Curl Up & Dye. We want services, prices and a booking form. Services: cuts, colour, blow dry. Prices: cut $45, colour $90, blow dry $35. Address: 22 Market Street, Bristol.",
        autonomy: 0,
        creativity: 1,
        sections: ["services", "pricing", "booking"],
        inSection: { pricing: ["$45", "$90", "$35"], services: ["cuts", "colour", "blow dry"] },
        visible: ["22 Market Street, Bristol"],
        title: "Curl Up & Dye",
      },
      {
        prompt: "Swap the services and prices sections",
        autonomy: 0,
        creativity: 1,
        sections: ["pricing", "services", "booking"],
        changes: [],
      },
      {
        prompt: "make the buttons pink",
        autonomy: 0,
        creativity: 1,
        css: ["--accent:#ffc0cb"],
        changes: [],
        theme: true,
      },
    ],
  },
  {
    business: "law firm",
    steps: [
      {
        prompt:
          "We're Okafor & Lund, a small law firm. Site with about, services and team. Services: family law, wills, conveyancing. Team: Ada Okafor, Erik Lund.",
        autonomy: 1,
        creativity: 1,
        sections: ["about", "services", "team"],
        inSection: { team: ["Ada Okafor", "Erik Lund"], services: ["family law", "wills", "conveyancing"] },
        noPlaceholder: ["team", "services"],
        title: "Okafor & Lund",
      },
      {
        prompt: "Add Priya Shah to the team",
        autonomy: 1,
        creativity: 1,
        inSection: { team: ["Priya Shah", "Ada Okafor"] },
        changes: ["team"],
      },
      {
        prompt: "Change the title to Okafor Lund Solicitors",
        autonomy: 1,
        creativity: 1,
        title: "Okafor Lund Solicitors",
        changes: [],
      },
    ],
  },
  {
    business: "florist",
    steps: [
      {
        prompt:
          "A site for my flower shop called Petal & Stem with a gallery, hours and location. Open Mon-Sat 9am-5:30pm. We're at 8 Rose Lane, York.",
        autonomy: 0,
        creativity: 2,
        sections: ["gallery", "hours", "location"],
        inSection: { hours: ["Mon-Sat 9am-5:30pm"], location: ["8 Rose Lane, York"] },
        noPlaceholder: ["hours", "location"],
        title: "Petal & Stem",
      },
      {
        prompt: "Add a contact section at the top with phone 01904 555 210",
        autonomy: 0,
        creativity: 2,
        sections: ["contact", "gallery", "hours", "location"],
        inSection: { contact: ["01904 555 210"] },
        changes: [],
      },
      {
        prompt: "Remove the gallery",
        autonomy: 0,
        creativity: 2,
        sections: ["contact", "hours", "location"],
        changes: [],
      },
    ],
  },
  {
    business: "pizzeria",
    steps: [
      {
        prompt:
          "A website for Luigi's Pizzeria with home, menu and contact pages. Menu: margherita $12, diavola $14.",
        autonomy: 0,
        creativity: 1,
        pages: ["contact.html", "index.html", "menu.html"],
        inSection: { menu: ["margherita", "$12", "diavola", "$14"] },
        title: "Luigi's Pizzeria",
      },
      {
        prompt: "Add a separate page for the gallery",
        autonomy: 0,
        creativity: 1,
        pages: ["contact.html", "gallery.html", "index.html", "menu.html"],
        changes: [],
      },
      {
        prompt: "Add quattro formaggi $15 to the menu",
        autonomy: 0,
        creativity: 1,
        inSection: { menu: ["quattro formaggi", "$15", "margherita"] },
        changes: ["menu"],
      },
    ],
  },
  {
    business: "tutor",
    steps: [
      {
        prompt:
          "I'm a maths tutor, site called Sum Confidence. Sections: about, pricing and contact. Pricing: one hour £40, five hours £180. Email tutor@sumconfidence.example",
        autonomy: 1,
        creativity: 1,
        sections: ["about", "pricing", "contact"],
        inSection: { pricing: ["£40", "£180"], contact: ["tutor@sumconfidence.example"] },
        title: "Sum Confidence",
      },
      {
        prompt: "Give it a dark mode look",
        autonomy: 1,
        creativity: 1,
        css: ["--text:#f2f2f2"],
        changes: [],
        theme: true,
      },
      {
        prompt: "Add a testimonials section before the contact",
        autonomy: 1,
        creativity: 1,
        sections: ["about", "pricing", "testimonials", "contact"],
        changes: [],
      },
    ],
  },
  {
    business: "guesthouse",
    steps: [
      {
        prompt:
          "Website for The Old Mill guesthouse: about, rooms gallery, booking and location. We are at 3 Mill Lane, Keswick.",
        autonomy: 1,
        creativity: 3,
        sections: ["about", "gallery", "booking", "location"],
        inSection: { location: ["3 Mill Lane, Keswick"], booking: ["<form"] },
      },
      {
        prompt: "Rename the gallery section to Our rooms",
        autonomy: 1,
        creativity: 3,
        visible: ["Our rooms"],
        changes: ["gallery"],
      },
    ],
  },
];
