export { compilePolicy, type RunPolicy } from "./compile.ts";
export { type ScopedEdit, scopeEdit } from "./edit-scope.ts";
export { autonomyLevels, creativityLevels, type Level } from "./levels.ts";
export { applyScope } from "./scope.ts";
