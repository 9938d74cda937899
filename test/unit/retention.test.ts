// Records retention (Records Management Code of Practice 2023: complaints files kept 10 years after closure, not
// closed while the Ombudsman or litigation continues; at the end, review, then destroy if no longer needed).
// Every expected day below was worked out by hand: 10 calendar years after the end of the last process, moved to
// the next working day when it falls on a weekend or an England and Wales bank holiday.
import { strict as assert } from "node:assert";
import {
  CaseRuleError,
  DEFAULT_RULES,
  decideToDestroy,
  destroyDecision,
  isRetentionDue,
  keepRecords,
  liftLegalHold,
  mayDestroyRecords,
  placeLegalHold,
  recordOmbudsman,
  retentionClock,
  retentionDay,
  retentionDueFile,
  watchDay,
  type ActionContext,
  type Case,
  type OmbudsmanReferral,
  DEFAULT_RETENTION,
} from "../../src/domain";
import { makeCase } from "../helpers/caseFixtures";

const MAYA = { aadObjectId: "manager-1", name: "Maya Manager" };
const at = (day: string): ActionContext => ({ actor: MAYA, now: new Date(`${day}T10:00:00Z`), rules: DEFAULT_RULES });

/** A complaint closed on `closedOn`, with these other facts. */
const closed = (closedOn: string, overrides: Partial<Case> = {}): Case => ({
  ...makeCase(),
  status: "closed",
  outcome: "upheld",
  closedOn,
  nextDueOn: undefined,
  ...overrides,
});
const referral = (overrides: Partial<OmbudsmanReferral>): OmbudsmanReferral => ({
  referredOn: "2016-09-01",
  reference: "C-2016-0042",
  stage: "assessment",
  ...overrides,
});

describe("records retention: when a closed file is due for review (hand-computed days)", () => {
  it("closed Thursday 10 March 2016, no referral: due for review Tuesday 10 March 2026, not a day before", () => {
    const c = closed("2016-03-10");
    assert.equal(retentionDay(c, DEFAULT_RETENTION), "2026-03-10");
    assert.equal(isRetentionDue(c, "2026-03-09", DEFAULT_RETENTION), false);
    assert.equal(isRetentionDue(c, "2026-03-10", DEFAULT_RETENTION), true);
    assert.deepEqual(retentionClock(c, DEFAULT_RETENTION), {
      state: "counting",
      lastProcessEndedOn: "2016-03-10",
      ombudsmanDateMissing: false,
      reviewOn: "2026-03-10",
    });
  });

  it("moves a review day on a weekend or a bank holiday to the next working day, and says where the clock stands", () => {
    assert.equal(retentionDay(closed("2016-03-14"), DEFAULT_RETENTION), "2026-03-16", "Saturday 14 March 2026: Monday 16 March");
    assert.deepEqual(retentionClock(closed("2015-12-25"), DEFAULT_RETENTION), {
      state: "counting",
      lastProcessEndedOn: "2015-12-25",
      ombudsmanDateMissing: false,
      reviewOn: "2025-12-29", // Christmas Day 2025 (Thursday), Boxing Day, the weekend: Monday 29 December
    });
  });

  it("counts from the Ombudsman's decision when it is later than the closure: decided 30 June 2018, due Friday 30 June 2028", () => {
    const c = closed("2016-03-10", { ombudsman: referral({ stage: "decided", decidedOn: "2018-06-30" }) });
    assert.equal(retentionDay(c, DEFAULT_RETENTION), "2028-06-30");
    assert.equal(isRetentionDue(c, "2026-03-10", DEFAULT_RETENTION), false, "not at 10 years from the local closure");
    assert.equal(isRetentionDue(c, "2028-06-29", DEFAULT_RETENTION), false);
    assert.equal(isRetentionDue(c, "2028-06-30", DEFAULT_RETENTION), true);
    const sunday = closed("2016-03-10", { ombudsman: referral({ stage: "decided", decidedOn: "2018-07-01" }) });
    assert.equal(retentionDay(sunday, DEFAULT_RETENTION), "2028-07-03", "decided Sunday 1 July 2018: Saturday 1 July 2028, so Monday 3 July");
  });

  it("has no retention day at all while a referral is open, however long ago the case closed", () => {
    for (const stage of ["assessment", "investigation"] as const) {
      const c = closed("2016-03-10", { ombudsman: referral({ stage }) });
      assert.equal(retentionDay(c, DEFAULT_RETENTION), undefined, stage);
      assert.equal(isRetentionDue(c, "2099-12-31", DEFAULT_RETENTION), false, stage);
      assert.deepEqual(retentionClock(c, DEFAULT_RETENTION), { state: "ombudsman-open" });
    }
  });

  it("never makes a file under a legal hold due; lifting the hold counts from the end of the last process again", () => {
    const c = closed("2016-03-10");
    const held = placeLegalHold(c, "Clinical negligence claim received from the family's solicitors", at("2025-11-03")).updated;
    assert.equal(retentionDay(held, DEFAULT_RETENTION), undefined);
    assert.equal(isRetentionDue(held, "2026-03-10", DEFAULT_RETENTION), false);
    assert.equal(isRetentionDue(held, "2099-12-31", DEFAULT_RETENTION), false);
    assert.equal(retentionClock(held, DEFAULT_RETENTION).state, "held");
    const lifted = liftLegalHold(held, "Claim settled", at("2027-05-04")).updated;
    assert.equal(lifted.legalHold, undefined);
    assert.equal(retentionDay(lifted, DEFAULT_RETENTION), "2026-03-10", "due at once: the period ended while it was held");
    assert.equal(isRetentionDue(lifted, "2027-05-04", DEFAULT_RETENTION), true);
  });

  it("a referral recorded as decided before its date was asked for counts from the referral, and says so", () => {
    const c = closed("2016-03-10", { ombudsman: referral({ stage: "decided", referredOn: "2017-01-05" }) });
    assert.equal(retentionDay(c, DEFAULT_RETENTION), "2027-01-05");
    const file = retentionDueFile(c, "2027-01-05", DEFAULT_RETENTION);
    assert.equal(file?.ombudsmanDateMissing, true);
    assert.equal(file?.lastProcessEndedOn, "2017-01-05");
  });

  it("uses the trust's years from the end of the last process", () => {
    assert.equal(retentionDay(closed("2016-03-10"), { years: 8, action: "delete" }), "2024-03-11", "Sunday 10 March 2024: Monday 11 March");
    const decided = closed("2016-03-10", { ombudsman: referral({ stage: "decided", decidedOn: "2018-06-30" }) });
    assert.equal(retentionDay(decided, { years: 8, action: "delete" }), "2026-06-30", "decided 30 June 2018, 8 years: Tuesday 30 June 2026");
  });

  it("is not due while open, once its details were removed, or while held", () => {
    assert.deepEqual(retentionClock(makeCase(), DEFAULT_RETENTION), { state: "not-closed" });
    assert.deepEqual(retentionClock(closed("2016-03-10", { anonymisedOn: "2026-03-10" }), DEFAULT_RETENTION), { state: "removed" });
    const hold = { since: "2020-01-06", by: MAYA, reason: "Claim" };
    assert.deepEqual(retentionClock(closed("2016-03-10", { legalHold: hold }), DEFAULT_RETENTION), { state: "held", hold });
  });
});

describe("records retention: the manager's review decisions", () => {
  const due = () => closed("2016-03-10");

  it("keep for 2 more years on Tuesday 10 March 2026: next review Friday 10 March 2028, with the reason on the timeline", () => {
    const { updated, event } = keepRecords(due(), { years: "2", reason: "Linked inquest still open" }, at("2026-03-10"), DEFAULT_RETENTION);
    assert.equal(updated.retentionReview?.keepUntil, "2028-03-10");
    assert.deepEqual(updated.retentionReview?.kept, { on: "2026-03-10", by: MAYA, years: 2 });
    assert.equal(retentionDay(updated, DEFAULT_RETENTION), "2028-03-10");
    assert.equal(isRetentionDue(updated, "2028-03-09", DEFAULT_RETENTION), false);
    assert.equal(isRetentionDue(updated, "2028-03-10", DEFAULT_RETENTION), true);
    assert.equal(event.kind, "retention-reviewed");
    assert.match(event.summary, /kept for 2 years more; next review on Friday 10 March 2028/);
    assert.equal(event.detail, "Linked inquest still open");
  });

  it("refuses keeping a file that is not due, years outside 1 to 10, and no reason", () => {
    assert.throws(() => keepRecords(due(), { years: "2", reason: "x" }, at("2026-03-09"), DEFAULT_RETENTION), /not due for a records retention review/);
    for (const years of ["0", "11", "two", "", 2.5, "1e1"]) {
      assert.throws(() => keepRecords(due(), { years, reason: "x" }, at("2026-03-10"), DEFAULT_RETENTION), /1 to 10/, String(years));
    }
    assert.throws(() => keepRecords(due(), { years: "1", reason: "  " }, at("2026-03-10"), DEFAULT_RETENTION), /Give the reason/);
    assert.throws(() => keepRecords(due(), { years: "1", reason: "x".repeat(1001) }, at("2026-03-10"), DEFAULT_RETENTION), /1,000 characters/);
  });

  it("destroy is recorded (who, when, for which review) before anything is removed; only then may the records go", () => {
    const c = due();
    assert.equal(mayDestroyRecords(c, "2026-03-10", DEFAULT_RETENTION), false, "due, but nobody has decided");
    const { updated, event } = decideToDestroy(c, at("2026-03-10"), DEFAULT_RETENTION);
    assert.deepEqual(updated.retentionReview?.destroy, { on: "2026-03-10", at: "2026-03-10T10:00:00.000Z", by: MAYA, dueOn: "2026-03-10" });
    assert.equal(mayDestroyRecords(updated, "2026-03-10", DEFAULT_RETENTION), true);
    assert.equal(event.kind, "retention-reviewed");
    assert.throws(() => decideToDestroy(updated, at("2026-03-10"), DEFAULT_RETENTION), /already decided on Tuesday 10 March 2026 by Maya Manager/);
    assert.throws(() => keepRecords(updated, { years: "1", reason: "x" }, at("2026-03-10"), DEFAULT_RETENTION), CaseRuleError);
    assert.throws(() => decideToDestroy(c, at("2026-03-09"), DEFAULT_RETENTION), /not due/);
  });

  it("a destroy decision binds only the review it was made for: reopening, or a legal hold, cancels it", () => {
    const decided = decideToDestroy(due(), at("2026-03-10"), DEFAULT_RETENTION).updated;
    const reopened: Case = { ...decided, status: "open", closedOn: undefined };
    assert.equal(mayDestroyRecords(reopened, "2026-03-10", DEFAULT_RETENTION), false);
    const closedAgain: Case = { ...reopened, status: "closed", closedOn: "2026-04-01" };
    assert.equal(destroyDecision(closedAgain, DEFAULT_RETENTION), undefined, "closed again: a new review in 2036, a new decision");
    assert.equal(mayDestroyRecords(closedAgain, "2036-04-01", DEFAULT_RETENTION), false);
    const held = placeLegalHold(decided, "Inquiry announced", at("2026-03-11"));
    assert.equal(held.updated.retentionReview?.destroy, undefined);
    assert.match(held.event.summary, /the decision to destroy the records is cancelled/);
    assert.equal(mayDestroyRecords(liftLegalHold(held.updated, "Inquiry closed", at("2026-05-01")).updated, "2026-05-01", DEFAULT_RETENTION), false);
  });

  it("legal hold: a reason is needed, one hold at a time, and none on a file already destroyed", () => {
    const held = placeLegalHold(due(), "  Claim  ", at("2026-01-05"));
    assert.deepEqual(held.updated.legalHold, { since: "2026-01-05", by: MAYA, reason: "Claim" });
    assert.equal(held.event.kind, "legal-hold-placed");
    assert.match(held.event.summary, /^Legal hold placed/);
    assert.equal(held.event.detail, "Claim");
    assert.ok(!JSON.stringify(held.event.changes).includes("Claim"), "the reason is free text: only in the detail, which retention clears");
    assert.throws(() => placeLegalHold(held.updated, "Again", at("2026-01-06")), /already under a legal hold, placed on Monday 5 January 2026 by Maya Manager/);
    assert.throws(() => placeLegalHold(due(), "", at("2026-01-05")), /Give the reason/);
    assert.throws(() => placeLegalHold(closed("2016-03-10", { anonymisedOn: "2026-03-10" }), "Claim", at("2026-04-01")), /already removed/);
    assert.throws(() => liftLegalHold(due(), "Settled", at("2026-01-05")), /no legal hold to lift/);
    const lifted = liftLegalHold(held.updated, "Settled", at("2026-02-02"));
    assert.equal(lifted.event.kind, "legal-hold-lifted");
    assert.match(lifted.event.summary, /^Legal hold lifted \(placed on Monday 5 January 2026\)/);
  });

  it("the sweep watches a closed file only to finish a destruction a manager decided, never merely because it is due", () => {
    const c = due();
    assert.equal(watchDay(c, DEFAULT_RETENTION, DEFAULT_RULES), undefined, "due for review: the managers' list finds it, the sweep leaves it alone");
    assert.equal(watchDay(decideToDestroy(c, at("2026-03-10"), DEFAULT_RETENTION).updated, DEFAULT_RETENTION, DEFAULT_RULES), "2026-03-10");
    // A deletion begun before this release (the case marked retiring, which refuses every change) is finished, not left half done.
    const retiring: Case = { ...c, retiringOn: "2026-03-10" };
    assert.equal(watchDay(retiring, DEFAULT_RETENTION, DEFAULT_RULES), "2026-03-10");
    assert.equal(mayDestroyRecords(retiring, "2026-03-10", DEFAULT_RETENTION), true);
  });
});

describe("the Ombudsman referral's end, which starts the retention clock", () => {
  const complaint = () => closed("2026-03-20", { receivedOn: "2026-03-03" });

  it("records the decision date at the decided stage: as entered, or today when left blank, and keeps it on later edits", () => {
    const later = at("2026-09-01");
    const open = recordOmbudsman(complaint(), { referredOn: "2026-05-01", reference: "C-1", stage: "investigation" }, later).updated;
    assert.equal(open.ombudsman?.decidedOn, undefined);
    assert.equal(retentionDay(open, DEFAULT_RETENTION), undefined, "open referral: no retention day");
    const decided = recordOmbudsman(open, { referredOn: "2026-05-01", reference: "C-1", stage: "decided", decidedOn: "2026-08-14" }, later);
    assert.equal(decided.updated.ombudsman?.decidedOn, "2026-08-14");
    assert.match(decided.event.summary, /decided on Friday 14 August 2026/);
    assert.equal(retentionDay(decided.updated, DEFAULT_RETENTION), "2036-08-14", "Thursday 14 August 2036");
    const blank = recordOmbudsman(open, { referredOn: "2026-05-01", reference: "C-1", stage: "decided", decidedOn: "" }, later).updated;
    assert.equal(blank.ombudsman?.decidedOn, "2026-09-01");
    const edited = recordOmbudsman(decided.updated, { referredOn: "2026-05-01", reference: "C-2", stage: "decided" }, later).updated;
    assert.equal(edited.ombudsman?.decidedOn, "2026-08-14", "an edit that leaves it blank keeps the date");
  });

  it("refuses a decision date in the future, before the referral, or not a date", () => {
    const bad = (decidedOn: string) =>
      assert.throws(
        () => recordOmbudsman(complaint(), { referredOn: "2026-05-01", reference: "C-1", stage: "decided", decidedOn }, at("2026-09-01")),
        CaseRuleError,
      );
    bad("2026-09-02");
    bad("2026-04-30");
    bad("2026-02-30");
  });
});
