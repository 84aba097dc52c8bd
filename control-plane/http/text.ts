const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Text Postgres cannot store (a NUL) or that is not Unicode (a lone surrogate), anywhere in a value: found
 * before anything reaches the database, so such input is a 400 and not a driver error's 500.
 */
export function unstorableText(value: unknown, path: string): string | null {
  if (typeof value === "string") {
    if (value.includes("\0")) return `${path} contains a NUL character`;
    if (LONE_SURROGATE.test(value)) return `${path} contains a broken Unicode character (a lone surrogate)`;
    return null;
  }
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const problem = unstorableText(item, `${path}.${index}`);
      if (problem) return problem;
    }
    return null;
  }
  if (value && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      const problem = unstorableText(key, path) ?? unstorableText(item, `${path}.${key}`);
      if (problem) return problem;
    }
  }
  return null;
}
