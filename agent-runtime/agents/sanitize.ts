import sanitizeHtml from "sanitize-html";

/** Attributes any kept element may carry: styling hooks and accessibility, nothing that runs or loads. */
const COMMON_ATTRIBUTES = ["class", "id", "title", "lang", "dir", "role", "aria-*", "data-*"];

/** What a model-written section may contain: text, lists, quotes, media, simple forms. */
const FRAGMENT: sanitizeHtml.IOptions = {
  allowedTags: [
    ...[
      "h3",
      "h4",
      "h5",
      "h6",
      "p",
      "br",
      "hr",
      "div",
      "span",
      "strong",
      "em",
      "b",
      "i",
      "u",
      "small",
      "mark",
    ],
    ...["ul", "ol", "li", "dl", "dt", "dd", "blockquote", "cite", "q", "figure", "figcaption", "img", "a"],
    "address",
    ...[
      "details",
      "summary",
      "table",
      "thead",
      "tbody",
      "tfoot",
      "tr",
      "th",
      "td",
      "caption",
      "time",
      "abbr",
    ],
    ...["form", "fieldset", "legend", "label", "input", "textarea", "select", "option", "button"],
  ],
  allowedAttributes: {
    "*": COMMON_ATTRIBUTES,
    a: ["href", "rel", "target"],
    img: ["src", "alt", "width", "height", "loading"],
    time: ["datetime"],
    td: ["colspan", "rowspan"],
    th: ["colspan", "rowspan", "scope"],
    label: ["for"],
    form: ["action", "method"],
    input: [
      "type",
      "name",
      "value",
      "placeholder",
      "required",
      "min",
      "max",
      "step",
      "checked",
      "autocomplete",
    ],
    textarea: ["name", "rows", "cols", "placeholder", "required", "autocomplete"],
    select: ["name", "required"],
    option: ["value", "selected"],
    button: ["type"],
  },
  // Links and images may point only at the web, mail and phone, or at the page itself (relative URLs).
  allowedSchemes: ["http", "https", "mailto", "tel"],
  // A form's target is a URL like a link's: checked against the same schemes (no `javascript:`).
  allowedSchemesAppliedToAttributes: ["href", "src", "cite", "action"],
  allowedSchemesByTag: { img: ["http", "https", "data"] },
  allowProtocolRelative: false,
  disallowedTagsMode: "discard",
};

/** A whole page as the runtime writes it: the fragment's elements plus the document's own structure. */
const DOCUMENT: sanitizeHtml.IOptions = {
  ...FRAGMENT,
  allowedTags: [
    ...(FRAGMENT.allowedTags as string[]),
    ...[
      "html",
      "head",
      "body",
      "title",
      "meta",
      "link",
      "header",
      "nav",
      "main",
      "section",
      "footer",
      "h1",
      "h2",
    ],
  ],
  allowedAttributes: {
    ...(FRAGMENT.allowedAttributes as Record<string, string[]>),
    // `http-equiv` is left out: no refresh, no redirect, no policy of the page's own.
    meta: ["charset", "name", "content"],
    link: ["rel", "href"],
    section: [...COMMON_ATTRIBUTES, "aria-labelledby"],
  },
};

/**
 * Model-written HTML is a fragment inside a section the runtime itself writes: an allow-list keeps text,
 * lists, media and simple forms, and drops scripts, event handlers, `javascript:` URLs (however encoded),
 * frames, nested sections, `<base>` and `<meta>`, so the page has exactly the planned sections and runs no code.
 */
export function cleanFragment(html: string): string {
  return sanitizeHtml(html, FRAGMENT);
}

/** A whole generated page, cleaned again before it is served: nothing runs, refreshes or redirects. */
export function cleanDocument(html: string): string {
  const doctype = /^\s*<!doctype html>/i.test(html) ? "<!doctype html>\n" : "";
  return doctype + sanitizeHtml(html, DOCUMENT);
}
