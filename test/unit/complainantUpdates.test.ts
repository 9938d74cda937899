import { strict as assert } from "node:assert";
import fs from "node:fs";
import path from "node:path";
import {
  CaseRuleError,
  casesCsv,
  closeCase,
  digestItem,
  escalateConcernToComplaint,
  newCase,
  nextDue,
  nextUpdateDue,
  parseRules,
  recordAcknowledgement,
  recordUpdateGiven,
  serviceReport,
  type ActionContext,
  type Case,
  type ReportCase,
  type Rules,
  DEFAULT_RULES,
} from "../../src/domain";
import { makeCase, parsedContact } from "../helpers/caseFixtures";

const PRIYA = { aadObjectId: "officer-1", name: "Priya Shah" };
const refusedWith = (pattern: RegExp) => (err: unknown) => err instanceof CaseRuleError && pattern.test(err.message);

/** The Wales rules file as shipped, and the same with a trust's shorter cadence of 10 working days. */
function walesRules(updateWorkingDays?: number): Rules {
  const file = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "env", "rules.wales.json"), "utf8"));
  const parsed = parseRules(updateWorkingDays ? { ...file, updates: { workingDays: updateWorkingDays } } : file);
  assert.ok(parsed.ok);
  return parsed.rules;
}

const at = (iso: string, rules: Rules = DEFAULT_RULES): ActionContext => ({ actor: PRIYA, now: new Date(iso), rules });

/** A complaint received Tuesday 7 April 2026 (after Easter), logged under these rules. */
function walesComplaint(rules: Rules): Case {
  return newCase(parsedContact({ receivedOn: "2026-04-07", eventOn: "2026-04-01" }, "2026-04-07"), {
    id: "3f0e2b9a-1c4d-4e5f-8a6b-7c8d9e0f1a2b",
    trustId: "tenant-1",
    reference: "PALS-2026-000200",
    now: new Date("2026-04-07T10:00:00Z"),
    by: PRIYA,
    rules,
  });
}

describe("keeping the complainant updated", () => {
  describe("when the next update is due (working days counted by hand)", () => {
    it("under the Wales rules: 20 working days from receipt, then from the acknowledgement, skipping the early May bank holiday", () => {
      const rules = walesRules();
      const c = walesComplaint(rules);
      // Five working days (SI 2023/274): 8, 9, 10, 13, 14 April.
      assert.equal(c.deadlines.acknowledgeBy, "2026-04-14");
      assert.equal(c.deadlines.respondBy, "2026-05-20");
      // 8 Apr is day 1 ... 1 May day 18, Monday 4 May a bank holiday, 5 May day 19, 6 May day 20.
      assert.equal(nextUpdateDue(c, rules.updates.workingDays), "2026-05-06");
      assert.equal(c.nextDueOn, "2026-04-14", "the acknowledgement comes first");

      const acknowledged = recordAcknowledgement(c, "2026-04-09", at("2026-04-09T12:00:00Z", rules)).updated;
      // 10 Apr day 1 ... 1 May day 16, (4 May), 5 to 8 May days 17 to 20.
      assert.equal(acknowledged.nextDueOn, "2026-05-08");
      assert.equal(digestItem(acknowledged, "2026-05-06", DEFAULT_RULES.nudgeWindowWorkingDays)?.deadline, "update");
    });

    it("follows the trust's cadence, and an update given moves it on from the day it was given", () => {
      const rules = walesRules(10);
      const acknowledged = recordAcknowledgement(walesComplaint(rules), "2026-04-09", at("2026-04-09T12:00:00Z", rules)).updated;
      // 10 working days after Thursday 9 April: 10, 13 to 17, 20 to 23 April.
      assert.equal(acknowledged.nextDueOn, "2026-04-23");
      const updated = recordUpdateGiven(
        acknowledged,
        { how: "phone", on: "2026-04-30", note: "Told her the ward statement is in" },
        at("2026-04-30T15:00:00Z", rules),
      ).updated;
      // 10 working days after Thursday 30 April: 1 May, (Monday 4 May a bank holiday), 5 to 8, 11 to 15 May.
      assert.equal(updated.nextDueOn, "2026-05-15");
      assert.deepEqual(updated.updates, [{ on: "2026-04-30", how: "phone", by: PRIYA, recordedAt: "2026-04-30T15:00:00.000Z" }]);
    });

    it("under England's defaults, an update given before Easter is next due after Good Friday and Easter Monday are skipped", () => {
      const acknowledged = recordAcknowledgement(makeCase({ receivedOn: "2026-03-03" }), "2026-03-04", at("2026-03-04T12:00:00Z")).updated;
      assert.equal(acknowledged.nextDueOn, "2026-04-01", "20 working days after 4 March, before the response on 9 April");
      const updated = recordUpdateGiven(acknowledged, { how: "email", on: "2026-03-30" }, at("2026-03-31T09:00:00Z")).updated;
      assert.equal(nextUpdateDue(updated, DEFAULT_RULES.updates.workingDays), "2026-04-29");
      assert.equal(updated.nextDueOn, "2026-04-09", "the response is now the earlier deadline");
    });

    it("starts again from the day a concern became a complaint", () => {
      const concern = makeCase({ contactType: "concern", receivedOn: "2026-03-03" });
      assert.equal(nextUpdateDue(concern, DEFAULT_RULES.updates.workingDays), undefined, "a concern has no update cadence");
      const escalated = escalateConcernToComplaint(concern, at("2026-03-10T10:00:00Z")).updated;
      // 20 working days after Tuesday 10 March, skipping Good Friday and Easter Monday.
      assert.equal(nextUpdateDue(escalated, DEFAULT_RULES.updates.workingDays), "2026-04-09");
    });

    it("has none once the complaint is closed, and none for a concern, an enquiry or a compliment", () => {
      const acknowledged = recordAcknowledgement(makeCase(), "2026-03-04", at("2026-03-04T12:00:00Z")).updated;
      const closed = closeCase(acknowledged, { outcome: "upheld" }, at("2026-03-10T10:00:00Z")).updated;
      assert.equal(nextUpdateDue(closed, DEFAULT_RULES.updates.workingDays), undefined);
      assert.equal(closed.nextDueOn, undefined);
      assert.equal(nextDue(closed, DEFAULT_RULES.updates.workingDays), undefined);
      for (const contactType of ["concern", "enquiry", "compliment"]) {
        const c = makeCase({ contactType, subjects: contactType === "compliment" ? "" : "communications" });
        assert.equal(nextUpdateDue(c, DEFAULT_RULES.updates.workingDays), undefined, contactType);
        assert.notEqual(
          digestItem({ ...c, nextDueOn: c.nextDueOn }, c.nextDueOn ?? "2026-03-03", DEFAULT_RULES.nudgeWindowWorkingDays)?.deadline,
          "update",
          contactType,
        );
      }
    });
  });

  describe("Record update given", () => {
    const complaint = () => recordAcknowledgement(makeCase({ receivedOn: "2026-03-03" }), "2026-03-04", at("2026-03-04T12:00:00Z")).updated;
    const ctx = at("2026-03-10T10:00:00Z");

    it("puts how on the timeline, and what was typed only in the entry's detail", () => {
      const result = recordUpdateGiven(complaint(), { how: "face-to-face", on: "2026-03-10", note: "  Met her on the ward <b>today</b>  " }, ctx);
      assert.equal(result.event.kind, "update-given");
      assert.equal(result.event.summary, "Update given to the complainant (face to face)");
      assert.equal(result.event.detail, "Met her on the ward <b>today</b>");
      assert.equal(
        recordUpdateGiven(complaint(), { how: "letter", on: "2026-03-09" }, ctx).event.summary,
        "Update given to the complainant (by letter) on Monday 9 March 2026",
      );
      assert.equal(recordUpdateGiven(complaint(), { how: "letter", on: "2026-03-09" }, ctx).event.detail, undefined);
    });

    it("refuses a concern, a closed complaint, a date in the future or before receipt, an unknown way and a long note, saying what to do", () => {
      const concern = makeCase({ contactType: "concern" });
      assert.throws(
        () => recordUpdateGiven(concern, { how: "phone", on: "2026-03-10" }, ctx),
        refusedWith(/recorded on formal complaints; this is a concern\. If it has become a formal complaint, escalate it first/),
      );
      const closed = closeCase(complaint(), { outcome: "upheld" }, ctx).updated;
      assert.throws(
        () => recordUpdateGiven(closed, { how: "phone", on: "2026-03-10" }, ctx),
        refusedWith(/closed, so no more updates are due\. Reopen it first/),
      );
      assert.throws(() => recordUpdateGiven(complaint(), { how: "phone", on: "2026-03-11" }, ctx), refusedWith(/can't be in the future/));
      assert.throws(
        () => recordUpdateGiven(complaint(), { how: "phone", on: "2026-03-02" }, ctx),
        refusedWith(/before the complaint was received \(Tuesday 3 March 2026\)/),
      );
      assert.throws(() => recordUpdateGiven(complaint(), { how: "phone", on: "2026-02-30" }, ctx), refusedWith(/real date/));
      assert.throws(() => recordUpdateGiven(complaint(), { how: "carrier-pigeon", on: "2026-03-10" }, ctx), refusedWith(/Choose how the update was given/));
      assert.equal(recordUpdateGiven(complaint(), { how: "phone", on: "2026-03-10", note: "a".repeat(500) }, ctx).event.detail?.length, 500);
      assert.throws(
        () => recordUpdateGiven(complaint(), { how: "phone", on: "2026-03-10", note: "a".repeat(501) }, ctx),
        refusedWith(/Shorten the note to 500 characters/),
      );
    });
  });

  describe("the report and the export", () => {
    const report = (cases: readonly Case[], to: string, today: string, cadence = DEFAULT_RULES.updates.workingDays) =>
      serviceReport(cases as unknown as ReportCase[], { from: "2026-03-01", to }, today, cadence).updatesOverdue;

    it("counts open complaints whose next update was due before the report's end, with only the updates given by then", () => {
      const acknowledged = recordAcknowledgement(makeCase({ receivedOn: "2026-03-03" }), "2026-03-04", at("2026-03-04T12:00:00Z")).updated; // update due 1 April
      const updatedLate = recordUpdateGiven(acknowledged, { how: "phone", on: "2026-04-08" }, at("2026-04-08T12:00:00Z")).updated;
      assert.equal(report([acknowledged], "2026-04-30", "2026-05-05"), 1, "due 1 April, none given");
      assert.equal(report([acknowledged], "2026-04-01", "2026-05-05"), 0, "due on the last day of the period is not overdue");
      assert.equal(report([updatedLate], "2026-04-02", "2026-05-05"), 1, "as of 2 April it was overdue: the update of 8 April came later");
      assert.equal(report([updatedLate], "2026-04-30", "2026-05-05"), 0, "as of 30 April the next is due 7 May");
      assert.equal(report([acknowledged], "2026-04-30", "2026-05-05", 60), 0, "the trust's cadence decides");
      const concern = makeCase({ contactType: "concern", receivedOn: "2026-03-03" });
      const closed = closeCase(acknowledged, { outcome: "upheld" }, at("2026-03-20T10:00:00Z")).updated;
      assert.equal(report([concern, closed], "2026-04-30", "2026-05-05"), 0, "concerns and complaints closed by then are not counted");
    });

    it("puts the last update and the next one due in the cases CSV", () => {
      const acknowledged = recordAcknowledgement(makeCase({ receivedOn: "2026-03-03" }), "2026-03-04", at("2026-03-04T12:00:00Z")).updated;
      const updated = recordUpdateGiven(acknowledged, { how: "phone", on: "2026-03-30", note: "Private words" }, at("2026-03-31T09:00:00Z")).updated;
      const [header, row] = casesCsv([updated], { withPatientDetails: false, rules: DEFAULT_RULES })
        .replace(/^\uFEFF/, "")
        .split("\r\n");
      const cells = Object.fromEntries(header.split(",").map((name, i) => [name, row.split(",")[i]]));
      assert.equal(cells["Last update to the complainant"], "2026-03-30");
      assert.equal(cells["Next update due"], "2026-04-29");
      assert.doesNotMatch(row, /Private words/);
    });
  });
});
