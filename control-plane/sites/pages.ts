/** The platform's own answers on a public site: plain, unbranded pages (the host is the customer's). */
export function plainPage(title: string, message: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>${title}</title>
<style>body{font:18px/1.5 system-ui,sans-serif;max-width:36rem;margin:15vh auto;padding:0 1.5rem;color:#1f2328}h1{font-size:1.6rem}</style></head>
<body><h1>${title}</h1><p>${message}</p></body>
</html>
`;
}

export const NOT_FOUND_PAGE = plainPage("Page not found", "There is nothing at this address.");
export const UNAVAILABLE_PAGE = plainPage(
  "This site is unavailable",
  "This site cannot be shown at the moment. Please try again later.",
);
export const thanksPage = (back: string) =>
  plainPage("Thank you", `Your message was sent. <a href="${back}">Back to the site</a>`);
