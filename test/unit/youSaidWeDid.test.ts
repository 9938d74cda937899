import { parseYouSaidWeDid } from "../../src/teams/reports/commands";
import { strict as assert } from "node:assert";
import { parse } from "csv-parse/sync";
import { type Case, CaseWithDoneActionsSchema, divisionsIn, matchDivision, publishable, REMOVED, youSaidWeDid, youSaidWeDidCsv } from "../../src/domain";
import { reportCases, REPORT_TODAY } from "../helpers/reportFixtures";
import { doneAction, openAction, withActions } from "../helpers/youSaidWeDidFixtures";

const FEBRUARY = { from: "2026-02-01", to: "2026-02-28" };

/** The case as the one actions query reads it. */
const read = (c: Case) =>
  CaseWithDoneActionsSchema.parse({
    id: c.id,
    subjects: c.subjects,
    division: c.division,
    actions: c.actions,
    patient: { name: c.patient.name, nhsNumber: c.patient.nhsNumber, dateOfBirth: c.patient.dateOfBirth },
    raiser: { name: c.raiser?.name },
    owner: { name: c.owner?.name },
  });

describe("You said, we did: themes and the actions done for them", () => {
  // February 2026: A complaint (communications, clinical treatment, Medicine), D complaint (appointments, Surgery),
  // E concern (communications, Medicine), F an enquiry (not a theme); B and C were received in January.
  const seeded = reportCases("trust-1");
  const cases = Object.values(seeded).filter((c) => c.trustId === "trust-1");

  it("counts the subjects of concerns and complaints received in the period, most first, with the actions done under each", () => {
    const A = withActions(seeded.A, [doneAction({ description: "Ward 7 call bells checked each handover", subject: "communications", doneOn: "2026-02-20" })]);
    const B = withActions(seeded.B, [
      doneAction({ description: "Clinic letters now say who to call", subject: "appointments", division: "Surgery", doneOn: "2026-02-03" }),
      doneAction({ description: "Still to do", subject: "appointments", doneOn: "2026-03-02" }),
      openAction({ description: "Open, not done", subject: "communications", dueOn: "2026-02-10" }),
    ]);
    const summary = youSaidWeDid(cases, [A, B].map(read), FEBRUARY);
    assert.equal(summary.received, 3, "A, D and E: the enquiry and January's cases are not counted");
    assert.equal(summary.done, 2);
    assert.deepEqual(
      summary.themes.map((t) => [t.title, t.raised, t.actions.map((a) => a.description)]),
      [
        ["Communications", 2, ["Ward 7 call bells checked each handover"]],
        ["Appointments", 1, ["Clinic letters now say who to call"]],
        ["Clinical Treatment", 1, []],
      ],
    );
    const [letters] = summary.themes[1].actions;
    assert.deepEqual(
      { division: letters.division, month: letters.month, evidence: letters.evidence },
      { division: "Surgery", month: "February 2026", evidence: "Audit in March: bells answered within 5 minutes." },
    );
  });

  it("files an action with no subject under its case's first subject, else under Not coded, even when that theme was not raised in the period", () => {
    const A = withActions(seeded.A, [doneAction({ description: "No subject given", doneOn: "2026-02-10" })]);
    const F = withActions(seeded.F, [doneAction({ description: "Signs in the car park", division: "Estates", doneOn: "2026-02-11" })]);
    const C = withActions(seeded.C, [doneAction({ description: "Pressure area care training", doneOn: "2026-02-12" })]);
    const summary = youSaidWeDid(cases, [A, F, C].map(read), FEBRUARY);
    const byTitle = Object.fromEntries(summary.themes.map((t) => [t.title, t]));
    assert.deepEqual(
      byTitle.Communications.actions.map((a) => a.description),
      ["No subject given"],
      "A's first subject is communications",
    );
    assert.deepEqual(
      byTitle["Not coded"].actions.map((a) => a.description),
      ["Signs in the car park"],
      "the enquiry has no subject",
    );
    assert.equal(byTitle["Not coded"].raised, 0);
    assert.deepEqual(
      byTitle["Patient Care"].actions.map((a) => a.description),
      ["Pressure area care training"],
    );
    assert.equal(byTitle["Patient Care"].raised, 0, "C was received in January");
    assert.deepEqual(
      summary.themes.slice(-2).map((t) => t.title),
      ["Not coded", "Patient Care"],
      "themes raised come first",
    );
  });

  it("keeps actions done from the first to the last day of the period, both included", () => {
    const days = ["2026-01-31", "2026-02-01", "2026-02-28", "2026-03-01"];
    const A = withActions(
      seeded.A,
      days.map((doneOn) => doneAction({ description: `done ${doneOn}`, subject: "communications", doneOn })),
    );
    const summary = youSaidWeDid(cases, [read(A)], FEBRUARY);
    assert.deepEqual(
      summary.themes[0].actions.map((a) => a.description),
      ["done 2026-02-01", "done 2026-02-28"],
    );
  });

  it("for a division, counts only its cases and its actions, whatever the case of the letters", () => {
    const A = withActions(seeded.A, [
      doneAction({ description: "Medicine's action", subject: "communications", division: "medicine", doneOn: "2026-02-10" }),
      doneAction({ description: "Surgery's action on a Medicine case", subject: "communications", division: "Surgery", doneOn: "2026-02-10" }),
    ]);
    const known = divisionsIn(cases, [read(A)]);
    assert.deepEqual(known, ["Estates", "Medicine", "Surgery"], "each division once: 'medicine ' and 'Medicine' are one");
    assert.equal(matchDivision("  SURGERY ", known), "Surgery");
    assert.equal(matchDivision("Surg", known), undefined);
    const surgery = youSaidWeDid(cases, [read(A)], FEBRUARY, { division: "Surgery" });
    assert.equal(surgery.received, 1, "D only");
    assert.deepEqual(
      surgery.themes.map((t) => [t.title, t.raised, t.actions.map((a) => a.description)]),
      [
        ["Appointments", 1, []],
        ["Communications", 0, ["Surgery's action on a Medicine case"]],
      ],
    );
    const medicine = youSaidWeDid(cases, [read(A)], FEBRUARY, { division: "Medicine" });
    assert.equal(medicine.received, 2);
    assert.deepEqual(
      medicine.themes[0].actions.map((a) => a.description),
      ["Medicine's action"],
    );
  });

  it("says there is nothing when no concern or complaint came in and no action was done", () => {
    const summary = youSaidWeDid(cases, [], { from: "2025-06-01", to: "2025-06-30" });
    assert.deepEqual([summary.received, summary.done, summary.themes.length], [0, 0, 0]);
  });

  describe("removing patient details from action texts", () => {
    const names = { names: ["Margaret Jones", "Tom O'Neill", "Priya Shah"] };

    it("removes NHS numbers however spaced, long phone numbers and case references", () => {
      assert.equal(publishable("NHS 943 476 5919 and 9434765919 and 943-476-5919.", {}), `NHS ${REMOVED} and ${REMOVED} and ${REMOVED}.`);
      assert.equal(publishable("Rang 07700 900123 about PALS-2026-000123 and pals 2026 7", {}), `Rang ${REMOVED} about ${REMOVED} and ${REMOVED}`);
      assert.equal(publishable("Seen by 12 staff in 2026 on 3 wards", {}), "Seen by 12 staff in 2026 on 3 wards", "short numbers stay");
      assert.equal(publishable("Audited 2026-04-01 2026-06-30 weekly", {}), "Audited 2026-04-01 2026-06-30 weekly", "dates in a row are not an NHS number");
      assert.equal(publishable("Call +44 161 496 0000", {}), `Call +${REMOVED}`, "a phone number broken in 3 places still goes");
    });

    it("removes the names given, whole or in part, in any case, and leaves other words alone", () => {
      assert.equal(publishable("Apologised to MARGARET   JONES; Mrs Jones was pleased.", names), `Apologised to ${REMOVED}; Mrs ${REMOVED} was pleased.`);
      assert.equal(publishable("Tom O'Neill's daughter and Priya (PALS officer) met.", names), `${REMOVED}'s daughter and ${REMOVED} (PALS officer) met.`);
      assert.equal(publishable("Jonesy and Thomas stay: only whole words go.", names), "Jonesy and Thomas stay: only whole words go.");
      assert.equal(publishable("Mr and Mrs Smith of the ward", { names: ["Mr Smith"] }), `Mr and Mrs ${REMOVED} of the ward`, "titles are not names");
      // A patient's (or raiser's) name goes in any case, even where a part is also an ordinary word: a published
      // "ward" garbled is better than a published name. A member of staff's part goes only when written as a name.
      assert.equal(publishable("Call bells on the ward; John was thanked", { names: ["John Ward"] }), `Call bells on the ${REMOVED}; ${REMOVED} was thanked`);
      assert.equal(
        publishable("Call bells on the ward; John was thanked", { staff: ["John Ward"] }),
        `Call bells on the ward; ${REMOVED} was thanked`,
        "a part of a staff name goes only when written as one",
      );
    });

    it("applies to the summary's texts: the case's patient, raiser and owner and the action's people", () => {
      const c = {
        ...withActions(seeded.A, [
          doneAction({
            description: "Told Margaret Jones (943 476 5919) and her son Sam Jones about PALS-2026-000901; Olivia Officer followed up",
            evidence: "Olivia wrote to Mrs Jones",
            subject: "communications",
            doneOn: "2026-02-10",
          }),
        ]),
        raiser: { name: "Sam Jones" },
      };
      const [action] = youSaidWeDid(cases, [read(c)], FEBRUARY).themes[0].actions;
      const out = JSON.stringify(action);
      for (const leak of [/Margaret/, /Jones/, /Sam/, /943/, /PALS-2026/, /Olivia/]) assert.doesNotMatch(out, leak);
      assert.match(action.description, /^Told \[removed\] \(\[removed\]\) and her son \[removed\] about \[removed\]; \[removed\] followed up$/);
    });
  });

  describe("patient details however they are written (issue 33)", () => {
    // Case A's patient is Ada Fairweather-Quince (NHS number 943 476 5919, born 17 May 1948), raised by Tom O'Neill:
    // actions written before the form refused these (or through the store) still reach the summary.
    const patient = { ...seeded.A.patient, name: "Ada Fairweather-Quince" };
    const c: Case = {
      ...withActions({ ...seeded.A, patient, raisedBy: "family", raiser: { name: "Tom O'Neill" } }, [
        doneAction({
          description: "Apologised to Mrs Quince and Mrs Fairweather Quince (FAIRWEATHER\u2013QUINCE on the board); O\u2019Neill and O ' Neill thanked",
          evidence:
            "Checked 401/023/4563, 401-023-4563, 401 \u2013 023 \u2013 4563, 943\u00a0476\u00a05919, 943\u200b476\u200b5919 and \uff19\uff14\uff13\uff14\uff17\uff16\uff15\uff19\uff11\uff19; born 17/05/1948",
          division: "Mrs Quince's bay, Medicine",
          subject: "communications",
          doneOn: "2026-02-20",
        }),
      ]),
    };
    const LEAKS = [/quince/i, /fairweather/i, /neill/i, /4563/, /5919/, /\uff15\uff19/, /1948/];

    it("never shows the names (any part, any case, any apostrophe), NHS numbers (any separator) or date of birth, in the texts or the division", () => {
      const summary = youSaidWeDid(cases, [read(c)], FEBRUARY);
      const [action] = summary.themes[0].actions;
      for (const leak of LEAKS) assert.doesNotMatch(JSON.stringify(summary), leak, String(leak));
      assert.equal(action.description, `Apologised to Mrs ${REMOVED} and Mrs ${REMOVED} (${REMOVED} on the board); ${REMOVED} and ${REMOVED} thanked`);
      assert.equal(action.evidence, `Checked ${REMOVED}, ${REMOVED}, ${REMOVED}, ${REMOVED}, ${REMOVED} and ${REMOVED}; born ${REMOVED}`);
      assert.equal(action.division, `Mrs ${REMOVED}'s bay, Medicine`);
      const csv = youSaidWeDidCsv(summary);
      for (const leak of LEAKS) assert.doesNotMatch(csv, leak, String(leak));
    });

    it("does not list a division that names the patient, nor match one", () => {
      const known = divisionsIn(cases, [read(c)]);
      assert.deepEqual(known, ["Estates", "Medicine", "Surgery"]);
      assert.equal(matchDivision("Mrs Quince's bay, Medicine", known), undefined);
    });
  });

  it("writes the CSV: one row per action, a theme with none says we are looking at it, and formulas are made text", () => {
    const A = withActions(seeded.A, [
      doneAction({ description: '=HYPERLINK("http://x")', evidence: "+1 more nurse", subject: "communications", doneOn: "2026-02-20" }),
    ]);
    const rows: string[][] = parse(youSaidWeDidCsv(youSaidWeDid(cases, [read(A)], FEBRUARY)), { bom: true });
    assert.deepEqual(rows, [
      ["Theme", "Times raised", "What we did", "Evidence", "Division", "Month done"],
      ["Communications", "2", '\'=HYPERLINK("http://x")', "'+1 more nurse", "Medicine", "February 2026"],
      ["Appointments", "1", "We are looking at this.", "", "", ""],
      ["Clinical Treatment", "1", "We are looking at this.", "", "", ""],
    ]);
  });

  describe("what managers type", () => {
    const parsed = (text: string) => parseYouSaidWeDid(text, REPORT_TODAY);

    it("reads the period as report does, or a month by name, and the rest as the division", () => {
      assert.deepEqual(parsed(""), { kind: "summary", period: FEBRUARY });
      assert.deepEqual(parsed("this quarter Surgery"), { kind: "summary", period: { from: "2026-01-01", to: "2026-03-10" }, division: "Surgery" });
      assert.deepEqual(parsed("last 12 months"), { kind: "summary", period: { from: "2025-03-11", to: "2026-03-10" } });
      assert.deepEqual(
        parsed("April Women's Health"),
        { kind: "summary", period: { from: "2025-04-01", to: "2025-04-30" }, division: "Women's Health" },
        "the last April that has started",
      );
      assert.deepEqual(parsed("feb 2026"), { kind: "summary", period: FEBRUARY });
      assert.deepEqual(parsed("2026-01-01 to 2026-02-28 Medicine"), {
        kind: "summary",
        period: { from: "2026-01-01", to: "2026-02-28" },
        division: "Medicine",
      });
      assert.deepEqual(parsed("Emergency Medicine"), { kind: "summary", period: FEBRUARY, division: "Emergency Medicine" });
    });

    it("explains what it reads when the dates are wrong", () => {
      for (const text of ["2026-02-28 2026-01-01", "2026-04-01 2026-04-30", "2026-02-01", "december 2026"]) {
        const answer = parsed(text);
        assert.equal(answer.kind, "problem", text);
        assert.match(answer.kind === "problem" ? answer.message : "", /you said we did this quarter/, text);
      }
    });
  });
});
