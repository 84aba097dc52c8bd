export { builderPage } from "./builder-page.ts";
export { builderScript } from "./builder-script.ts";
export { builderStyles } from "./builder-styles.ts";
export { publishScript, publishStyles } from "./publish-panel.ts";
