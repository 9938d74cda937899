import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import { computeDeadlines, type Case, DEFAULT_RULES } from "../../src/domain";
import { cardElements, cardOf, cardText, inputValues, startTestBot, type TestBot } from "../helpers/bot";
import { MANAGER, OFFICER, OTHER_TENANT_ID, personalInstall, personalMessage, TENANT_ID, VOLUNTEER, type TeamsUser } from "../helpers/activities";
import { contactForm } from "../helpers/caseFixtures";

const ROLES = {
  ROLE_OFFICERS: OFFICER.aadObjectId,
  ROLE_VOLUNTEERS: VOLUNTEER.aadObjectId,
  ROLE_MANAGERS: MANAGER.aadObjectId,
};

/** A phone concern raised by a family member: the answers quick capture needs, one input each. */
const FAMILY_PHONE_CONCERN = {
  contactType: "concern",
  receivedVia: "phone",
  raisedBy: "family",
  raiserName: "Tom Jones",
  patientName: "Margaret Jones",
  summary: "Worried nobody has told them about her discharge.",
};

/** The data an Action.Execute button sends: the card's inputs as shown, then the button's own data. */
function pressData(card: any, verb: string, typed: Record<string, string> = {}): Record<string, unknown> {
  const button = cardElements(card).find((node) => node.type === "Action.Execute" && node.verb === verb);
  assert.ok(button, `the card has a ${verb} button`);
  return { ...inputValues(card), ...typed, ...button.data };
}

describe("quick capture and completing a case later (real HTTP activities)", () => {
  let t: TestBot;
  let now: Date;

  beforeEach(async () => {
    now = new Date("2026-03-10T10:00:00Z"); // Tuesday
    t = await startTestBot({ env: ROLES, now: () => now });
  });
  afterEach(async () => t.close());

  const press = (verb: string, data: Record<string, unknown>, from: TeamsUser = OFFICER, options: { tenantId?: string } = {}) =>
    t.press(verb, data, from, options);
  const stored = async (id: string) => (await t.bot.store.containers.cases.item(id, TENANT_ID).read<Case>()).resource!;
  const timelineOf = async (id: string) =>
    (
      await t.bot.store.containers.events.items
        .query({ query: "SELECT * FROM c WHERE c.caseId = @id ORDER BY c.at", parameters: [{ name: "@id", value: id }] })
        .fetchAll()
    ).resources;
  const queued = async (id: string) =>
    (await t.bot.store.containers.jobs.items.query({ query: "SELECT * FROM c WHERE c.id = @id", parameters: [{ name: "@id", value: id }] }).fetchAll())
      .resources;

  /** Types `new`, touches only the quick-capture inputs, presses Log contact: the case as stored and the card shown. */
  async function quickCapture(answers: Record<string, string> = FAMILY_PHONE_CONCERN): Promise<{ c: Case; card: any; touched: string[] }> {
    t.connector.reset();
    await t.send(personalMessage("new", { serviceUrl: t.connector.url }));
    const form = cardOf(t.connector.sentActivities[0]);
    const shown = inputValues(form);
    const data = pressData(form, "contact.submit", answers);
    const touched = Object.keys(shown).filter((id) => data[id] !== shown[id]);
    const answer = await press("contact.submit", data);
    const caseId = JSON.stringify(answer.value).match(/"caseId":"([0-9a-f-]{36})"/)?.[1];
    assert.ok(caseId, `the answer is a case card: ${cardText(answer.value)}`);
    return { c: await stored(caseId), card: answer.value, touched };
  }

  it("logs a phone concern raised by a family member from 6 inputs, with the risk not assessed and what is missing listed", async () => {
    const { c, card, touched } = await quickCapture();
    assert.deepEqual(touched, ["contactType", "receivedVia", "raisedBy", "raiserName", "patientName", "summary"], "6 inputs touched, then Log contact");
    assert.equal(c.type, "concern");
    assert.equal(c.receivedOn, "2026-03-10", "received today unless told otherwise");
    assert.deepEqual(c.deadlines, { respondBy: "2026-03-24" }, "the concern's deadline as before");
    assert.equal(c.risk, undefined, "no default risk score");
    assert.deepEqual(c.flags, ["consent-needed"]);
    assert.match(cardText(card), /Logged as PALS-2026-/);
    assert.match(cardText(card), /Not assessed/, "the card says the risk is not assessed");
    assert.doesNotMatch(cardText(card), /Risk:? 1 \(Low\)/);
    assert.match(JSON.stringify(card), /"verb":"case\.details"/, "the card offers to complete the details");
  });

  it("logs an anonymous caller: the patient's name not given", async () => {
    const { c } = await quickCapture({ ...FAMILY_PHONE_CONCERN, raisedBy: "patient", raiserName: "", patientName: "", patientNameNotGiven: "true" });
    assert.equal(c.patient.name, undefined);
  });

  it("names the field to fix in the form's banner and keeps everything typed", async () => {
    await t.send(personalMessage("new", { serviceUrl: t.connector.url }));
    const form = cardOf(t.connector.sentActivities[0]);
    const answer = await press("contact.submit", pressData(form, "contact.submit", { ...FAMILY_PHONE_CONCERN, raiserName: "", nhsNumber: "943 476 5918" }));
    const text = cardText(answer.value);
    assert.match(text, /2 things need fixing before this contact can be logged: their name and the NHS number/);
    const values = inputValues(answer.value);
    assert.equal(values.summary, FAMILY_PHONE_CONCERN.summary);
    assert.equal(values.nhsNumber, "943 476 5918");
    assert.equal(cardElements(answer.value).find((node) => node.id === "moreDetails").isVisible, true, "the section with the problem is open");
  });

  it("completes the details later: the form is prefilled, the case card shows them, and the timeline names the fields only", async () => {
    const { c } = await quickCapture();
    const opened = await press("case.details", { caseId: c.id });
    const form = opened.value;
    assert.match(cardText(form), new RegExp(`Details of concern ${c.reference}`));
    assert.match(cardText(form), /Still to record: Consent, NHS number, Date of birth, Contact details, Where it happened, KO41a subjects, Risk assessment/);
    assert.equal(inputValues(form).patientName, "Margaret Jones", "prefilled with what the case holds");
    assert.equal(inputValues(form).raiserName, "Tom Jones");

    const typed = {
      consent: "given",
      nhsNumber: "943 476 5919",
      dateOfBirth: "1948-05-17",
      division: "Medicine",
      subjects: "communications",
      riskConsequence: "2",
      riskLikelihood: "2",
    };
    const saved = await press("case.saveDetails", pressData(form, "case.saveDetails", typed));
    const text = cardText(saved.value);
    assert.match(text, /Details saved: Consent, NHS number, Date of birth, Division, KO41a subjects, Risk assessment/);
    assert.match(text, /943 476 5919/, "the case card shows the NHS number");
    assert.match(text, /Medicine/);

    const after = await stored(c.id);
    assert.equal(after.patient.nhsNumber, "9434765919");
    assert.equal(after.consent, "given");
    assert.deepEqual(after.risk, { consequence: 2, likelihood: 2, score: 4 });
    assert.deepEqual(after.flags, [], "consent recorded: no longer flagged");

    const event = (await timelineOf(c.id)).find((e) => e.kind === "details-updated");
    assert.equal(event.summary, "Details completed: Consent, NHS number, Date of birth, Division, KO41a subjects, Risk assessment");
    assert.equal(event.detail, undefined);
    const stored_ = JSON.stringify(event);
    for (const value of ["9434765919", "1948-05-17", "Medicine", "communications"])
      assert.doesNotMatch(stored_, new RegExp(value), "no values on the timeline");
  });

  it("re-tiers a complaint: changing only its complexity on Complete details works its response date out again", async () => {
    // A complaint received Tuesday 3 March 2026: 25 working days end Thursday 9 April (Good Friday and Easter Monday
    // skipped); 40 end Thursday 30 April. Worked by hand.
    const answer = await press("contact.submit", { formId: randomUUID(), ...contactForm({ receivedOn: "2026-03-03", eventOn: "2026-02-20" }) });
    const caseId = JSON.stringify(answer.value).match(/"caseId":"([0-9a-f-]{36})"/)![1];
    assert.equal((await stored(caseId)).deadlines.respondBy, "2026-04-09");
    const form = (await press("case.details", { caseId })).value;
    const saved = await press("case.saveDetails", pressData(form, "case.saveDetails", { complexity: "40" }));
    assert.match(cardText(saved.value), /Details saved: Complaint complexity/);
    const after = await stored(caseId);
    assert.equal(after.complexity, 40);
    assert.equal(after.deadlines.respondBy, "2026-04-30");
    assert.match(cardText(saved.value), /Thursday 30 April 2026/);
  });

  it("applies a double press once", async () => {
    const { c } = await quickCapture();
    const form = (await press("case.details", { caseId: c.id })).value;
    const data = pressData(form, "case.saveDetails", { division: "Surgery" });
    await press("case.saveDetails", data);
    const again = await press("case.saveDetails", data);
    assert.match(cardText(again.value), new RegExp(c.reference));
    assert.equal((await timelineOf(c.id)).filter((e) => e.kind === "details-updated").length, 1);
  });

  it("sends the form back, with what was typed, when a detail is wrong or the case changed meanwhile", async () => {
    const { c } = await quickCapture();
    const form = (await press("case.details", { caseId: c.id })).value;
    const wrong = await press("case.saveDetails", pressData(form, "case.saveDetails", { nhsNumber: "123", division: "Surgery" }));
    assert.match(cardText(wrong.value), /One thing needs fixing before these details can be saved: the NHS number/);
    assert.equal(inputValues(wrong.value).division, "Surgery");
    assert.equal((await stored(c.id)).division, undefined, "nothing saved");

    // Someone adds a note after the form was drawn: the save is not made over their change unseen.
    await press("case.addNote", { caseId: c.id, note: "Daughter rang back" });
    const stale = await press("case.saveDetails", pressData(wrong.value, "case.saveDetails", { nhsNumber: "943 476 5919" }));
    assert.match(cardText(stale.value), /Someone changed this case after you opened this form/);
    assert.equal(inputValues(stale.value).division, "Surgery", "what was typed is kept");
    assert.equal((await stored(c.id)).division, undefined);
    const saved = await press("case.saveDetails", pressData(stale.value, "case.saveDetails"));
    assert.match(cardText(saved.value), /Details saved: NHS number, Division/);
  });

  it("recomputes a complaint's deadlines when its date received is corrected", async () => {
    const { c } = await quickCapture({ ...FAMILY_PHONE_CONCERN, contactType: "complaint" });
    assert.deepEqual(
      c.deadlines,
      computeDeadlines({ type: "complaint", receivedOn: "2026-03-10", complexity: 25 }, DEFAULT_RULES.deadlines),
      "received today, standard complexity",
    );
    const form = (await press("case.details", { caseId: c.id })).value;
    await press("case.saveDetails", pressData(form, "case.saveDetails", { receivedOn: "2026-03-09", complexity: "40" }));
    const after = await stored(c.id);
    assert.deepEqual(after.deadlines, computeDeadlines({ type: "complaint", receivedOn: "2026-03-09", complexity: 40 }, DEFAULT_RULES.deadlines));
    assert.equal(after.deadlines.acknowledgeBy, "2026-03-12");
    assert.equal(after.nextDueOn, "2026-03-12");
  });

  it("alerts the managers when a high risk or safeguarding is recorded at completion, and not before", async () => {
    const { c } = await quickCapture();
    assert.equal((await queued(`alert:${c.id}:high-risk`)).length, 0, "no risk assessed: no alert");
    const form = (await press("case.details", { caseId: c.id })).value;
    await press("case.saveDetails", pressData(form, "case.saveDetails", { riskConsequence: "5", riskLikelihood: "3", safeguarding: "true" }));
    assert.equal((await queued(`alert:${c.id}:high-risk`)).length, 1, "high risk assessed now: the managers hear");
    assert.equal((await queued(`alert:${c.id}:safeguarding`)).length, 1);
    assert.deepEqual((await stored(c.id)).flags, ["high-risk", "safeguarding", "consent-needed"]);
  });

  it("refuses a volunteer, another trust and a forged case id, changing nothing", async () => {
    const { c } = await quickCapture();
    const form = (await press("case.details", { caseId: c.id })).value;
    const data = pressData(form, "case.saveDetails", { division: "Surgery" });

    assert.match(cardText((await press("case.details", { caseId: c.id }, VOLUNTEER)).value), /Volunteers can't complete or correct a case's details/);
    assert.match(cardText((await press("case.saveDetails", data, VOLUNTEER)).value), /Volunteers can't complete or correct a case's details/);
    assert.match(cardText((await press("case.details", { caseId: c.id }, OFFICER, { tenantId: OTHER_TENANT_ID })).value), /couldn't find that case/);
    assert.match(cardText((await press("case.saveDetails", data, OFFICER, { tenantId: OTHER_TENANT_ID })).value), /couldn't find that case/);
    assert.match(cardText((await press("case.saveDetails", { ...data, caseId: randomUUID() })).value), /couldn't find that case/);
    assert.match(cardText((await press("case.saveDetails", { ...data, caseId: "../cases/x" })).value), /couldn't find that case/);

    assert.equal((await stored(c.id)).division, undefined);
    assert.equal((await timelineOf(c.id)).filter((e) => e.kind === "details-updated").length, 0);
  });

  it("lists the owner's incomplete cases in the morning digest, by count and reference", async () => {
    await t.send(personalInstall({ serviceUrl: t.connector.url, from: OFFICER }));
    const quick = await quickCapture(); // incomplete
    const { c: other } = await quickCapture({ ...FAMILY_PHONE_CONCERN, contactType: "compliment", raisedBy: "patient", raiserName: "" }); // no deadline; where it happened is missing
    t.connector.reset();
    now = new Date("2026-03-11T09:00:00Z"); // Wednesday, nothing due yet
    await t.bot.jobs.sweepNow();
    const digests = t.connector.calls.filter(
      (call) => call.method === "POST" && call.conversationId === `a:1personal-${OFFICER.aadObjectId}` && call.body?.type === "message",
    );
    assert.equal(digests.length, 1);
    const text = cardText(cardOf(digests[0].body));
    assert.match(text, /no deadlines due soon/);
    assert.match(text, /Details still to record: 2 open cases/);
    assert.match(text, new RegExp(quick.c.reference));
    assert.match(text, new RegExp(other.reference));
  });
});
