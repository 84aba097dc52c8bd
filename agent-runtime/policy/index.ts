export { compilePolicy, type RunPolicy } from "./compile.ts";
export { autonomyLevels, creativityLevels, type Level } from "./levels.ts";
export { applyScope } from "./scope.ts";
