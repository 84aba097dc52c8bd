import fc from "fast-check";

/**
 * Strings that trip parsers and routers: any text, then the known troublemakers (encodings, traversal,
 * the too long, the non-ASCII). `known` is a slug the test has made real, so some requests hit a tenant.
 */
export function awkwardText(known: string, options: { binary?: boolean; also?: string[] } = {}) {
  return fc.oneof(
    fc.string({ maxLength: 40 }),
    ...(options.binary ? [fc.string({ unit: "binary", maxLength: 40 })] : []),
    fc.constantFrom(
      known,
      "admin",
      "%",
      "%2e%2e",
      "..",
      "a".repeat(300),
      "🙂",
      "%00",
      "null",
      "-1",
      ...(options.also ?? []),
    ),
  );
}

/** A tier field: the real ones, one that does not exist, an empty one, and one of the wrong type. */
export const tierField = fc.oneof(
  fc.constantFrom("starter", "pro", "studio", "enterprise", ""),
  fc.integer(),
);

/** The fields a tenant is created from (slug, email, tier), each sometimes missing or of the wrong type. */
export function tenantFields(slug: fc.Arbitrary<string>, email: fc.Arbitrary<string>) {
  return {
    slug: fc.oneof(slug, fc.integer(), fc.constant(null)),
    email: fc.oneof(fc.emailAddress(), email, fc.constant(null)),
    tier: tierField,
  };
}
