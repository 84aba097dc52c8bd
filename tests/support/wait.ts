import { setTimeout as delay } from "node:timers/promises";

/**
 * Polls `condition` until it returns a value other than `undefined`, `null` or `false`, and returns that value.
 * Fails after `timeoutMs` with the last value seen (or the last error thrown), so a timeout says what was there.
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<Exclude<T, undefined | null | false>> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  let last: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value !== undefined && value !== null && value !== false)
        return value as Exclude<T, undefined | null | false>;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      const seen = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out waiting for ${options.what ?? "a condition"}; last: ${seen}`);
    }
    await delay(options.intervalMs ?? 100);
  }
}
