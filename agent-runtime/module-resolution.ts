import { registerHooks } from "node:module";

/**
 * ESM packages whose own relative imports are resolved here rather than by Node.
 *
 * Each time it resolves an import to a `.js` file, Node 24 looks up the package's `type` and, in doing so,
 * re-parses the package.json's whole `exports` map. drizzle-orm's is 175 kB and the runtime resolves ~430
 * imports into it, so that alone took ~350 ms of each start (zod and hono pay the same, less). Inside these
 * packages a relative `./x.js` import is just a URL join, and every file is ESM (`"type": "module"`), so
 * that is all this does.
 */
const esmPackages = /\/node_modules\/(drizzle-orm|zod|hono)\/[^?#]*\.js$/;

export function resolveEsmPackagesDirectly(): void {
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const parent = context.parentURL;
      if (parent && specifier.startsWith(".") && specifier.endsWith(".js") && esmPackages.test(parent)) {
        return { url: new URL(specifier, parent).href, format: "module", shortCircuit: true };
      }
      return nextResolve(specifier, context);
    },
  });
}
