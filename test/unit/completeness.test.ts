import { strict as assert } from "node:assert";
import {
  alertReasonsFor,
  anonymiseCase,
  caseFileHtml,
  casesCsv,
  completeDetails,
  digestIncomplete,
  ko41aReturn,
  missingDetails,
  newCase,
  parseCaseDetails,
  parseNewContact,
  riskText,
  serviceReport,
  triageFlags,
  type Case,
  DEFAULT_RULES,
} from "../../src/domain";
import { detailsValues } from "../../src/teams/cases/caseDetails";
import { makeCase, TODAY } from "../helpers/caseFixtures";

const CTX = {
  id: "3f0e2b9a-1c4d-4e5f-8a6b-7c8d9e0f1a2b",
  trustId: "t",
  reference: "PALS-2026-000001",
  now: new Date("2026-03-10T10:00:00Z"),
  by: { aadObjectId: "u", name: "U" },
  rules: DEFAULT_RULES,
};
const QUICK = {
  contactType: "concern",
  receivedVia: "phone",
  raisedBy: "family",
  raiserName: "Tom Jones",
  patientName: "Margaret Jones",
  summary: "Worried about her discharge.",
};

/** A case logged from quick capture alone. */
function quickCase(overrides: Record<string, string> = {}): Case {
  const parsed = parseNewContact({ ...QUICK, ...overrides }, TODAY);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return newCase(parsed.value, CTX);
}

const actionCtx = { actor: { aadObjectId: "officer-1", name: "Priya Shah" }, now: new Date("2026-03-11T10:00:00Z"), rules: DEFAULT_RULES };

/** The details form as submitted: what the case holds (as the form is prefilled), with `typed` over it. */
function detailsForm(c: Case, typed: Record<string, string> = {}): Record<string, string> {
  return { ...detailsValues(c), ...typed };
}

describe("what a case still needs (missingDetails)", () => {
  it("lists what a quickly captured concern lacks, in the details form's order", () => {
    assert.deepEqual(missingDetails(quickCase()), [
      "Consent",
      "NHS number",
      "Date of birth",
      "Contact details",
      "Where it happened",
      "KO41a subjects",
      "Risk assessment",
    ]);
  });

  it("asks more of a complaint (its letters and the KO41a return) than of a concern", () => {
    assert.deepEqual(missingDetails(quickCase({ contactType: "complaint", raisedBy: "patient", raiserName: "" })), [
      "NHS number",
      "Date of birth",
      "Contact details",
      "Date it happened",
      "Where it happened",
      "KO41a service area",
      "KO41a subjects",
      "KO41a staff groups",
      "What they want to happen",
      "Risk assessment",
    ]);
  });

  it("asks only a way to answer of an enquiry, and only where it happened of a compliment", () => {
    assert.deepEqual(missingDetails(quickCase({ contactType: "enquiry" })), ["Contact details"]);
    assert.deepEqual(missingDetails(quickCase({ contactType: "compliment" })), ["Where it happened"]);
  });

  it("expects no NHS number or date of birth when the patient's name was not given", () => {
    const anonymous = quickCase({ raisedBy: "patient", raiserName: "", patientName: "", patientNameNotGiven: "true" });
    assert.deepEqual(missingDetails(anonymous), ["Contact details", "Where it happened", "KO41a subjects", "Risk assessment"]);
  });

  it("counts consent asked for but not received yet as recorded (the case stays flagged)", () => {
    const c = quickCase({ consent: "not-yet" });
    assert.equal(missingDetails(c).includes("Consent"), false);
    assert.ok(c.flags.includes("consent-needed"));
  });

  it("has nothing to ask of a complete case or an anonymised one", () => {
    const complete = makeCase({ serviceArea: "inpatient" });
    assert.deepEqual(missingDetails(complete), []);
    assert.deepEqual(missingDetails(anonymiseCase({ ...quickCase(), status: "closed", closedOn: TODAY }, new Date())), []);
  });
});

describe("risk not assessed", () => {
  it("says so, and never flags or alerts a case nobody assessed", () => {
    const c = quickCase();
    assert.equal(riskText(c.risk), "Not assessed");
    assert.deepEqual(triageFlags(c, DEFAULT_RULES.deadlines), ["consent-needed"]);
    assert.equal(alertReasonsFor({ ...c, flags: triageFlags(c, DEFAULT_RULES.deadlines) }).includes("high-risk"), false);
  });

  it("keeps the high-risk rule for assessed cases: 15 and over is high risk and alerts", () => {
    const high = makeCase({ riskConsequence: "5", riskLikelihood: "3" });
    assert.equal(riskText(high.risk), "15 (Extreme)");
    assert.ok(high.flags.includes("high-risk"));
    assert.ok(alertReasonsFor(high).includes("high-risk"));
    const below = makeCase({ riskConsequence: "4", riskLikelihood: "3" });
    assert.equal(below.flags.includes("high-risk"), false);
  });

  it("exports it as not assessed: a blank score and the band 'Not assessed'", () => {
    const csv = casesCsv([quickCase()], { rules: DEFAULT_RULES, withPatientDetails: false });
    const [header, row] = csv.trim().split(/\r?\n/);
    const columns = header.split(",");
    const cells = row.split(",");
    assert.equal(cells[columns.indexOf("Risk score")], "");
    assert.equal(cells[columns.indexOf("Risk band")], "Not assessed");
    const html = caseFileHtml(quickCase(), [], {
      rules: DEFAULT_RULES,
      trustName: "Trust",
      generatedBy: "Maya",
      generatedAt: new Date("2026-03-10T10:00:00Z"),
    });
    assert.match(html, /Not assessed/);
  });

  it("shows a patient whose name was not given as 'Not given' in the export", () => {
    const csv = casesCsv([quickCase({ patientName: "", patientNameNotGiven: "true" })], { rules: DEFAULT_RULES, withPatientDetails: true });
    assert.match(csv, /Not given/);
  });
});

describe("reports with quickly captured cases", () => {
  it("counts uncoded complaints in the KO41a return as not yet coded", () => {
    const complaint = { ...quickCase({ contactType: "complaint" }), receivedOn: "2025-06-02" };
    const ret = ko41aReturn([complaint], 2025);
    assert.equal(ret.received, 1);
    assert.deepEqual(ret.subjects.at(-1), { id: "not-recorded", title: "Not yet coded", count: 1 });
    assert.deepEqual(ret.serviceAreas.at(-1), { id: "not-recorded", title: "Not yet coded", count: 1 });
  });

  it("counts cases with no division yet under 'Not recorded yet'", () => {
    const report = serviceReport([quickCase()], { from: "2026-03-01", to: "2026-03-31" }, TODAY, DEFAULT_RULES.updates.workingDays);
    assert.deepEqual(
      report.divisions.map((d) => [d.division, d.received]),
      [["Not recorded yet", 1]],
    );
  });
});

describe("completing a case's details", () => {
  it("records what was missing, names the fields (not their values) and marks them completed", () => {
    const c = quickCase();
    const parsed = parseCaseDetails(
      detailsForm(c, { nhsNumber: "943 476 5919", division: "Medicine", riskConsequence: "2", riskLikelihood: "3" }),
      c,
      "2026-03-11",
    );
    assert.ok(parsed.ok);
    const done = completeDetails(c, parsed.value, actionCtx);
    assert.deepEqual(done.changed, ["NHS number", "Division", "Risk assessment"]);
    assert.equal(done.event.summary, "Details completed: NHS number, Division, Risk assessment");
    assert.deepEqual(done.event.changes, [{ field: "NHS number" }, { field: "Division" }, { field: "Risk assessment" }]);
    assert.equal(done.updated.patient.nhsNumber, "9434765919");
    assert.deepEqual(done.updated.risk, { consequence: 2, likelihood: 3, score: 6 });
    assert.equal(done.updated.updatedAt, "2026-03-11T10:00:00.000Z");
  });

  it("says updated when a recorded detail is corrected, and refuses a save that changes nothing", () => {
    const c = makeCase();
    const corrected = parseCaseDetails(detailsForm(c, { division: "Surgery" }), c, TODAY);
    assert.ok(corrected.ok);
    assert.equal(completeDetails(c, corrected.value, actionCtx).event.summary, "Details updated: Division");
    const same = parseCaseDetails(detailsForm(c), c, TODAY);
    assert.ok(same.ok);
    assert.throws(() => completeDetails(c, same.value, actionCtx), /Nothing was changed/);
  });

  it("checks the form as the Log a contact form does, needs a date received, and keeps an assessed risk", () => {
    const c = makeCase();
    const result = parseCaseDetails(detailsForm(c, { nhsNumber: "123", receivedOn: "", riskConsequence: "", riskLikelihood: "" }), c, TODAY);
    assert.deepEqual(result, {
      ok: false,
      errors: {
        nhsNumber: "That NHS number is not valid: check the 10 digits",
        receivedOn: "Enter the date it was received",
        riskConsequence: "Choose a consequence and a likelihood: a risk once assessed can be changed, not removed",
      },
    });
  });

  it("keeps the type: a forged contactType in the form is ignored", () => {
    const c = quickCase();
    const parsed = parseCaseDetails({ ...detailsForm(c, { division: "Medicine" }), contactType: "compliment" }, c, TODAY);
    assert.ok(parsed.ok);
    assert.equal(completeDetails(c, parsed.value, actionCtx).updated.type, "concern");
  });

  it("works a complaint's deadlines out again from a corrected date received, keeping a sent acknowledgement", () => {
    const c = { ...quickCase({ contactType: "complaint" }), deadlines: { ...quickCase({ contactType: "complaint" }).deadlines, acknowledgedOn: TODAY } };
    const parsed = parseCaseDetails(detailsForm(c, { receivedOn: "2026-03-02" }), c, TODAY);
    assert.ok(parsed.ok);
    const done = completeDetails(c, parsed.value, actionCtx);
    assert.deepEqual(done.updated.deadlines, { acknowledgeBy: "2026-03-05", respondBy: "2026-04-08", backstop: "2026-09-01", acknowledgedOn: TODAY });
    assert.deepEqual(done.changed, ["Date received"]);
  });

  it("flags high risk and safeguarding set now, so the managers are alerted", () => {
    const c = quickCase({ consent: "given" });
    const parsed = parseCaseDetails(detailsForm(c, { riskConsequence: "5", riskLikelihood: "4", safeguarding: "true" }), c, TODAY);
    assert.ok(parsed.ok);
    const done = completeDetails(c, parsed.value, actionCtx);
    assert.deepEqual(done.updated.flags, ["high-risk", "safeguarding"]);
    assert.deepEqual(alertReasonsFor(done.updated), ["high-risk", "safeguarding"]);
  });
});

describe("the digest's incomplete cases", () => {
  it("counts them all and names the first three by reference", () => {
    const cases = ["PALS-2026-000009", "PALS-2026-000002", "PALS-2026-000005", "PALS-2026-000001"].map((reference, i) => ({ caseId: `c${i}`, reference }));
    assert.deepEqual(digestIncomplete(cases), {
      count: 4,
      cases: [
        { caseId: "c3", reference: "PALS-2026-000001" },
        { caseId: "c1", reference: "PALS-2026-000002" },
        { caseId: "c2", reference: "PALS-2026-000005" },
      ],
    });
    assert.equal(digestIncomplete([]), undefined);
  });
});
