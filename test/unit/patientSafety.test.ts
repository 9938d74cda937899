import { strict as assert } from "node:assert";
import {
  alertsFor,
  anonymiseCase,
  casesCsv,
  completeDetails,
  parseCaseDetails,
  parseRules,
  recordIncidentReference,
  serviceReport,
  type ActionContext,
  type Case,
  DEFAULT_RULES,
  DEFAULT_RETENTION,
} from "../../src/domain";
import { caseCardData } from "../../src/teams/cases/caseView";
import { reportCard } from "../../src/teams/reports/reportCards";
import { contactForm, makeCase, TODAY } from "../helpers/caseFixtures";

const NOW = new Date("2026-03-10T10:00:00Z");
const ctx: ActionContext = { actor: { aadObjectId: "officer-1", name: "Priya Shah" }, now: NOW, rules: DEFAULT_RULES };
const alertIds = (before: Case | undefined, after: Case, rules: Parameters<typeof alertsFor>[2]["rules"] = DEFAULT_RULES) =>
  alertsFor(before, after, { today: TODAY, now: NOW, rules }).map((item) => `${item.id} -> ${item.target.kind}`);

describe("possible patient safety incidents", () => {
  const flagged = makeCase({ safetyIncident: "true" });
  const flagLine = (c: Case) =>
    (caseCardData(c, { retention: DEFAULT_RETENTION, rules: DEFAULT_RULES, roles: new Set(["officer"]), today: TODAY }).flags as { value: string }[])
      .map((f) => f.value)
      .filter((v) => v.startsWith("Possible patient safety"));

  it("flags a contact logged with it, and queues one managers' alert and one safety-channel copy", () => {
    assert.ok(flagged.flags.includes("patient-safety"));
    assert.equal(makeCase().safetyIncident, undefined, "left out when not flagged");
    assert.deepEqual(
      alertIds(undefined, flagged).filter((id) => id.includes("patient-safety")),
      [`alert:${flagged.id}:patient-safety -> alerts-channel`, `alert:${flagged.id}:patient-safety:safety-channel -> safety-channel`],
    );
    assert.deepEqual(alertIds(flagged, { ...flagged, division: "Surgery" }), [], "a later change does not alert again");
  });

  it("alerts when the flag is set at completion, and not when the details are saved again", () => {
    const plain = makeCase();
    const details = parseCaseDetails(contactForm({ safetyIncident: "true" }), plain, "2027-12-31");
    assert.ok(details.ok);
    const completed = completeDetails(plain, details.value, ctx);
    assert.deepEqual(completed.changed, ["Possible patient safety incident"]);
    assert.equal(alertIds(plain, completed.updated).length, 2);
    const again = parseCaseDetails(contactForm({ safetyIncident: "true", division: "Surgery" }), completed.updated, "2027-12-31");
    assert.ok(again.ok);
    assert.deepEqual(alertIds(completed.updated, completeDetails(completed.updated, again.value, ctx).updated), []);
  });

  it("sends no patient-safety alert when the trust's rules switch it off", () => {
    const rules = parseRules({ alerts: { "patient-safety": false } });
    assert.ok(rules.ok);
    assert.deepEqual(
      alertIds(undefined, flagged, rules.rules).filter((id) => id.includes("patient-safety")),
      [],
    );
  });

  it("records an incident reference of 1 to 40 letters, digits, spaces and -/_. on a system from the list", () => {
    const done = recordIncidentReference(flagged, { system: "lfpse", reference: " W12345/a_b.c-d " }, ctx);
    assert.deepEqual(done.updated.incidentReference, {
      system: "lfpse",
      reference: "W12345/a_b.c-d",
      recordedOn: TODAY,
      by: { aadObjectId: "officer-1", name: "Priya Shah" },
    });
    assert.equal(done.event.summary, "Incident reference recorded: reported on LFPSE");
    assert.doesNotMatch(done.event.summary, /Margaret|W12345/, "the summary names the system, nothing typed");
    assert.equal(recordIncidentReference(flagged, { system: "datix", reference: "D".repeat(40) }, ctx).updated.incidentReference?.reference, "D".repeat(40));
    assert.throws(
      () => recordIncidentReference(flagged, { system: "datix", reference: "D".repeat(41) }, ctx),
      /Shorten the incident reference to 40 characters or fewer/,
    );
    assert.throws(() => recordIncidentReference(flagged, { system: "datix", reference: "=HYPERLINK(1)" }, ctx), /Use only letters, digits, spaces and/);
    assert.throws(() => recordIncidentReference(flagged, { system: "datix", reference: "   " }, ctx), /Enter the incident reference/);
    assert.throws(() => recordIncidentReference(flagged, { system: "nrls", reference: "W1" }, ctx), /Choose the incident system from the list/);
    assert.throws(() => recordIncidentReference(makeCase(), { system: "lfpse", reference: "W1" }, ctx), /not flagged as a possible patient safety incident/);
    assert.throws(() => recordIncidentReference(done.updated, { system: "lfpse", reference: "W12345/a_b.c-d" }, ctx), /already recorded/);
  });

  it("shows the flag on the case card until a reference is recorded", () => {
    assert.deepEqual(flagLine(flagged), ["Possible patient safety incident: not yet reported on the incident system"]);
    const reported = recordIncidentReference(flagged, { system: "lfpse", reference: "W12345" }, ctx).updated;
    assert.deepEqual(flagLine(reported), ["Possible patient safety incident: reported (LFPSE W12345)"]);
    assert.deepEqual(flagLine(makeCase()), []);
  });

  it("counts flagged cases received in the period, and those with a reference, in the managers' report", () => {
    const reported = { ...recordIncidentReference(flagged, { system: "datix", reference: "DX-1" }, ctx).updated, id: "b" };
    const plain = { ...makeCase(), id: "c" };
    const lastYear = { ...flagged, id: "d", receivedOn: "2025-12-01" };
    const report = serviceReport([flagged, reported, plain, lastYear], { from: "2026-03-01", to: "2026-03-31" }, TODAY, DEFAULT_RULES.updates.workingDays);
    assert.deepEqual(report.patientSafety, { flagged: 2, referenced: 1 });
    assert.match(JSON.stringify(reportCard(report, { today: TODAY })), /Possible patient safety incidents","value":"2 received, 1 with an incident reference/);
  });

  it("exports the flag and the reference as two CSV columns, and keeps the reference when a case is anonymised", () => {
    const reported = recordIncidentReference(flagged, { system: "ulysses", reference: "U 77" }, ctx).updated;
    const [header, row] = casesCsv([reported], { rules: DEFAULT_RULES, withPatientDetails: false })
      .replace(/^\uFEFF/, "")
      .split("\r\n");
    const cells = Object.fromEntries(header.split(",").map((h, i) => [h, row.split(",")[i]]));
    assert.equal(cells["Possible patient safety incident"], "Yes");
    assert.equal(cells["Incident reference"], "Ulysses U 77");
    const anonymised = anonymiseCase({ ...reported, status: "closed", closedOn: "2026-03-10" }, NOW);
    assert.deepEqual(anonymised.incidentReference, reported.incidentReference);
    assert.equal(anonymised.safetyIncident, true);
  });
});
