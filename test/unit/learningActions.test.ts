import { strict as assert } from "node:assert";
import {
  actionAttentionDay,
  actionReminders,
  addAction,
  alertIsOn,
  alertOutboxItem,
  attentionDay,
  CaseRuleError,
  DEFAULT_RULES,
  markActionDone,
  mayMarkDone,
  myOpenActions,
  NO_PATIENT_DETAILS,
  NO_PATIENT_DETAILS_IN_DIVISION,
  openActionsByDivision,
  parseRules,
  watchDay,
  type Case,
  type LearningAction,
  DEFAULT_RETENTION,
} from "../../src/domain";
import { makeCase } from "../helpers/caseFixtures";
import { cardText } from "../helpers/bot";
import { actionCard } from "../../src/teams/actions/learningActionCards";

// The fixture: a complaint about Margaret Jones (NHS number 943 476 5919), subject Communications, division Medicine.
const NOW = new Date("2026-03-10T10:00:00Z"); // Tuesday 10 March 2026
const PRIYA = { aadObjectId: "officer-1", name: "Priya Shah" };
const WARD_MANAGER = { aadObjectId: "owner-1", name: "Sam Sister" };
const STRANGER = { aadObjectId: "someone-else", name: "Nat Nobody" };
const ID = "11111111-2222-4333-8444-555555555555";

function withAction(
  c: Case = makeCase({ raisedBy: "family", raiserName: "David Jones", consent: "given" }),
  overrides: Partial<{ description: string; dueOn: string; subject: string; division: string; id: string }> = {},
): Case {
  return addAction(
    c,
    {
      id: overrides.id ?? ID,
      description: overrides.description ?? "Call bells are checked at every shift handover",
      owner: WARD_MANAGER,
      division: overrides.division ?? "Medicine",
      dueOn: overrides.dueOn ?? "2026-04-07",
      subject: overrides.subject,
    },
    { rules: DEFAULT_RULES, actor: PRIYA, now: NOW },
  ).updated;
}

const refusedWith = (pattern: RegExp | string) => (error: unknown) =>
  error instanceof CaseRuleError && (typeof pattern === "string" ? error.message === pattern : pattern.test(error.message));
/** Refused for patient details: our sentence first, then what was found. */
const refusedForDetails =
  (lead = NO_PATIENT_DETAILS) =>
  (error: unknown) =>
    error instanceof CaseRuleError && error.message.startsWith(`${lead} It has `);

describe("actions from cases (domain)", () => {
  describe("adding an action", () => {
    it("keeps what will change, the owner, division, due day and theme, and puts the typed words only in the timeline's detail", () => {
      const c = makeCase();
      const result = addAction(
        c,
        {
          id: ID,
          description: "Call bells are checked at every shift handover",
          owner: WARD_MANAGER,
          division: " Medicine ",
          dueOn: "2026-04-07",
          subject: "communications",
        },
        { rules: DEFAULT_RULES, actor: PRIYA, now: NOW },
      );
      const action = result.updated.actions![0];
      assert.deepEqual(
        { ...action },
        {
          id: ID,
          description: "Call bells are checked at every shift handover",
          subject: "communications",
          owner: WARD_MANAGER,
          division: "Medicine",
          dueOn: "2026-04-07",
          status: "open",
          createdOn: "2026-03-10",
          createdBy: PRIYA,
        },
      );
      assert.equal(result.event.kind, "action-added");
      assert.equal(result.event.summary, "Action added for Sam Sister, due Tuesday 7 April 2026");
      assert.ok(!result.event.summary.includes("Call bells"), "the summary carries no typed text");
      assert.match(result.event.detail!, /Call bells are checked[\s\S]*Division: Medicine[\s\S]*Theme: Communications/);
    });

    it("keeps several actions on one case", () => {
      const twice = withAction(withAction(), { id: "21111111-2222-4333-8444-555555555555", description: "Night staff briefed on answering bells" });
      assert.equal(twice.actions!.length, 2);
    });

    it("refuses the patient's or raiser's name (any case or spacing) and NHS numbers, in the action and its evidence", () => {
      const c = makeCase({ raisedBy: "family", raiserName: "David Jones", consent: "given" });
      const attempt = (description: string) => () => withAction(c, { description });
      for (const text of [
        "Apologise to Margaret Jones for the wait",
        "apologise to MARGARET   jones",
        "Write to David Jones",
        "Check 943 476 5919's notes",
        "Check record 9434765919",
        "Ring 1234567890 back", // not a valid NHS number, still ten digits
        "Ring 07700 900123", // a phone number has ten digits in a row too
      ]) {
        assert.throws(attempt(text), refusedForDetails(), text);
      }
      assert.equal(NO_PATIENT_DETAILS, "Write the action without the patient's name or NHS number: actions can be published in 'You said, we did'.");
      // Ordinary words with numbers are fine: a ward, a date, a count.
      assert.doesNotThrow(attempt("Ward 7 to review bells by 2026-04-01; 3 audits a week"));
      // A name inside a longer word is not the name: a patient called Ann, a raiser called Tom.
      const short = makeCase({ patientName: "Ann", raisedBy: "family", raiserName: "Tom", consent: "given" });
      assert.doesNotThrow(() => withAction(short, { description: "Annual training on tomorrow's huddle" }));
      assert.throws(() => withAction(short, { description: "Ring Ann back" }), refusedForDetails());
      const open = withAction(c);
      assert.throws(
        () => markActionDone(open, ID, "Told Margaret Jones it is fixed", { rules: DEFAULT_RULES, actor: WARD_MANAGER, now: NOW, isManager: false }),
        refusedForDetails(),
      );
      assert.throws(
        () => markActionDone(open, ID, "Audit of 943 476 5919 done", { rules: DEFAULT_RULES, actor: WARD_MANAGER, now: NOW, isManager: false }),
        refusedForDetails(),
      );
    });

    describe("patient details however they are written (issue 33)", () => {
      // Patient Ada Fairweather-Quince (NHS number 943 476 5919, born 17 May 1948), raised by her son Tom O'Neill.
      const c = makeCase({ patientName: "Ada Fairweather-Quince", raisedBy: "family", raiserName: "Tom O'Neill", consent: "given" });
      const open = withAction(c);
      const asOwner = { actor: WARD_MANAGER, now: NOW, rules: DEFAULT_RULES, isManager: false };
      const VARIANTS = [
        "Review 943\u00a0476\u00a05919 notes", // non-breaking spaces, as pasted from Word
        "Review 943\u202f476\u202f5919 notes", // narrow no-break spaces
        "Review 943\u2009476\u20095919 notes", // thin spaces
        "Review 401-023-4563 notes", // hyphens (any ten digits, valid or not)
        "Review 401/023/4563 notes", // slashes
        "Review 401 \u2013 023 \u2013 4563 notes", // en dashes
        "Review 401\u2014023\u20144563 notes", // em dashes
        "Review 401\u2212023\u22124563 notes", // minus signs
        "Review 401\u2044023\u20444563 notes", // fraction slashes
        "Review 943\u200b476\u200b5919 notes", // zero-width spaces inside the number
        "Review \uff19\uff14\uff13 \uff14\uff17\uff16 \uff15\uff19\uff11\uff19 notes", // full-width digits
        "Review 9.4.3.4.7.6.5.9.1.9 notes", // digit by digit
        "Review 1 2 3 943 476 5919 notes", // inside a longer list of numbers
        "Apologise to Mrs Fairweather-Quince", // a double-barrelled name, without the first name
        "Apologise to Mrs Fairweather Quince", // without its hyphen
        "Apologise to Mrs Quince", // one part of it, with a title
        "Apologise to the Quince family", // one part of it, alone
        "Apologise to FAIRWEATHER\u2013QUINCE", // in capitals, joined by an en dash
        "Apologise to Mrs Fairweather\u00adQuince", // a soft hyphen
        "Apologise to Mrs Qu\u0456nce", // a Cyrillic i
        "Ring Mr O\u2019Neill back", // a typographic apostrophe
        "Ring Mr O ' Neill back", // spaced apostrophe
        "Ring Mr O`Neill back", // a backtick
        "Ring MR O'NEILL back", // capitals
        "Ring Mr ONeill back", // no apostrophe
        "Check the chart from 17/05/1948", // the date of birth
        "Check the chart from 17th May 1948",
      ];

      for (const text of VARIANTS) {
        it(`refuses ${JSON.stringify(text)} in what will change and in what changed`, () => {
          assert.throws(() => withAction(c, { description: text }), refusedForDetails(), "in what will change");
          assert.throws(() => markActionDone(open, ID, text, asOwner), refusedForDetails(), "in what changed");
        });
      }

      it("names what it found, so the officer can take it out", () => {
        const refusal = (description: string) => {
          try {
            withAction(c, { description });
          } catch (error) {
            return (error as Error).message;
          }
          return "";
        };
        assert.equal(
          refusal("Apologise to Mrs Fairweather-Quince about 401/023/4563"),
          `${NO_PATIENT_DETAILS} It has “Fairweather-Quince”, from the patient's or raiser's name and an NHS number (“401/023/4563”). A word of their name counts even where it is also an ordinary word (a ward, a bell): say it another way.`,
        );
        assert.equal(refusal("Ring 07700 900123 back"), `${NO_PATIENT_DETAILS} It has a long number that could identify someone (“07700 900123”).`);
        assert.equal(refusal("Seen 17 May 1948"), `${NO_PATIENT_DETAILS} It has the patient's date of birth (“17 May 1948”).`);
      });

      it("refuses the same in the division, which is published with the action", () => {
        for (const division of ["Mrs Quince's bay", "O\u2019Neill ward", "Bay 401-023-4563"]) {
          assert.throws(() => withAction(c, { division }), refusedForDetails(NO_PATIENT_DETAILS_IN_DIVISION), division);
        }
        assert.doesNotThrow(() => withAction(c, { division: "Women's and Children's" }));
      });

      it("takes a short name part only with a title, and leaves ordinary words, dates and short numbers alone", () => {
        const li = makeCase({ patientName: "Mei Li" });
        assert.throws(() => withAction(li, { description: "Apologise to Mrs Li" }), refusedForDetails());
        assert.throws(() => withAction(li, { description: "Apologise to Mei" }), refusedForDetails(), "a first name on its own");
        for (const description of [
          "Li-ion batteries in the bed hoists replaced",
          "Quinces and other fruit on the menu; tomorrow's huddle covers it",
          "Audit 01/04/2026 - 30/06/2026 weekly, 3 audits a week at 09:30 and 14:45",
          "Ward 7 to review bells by 2026-04-01",
        ]) {
          assert.doesNotThrow(() => withAction(li, { description }), description);
          assert.doesNotThrow(() => withAction(c, { description }), description);
        }
      });

      it("refuses a name part that is also an ordinary word, and says why: a patient called John Ward makes 'Ward 7' a name", () => {
        const ward = makeCase({ patientName: "John Ward" });
        assert.throws(
          () => withAction(ward, { description: "Ward 7 to review call bells" }),
          refusedWith(/It has “Ward”, from the patient's or raiser's name\. A word of their name counts even where it is also an ordinary word/),
        );
        assert.doesNotThrow(() => withAction(ward, { description: "The unit to review call bells" }));
      });
    });

    it("wants a working day that is not in the past (today will do)", () => {
      const on = (dueOn: string) => () => withAction(makeCase(), { dueOn });
      assert.throws(on("2026-03-09"), refusedWith(/in the past/));
      assert.doesNotThrow(on("2026-03-10"));
      assert.throws(on("2026-03-14"), refusedWith(/Saturday 14 March 2026 is not a working day/));
      assert.throws(on("2026-04-03"), refusedWith(/Friday 3 April 2026 is not a working day/), "Good Friday");
      assert.throws(on("2026-02-30"), refusedWith(/Choose the due date/));
      assert.throws(on(""), refusedWith(/Choose the due date/));
    });

    it("wants what will change (at most the limit), a division, a theme from the case's subjects, and an open case", () => {
      const c = makeCase();
      assert.throws(() => withAction(c, { description: "  " }), refusedWith(/Write what will change/));
      assert.throws(() => withAction(c, { description: "x".repeat(1001) }), refusedWith(/1,000 characters/));
      assert.throws(() => withAction(c, { division: "" }), refusedWith(/Enter the division/));
      assert.throws(() => withAction(c, { subject: "consent" }), refusedWith(/case's subjects/));
      assert.throws(() => withAction({ ...c, status: "closed", closedOn: "2026-03-10", outcome: "upheld" }), refusedWith(/closed/));
    });
  });

  describe("marking done", () => {
    it("lets the owner or a manager mark it done with what changed, on an open or a closed case", () => {
      const open = withAction();
      const done = markActionDone(open, ID, "Handover checklist now includes bells", { rules: DEFAULT_RULES, actor: WARD_MANAGER, now: NOW, isManager: false });
      const action = done.updated.actions![0];
      assert.equal(action.status, "done");
      assert.deepEqual(action.done, { on: "2026-03-10", by: WARD_MANAGER, evidence: "Handover checklist now includes bells" });
      assert.equal(done.event.kind, "action-done");
      assert.ok(!done.event.summary.includes("Handover checklist"), "the summary carries no typed text");
      assert.match(done.event.detail!, /What changed: Handover checklist now includes bells/);
      const closed = { ...open, status: "closed" as const, closedOn: "2026-03-10", outcome: "upheld" as const };
      assert.equal(markActionDone(closed, ID, "Done", { rules: DEFAULT_RULES, actor: STRANGER, now: NOW, isManager: true }).updated.actions![0].status, "done");
    });

    it("refuses someone else, a made-up action, an already-done action and no evidence", () => {
      const open = withAction();
      assert.throws(
        () => markActionDone(open, ID, "Done", { rules: DEFAULT_RULES, actor: STRANGER, now: NOW, isManager: false }),
        refusedWith("This action belongs to Sam Sister. Only they or a PALS manager can mark it done."),
      );
      assert.throws(
        () => markActionDone(open, "99999999-2222-4333-8444-555555555555", "Done", { rules: DEFAULT_RULES, actor: WARD_MANAGER, now: NOW, isManager: false }),
        refusedWith(/not on this case/),
      );
      assert.throws(
        () => markActionDone(open, ID, "  ", { rules: DEFAULT_RULES, actor: WARD_MANAGER, now: NOW, isManager: false }),
        refusedWith(/Say what changed/),
      );
      const done = markActionDone(open, ID, "Done", { rules: DEFAULT_RULES, actor: WARD_MANAGER, now: NOW, isManager: false }).updated;
      assert.throws(
        () => markActionDone(done, ID, "Again", { rules: DEFAULT_RULES, actor: WARD_MANAGER, now: NOW, isManager: false }),
        refusedWith("Sam Sister already marked this action done on Tuesday 10 March 2026."),
      );
      assert.equal(mayMarkDone({ owner: WARD_MANAGER }, "OWNER-1", false), true, "ids compare without case");
      assert.equal(mayMarkDone({ owner: WARD_MANAGER }, STRANGER.aadObjectId, false), false);
    });
  });

  describe("nudges and the overdue alert", () => {
    // Due Tuesday 7 April 2026. Two working days before, skipping Easter Monday (6 April) and Good Friday (3 April):
    // Thursday 2 April is one, Wednesday 1 April is two.
    const c = withAction();
    const moments = (today: string, window = 2) => actionReminders(c, today, window).map((r) => r.moment);

    it("nudges the owner from the window's first working day, on the due day, and alerts once overdue", () => {
      assert.equal(actionAttentionDay(c, 2), "2026-04-01");
      assert.deepEqual(moments("2026-03-31"), []);
      assert.deepEqual(moments("2026-04-01"), ["before"]);
      assert.deepEqual(moments("2026-04-02"), ["before"], "the same nudge (one outbox id): sent once");
      assert.deepEqual(moments("2026-04-07"), ["due-day"]);
      assert.deepEqual(moments("2026-04-08"), ["overdue"]);
      // The trust's window: 5 working days before 7 April (2, 1 April, 31, 30 March, then Friday 27 March).
      assert.equal(actionAttentionDay(c, 5), "2026-03-27");
      assert.deepEqual(moments("2026-03-26", 5), []);
      assert.deepEqual(moments("2026-03-27", 5), ["before"]);
    });

    it("sends no 'due soon' nudge for an action added inside its window: its card just came with the date", () => {
      // Added Thursday 2 April, inside the window that opened on Wednesday 1 April.
      const late: Case = { ...c, actions: c.actions!.map((a) => ({ ...a, createdOn: "2026-04-02" })) };
      assert.deepEqual(actionReminders(late, "2026-04-02", 2), []);
      assert.deepEqual(
        actionReminders(late, "2026-04-07", 2).map((r) => r.moment),
        ["due-day"],
      );
      // Added on the day the window opens: also inside it.
      const onTheDay: Case = { ...c, actions: c.actions!.map((a) => ({ ...a, createdOn: "2026-04-01" })) };
      assert.deepEqual(actionReminders(onTheDay, "2026-04-01", 2), []);
    });

    it("raises the overdue alert under one id every day it is overdue (once ever), and the rules file can switch it off", () => {
      const first = alertOutboxItem(c, "action-overdue", "2026-04-08", NOW, ID);
      const later = alertOutboxItem(c, "action-overdue", "2026-04-20", NOW, ID);
      assert.equal(first.id, later.id);
      assert.equal(first.id, `alert:${c.id}:action-overdue:${ID}`);
      assert.equal(alertIsOn(DEFAULT_RULES, "action-overdue"), true);
      const off = parseRules({ alerts: { "action-overdue": false } });
      assert.ok(off.ok);
      assert.equal(alertIsOn(off.rules, "action-overdue"), false);
    });

    it("keeps a closed case in the sweep's view while its actions are open, and lets it go once they are done or it is being retired", () => {
      const closed: Case = { ...c, status: "closed", closedOn: "2026-03-10", outcome: "upheld", nextDueOn: undefined };
      assert.equal(attentionDay(closed, DEFAULT_RULES), "2026-04-01");
      assert.equal(watchDay(closed, DEFAULT_RETENTION, DEFAULT_RULES), "2026-04-01");
      const done = markActionDone(closed, ID, "Done", { rules: DEFAULT_RULES, actor: WARD_MANAGER, now: NOW, isManager: false }).updated;
      assert.equal(attentionDay(done, DEFAULT_RULES), undefined);
      assert.deepEqual(actionReminders(done, "2026-04-08", 2), []);
      assert.equal(attentionDay({ ...closed, retiringOn: "2026-03-11" }, DEFAULT_RULES), undefined);
      // On an open case, the earlier of the case's own attention day and the action's.
      assert.equal(attentionDay({ ...c, nextDueOn: "2026-05-29" }, DEFAULT_RULES), "2026-04-01");
    });
  });

  describe("lists", () => {
    const action = (id: string, owner: string, dueOn: string, division = "Medicine", status: LearningAction["status"] = "open"): LearningAction => ({
      id,
      description: `Action ${id}`,
      owner: { aadObjectId: owner, name: owner },
      division,
      dueOn,
      status,
      createdOn: "2026-03-01",
      createdBy: PRIYA,
    });
    const cases = [
      {
        id: "c1",
        reference: "PALS-2026-000001",
        actions: [action("a", "me", "2026-03-20"), action("b", "you", "2026-03-05", "medicine "), action("x", "me", "2026-03-01", "Medicine", "done")],
      },
      { id: "c2", reference: "PALS-2026-000002", actions: [action("c", "me", "2026-03-09", "Surgery"), action("d", "you", "2026-04-01", "Surgery")] },
    ];

    it("`actions`: mine only, open only, soonest due first, overdue marked", () => {
      const mine = myOpenActions(cases, "ME", "2026-03-10");
      assert.deepEqual(
        mine.map((l) => [l.action.id, l.reference, l.overdue]),
        [
          ["c", "PALS-2026-000002", true],
          ["a", "PALS-2026-000001", false],
        ],
      );
    });

    it("`actions all`: by division (one division however it was typed), divisions with overdue first, overdue first within, with counts", () => {
      const groups = openActionsByDivision(cases, "2026-03-10");
      assert.deepEqual(
        groups.map((g) => [g.division, g.open, g.overdue, g.actions.map((l) => l.action.id)]),
        [
          ["Medicine", 2, 1, ["b", "a"]],
          ["Surgery", 2, 1, ["c", "d"]],
        ],
      );
    });
  });
});

describe("an action's card to its owner, for actions stored before the form refused patient details", () => {
  it("shows the patient's name and NHS number removed, however they were written", () => {
    const c = makeCase({ patientName: "Ada Fairweather-Quince", nhsNumber: "401 023 4563" });
    const stored = {
      id: "00000000-0000-4000-8000-0000000000d1",
      description: "Apologise to Mrs Fairweather\u2011Quince (401\u2013023\u20134563) about the call bell",
      division: "Medicine",
      owner: { aadObjectId: "ward-sister", name: "Wendy Sister" },
      dueOn: "2026-03-20",
      status: "open" as const,
      createdOn: "2026-03-10",
      createdBy: { aadObjectId: "officer-1", name: "Olivia Officer" },
    };
    const text = cardText(actionCard(c, stored, { today: "2026-03-10", moment: "added", canMarkDone: true, canOpenCase: false }));
    assert.match(text, /Apologise to Mrs \[removed\] \(\[removed\]\) about the call bell/);
    assert.doesNotMatch(text, /Fairweather|Quince|4563/);
  });
});
