import { strict as assert } from "node:assert";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  changeResponseDate,
  DEFAULT_DEADLINE_RULES,
  DEFAULT_RULES,
  closeCase,
  CaseRuleError,
  digestItem,
  fillLetter,
  LETTER_KINDS,
  letterView,
  NATIONAL_DIRECTORY,
  nextDue,
  recordAcknowledgement,
  recordLetterSent,
  recordOmbudsman,
  alertReasonsFor,
  attentionDay,
  type CaseEvent,
} from "../../src/domain";
import { LetterTemplateFileError, LetterTemplates } from "../../src/store/letterTemplates";
import { makeCase } from "../helpers/caseFixtures";

const PHSO = NATIONAL_DIRECTORY.find((e) => e.id === "phso")!;
const ctx = { actor: { aadObjectId: "officer-1", name: "Priya Shah" }, now: new Date("2026-03-10T10:00:00Z"), rules: DEFAULT_RULES };

describe("letters", () => {
  it("fills a template from the case, with a clear placeholder for anything missing, never 'undefined'", () => {
    const c = makeCase();
    const noDates = { ...c, deadlines: {} };
    const text = fillLetter(
      "Dear {{addresseeName}}, we will reply by {{responseDate}}. Ward: {{ward}}. {{trustName}} {{favouriteColour}} {{officerName}}",
      letterView(noDates, { today: "2026-03-10", officerName: "Priya Shah", events: [], rules: DEFAULT_RULES }),
    );
    assert.equal(text, "Dear Margaret Jones, we will reply by [response date]. Ward: Ward 7. [trust name] [favourite colour] Priya Shah");
    assert.doesNotMatch(text, /undefined|null/);
  });

  it("shows sections only when the case has what they need, and never HTML-escapes", () => {
    const c = { ...makeCase(), desiredOutcome: "An apology & a meeting <soon>" };
    const view = letterView(c, { today: "2026-03-10", officerName: "Priya", events: [], rules: DEFAULT_RULES });
    assert.equal(
      fillLetter("{{#extensionReason}}Because {{extensionReason}}.{{/extensionReason}}{{^extensionReason}}No delay.{{/extensionReason}}", view),
      "No delay.",
    );
    assert.equal(fillLetter("{{desiredOutcome}}", view), "An apology & a meeting <soon>");
  });

  it("gives the holding letter the old and new response dates and the reason from the timeline", () => {
    const c = makeCase();
    const changed = changeResponseDate(c, { newDate: "2026-04-30", reason: "Waiting for the ward manager's statement", agreedWithComplainant: true }, ctx);
    const event = {
      id: "e",
      caseId: c.id,
      trustId: c.trustId,
      reference: c.reference,
      at: ctx.now.toISOString(),
      by: ctx.actor,
      ...changed.event,
    } as CaseEvent;
    const view = letterView(changed.updated, { today: "2026-03-10", officerName: "Priya", events: [event], rules: DEFAULT_RULES });
    assert.equal(view.previousResponseDate, "Thursday 9 April 2026");
    assert.equal(view.responseDate, "Thursday 30 April 2026");
    assert.equal(view.extensionReason, "Waiting for the ward manager's statement");
    assert.equal(view.responseWorkingDays, "25", "an agreed date gives the tier's working days");
    const wales = letterView(changed.updated, {
      today: "2026-03-10",
      officerName: "Priya",
      events: [event],
      rules: { ...DEFAULT_RULES, deadlines: { ...DEFAULT_DEADLINE_RULES, complexityWorkingDays: { 25: 30, 40: 30, 60: 30 } } },
    });
    assert.equal(wales.responseWorkingDays, "30", "under the trust's rules");
  });

  it("names Wales' bodies in every letter under the Wales rules, and England's under England's (issue 31)", () => {
    const templates = new LetterTemplates();
    const acknowledged = recordAcknowledgement(makeCase(), "2026-03-04", ctx).updated;
    const closed = closeCase(acknowledged, { outcome: "not-upheld", learning: "None" }, ctx).updated;
    const psow = NATIONAL_DIRECTORY.find((e) => e.id === "psow")!;
    const wales = letterView(closed, {
      today: "2026-03-10",
      officerName: "Priya Shah",
      ombudsman: psow,
      events: [],
      rules: { ...DEFAULT_RULES, nation: "wales" },
    });
    const england = letterView(closed, { today: "2026-03-10", officerName: "Priya Shah", ombudsman: PHSO, events: [], rules: DEFAULT_RULES });
    const all = (view: typeof wales) => LETTER_KINDS.map(({ id }) => fillLetter(templates.get(id), view)).join("\n");
    assert.match(fillLetter(templates.get("acknowledgement"), wales), /free, independent help to raise your concern from Llais/);
    assert.match(fillLetter(templates.get("holding"), wales), /ask the Public Services Ombudsman for Wales to look at your complaint/);
    assert.match(fillLetter(templates.get("final"), wales), /Public Services Ombudsman for Wales[\s\S]*0300 790 0203/);
    assert.doesNotMatch(all(wales), /Parliamentary|PHSO|NHS Complaints Advocacy|0345 015 4033/);
    assert.match(fillLetter(templates.get("acknowledgement"), england), /NHS Complaints Advocacy service in your area/);
    assert.match(fillLetter(templates.get("holding"), england), /ask the Parliamentary and Health Service Ombudsman to look/);
    assert.doesNotMatch(all(england), /Wales|Llais|PSOW/);
  });

  it("ships three templates that fill cleanly; the final response has the Ombudsman's details from the directory", () => {
    const templates = new LetterTemplates();
    templates.checkAll();
    const acknowledged = recordAcknowledgement(makeCase(), "2026-03-04", ctx).updated;
    const closed = closeCase(acknowledged, { outcome: "partially-upheld", learning: "Call bells checked hourly" }, ctx).updated;
    const view = letterView(closed, {
      today: "2026-03-10",
      officerName: "Priya Shah",
      trustName: "Example NHS Trust",
      ombudsman: PHSO,
      events: [],
      rules: DEFAULT_RULES,
    });
    for (const { id } of LETTER_KINDS) {
      const text = fillLetter(templates.get(id), view);
      assert.doesNotMatch(text, /undefined|\{\{|\}\}/, id);
      assert.match(text, /Dear Margaret Jones/);
      assert.match(text, /PALS-2026-000123/);
      assert.match(text, /Example NHS Trust/);
    }
    const acknowledgement = fillLetter(templates.get("acknowledgement"), view);
    assert.match(acknowledgement, /talk through your complaint/, "offers a discussion");
    assert.match(acknowledgement, /by Thursday 9 April 2026/, "gives the response date");
    const final = fillLetter(templates.get("final"), view);
    assert.match(final, /Parliamentary and Health Service Ombudsman/);
    assert.match(final, /0345 015 4033/);
    assert.match(final, /https:\/\/www\.ombudsman\.org\.uk/);
    assert.match(final, /we have partially upheld your complaint/);
    assert.match(final, /Call bells checked hourly/);
    assert.match(final, /\[what we found\]/, "no investigation answer yet: a placeholder");
  });

  it("takes a trust's own template from LETTER_TEMPLATES_DIR and names a broken one", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "letters-"));
    fs.writeFileSync(path.join(dir, "holding.md"), "Our own holding letter for {{reference}}");
    const templates = new LetterTemplates(dir);
    assert.equal(templates.fromTrust("holding"), true);
    assert.equal(templates.fromTrust("final"), false);
    assert.equal(templates.get("holding"), "Our own holding letter for {{reference}}");
    fs.writeFileSync(path.join(dir, "final.md"), "{{#open}} never closed");
    assert.throws(
      () => templates.get("final"),
      (error: unknown) => error instanceof LetterTemplateFileError && /final\.md has a mistake/.test(error.message),
    );
  });

  it("records which letter was sent, and only for complaints", () => {
    const sent = recordLetterSent(makeCase(), "holding", ctx);
    assert.equal(sent.event.kind, "letter-sent");
    assert.equal(sent.event.summary, "Holding letter (response date extended) sent");
    assert.deepEqual(sent.event.changes, [{ field: "letter", after: "holding" }]);
    assert.throws(() => recordLetterSent(makeCase({ contactType: "enquiry", subjects: "" }), "final", ctx), CaseRuleError);
  });
});

describe("Ombudsman (PHSO) referrals", () => {
  const closedComplaint = () => closeCase(recordAcknowledgement(makeCase(), "2026-03-04", ctx).updated, { outcome: "not-upheld" }, ctx).updated;

  it("records the referral on a closed case, and its response date becomes the case's next deadline", () => {
    const c = closedComplaint();
    assert.equal(c.nextDueOn, undefined);
    const later = { ...ctx, now: new Date("2026-06-01T10:00:00Z") };
    const { updated, event } = recordOmbudsman(
      c,
      { referredOn: "2026-05-28", reference: " C-2026-0001 ", stage: "assessment", responseDueOn: "2026-06-12" },
      later,
    );
    assert.deepEqual(updated.ombudsman, { referredOn: "2026-05-28", reference: "C-2026-0001", stage: "assessment", responseDueOn: "2026-06-12" });
    assert.equal(updated.nextDueOn, "2026-06-12");
    assert.ok(updated.flags.includes("regulator-involved"));
    assert.equal(event.kind, "ombudsman-updated");
    assert.doesNotMatch(event.summary, /C-2026-0001/, "typed text stays out of the summary");
    assert.equal(attentionDay(updated, DEFAULT_RULES), "2026-06-10", "nudged 2 working days before");
    const item = digestItem(updated, "2026-06-11", DEFAULT_RULES.nudgeWindowWorkingDays);
    assert.equal(item?.deadline, "ombudsman");
    assert.equal(item?.state, "due-soon");
    assert.deepEqual(alertReasonsFor(updated), ["regulator-involved"], "managers hear about it even though the case is closed");

    const decided = recordOmbudsman(
      updated,
      { referredOn: "2026-05-28", reference: "C-2026-0001", stage: "decided", responseDueOn: "2026-06-12" },
      later,
    ).updated;
    assert.equal(decided.ombudsman?.responseDueOn, undefined, "nothing is due once the Ombudsman has decided");
    assert.equal(decided.nextDueOn, undefined);
    assert.equal(digestItem(decided, "2026-06-11", DEFAULT_RULES.nudgeWindowWorkingDays), undefined);
  });

  it("keeps the older deadline rules for cases without a referral", () => {
    const c = makeCase();
    assert.equal(nextDue(c, DEFAULT_RULES.updates.workingDays), c.deadlines.acknowledgeBy);
    assert.equal(nextDue({ status: "closed", deadlines: c.deadlines }, DEFAULT_RULES.updates.workingDays), undefined);
  });

  it("refuses bad referral details with messages people can act on", () => {
    const c = closedComplaint();
    const bad = (input: Partial<{ referredOn: string; reference: string; stage: string; responseDueOn: string }>) =>
      assert.throws(() => recordOmbudsman(c, { referredOn: "2026-03-09", reference: "C-1", stage: "assessment", ...input }, ctx), CaseRuleError);
    bad({ referredOn: "2026-02-30" });
    bad({ referredOn: "2026-03-11" });
    bad({ referredOn: "2026-02-01" });
    bad({ reference: "  " });
    bad({ reference: "x".repeat(51) });
    bad({ stage: "appeal" });
    bad({ responseDueOn: "2026-03-01" });
  });
});
