/** Deepest nesting of arrays and objects a request body may have: more is no form a client sends. */
export const MAX_JSON_DEPTH = 64;

/**
 * `JSON.parse` for request bodies, refusing nesting deeper than `MAX_JSON_DEPTH` before parsing: walking a
 * value thousands of levels deep (validation, storage) overflows the stack, which would be a 500.
 */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  if (jsonDepth(text) > MAX_JSON_DEPTH)
    return { ok: false, reason: `it nests deeper than ${MAX_JSON_DEPTH} levels` };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, reason: "it is not valid JSON" };
  }
}

/** The deepest bracket nesting of JSON text, strings skipped; a linear scan, with no recursion. */
function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c) i++;
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x7b || char === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (char === 0x7d || char === 0x5d) depth--;
  }
  return deepest;
}
