/** What the offline model knows about kinds of sites: typical sections, items, voice and colour. */
export interface SubjectKind {
  kind: string;
  words: string[];
  hue: number;
  audience: string;
  typical: string[];
  items: { name: string; note: string }[];
  taglines: string[];
  voice: string[];
}

export const subjectKinds: SubjectKind[] = [
  {
    kind: "food",
    words: [
      "cafe",
      "café",
      "coffee",
      "bakery",
      "restaurant",
      "bistro",
      "bar",
      "pizzeria",
      "diner",
      "tea",
      "food truck",
    ],
    hue: 26,
    audience: "neighbours and visitors looking for a good place to eat and drink",
    typical: ["about", "menu", "hours", "location", "testimonials", "gallery", "contact"],
    items: [
      { name: "Espresso", note: "Short, dense and sweet, pulled from a seasonal blend." },
      { name: "Flat white", note: "Silky milk over a double shot." },
      { name: "Sourdough toast", note: "Slow-fermented loaf, cultured butter, jam of the week." },
      { name: "Cardamom bun", note: "Baked every morning, gone by noon." },
      { name: "Seasonal salad", note: "Whatever the market had that morning." },
      { name: "Cold brew", note: "Steeped for eighteen hours, served over ice." },
    ],
    taglines: ["Good coffee, slow mornings.", "Baked at dawn, poured with care.", "Your table is waiting."],
    voice: ["warm", "unhurried", "generous"],
  },
  {
    kind: "creative",
    words: [
      "photographer",
      "photography",
      "designer",
      "illustrator",
      "artist",
      "studio",
      "architect",
      "filmmaker",
    ],
    hue: 282,
    audience: "clients looking for a distinctive eye",
    typical: ["about", "portfolio", "services", "testimonials", "pricing", "contact"],
    items: [
      { name: "Portraits", note: "Natural light sessions, on location or in the studio." },
      { name: "Weddings", note: "The whole day, told as a story." },
      { name: "Brand imagery", note: "Pictures that make a product feel like someone's." },
      { name: "Editorial", note: "Commissions for magazines and books." },
    ],
    taglines: ["Seeing what others walk past.", "Pictures with a pulse.", "Work that stays with you."],
    voice: ["observant", "precise", "quietly bold"],
  },
  {
    kind: "professional",
    words: [
      "consultant",
      "consultancy",
      "agency",
      "law",
      "lawyer",
      "accountant",
      "firm",
      "advisor",
      "plumber",
      "electrician",
    ],
    hue: 214,
    audience: "people and businesses who need a trustworthy expert",
    typical: ["about", "services", "team", "testimonials", "faq", "contact"],
    items: [
      { name: "First consultation", note: "An hour to understand where you stand." },
      { name: "Ongoing support", note: "A named person who knows your case." },
      { name: "Reviews and audits", note: "A clear report and what to do next." },
      { name: "Emergency help", note: "When it can't wait until Monday." },
    ],
    taglines: ["Clear advice, no surprises.", "Experts on your side.", "Done properly, the first time."],
    voice: ["clear", "reassuring", "direct"],
  },
  {
    kind: "fitness",
    words: ["gym", "yoga", "pilates", "fitness", "trainer", "climbing", "dance", "martial"],
    hue: 152,
    audience: "people who want to move more and feel better",
    typical: ["about", "services", "events", "pricing", "testimonials", "contact"],
    items: [
      { name: "Beginner classes", note: "Small groups, patient teachers." },
      { name: "Open sessions", note: "Come when it suits you." },
      { name: "Personal coaching", note: "A plan built around you." },
      { name: "Workshops", note: "A weekend to go deeper." },
    ],
    taglines: ["Move the way you're built to.", "Stronger, one session at a time.", "Come as you are."],
    voice: ["energetic", "encouraging", "friendly"],
  },
  {
    kind: "tech",
    words: ["app", "software", "landing page", "saas", "startup", "platform", "tool", "api", "product"],
    hue: 246,
    audience: "teams looking for a better way to work",
    typical: ["features", "pricing", "testimonials", "faq", "newsletter", "contact"],
    items: [
      { name: "Fast setup", note: "Running in minutes, not weeks." },
      { name: "Works with your tools", note: "Connects to what you already use." },
      { name: "Private by default", note: "Your data stays yours." },
      { name: "Real support", note: "People who answer, and know the product." },
    ],
    taglines: ["Less busywork, more work.", "The tool your team will actually use.", "Ship the thing."],
    voice: ["crisp", "confident", "plain-spoken"],
  },
  {
    kind: "health",
    words: [
      "dental",
      "dentist",
      "clinic",
      "physio",
      "physiotherapist",
      "vet",
      "doctor",
      "therapist",
      "surgery",
    ],
    hue: 188,
    audience: "patients who want careful, friendly care",
    typical: ["about", "services", "team", "booking", "faq", "contact"],
    items: [
      { name: "Check-ups", note: "Unhurried appointments, clear explanations." },
      { name: "Treatments", note: "Explained before we begin, gentle throughout." },
      { name: "Emergency appointments", note: "Seen the same day when it hurts." },
    ],
    taglines: ["Careful hands, clear answers.", "Care you can trust.", "Feel better, sooner."],
    voice: ["calm", "reassuring", "kind"],
  },
  {
    kind: "beauty",
    words: ["salon", "hair", "barber", "spa", "nails", "beauty", "massage"],
    hue: 330,
    audience: "people who want to look and feel their best",
    typical: ["about", "services", "pricing", "booking", "contact"],
    items: [
      { name: "Cut and finish", note: "Shaped to suit you." },
      { name: "Colour", note: "From a refresh to a whole new look." },
      { name: "Treatments", note: "Time out, properly." },
    ],
    taglines: ["Leave feeling like yourself, only more so.", "Time well spent.", "Look good, feel better."],
    voice: ["warm", "stylish", "relaxed"],
  },
  {
    kind: "retail",
    words: ["shop", "store", "boutique", "florist", "flowers", "bookshop", "books", "market", "deli"],
    hue: 96,
    audience: "shoppers who like to buy from people who care",
    typical: ["about", "services", "hours", "location", "contact"],
    items: [
      { name: "New arrivals", note: "Picked by hand, every week." },
      { name: "Gifts", note: "Wrapped and ready to give." },
      { name: "Local delivery", note: "To your door, the same day." },
    ],
    taglines: ["Chosen with care.", "Your neighbourhood favourite.", "Something good, every visit."],
    voice: ["friendly", "curious", "personal"],
  },
  {
    kind: "trades",
    words: [
      "plumber",
      "plumbing",
      "electrician",
      "carpenter",
      "builder",
      "painter",
      "roofer",
      "cleaner",
      "cleaning",
      "handyman",
      "gardener",
      "locksmith",
    ],
    hue: 32,
    audience: "homeowners who want the job done right",
    typical: ["about", "services", "testimonials", "faq", "contact"],
    items: [
      { name: "Repairs", note: "Fixed properly, first time." },
      { name: "Installations", note: "Fitted, tested and tidied up after." },
      { name: "Emergency call-outs", note: "When it can't wait." },
    ],
    taglines: ["Done properly, the first time.", "Local, reliable, on time.", "No job too small."],
    voice: ["straightforward", "reliable", "practical"],
  },
  {
    kind: "stay",
    words: ["hotel", "guesthouse", "b&b", "campsite", "cabin", "venue", "wedding"],
    hue: 170,
    audience: "guests looking for a memorable stay",
    typical: ["about", "gallery", "pricing", "booking", "location", "contact"],
    items: [
      { name: "Rooms", note: "Quiet, bright and comfortable." },
      { name: "Breakfast", note: "Local, generous and served late." },
      { name: "Celebrations", note: "Space for the people you love." },
    ],
    taglines: ["Stay a while.", "A place to slow down.", "Your home from home."],
    voice: ["welcoming", "gracious", "easy-going"],
  },
  {
    kind: "education",
    words: ["tutor", "tutoring", "school", "lessons", "course", "teacher", "academy", "nursery", "driving"],
    hue: 262,
    audience: "learners and parents looking for a good teacher",
    typical: ["about", "services", "pricing", "testimonials", "contact"],
    items: [
      { name: "One-to-one lessons", note: "At your pace." },
      { name: "Small groups", note: "Learn together, with attention for each." },
      { name: "Exam preparation", note: "A plan, and practice that counts." },
    ],
    taglines: ["Learning that sticks.", "Confidence, one lesson at a time.", "Teaching with patience."],
    voice: ["patient", "encouraging", "clear"],
  },
  {
    kind: "general",
    words: [],
    hue: 196,
    audience: "people who want to know what we do and how to reach us",
    typical: ["about", "services", "testimonials", "faq", "contact"],
    items: [
      { name: "What we offer", note: "The heart of what we do." },
      { name: "How we work", note: "Simple steps, clear expectations." },
      { name: "Who it's for", note: "People who care about the details." },
    ],
    taglines: ["Made with care.", "Glad you're here.", "Let's make something good."],
    voice: ["friendly", "clear", "honest"],
  },
];

/** The kind whose word comes first in the text, as a whole word ("team" is not "tea"). */
export function kindOf(text: string): SubjectKind {
  const lower = text.toLowerCase();
  let best: { kind: SubjectKind; at: number } | null = null;
  for (const kind of subjectKinds) {
    for (const word of kind.words) {
      const at = lower.search(
        new RegExp(
          `(?<![\\p{L}\\d])${word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?:s|es)?(?![\\p{L}\\d])`,
          "u",
        ),
      );
      if (at >= 0 && (!best || at < best.at)) best = { kind, at };
    }
  }
  return best?.kind ?? subjectKinds[subjectKinds.length - 1]!;
}
