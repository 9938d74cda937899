import { strict as assert } from "node:assert";
import fs from "node:fs";
import path from "node:path";
import {
  acknowledgePeriod,
  backstopLabel,
  backstopPeriod,
  caseFileHtml,
  caseFlagTitle,
  casesCsv,
  complexityTierChoices,
  complexityTierTitle,
  DEFAULT_DEADLINE_RULES,
  defaultComplexityText,
  flagTitle,
  parseRules,
  serviceReport,
  type DeadlineRules,
  DEFAULT_RULES,
} from "../../src/domain";
import { digestCard } from "../../src/teams/alerts/nudgeCards";
import { reportCard } from "../../src/teams/reports/reportCards";
import { cardText } from "../helpers/bot";
import { makeCase } from "../helpers/caseFixtures";

const WALES = path.join(__dirname, "..", "..", "env", "rules.wales.json");

function walesDeadlines(): Readonly<DeadlineRules> {
  const parsed = parseRules(JSON.parse(fs.readFileSync(WALES, "utf8")));
  assert.ok(parsed.ok);
  return parsed.rules.deadlines;
}

/** Figures unlike England's and Wales', including the singular. */
const OWN: Readonly<DeadlineRules> = {
  ...DEFAULT_DEADLINE_RULES,
  acknowledgeWorkingDays: 1,
  defaultComplexity: 40,
  complexityWorkingDays: { 25: 20, 40: 35, 60: 50 },
  backstopMonths: 1,
  outOfTimeMonths: 18,
};

describe("texts that state a timescale, from the trust's rules", () => {
  it("complexity tiers: England's labels of today by default, each tier's working days from the rules", () => {
    assert.deepEqual(complexityTierChoices(DEFAULT_RULES.deadlines), [
      { id: "25", title: "Standard: 25 working days" },
      { id: "40", title: "Complex: 40 working days" },
      { id: "60", title: "Very complex: 60 working days" },
    ]);
    assert.equal(defaultComplexityText(DEFAULT_RULES.deadlines), "Standard (25 working days)");
    assert.deepEqual(
      complexityTierChoices(walesDeadlines()).map((c) => c.title),
      ["Standard: 30 working days", "Complex: 30 working days", "Very complex: 30 working days"],
    );
    assert.equal(complexityTierTitle(60, OWN), "Very complex: 50 working days");
    assert.equal(defaultComplexityText(OWN), "Complex (35 working days)", "the rules' default tier");
    assert.deepEqual(
      complexityTierChoices(OWN).map((c) => c.id),
      ["25", "40", "60"],
      "the stored ids do not change",
    );
  });

  it("the backstop, the acknowledgement and the out-of-time period", () => {
    assert.equal(backstopLabel(DEFAULT_RULES.deadlines), "6-month limit");
    assert.equal(backstopPeriod(DEFAULT_RULES.deadlines), "6 months");
    assert.equal(acknowledgePeriod(DEFAULT_RULES.deadlines), "3 working days");
    assert.equal(caseFlagTitle("out-of-time", DEFAULT_RULES.deadlines), flagTitle("out-of-time"), "England's words of today");
    assert.equal(
      caseFlagTitle("out-of-time", DEFAULT_RULES.deadlines),
      "Out of time: made more than 12 months after the event and after they knew of it; it can still be considered if there is good reason and a fair investigation is possible",
    );
    assert.equal(acknowledgePeriod(walesDeadlines()), "5 working days");
    assert.equal(backstopLabel(OWN), "1-month limit");
    assert.equal(backstopPeriod(OWN), "1 month");
    assert.equal(acknowledgePeriod(OWN), "1 working day");
    assert.equal(
      caseFlagTitle("out-of-time", OWN),
      "Out of time: made more than 18 months after the event and after they knew of it; it can still be considered if there is good reason and a fair investigation is possible",
    );
    assert.equal(caseFlagTitle("safeguarding", OWN), "Safeguarding concern", "other flags as they are");
  });

  it("the exports and the report name the trust's periods", () => {
    const c = makeCase({ eventOn: "2024-01-01" }); // received 3 March 2026: out of time
    assert.ok(c.flags.includes("out-of-time"));
    assert.match(casesCsv([c], { rules: DEFAULT_RULES, withPatientDetails: false }), /more than 12 months/);
    assert.match(casesCsv([c], { withPatientDetails: false, rules: { ...DEFAULT_RULES, deadlines: OWN } }), /more than 18 months/);
    const file = caseFileHtml(c, [], {
      generatedAt: new Date("2026-03-10T10:00:00Z"),
      generatedBy: "Maya Manager",
      rules: { ...DEFAULT_RULES, deadlines: OWN },
    });
    assert.match(file, /1-month limit/);
    assert.match(file, /more than 18 months/);
    assert.match(caseFileHtml(c, [], { rules: DEFAULT_RULES, generatedAt: new Date("2026-03-10T10:00:00Z"), generatedBy: "Maya Manager" }), /6-month limit/);
    const report = serviceReport([c], { from: "2026-03-01", to: "2026-03-31" }, "2026-03-10", DEFAULT_RULES.updates.workingDays);
    assert.match(cardText(reportCard(report, { today: "2026-03-10" })), /Acknowledgement \(3 working days\)/);
    assert.match(cardText(reportCard(report, { today: "2026-03-10", acknowledgeWorkingDays: 2 })), /Acknowledgement \(2 working days\)/);
  });

  it("the digest's due-soon heading names the nudge window", () => {
    const item = {
      caseId: "c-1",
      reference: "PALS-2026-000123",
      type: "complaint" as const,
      deadline: "response" as const,
      dueOn: "2026-03-12",
      state: "due-soon" as const,
      workingDays: 2,
    };
    assert.match(cardText(digestCard([item], "2026-03-10", DEFAULT_RULES.nudgeWindowWorkingDays)), /Due in the next 2 working days/);
    assert.match(cardText(digestCard([item], "2026-03-10", 5)), /Due in the next 5 working days/);
  });
});
