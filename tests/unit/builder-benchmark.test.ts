import { describe, expect, test } from "vitest";
import { corpus } from "../../scripts/bench/builder-corpus.ts";
import { scoreBuilder } from "../../scripts/bench/builder-requests.ts";

describe("the builder benchmark", () => {
  test("its corpus is varied: at least 40 requests and edits across at least 10 kinds of business", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(10);
    expect(new Set(corpus.map((c) => c.business)).size).toBe(corpus.length);
    expect(corpus.flatMap((c) => c.steps).length).toBeGreaterThanOrEqual(40);
  });

  test("the offline model meets at least 95 % of its expectations", async () => {
    const score = await scoreBuilder();
    expect(score.passed / score.expectations).toBeGreaterThanOrEqual(0.95);
  });

  test("a result that misses what was asked is counted as a failed expectation", async () => {
    const score = await scoreBuilder([
      {
        business: "test",
        steps: [
          {
            prompt: "A website for Rosa's Bakery with about and contact sections",
            autonomy: 0,
            creativity: 0,
            sections: ["about", "menu"],
            title: "Rosa's Cakes",
          },
        ],
      },
    ]);
    expect(score.failures.map((f) => f.expectation)).toEqual([
      "sections are exactly about, menu",
      "the title reads “Rosa's Cakes”",
    ]);
  });
});
