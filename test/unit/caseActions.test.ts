import { strict as assert } from "node:assert";
import {
  type ActionContext,
  type ActionResult,
  type Case,
  CaseRuleError,
  addNote,
  assignOwner,
  changeResponseDate,
  closeCase,
  escalateConcernToComplaint,
  eventFrom,
  logCreated,
  recordAcknowledgement,
  recordSignposting,
  reopenCase,
  takeOwnership,
  DEFAULT_RULES,
} from "../../src/domain";
import { makeCase } from "../helpers/caseFixtures";

// The fixture: a complaint from Margaret Jones received by email on Tuesday 3 March 2026,
// acknowledge by Friday 6 March, respond by Thursday 9 April, backstop Wednesday 2 September (six months beginning with 3 March).
const NOW = new Date("2026-03-10T10:00:00Z"); // Tuesday 10 March 2026, 10:00 in London
const PRIYA = { aadObjectId: "officer-1", name: "Priya Shah" };
const TOM = { aadObjectId: "officer-2", name: "Tom Okafor" };
const ctx: ActionContext = { actor: PRIYA, now: NOW, rules: DEFAULT_RULES };
const tomCtx: ActionContext = { actor: TOM, now: NOW, rules: DEFAULT_RULES };

const PATIENT_DATA = ["Margaret", "Jones", "9434765919", "943 476 5919", "1948-05-17", "07700 900123"];

const refusedWith = (pattern: RegExp) => (err: unknown) => {
  assert.ok(err instanceof CaseRuleError, `expected a CaseRuleError, got ${String(err)}`);
  assert.match(err.message, pattern);
  return true;
};

function assertNoPatientData(result: ActionResult): void {
  for (const text of PATIENT_DATA) {
    assert.ok(!result.event.summary.includes(text), `summary "${result.event.summary}" contains patient data "${text}"`);
  }
}

function complaint(overrides: Record<string, unknown> = {}): Case {
  return makeCase(overrides);
}
function concern(overrides: Record<string, unknown> = {}): Case {
  return makeCase({ contactType: "concern", ...overrides });
}
function acknowledged(c: Case = complaint()): Case {
  return recordAcknowledgement(c, "2026-03-05", ctx).updated;
}
function closed(c: Case = acknowledged()): Case {
  return closeCase(c, { outcome: c.type === "complaint" ? "upheld" : "resolved", learning: "Check call bells hourly" }, ctx).updated;
}

describe("case actions", () => {
  describe("logCreated", () => {
    it("describes a new complaint by how and when it came in, without the patient's details", () => {
      const c = complaint();
      const result = logCreated(c, ctx);
      assert.equal(result.updated, c);
      assert.deepEqual(result.event, { kind: "created", summary: "Complaint logged (received by email on Tuesday 3 March 2026)" });
      assertNoPatientData(result);
    });

    it("names the type of contact and the way it arrived in plain words", () => {
      assert.equal(
        logCreated(makeCase({ contactType: "concern", receivedVia: "face-to-face" }), ctx).event.summary,
        "PALS concern logged (received face to face on Tuesday 3 March 2026)",
      );
      assert.equal(
        logCreated(makeCase({ contactType: "enquiry", receivedVia: "mp-letter", raisedBy: "mp", raiserName: "Jo Bloggs MP", consent: "given" }), ctx).event
          .summary,
        "Enquiry logged (received in a letter from an MP on Tuesday 3 March 2026)",
      );
    });
  });

  describe("eventFrom", () => {
    it("fills in the case, the time and who did it", () => {
      const c = complaint();
      const draft = addNote(c, "Rang back", ctx).event;
      assert.deepEqual(eventFrom(draft, c, ctx, "evt-1"), {
        id: "evt-1",
        caseId: c.id,
        trustId: "tenant-1",
        reference: "PALS-2026-000123",
        kind: "note-added",
        at: "2026-03-10T10:00:00.000Z",
        by: { aadObjectId: "officer-1", name: "Priya Shah" },
        summary: "Note added",
        detail: "Rang back",
      });
    });

    it("keeps the list of changes", () => {
      const c = complaint();
      const event = eventFrom(takeOwnership(c, ctx).event, c, ctx, "evt-2");
      assert.deepEqual(event.changes, [{ field: "owner", before: undefined, after: PRIYA }]);
    });
  });

  describe("every action", () => {
    const cases: [string, () => ActionResult][] = [
      ["takeOwnership", () => takeOwnership(complaint(), ctx)],
      ["assignOwner", () => assignOwner(complaint(), TOM, ctx)],
      ["addNote", () => addNote(complaint(), "Rang Margaret Jones back", ctx)],
      ["recordAcknowledgement", () => recordAcknowledgement(complaint(), "2026-03-05", ctx)],
      [
        "changeResponseDate",
        () => changeResponseDate(complaint(), { newDate: "2026-04-24", reason: "Ward manager on leave", agreedWithComplainant: true }, ctx),
      ],
      ["escalateConcernToComplaint", () => escalateConcernToComplaint(concern(), ctx)],
      ["recordSignposting", () => recordSignposting(complaint(), [{ id: "healthwatch", title: "Healthwatch" }], ctx)],
      ["closeCase", () => closeCase(acknowledged(), { outcome: "upheld", learning: "Margaret Jones was right" }, ctx)],
      ["reopenCase", () => reopenCase(closed(), "Margaret Jones wrote again", ctx)],
    ];

    for (const [name, run] of cases) {
      it(`${name} stamps updatedAt with now and keeps patient data out of the summary`, () => {
        const result = run();
        assert.equal(result.updated.updatedAt, "2026-03-10T10:00:00.000Z");
        assertNoPatientData(result);
      });
    }

    it("never changes the case it was given", () => {
      const c = complaint();
      const before = structuredClone(c);
      takeOwnership(c, ctx);
      recordAcknowledgement(c, "2026-03-05", ctx);
      changeResponseDate(c, { newDate: "2026-04-24", reason: "Leave", agreedWithComplainant: false }, ctx);
      recordSignposting(c, [{ id: "phso", title: "PHSO" }], ctx);
      assert.deepEqual(c, before);
    });
  });

  describe("takeOwnership", () => {
    it("makes the officer the owner", () => {
      const result = takeOwnership(complaint(), ctx);
      assert.deepEqual(result.updated.owner, PRIYA);
      assert.equal(result.event.kind, "owner-changed");
      assert.equal(result.event.summary, "Priya Shah took ownership of this case");
      assert.equal(result.updated.nextDueOn, "2026-03-06");
    });

    it("says whose case it was when taking it over", () => {
      const owned = takeOwnership(complaint(), tomCtx).updated;
      const result = takeOwnership(owned, ctx);
      assert.equal(result.event.summary, "Priya Shah took over this case from Tom Okafor");
      assert.deepEqual(result.event.changes, [{ field: "owner", before: TOM, after: PRIYA }]);
    });

    it("refuses when they already own it", () => {
      const owned = takeOwnership(complaint(), ctx).updated;
      assert.throws(() => takeOwnership(owned, ctx), refusedWith(/^You already own this case\.$/));
    });

    it("refuses on a closed case and says to reopen it", () => {
      assert.throws(() => takeOwnership(closed(), ctx), refusedWith(/closed\. Reopen it first/));
    });
  });

  describe("assignOwner", () => {
    it("makes the chosen person the owner", () => {
      const result = assignOwner(complaint(), TOM, ctx);
      assert.deepEqual(result.updated.owner, TOM);
      assert.equal(result.event.summary, "Case assigned to Tom Okafor");
    });

    it("says who it moved from when reassigning", () => {
      const owned = takeOwnership(complaint(), ctx).updated;
      assert.equal(assignOwner(owned, TOM, ctx).event.summary, "Case reassigned from Priya Shah to Tom Okafor");
    });

    it("refuses when that person already owns it", () => {
      const owned = assignOwner(complaint(), TOM, ctx).updated;
      assert.throws(() => assignOwner(owned, TOM, ctx), refusedWith(/^Tom Okafor already owns this case\.$/));
    });

    it("refuses on a closed case", () => {
      assert.throws(() => assignOwner(closed(), TOM, ctx), refusedWith(/Reopen it first/));
    });

    it("refuses when nobody was chosen", () => {
      assert.throws(() => assignOwner(complaint(), { aadObjectId: " ", name: "" }, ctx), refusedWith(/Choose the person/));
    });
  });

  describe("addNote", () => {
    it("puts the officer's words in the detail, not the summary", () => {
      const result = addNote(complaint(), "  Spoke to Margaret Jones on 07700 900123  ", ctx);
      assert.equal(result.event.kind, "note-added");
      assert.equal(result.event.summary, "Note added");
      assert.equal(result.event.detail, "Spoke to Margaret Jones on 07700 900123");
    });

    it("is allowed on a closed case", () => {
      const result = addNote(closed(), "Thank-you card received", ctx);
      assert.equal(result.updated.status, "closed");
      assert.equal(result.updated.nextDueOn, undefined);
    });

    it("refuses an empty note", () => {
      assert.throws(() => addNote(complaint(), "   ", ctx), refusedWith(/^Write a note first/));
    });

    it("accepts 4,000 characters and refuses 4,001", () => {
      assert.equal(addNote(complaint(), ` ${"a".repeat(4000)} `, ctx).event.detail?.length, 4000);
      assert.throws(() => addNote(complaint(), "a".repeat(4001), ctx), refusedWith(/Shorten the note to 4,000 characters or fewer/));
    });
  });

  describe("recordAcknowledgement", () => {
    it("records it as on time and moves the next due date on: the next update to the complainant, before the response date", () => {
      const result = recordAcknowledgement(complaint(), "2026-03-05", ctx);
      assert.equal(result.updated.deadlines.acknowledgedOn, "2026-03-05");
      // 20 working days after the acknowledgement (the last contact) is Thursday 2 April; the response is due 9 April.
      assert.equal(result.updated.nextDueOn, "2026-04-02");
      assert.equal(result.event.kind, "acknowledged");
      assert.equal(result.event.summary, "Acknowledgement sent on Thursday 5 March 2026, on time (due Friday 6 March 2026)");
      assert.deepEqual(result.event.changes, [{ field: "deadlines.acknowledgedOn", before: undefined, after: "2026-03-05" }]);
    });

    it("counts on the due date as on time", () => {
      assert.match(recordAcknowledgement(complaint(), "2026-03-06", ctx).event.summary, /, on time/);
    });

    it("says how many working days late it was", () => {
      assert.equal(
        recordAcknowledgement(complaint(), "2026-03-10", ctx).event.summary,
        "Acknowledgement sent on Tuesday 10 March 2026, 2 working days late (due Friday 6 March 2026)",
      );
      assert.match(recordAcknowledgement(complaint(), "2026-03-09", ctx).event.summary, /, 1 working day late/);
    });

    it("calls a weekend acknowledgement after a Friday deadline late without a count of zero", () => {
      assert.match(recordAcknowledgement(complaint(), "2026-03-07", ctx).event.summary, /Saturday 7 March 2026, late \(due/);
    });

    it("refuses a closed case", () => {
      const c: Case = { ...complaint(), status: "closed", outcome: "upheld", closedOn: "2026-03-09" };
      assert.throws(() => recordAcknowledgement(c, "2026-03-05", ctx), refusedWith(/Reopen it first/));
    });

    it("refuses anything but a complaint, pointing a concern towards escalation", () => {
      assert.throws(
        () => recordAcknowledgement(concern(), "2026-03-05", ctx),
        refusedWith(/this is a concern\. If it has become a formal complaint, escalate it first/),
      );
      assert.throws(() => recordAcknowledgement(makeCase({ contactType: "enquiry" }), "2026-03-05", ctx), refusedWith(/this is an enquiry/));
    });

    it("refuses a second acknowledgement", () => {
      assert.throws(() => recordAcknowledgement(acknowledged(), "2026-03-06", ctx), refusedWith(/already recorded as sent on Thursday 5 March 2026/));
    });

    it("refuses a date that is not real, before receipt, or in the future", () => {
      assert.throws(() => recordAcknowledgement(complaint(), "2026-02-30", ctx), refusedWith(/real date/));
      assert.throws(() => recordAcknowledgement(complaint(), "2026-03-02", ctx), refusedWith(/before the complaint was received \(Tuesday 3 March 2026\)/));
      assert.throws(() => recordAcknowledgement(complaint(), "2026-03-11", ctx), refusedWith(/can't be in the future/));
    });

    it("takes today from the London clock: just after midnight in summer is already the next day", () => {
      const c = makeCase({ receivedOn: "2026-06-29", eventOn: "" });
      const lateEvening = { actor: PRIYA, now: new Date("2026-06-30T23:30:00Z"), rules: DEFAULT_RULES }; // 00:30 on 1 July in London
      assert.equal(recordAcknowledgement(c, "2026-07-01", lateEvening).updated.deadlines.acknowledgedOn, "2026-07-01");
    });

    it("for an escalated concern, refuses a date before it became a complaint", () => {
      const escalated = escalateConcernToComplaint(concern(), ctx).updated;
      assert.throws(() => recordAcknowledgement(escalated, "2026-03-09", ctx), refusedWith(/before the concern became a complaint \(Tuesday 10 March 2026\)/));
      // The next update (20 working days after 10 March) comes before the response (25 working days).
      assert.equal(recordAcknowledgement(escalated, "2026-03-10", ctx).updated.nextDueOn, "2026-04-09");
      assert.equal(escalated.deadlines.respondBy, "2026-04-16");
    });
  });

  describe("changeResponseDate", () => {
    const input = { newDate: "2026-04-24", reason: "Ward manager on leave until 20 April", agreedWithComplainant: false };

    it("moves the response date, with the reason in the detail", () => {
      const result = changeResponseDate(acknowledged(), input, ctx);
      assert.equal(result.updated.deadlines.respondBy, "2026-04-24");
      assert.equal(result.updated.deadlines.respondByAgreed, undefined);
      // The next update to the complainant (20 working days after the 5 March acknowledgement) still comes first.
      assert.equal(result.updated.nextDueOn, "2026-04-02");
      assert.equal(result.event.kind, "response-date-changed");
      assert.equal(result.event.summary, "Response date changed from Thursday 9 April 2026 to Friday 24 April 2026");
      assert.equal(result.event.detail, "Ward manager on leave until 20 April");
      assert.deepEqual(result.event.changes, [{ field: "deadlines.respondBy", before: "2026-04-09", after: "2026-04-24" }]);
    });

    it("marks the date agreed when the complainant agreed it", () => {
      const result = changeResponseDate(acknowledged(), { ...input, agreedWithComplainant: true }, ctx);
      assert.equal(result.updated.deadlines.respondByAgreed, true);
      assert.equal(result.event.summary, "Response date agreed with the complainant: Friday 24 April 2026 (was Thursday 9 April 2026)");
      assert.deepEqual(result.event.changes, [
        { field: "deadlines.respondBy", before: "2026-04-09", after: "2026-04-24" },
        { field: "deadlines.respondByAgreed", before: undefined, after: true },
      ]);
    });

    it("can record that the complainant agreed the current date", () => {
      const result = changeResponseDate(acknowledged(), { ...input, newDate: "2026-04-09", agreedWithComplainant: true }, ctx);
      assert.equal(result.event.summary, "Response date agreed with the complainant: Thursday 9 April 2026");
      assert.equal(result.updated.deadlines.respondByAgreed, true);
    });

    it("drops an earlier agreement when the date moves without one", () => {
      const agreed = changeResponseDate(acknowledged(), { ...input, agreedWithComplainant: true }, ctx).updated;
      const moved = changeResponseDate(agreed, { ...input, newDate: "2026-05-01" }, ctx).updated;
      assert.equal(moved.deadlines.respondByAgreed, undefined);
    });

    it("keeps the acknowledgement as the next due date while it is outstanding", () => {
      assert.equal(changeResponseDate(complaint(), input, ctx).updated.nextDueOn, "2026-03-06");
    });

    it("allows a date beyond the 6-month limit only when a longer period was agreed", () => {
      const beyond = { ...input, newDate: "2026-10-01", agreedWithComplainant: true };
      assert.throws(() => changeResponseDate(acknowledged(), beyond, ctx), refusedWith(/after the 6-month limit of Wednesday 2 September 2026/));
      const result = changeResponseDate(acknowledged(), { ...beyond, longerPeriodAgreed: true }, ctx);
      assert.equal(result.updated.deadlines.longerPeriodAgreed, true);
      assert.match(result.event.summary, /beyond the 6-month limit as agreed$/);
    });

    it("refuses a longer period that the complainant did not agree", () => {
      assert.throws(
        () => changeResponseDate(acknowledged(), { ...input, newDate: "2026-10-01", longerPeriodAgreed: true }, ctx),
        refusedWith(/must be agreed with the complainant/),
      );
    });

    it("refuses without a reason, or with one over 1,000 characters", () => {
      assert.throws(() => changeResponseDate(acknowledged(), { ...input, reason: "  " }, ctx), refusedWith(/Give a reason/));
      assert.throws(() => changeResponseDate(acknowledged(), { ...input, reason: "x".repeat(1001) }, ctx), refusedWith(/1,000 characters or fewer/));
    });

    it("refuses a date in the past or not a real date, but allows today", () => {
      assert.throws(() => changeResponseDate(acknowledged(), { ...input, newDate: "2026-03-09" }, ctx), refusedWith(/can't be in the past/));
      assert.throws(() => changeResponseDate(acknowledged(), { ...input, newDate: "24/04/2026" }, ctx), refusedWith(/real date/));
      assert.equal(changeResponseDate(acknowledged(), { ...input, newDate: "2026-03-10" }, ctx).updated.deadlines.respondBy, "2026-03-10");
    });

    it("refuses the date it already has", () => {
      assert.throws(() => changeResponseDate(acknowledged(), { ...input, newDate: "2026-04-09" }, ctx), refusedWith(/already Thursday 9 April 2026/));
    });

    it("refuses a closed case, and a compliment that has no response date", () => {
      assert.throws(() => changeResponseDate(closed(), input, ctx), refusedWith(/Reopen it first/));
      assert.throws(() => changeResponseDate(makeCase({ contactType: "compliment" }), input, ctx), refusedWith(/compliment has no response date/));
    });
  });

  describe("escalateConcernToComplaint", () => {
    it("turns a concern into a complaint with deadlines starting from today", () => {
      const c = concern();
      const result = escalateConcernToComplaint(c, ctx);
      const u = result.updated;
      assert.equal(u.type, "complaint");
      assert.equal(u.receivedOn, "2026-03-03", "the original date received stays as history");
      assert.equal(u.escalatedFromConcernOn, "2026-03-10");
      // Three working days from Tuesday 10 March; 25 from then skip Good Friday and Easter Monday.
      assert.equal(u.deadlines.acknowledgeBy, "2026-03-13");
      assert.equal(u.deadlines.respondBy, "2026-04-16");
      assert.equal(u.deadlines.backstop, "2026-09-09", "six months beginning with the escalation on 10 March end on 9 September");
      assert.equal(u.nextDueOn, "2026-03-13");
      assert.equal(result.event.kind, "escalated-to-complaint");
      assert.equal(
        result.event.summary,
        "PALS concern escalated to a formal complaint: acknowledge by Friday 13 March 2026, respond by Thursday 16 April 2026",
      );
      assert.deepEqual(result.event.changes?.slice(0, 1), [{ field: "type", before: "concern", after: "complaint" }]);
      assert.ok(result.event.changes?.some((ch) => ch.field === "deadlines.respondBy" && ch.before === "2026-03-17" && ch.after === "2026-04-16"));
    });

    it("then needs acknowledging before it can be closed", () => {
      const escalated = escalateConcernToComplaint(concern(), ctx).updated;
      assert.throws(() => closeCase(escalated, { outcome: "upheld" }, ctx), refusedWith(/Record the acknowledgement first/));
    });

    it("refuses a complaint, an enquiry, a compliment and a closed concern", () => {
      assert.throws(() => escalateConcernToComplaint(complaint(), ctx), refusedWith(/already a formal complaint/));
      assert.throws(
        () => escalateConcernToComplaint(makeCase({ contactType: "enquiry" }), ctx),
        refusedWith(/this is an enquiry\. If they want to make a complaint, log it/),
      );
      assert.throws(() => escalateConcernToComplaint(makeCase({ contactType: "compliment" }), ctx), refusedWith(/this is a compliment/));
      assert.throws(() => escalateConcernToComplaint(closed(concern()), ctx), refusedWith(/closed\. Reopen it first, then escalate/));
    });
  });

  describe("recordSignposting", () => {
    it("adds the organisations and names them in the summary", () => {
      const result = recordSignposting(
        complaint(),
        [
          { id: "healthwatch", title: "Healthwatch" },
          { id: "phso", title: "PHSO" },
        ],
        ctx,
      );
      assert.deepEqual(result.updated.signposting, ["healthwatch", "phso"]);
      assert.equal(result.event.kind, "signposting-recorded");
      assert.equal(result.event.summary, "Signposted to Healthwatch, PHSO");
      assert.deepEqual(result.event.changes, [{ field: "signposting", before: [], after: ["healthwatch", "phso"] }]);
    });

    it("keeps earlier signposting in order and adds each organisation once", () => {
      const first = recordSignposting(complaint(), [{ id: "phso", title: "PHSO" }], ctx).updated;
      const result = recordSignposting(
        first,
        [
          { id: "advocacy", title: "NHS Complaints Advocacy" },
          { id: "phso", title: "PHSO" },
          { id: "advocacy", title: "NHS Complaints Advocacy" },
        ],
        ctx,
      );
      assert.deepEqual(result.updated.signposting, ["phso", "advocacy"]);
      assert.equal(result.event.summary, "Signposted to NHS Complaints Advocacy, PHSO");
    });

    it("still records signposting again to the same place, with nothing changed", () => {
      const first = recordSignposting(complaint(), [{ id: "phso", title: "PHSO" }], ctx).updated;
      const again = recordSignposting(first, [{ id: "phso", title: "PHSO" }], ctx);
      assert.deepEqual(again.updated.signposting, ["phso"]);
      assert.equal(again.event.changes, undefined);
    });

    it("is allowed on a closed case", () => {
      const result = recordSignposting(closed(), [{ id: "healthwatch", title: "Healthwatch" }], ctx);
      assert.deepEqual(result.updated.signposting, ["healthwatch"]);
      assert.equal(result.updated.status, "closed");
    });

    it("refuses when no organisation was chosen", () => {
      assert.throws(() => recordSignposting(complaint(), [], ctx), refusedWith(/Choose at least one organisation/));
    });
  });

  describe("closeCase", () => {
    it("closes an acknowledged complaint with a KO41a outcome, learning in the detail", () => {
      const result = closeCase(acknowledged(), { outcome: "partially-upheld", learning: "  Answer call bells within 5 minutes  " }, ctx);
      const u = result.updated;
      assert.equal(u.status, "closed");
      assert.equal(u.outcome, "partially-upheld");
      assert.equal(u.closedOn, "2026-03-10");
      assert.equal(u.learning, "Answer call bells within 5 minutes");
      assert.equal(u.nextDueOn, undefined);
      assert.ok(!("nextDueOn" in u));
      assert.equal(result.event.kind, "closed");
      assert.equal(result.event.summary, "Complaint closed: partially upheld");
      assert.equal(result.event.detail, "Answer call bells within 5 minutes");
      assert.deepEqual(result.event.changes, [
        { field: "status", before: "open", after: "closed" },
        { field: "outcome", before: undefined, after: "partially-upheld" },
        { field: "closedOn", before: undefined, after: "2026-03-10" },
      ]);
    });

    it("closes a concern as resolved with no learning", () => {
      const result = closeCase(concern(), { outcome: "resolved" }, ctx);
      assert.equal(result.event.summary, "PALS concern closed: resolved");
      assert.equal(result.event.detail, undefined);
      assert.equal(result.updated.learning, undefined);
    });

    it("refuses an outcome that doesn't fit, listing the ones that do", () => {
      assert.throws(
        () => closeCase(acknowledged(), { outcome: "resolved" }, ctx),
        refusedWith(/^Choose an outcome for a complaint: upheld, partially upheld or not upheld\.$/),
      );
      assert.throws(() => closeCase(concern(), { outcome: "upheld" }, ctx), refusedWith(/^Choose an outcome for a concern: resolved or referred on\.$/));
    });

    it("refuses to close a complaint that has not been acknowledged", () => {
      assert.throws(() => closeCase(complaint(), { outcome: "upheld" }, ctx), refusedWith(/^Record the acknowledgement first/));
    });

    it("refuses a case that is already closed", () => {
      assert.throws(() => closeCase(closed(), { outcome: "upheld" }, ctx), refusedWith(/already closed/));
    });

    it("refuses learning over 4,000 characters", () => {
      assert.throws(() => closeCase(acknowledged(), { outcome: "upheld", learning: "x".repeat(4001) }, ctx), refusedWith(/4,000 characters or fewer/));
    });

    it("dates the closure by the London calendar", () => {
      const c = concern({ receivedOn: "2026-06-29", eventOn: "" });
      const lateEvening = { actor: PRIYA, now: new Date("2026-06-30T23:30:00Z"), rules: DEFAULT_RULES };
      assert.equal(closeCase(c, { outcome: "resolved" }, lateEvening).updated.closedOn, "2026-07-01");
    });
  });

  describe("reopenCase", () => {
    it("reopens, clears the outcome and closing date, keeps the learning and the due date comes back", () => {
      const result = reopenCase(closed(), "They wrote again: unhappy with the response", ctx);
      const u = result.updated;
      assert.equal(u.status, "open");
      assert.ok(!("outcome" in u));
      assert.ok(!("closedOn" in u));
      assert.equal(u.learning, "Check call bells hourly");
      // Reopened, the complaint's next update is due again: 20 working days after the acknowledgement, before the response.
      assert.equal(u.nextDueOn, "2026-04-02");
      assert.equal(result.event.kind, "reopened");
      assert.equal(result.event.summary, "Complaint reopened: next due Thursday 2 April 2026");
      assert.equal(result.event.detail, "They wrote again: unhappy with the response");
      assert.deepEqual(result.event.changes, [
        { field: "status", before: "closed", after: "open" },
        { field: "outcome", before: "upheld", after: undefined },
        { field: "closedOn", before: "2026-03-10", after: undefined },
      ]);
    });

    it("refuses an open case", () => {
      assert.throws(() => reopenCase(complaint(), "Because", ctx), refusedWith(/already open/));
    });

    it("refuses without a reason", () => {
      assert.throws(() => reopenCase(closed(), " ", ctx), refusedWith(/Give a reason for reopening/));
    });
  });
});
