import { strict as assert } from "node:assert";
import {
  assessRisk,
  CaseSchema,
  consequenceTitle,
  isHighRisk,
  likelihoodTitle,
  riskBand,
  riskBandTitle,
  RiskRatingSchema,
  riskScore,
  type RiskRating,
} from "../../src/domain";
import { makeCase } from "../helpers/caseFixtures";

const ratings: RiskRating[] = [1, 2, 3, 4, 5];

describe("risk matrix", () => {
  it("scores consequence times likelihood", () => {
    assert.equal(riskScore(1, 1), 1);
    assert.equal(riskScore(4, 3), 12);
    assert.equal(riskScore(5, 5), 25);
    assert.deepEqual(assessRisk(3, 5), { consequence: 3, likelihood: 5, score: 15 });
  });

  it("bands every cell of the 5x5 matrix as the NHS matrix does", () => {
    const expected: Record<number, string> = {};
    for (const s of [1, 2, 3]) expected[s] = "low";
    for (const s of [4, 5, 6]) expected[s] = "moderate";
    for (const s of [8, 9, 10, 12]) expected[s] = "high";
    for (const s of [15, 16, 20, 25]) expected[s] = "extreme";
    for (const c of ratings) for (const l of ratings) assert.equal(riskBand(c * l), expected[c * l], `${c} x ${l}`);
  });

  it("calls 15 and above high risk for manager alerts, and 12 not", () => {
    assert.equal(isHighRisk(12), false);
    assert.equal(isHighRisk(15), true);
    assert.equal(isHighRisk(25), true);
  });

  it("refuses ratings outside 1 to 5 and scores no pair of ratings can make", () => {
    assert.throws(() => riskScore(0 as RiskRating, 3), /1 to 5/);
    assert.throws(() => riskScore(6 as RiskRating, 1), /1 to 5/);
    assert.throws(() => riskBand(7), /not a score/);
    assert.throws(() => riskBand(0), /not a score/);
  });

  it("a stored rating is 1 to 5 exactly; anything else fails at its own path", () => {
    for (const rating of ratings) assert.equal(RiskRatingSchema.safeParse(rating).success, true);
    for (const bad of [0, 6, 2.5, -1, "3", null, undefined, Number.NaN, [3]]) {
      const parsed = RiskRatingSchema.safeParse(bad);
      assert.equal(parsed.success, false, String(bad));
    }
    const stored = CaseSchema.safeParse({ ...makeCase(), risk: { consequence: 7, likelihood: 3, score: 21 } });
    assert.equal(stored.success, false);
    assert.deepEqual(
      stored.error?.issues.map((issue) => issue.path.join(".")),
      ["risk.consequence"],
    );
  });

  it("names each level in the matrix's words", () => {
    assert.deepEqual(ratings.map(consequenceTitle), ["Negligible", "Minor", "Moderate", "Major", "Catastrophic"]);
    assert.deepEqual(ratings.map(likelihoodTitle), ["Rare", "Unlikely", "Possible", "Likely", "Almost certain"]);
    assert.equal(riskBandTitle("extreme"), "Extreme");
  });
});
