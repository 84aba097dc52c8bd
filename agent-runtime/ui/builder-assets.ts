import { builderScript } from "./builder-script.ts";
import { builderStyles } from "./builder-styles.ts";
import { hashedUrl } from "./content-hash.ts";

/** Where the builder page loads its script and styles: content-hashed, so a deploy never serves a stale copy. */
export const builderAssetUrls = {
  script: hashedUrl("builder.js", builderScript),
  styles: hashedUrl("builder.css", builderStyles),
};
