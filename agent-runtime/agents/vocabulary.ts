/** Words that name a section, by the section id they mean. */
export const sectionVocabulary: Record<string, { title: string; words: string[] }> = {
  about: { title: "About", words: ["about", "about us", "our story", "who we are"] },
  services: { title: "Services", words: ["services", "what we do", "offerings", "treatments"] },
  menu: { title: "Menu", words: ["menu", "dishes", "drinks list"] },
  pricing: { title: "Pricing", words: ["pricing", "prices", "plans", "rates", "price list"] },
  testimonials: { title: "Testimonials", words: ["testimonials", "reviews", "what people say"] },
  gallery: { title: "Gallery", words: ["gallery", "photos", "pictures"] },
  portfolio: { title: "Portfolio", words: ["portfolio", "work samples", "projects", "case studies"] },
  team: { title: "Team", words: ["team", "staff", "our people"] },
  faq: { title: "FAQ", words: ["faq", "faqs", "questions", "q&a"] },
  contact: { title: "Contact", words: ["contact", "contact us", "get in touch", "email us"] },
  hours: { title: "Opening hours", words: ["hours", "opening times", "opening hours"] },
  location: { title: "Location", words: ["location", "map", "directions", "find us"] },
  features: { title: "Features", words: ["features", "benefits"] },
  events: { title: "Events", words: ["events", "schedule", "calendar", "classes"] },
  booking: {
    title: "Booking",
    words: ["booking", "booking form", "bookings", "reservations", "book a table", "appointments"],
  },
  newsletter: { title: "Newsletter", words: ["newsletter", "mailing list"] },
  signup: { title: "Sign up", words: ["signup", "sign-up", "sign up"] },
};

/** Words that say what kind of business a site is for, most specific first. */
export const businessWords = [
  "dental clinic",
  "food truck",
  "hair salon",
  "wedding venue",
  "coffee shop",
  "law firm",
  "bakery",
  "café",
  "cafe",
  "restaurant",
  "bistro",
  "pizzeria",
  "diner",
  "bar",
  "dentist",
  "clinic",
  "physiotherapist",
  "vet",
  "salon",
  "barber",
  "spa",
  "florist",
  "bookshop",
  "shop",
  "store",
  "boutique",
  "plumber",
  "electrician",
  "carpenter",
  "painter",
  "cleaner",
  "photographer",
  "studio",
  "designer",
  "architect",
  "consultant",
  "agency",
  "lawyer",
  "accountant",
  "gym",
  "yoga studio",
  "trainer",
  "tutor",
  "school",
  "hotel",
  "guesthouse",
  "campsite",
  "groomer",
  "charity",
  "app",
  "startup",
  "platform",
];

/** The first business word in a text ("… my bakery …" → "bakery"), or null. */
export function kindWord(text: string): string | null {
  const lower = text.toLowerCase();
  let best: { word: string; at: number } | null = null;
  for (const word of businessWords) {
    const at = lower.search(new RegExp(`(?<![\\p{L}\\d])${word}(?![\\p{L}\\d])`, "u"));
    if (at >= 0 && (!best || at < best.at || (at === best.at && word.length > best.word.length)))
      best = { word, at };
  }
  return best?.word ?? null;
}
