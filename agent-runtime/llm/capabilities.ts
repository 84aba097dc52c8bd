/** What a model accepts; reasoning models refuse `temperature`, so it is never sent to them. */
export interface ModelCapabilities {
  temperature: boolean;
  seed: boolean;
}

const table: { pattern: RegExp; capabilities: ModelCapabilities }[] = [
  { pattern: /^(o1|o3|o4)(-|$)/, capabilities: { temperature: false, seed: false } },
  { pattern: /^gpt-5/, capabilities: { temperature: false, seed: false } },
  { pattern: /^gpt-4/, capabilities: { temperature: true, seed: true } },
];

export function capabilitiesOf(model: string): ModelCapabilities {
  return table.find((row) => row.pattern.test(model))?.capabilities ?? { temperature: true, seed: true };
}
