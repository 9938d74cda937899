import { strict as assert } from "node:assert";
import {
  CaseRuleError,
  computeDeadlines,
  escalateToComplaint,
  extendResponse,
  isOutOfTime,
  lastDayOfPeriodBeginningWith,
  nextDue,
  type Case,
  DEFAULT_RULES,
} from "../../src/domain";
import { makeCase } from "../helpers/caseFixtures";

const isRuleError = (pattern: RegExp) => (err: unknown) => err instanceof CaseRuleError && pattern.test(err.message);

describe("deadlines", () => {
  describe("computeDeadlines", () => {
    it("gives a complaint received the Thursday before Easter 2026 dates that skip Good Friday and Easter Monday", () => {
      assert.deepEqual(computeDeadlines({ type: "complaint", receivedOn: "2026-04-02" }, DEFAULT_RULES.deadlines), {
        acknowledgeBy: "2026-04-09", // Tue 7, Wed 8, Thu 9
        respondBy: "2026-05-12", // 25 working days, also skipping the early May bank holiday
        backstop: "2026-10-01", // six months beginning with 2 April (reg 14(2)(b)) end on 1 October
      });
    });

    it("uses the complexity tier for the complaint response date", () => {
      assert.equal(computeDeadlines({ type: "complaint", receivedOn: "2026-04-02", complexity: 40 }, DEFAULT_RULES.deadlines).respondBy, "2026-06-03");
      assert.equal(computeDeadlines({ type: "complaint", receivedOn: "2026-04-02", complexity: 60 }, DEFAULT_RULES.deadlines).respondBy, "2026-07-01");
    });

    it("acknowledges a complaint received on a Friday by the Wednesday", () => {
      assert.equal(computeDeadlines({ type: "complaint", receivedOn: "2026-03-06" }, DEFAULT_RULES.deadlines).acknowledgeBy, "2026-03-11");
    });

    it("gives a concern 10 working days and an enquiry 2, with nothing to acknowledge", () => {
      assert.deepEqual(computeDeadlines({ type: "concern", receivedOn: "2026-04-02" }, DEFAULT_RULES.deadlines), { respondBy: "2026-04-20" });
      assert.deepEqual(computeDeadlines({ type: "enquiry", receivedOn: "2026-04-02" }, DEFAULT_RULES.deadlines), { respondBy: "2026-04-08" });
    });

    it("gives a compliment no deadlines", () => {
      assert.deepEqual(computeDeadlines({ type: "compliment", receivedOn: "2026-04-02" }, DEFAULT_RULES.deadlines), {});
    });

    it("lets a trust use its own targets", () => {
      const rules = {
        acknowledgeWorkingDays: 2,
        defaultComplexity: 40,
        backstopMonths: 6,
        concernWorkingDays: 5,
        enquiryWorkingDays: 1,
        outOfTimeMonths: 12,
      } as const;
      assert.equal(computeDeadlines({ type: "concern", receivedOn: "2026-03-02" }, rules).respondBy, "2026-03-09");
      assert.equal(computeDeadlines({ type: "complaint", receivedOn: "2026-03-02" }, rules).acknowledgeBy, "2026-03-04");
    });
  });

  describe("isOutOfTime (12 months after the event)", () => {
    it("is in time at exactly 12 months and out of time the day after", () => {
      assert.equal(isOutOfTime("2025-03-03", "2026-03-03", DEFAULT_RULES.deadlines), false);
      assert.equal(isOutOfTime("2025-03-03", "2026-03-04", DEFAULT_RULES.deadlines), true);
    });

    it("treats 12 months from 29 February as 28 February", () => {
      assert.equal(isOutOfTime("2024-02-29", "2025-02-28", DEFAULT_RULES.deadlines), false);
      assert.equal(isOutOfTime("2024-02-29", "2025-03-01", DEFAULT_RULES.deadlines), true);
    });

    it("is in time for something that happened last week", () => {
      assert.equal(isOutOfTime("2026-02-24", "2026-03-03", DEFAULT_RULES.deadlines), false);
    });
  });

  describe("nextDue", () => {
    it("is the acknowledgement date until the complaint is acknowledged, then the earlier of the next update and the response date", () => {
      const complaint = makeCase({ receivedOn: "2026-03-03" });
      assert.equal(nextDue(complaint, DEFAULT_RULES.updates.workingDays), "2026-03-06");
      assert.equal(complaint.nextDueOn, "2026-03-06");
      const acknowledged: Case = { ...complaint, deadlines: { ...complaint.deadlines, acknowledgedOn: "2026-03-04" } };
      // The next update to the complainant: 20 working days after the acknowledgement, before the response (9 April).
      assert.equal(nextDue(acknowledged, DEFAULT_RULES.updates.workingDays), "2026-04-01");
      assert.equal(nextDue(acknowledged, 30), complaint.deadlines.respondBy, "with a longer cadence the response comes first");
    });

    it("is nothing once the case is closed, and nothing for a compliment", () => {
      const complaint = makeCase();
      assert.equal(nextDue({ ...complaint, status: "closed" }, DEFAULT_RULES.updates.workingDays), undefined);
      const compliment = makeCase({ contactType: "compliment", subjects: "" });
      assert.equal(nextDue(compliment, DEFAULT_RULES.updates.workingDays), undefined);
      assert.equal(compliment.nextDueOn, undefined);
    });
  });

  describe("escalateToComplaint", () => {
    const concern = () => makeCase({ contactType: "concern", receivedOn: "2026-03-03", eventOn: "2026-02-20" });

    it("starts complaint deadlines from the escalation date and keeps the original receipt date", () => {
      const escalated = escalateToComplaint(concern(), "2026-04-02", DEFAULT_RULES);
      assert.equal(escalated.type, "complaint");
      assert.equal(escalated.status, "open");
      assert.equal(escalated.receivedOn, "2026-03-03");
      assert.equal(escalated.escalatedFromConcernOn, "2026-04-02");
      assert.deepEqual(escalated.deadlines, { acknowledgeBy: "2026-04-09", respondBy: "2026-05-12", backstop: "2026-10-01" });
      assert.equal(escalated.complexity, 25);
      assert.equal(escalated.nextDueOn, "2026-04-09");
    });

    it("judges time limits from when the concern was first raised, not from the escalation", () => {
      // Raised 11 months after the event, escalated at 13 months: still in time.
      const inTime = makeCase({ contactType: "concern", eventOn: "2025-03-20", receivedOn: "2026-02-20" });
      assert.equal(escalateToComplaint(inTime, "2026-04-20", DEFAULT_RULES).flags.includes("out-of-time"), false);
      const late = makeCase({ contactType: "concern", eventOn: "2024-12-01", receivedOn: "2026-02-20" });
      assert.equal(escalateToComplaint(late, "2026-04-20", DEFAULT_RULES).flags.includes("out-of-time"), true);
    });

    it("refuses to escalate anything but an open concern, or to a date before it was received", () => {
      assert.throws(() => escalateToComplaint(makeCase(), "2026-04-02", DEFAULT_RULES), isRuleError(/Only a concern/));
      assert.throws(() => escalateToComplaint({ ...concern(), status: "closed" }, "2026-04-02", DEFAULT_RULES), isRuleError(/closed/));
      assert.throws(() => escalateToComplaint(concern(), "2026-03-02", DEFAULT_RULES), isRuleError(/Tuesday 3 March 2026/));
    });
  });

  describe("extendResponse", () => {
    const complaint = () => makeCase({ receivedOn: "2026-03-03" }); // backstop Wednesday 2 September 2026

    it("moves the response date, marks it agreed and keeps the earlier acknowledgement due first", () => {
      const extended = extendResponse(complaint(), "2026-05-20", "Waiting for the ward manager's statement", { rules: DEFAULT_RULES });
      assert.equal(extended.deadlines.respondBy, "2026-05-20");
      assert.equal(extended.deadlines.respondByAgreed, true);
      assert.equal(extended.nextDueOn, "2026-03-06");
      const acknowledged = { ...complaint(), deadlines: { ...complaint().deadlines, acknowledgedOn: "2026-03-04" } };
      // Acknowledged on 4 March: the next update to the complainant (1 April) now comes before the response.
      assert.equal(extendResponse(acknowledged, "2026-05-20", "Statement", { rules: DEFAULT_RULES }).nextDueOn, "2026-04-01");
    });

    it("stops at the six-month backstop unless the complainant agreed a longer period", () => {
      assert.throws(() => extendResponse(complaint(), "2026-09-03", "Complex", { rules: DEFAULT_RULES }), isRuleError(/Wednesday 2 September 2026/));
      const agreed = extendResponse(complaint(), "2026-09-04", "Complex", { rules: DEFAULT_RULES, agreedLonger: true });
      assert.equal(agreed.deadlines.respondBy, "2026-09-04");
      assert.equal(agreed.deadlines.longerPeriodAgreed, true);
      assert.equal(extendResponse(complaint(), "2026-09-02", "Complex", { rules: DEFAULT_RULES }).deadlines.respondBy, "2026-09-02");
    });

    it("refuses a date on or before receipt, a missing reason and a closed case", () => {
      assert.throws(() => extendResponse(complaint(), "2026-03-03", "Why", { rules: DEFAULT_RULES }), isRuleError(/after Tuesday 3 March 2026/));
      assert.throws(() => extendResponse(complaint(), "2026-05-20", "   ", { rules: DEFAULT_RULES }), isRuleError(/reason/));
      assert.throws(() => extendResponse({ ...complaint(), status: "closed" }, "2026-05-20", "Why", { rules: DEFAULT_RULES }), isRuleError(/closed/));
    });
  });
});

describe("the six-month period of SI 2009/309 reg 14(2)(b): six months beginning with the day of receipt", () => {
  // Worked by hand: the period includes the day of receipt, so it ends the day before the same date six months on;
  // where that month has no such date, on its last day.
  for (const [received, lastDay, why] of [
    ["2026-03-10", "2026-09-09", "mid-month: 10 March to 9 September"],
    ["2026-03-01", "2026-08-31", "from the 1st: to the end of the sixth month, 31 August"],
    ["2026-05-01", "2026-10-31", "1 May to 31 October"],
    ["2026-12-01", "2027-05-31", "1 December to 31 May"],
    ["2026-08-29", "2027-02-28", "no 29 February in 2027: to 28 February"],
    ["2026-08-28", "2027-02-27", "28 August to 27 February"],
    ["2026-03-31", "2026-09-30", "month end: 31 March to 30 September"],
    ["2026-08-31", "2027-02-28", "no 30 February: 31 August to 28 February"],
    ["2026-09-01", "2027-02-28", "1 September to the end of February"],
    ["2027-09-01", "2028-02-29", "into a leap year's February"],
    ["2028-02-29", "2028-08-28", "from 29 February: to 28 August"],
    ["2026-12-25", "2027-06-24", "Christmas Day counts: calendar months, not working days"],
  ] as const) {
    it(`received ${received}: last day ${lastDay} (${why})`, () => {
      assert.equal(lastDayOfPeriodBeginningWith(received, 6), lastDay);
      assert.equal(computeDeadlines({ type: "complaint", receivedOn: received }, DEFAULT_RULES.deadlines).backstop, lastDay);
    });
  }

  it("lets a longer period be agreed only before the six months end, and an agreement made in time be moved later", () => {
    const complaint = makeCase({ receivedOn: "2026-03-03" }); // the six months end on Wednesday 2 September 2026
    const inTime = extendResponse(complaint, "2026-10-15", "Agreed by phone", { rules: DEFAULT_RULES, agreedLonger: true, today: "2026-09-02" });
    assert.equal(inTime.deadlines.longerPeriodAgreed, true);
    assert.throws(
      () => extendResponse(complaint, "2026-10-15", "Agreed by phone", { rules: DEFAULT_RULES, agreedLonger: true, today: "2026-09-03" }),
      isRuleError(/ended on Wednesday 2 September 2026: a longer period can only be agreed before it ends/),
    );
    // Agreed in time, then moved again after the six months: the agreement stands.
    assert.equal(
      extendResponse(inTime, "2026-11-02", "Moved, as agreed", { rules: DEFAULT_RULES, agreedLonger: true, today: "2026-10-01" }).deadlines.respondBy,
      "2026-11-02",
    );
    // A date within the six months can still be set after it ends (it is not a longer period).
    assert.equal(extendResponse(complaint, "2026-09-01", "Moved", { rules: DEFAULT_RULES, today: "2026-09-05" }).deadlines.respondBy, "2026-09-01");
  });
});

describe("the 12-month time limit of SI 2009/309 reg 12: from the event or, if later, when it came to their notice", () => {
  it("counts from the later of the two dates, exactly 12 months being in time (worked by hand)", () => {
    // Happened 10 January 2025; received 10 March 2026: 14 months after the event.
    assert.equal(isOutOfTime("2025-01-10", "2026-03-10", DEFAULT_RULES.deadlines), true);
    // They only learned of it on 1 June 2025: 12 months from then end on 1 June 2026, so it is in time.
    assert.equal(isOutOfTime("2025-01-10", "2026-03-10", DEFAULT_RULES.deadlines, "2025-06-01"), false);
    // Learned of it 10 March 2025: received 10 March 2026 is in time, 11 March is not.
    assert.equal(isOutOfTime("2025-01-10", "2026-03-10", DEFAULT_RULES.deadlines, "2025-03-10"), false);
    assert.equal(isOutOfTime("2025-01-10", "2026-03-11", DEFAULT_RULES.deadlines, "2025-03-10"), true);
    // A date of notice before the event changes nothing.
    assert.equal(isOutOfTime("2025-01-10", "2026-03-10", DEFAULT_RULES.deadlines, "2024-12-01"), true);
  });

  it("flags a complaint out of time only when both dates are more than 12 months back", () => {
    assert.ok(makeCase({ receivedOn: "2026-03-09", eventOn: "2024-12-01" }).flags.includes("out-of-time"));
    assert.ok(!makeCase({ receivedOn: "2026-03-09", eventOn: "2024-12-01", noticedOn: "2025-09-01" }).flags.includes("out-of-time"));
  });

  it("refuses a date of notice before the event or after receipt, saying which", () => {
    assert.throws(() => makeCase({ receivedOn: "2026-03-09", eventOn: "2025-12-01", noticedOn: "2025-11-01" }), /before the date it happened/);
    assert.throws(() => makeCase({ receivedOn: "2026-03-09", eventOn: "2025-12-01", noticedOn: "2026-03-10" }), /after the date it was received/);
  });
});
