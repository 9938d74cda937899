import { strict as assert } from "node:assert";
import sinon from "sinon";
import {
  alertReasonsFor,
  attentionDay,
  ConversationRateLimiter,
  digestItem,
  isNudgeTime,
  londonClockTime,
  overdueReasons,
  retryDelayMs,
  watchDay,
  sortDigest,
  type Case,
  DEFAULT_RULES,
  DEFAULT_RETENTION,
} from "../../src/domain";
import { startScheduler } from "../../src/jobs/scheduler";
import { createLogger } from "../../src/logger";
import { makeCase } from "../helpers/caseFixtures";

/** A complaint received Tuesday 3 March 2026: acknowledge by Friday 6 March, respond by Thursday 9 April (Easter skipped). */
const complaint = (overrides: Partial<Case> = {}): Case => ({ ...makeCase(), ...overrides });

describe("nudges and escalations (rules)", () => {
  it("looks at a case from 2 working days before its next deadline", () => {
    const c = complaint();
    assert.equal(c.nextDueOn, "2026-03-06");
    assert.equal(attentionDay(c, DEFAULT_RULES), "2026-03-04");
    assert.equal(attentionDay({ ...c, status: "closed" }, DEFAULT_RULES), undefined);
  });

  it("is watched by the sweep from its attention day while open; once closed, only to finish a destruction a manager decided", () => {
    const c = complaint();
    assert.equal(watchDay(c, DEFAULT_RETENTION, DEFAULT_RULES), "2026-03-04", "open: 2 working days before the acknowledgement");
    assert.equal(watchDay({ ...c, nextDueOn: undefined }, DEFAULT_RETENTION, DEFAULT_RULES), undefined, "no deadline: nothing to watch");
    const closed: Case = { ...c, status: "closed", closedOn: "2026-03-20", nextDueOn: undefined };
    assert.equal(
      watchDay(closed, DEFAULT_RETENTION, DEFAULT_RULES),
      undefined,
      "closed: due for records review in 2036, which the managers' review list finds, not the sweep",
    );
    const decided = (dueOn: string): Case => ({
      ...closed,
      retentionReview: { destroy: { on: dueOn, at: `${dueOn}T10:00:00.000Z`, by: { aadObjectId: "m", name: "Maya Manager" }, dueOn } },
    });
    assert.equal(watchDay(decided("2036-03-20"), DEFAULT_RETENTION, DEFAULT_RULES), "2036-03-20", "a manager decided to destroy it: watched until done");
    assert.equal(watchDay(decided("2034-03-20"), { years: 8, action: "delete" }, DEFAULT_RULES), "2034-03-20", "the trust's own retention years");
    assert.equal(watchDay(decided("2034-03-20"), DEFAULT_RETENTION, DEFAULT_RULES), undefined, "a decision made for another review day binds nothing");
    assert.equal(
      watchDay({ ...decided("2036-03-20"), anonymisedOn: "2036-03-20" }, DEFAULT_RETENTION, DEFAULT_RULES),
      undefined,
      "retention applied: nothing left to watch",
    );
  });

  it("puts a case in the digest when due within 2 working days, due today or overdue", () => {
    const c = complaint();
    assert.equal(digestItem(c, "2026-03-03", DEFAULT_RULES.nudgeWindowWorkingDays), undefined, "3 working days away");
    assert.equal(digestItem(c, "2026-03-04", DEFAULT_RULES.nudgeWindowWorkingDays)?.state, "due-soon");
    assert.equal(digestItem(c, "2026-03-06", DEFAULT_RULES.nudgeWindowWorkingDays)?.state, "due-today");
    const overdue = digestItem(c, "2026-03-10", DEFAULT_RULES.nudgeWindowWorkingDays)!;
    assert.equal(overdue.state, "overdue");
    assert.equal(overdue.workingDays, -2);
    assert.equal(overdue.deadline, "acknowledgement");
  });

  it("counts the window in working days across Easter", () => {
    // Due Tuesday 7 April 2026: Good Friday 3 April and Easter Monday 6 April are not working days.
    const c = complaint({ deadlines: { respondBy: "2026-04-07", acknowledgedOn: "2026-03-04", acknowledgeBy: "2026-03-06" }, nextDueOn: "2026-04-07" });
    assert.equal(attentionDay(c, DEFAULT_RULES), "2026-04-01");
    assert.equal(digestItem(c, "2026-04-02", DEFAULT_RULES.nudgeWindowWorkingDays)?.workingDays, 1);
  });

  it("orders the digest overdue first, then due today, then due soon", () => {
    const base = complaint();
    const items = [
      digestItem({ ...base, id: "a", reference: "PALS-2026-000003", nextDueOn: "2026-03-12" }, "2026-03-10", DEFAULT_RULES.nudgeWindowWorkingDays)!,
      digestItem({ ...base, id: "b", reference: "PALS-2026-000002", nextDueOn: "2026-03-10" }, "2026-03-10", DEFAULT_RULES.nudgeWindowWorkingDays)!,
      digestItem({ ...base, id: "c", reference: "PALS-2026-000001", nextDueOn: "2026-03-05" }, "2026-03-10", DEFAULT_RULES.nudgeWindowWorkingDays)!,
    ];
    assert.deepEqual(
      sortDigest(items).map((i) => i.state),
      ["overdue", "due-today", "due-soon"],
    );
  });

  it("alerts managers for flags, a third contact in 90 days and an escalation, and for missed deadlines", () => {
    const flagged = complaint({ flags: ["high-risk", "safeguarding", "mp-involved", "out-of-time"] });
    assert.deepEqual(alertReasonsFor(flagged), ["high-risk", "safeguarding", "mp-involved"]);
    assert.deepEqual(alertReasonsFor(complaint({ flags: [] }), { contactsAboutPatientIn90Days: 3 }), ["repeat-contact"]);
    assert.deepEqual(alertReasonsFor(complaint({ flags: [] }), { contactsAboutPatientIn90Days: 2 }), []);
    assert.deepEqual(alertReasonsFor(complaint({ flags: [], escalatedFromConcernOn: "2026-03-03" })), ["escalated-to-complaint"]);
    assert.deepEqual(alertReasonsFor(complaint({ status: "closed" })), []);
    assert.deepEqual(overdueReasons(complaint(), "2026-03-06"), [], "due today is not overdue");
    assert.deepEqual(overdueReasons(complaint(), "2026-03-09"), ["acknowledgement-overdue"]);
    assert.deepEqual(overdueReasons(complaint({ deadlines: { ...complaint().deadlines, acknowledgedOn: "2026-03-04" } }), "2026-04-10"), ["response-overdue"]);
  });

  it("reads 09:00 on the London clock in winter (GMT) and summer (BST), either side of the clocks changing", () => {
    assert.equal(londonClockTime(new Date("2026-03-27T09:00:00Z")), "09:00", "Friday before the clocks go forward");
    assert.equal(londonClockTime(new Date("2026-03-30T08:00:00Z")), "09:00", "Monday after: BST");
    assert.equal(londonClockTime(new Date("2026-10-23T08:00:00Z")), "09:00", "Friday before the clocks go back");
    assert.equal(londonClockTime(new Date("2026-10-26T09:00:00Z")), "09:00", "Monday after: GMT again");
  });

  it("sends the morning round at 09:00 London time on working days only", () => {
    assert.equal(isNudgeTime("2026-03-10", "08:59"), false);
    assert.equal(isNudgeTime("2026-03-10", "09:00"), true);
    assert.equal(isNudgeTime("2026-03-14", "09:30"), false, "Saturday");
    assert.equal(isNudgeTime("2026-12-28", "09:30"), false, "Boxing Day substitute bank holiday");
  });

  it("waits as long as Retry-After says on 429, and backs off with jitter otherwise", () => {
    assert.equal(retryDelayMs(1, 30), 30_000);
    assert.equal(
      retryDelayMs(1, undefined, () => 0),
      1_000,
    );
    assert.equal(
      retryDelayMs(1, undefined, () => 1),
      2_000,
    );
    assert.equal(
      retryDelayMs(4, undefined, () => 1),
      16_000,
    );
    assert.equal(
      retryDelayMs(30, undefined, () => 1),
      15 * 60_000,
      "capped at 15 minutes",
    );
  });

  it("keeps to Teams' limits per conversation: 7 a second, 60 in 30 seconds", () => {
    const limiter = new ConversationRateLimiter();
    const t0 = 1_000_000;
    for (let i = 0; i < 7; i++) {
      assert.equal(limiter.nextAllowedAt("chat", t0), t0);
      limiter.record("chat", t0);
    }
    assert.equal(limiter.nextAllowedAt("chat", t0), t0 + 1_000, "the 8th waits a second");
    assert.equal(limiter.nextAllowedAt("other chat", t0), t0, "other conversations are not held up");
    let now = t0;
    for (let sent = 7; sent < 60;) {
      now = limiter.nextAllowedAt("chat", now);
      limiter.record("chat", now);
      sent += 1;
    }
    assert.ok(limiter.nextAllowedAt("chat", now) >= t0 + 30_000, "the 61st waits for the 30-second window");
  });

  describe("the scheduler", () => {
    let clock: sinon.SinonFakeTimers;
    beforeEach(() => {
      clock = sinon.useFakeTimers();
    });
    afterEach(() => clock.restore());

    it("sweeps at its cadence, never two sweeps at once", async () => {
      let runs = 0;
      let finish: () => void = () => undefined;
      const scheduler = startScheduler(60_000, () => new Promise<void>((resolve) => ((runs += 1), (finish = resolve))), createLogger("silent"));
      await clock.tickAsync(59_999);
      assert.equal(runs, 0);
      await clock.tickAsync(1);
      assert.equal(runs, 1);
      await clock.tickAsync(120_000);
      assert.equal(runs, 1, "the first sweep is still running");
      finish();
      await clock.tickAsync(0);
      assert.equal(runs, 2, "one catch-up run after it");
      finish();
      scheduler.kick();
      await clock.tickAsync(0);
      assert.equal(runs, 3, "kick runs one soon");
      finish();
      await scheduler.stop();
    });
  });
});
