export { modelProxy } from "./proxy.ts";
export { MODEL_PROXY_PATH, type ModelUpstream, modelUpstream, runtimeModelEnv } from "./upstream.ts";
export { monthlyModelTokens, proxiedModelTokens } from "./usage.ts";
