import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import type { Case } from "../../src/domain";
import { cardOf, cardText, startTestBot, type TestBot } from "../helpers/bot";
import {
  cardAction,
  channelMessage,
  LEAD,
  MANAGER,
  OFFICER,
  OTHER_TENANT_ID,
  personalMessage,
  TENANT_ID,
  VOLUNTEER,
  type TeamsUser,
} from "../helpers/activities";
import { contactForm } from "../helpers/caseFixtures";

/** Tuesday 10 March 2026, 10:00 in London. */
const NOW = new Date("2026-03-10T10:00:00Z");
const PRIYA: TeamsUser = { id: "29:2officer", name: "Priya Officer", aadObjectId: "00000000-0000-4000-8000-0000000000a6" };

const ROLES = {
  ROLE_OFFICERS: `${OFFICER.aadObjectId},${PRIYA.aadObjectId}`,
  ROLE_VOLUNTEERS: VOLUNTEER.aadObjectId,
  ROLE_MANAGERS: MANAGER.aadObjectId,
  ROLE_CLINICAL_LEADS: LEAD.aadObjectId,
};

/** A complaint as the form submits it, received the day before. */
function complaintForm(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return contactForm({ receivedOn: "2026-03-09", eventOn: "2026-03-01", ...overrides });
}

describe("logging contacts and working cases (real HTTP activities)", () => {
  let t: TestBot;
  before(async () => {
    t = await startTestBot({ env: ROLES, now: () => NOW });
  });
  after(async () => t.close());
  beforeEach(() => t.connector.reset());

  const invoke = (verb: string, data: Record<string, unknown>, from: TeamsUser = OFFICER, options: { tenantId?: string } = {}) =>
    t.press(verb, data, from, options);

  async function logContact(form: Record<string, unknown> = complaintForm(), from: TeamsUser = OFFICER): Promise<Case> {
    const answer = await invoke("contact.submit", { formId: randomUUID(), ...form }, from);
    assert.equal(answer.type, "application/vnd.microsoft.card.adaptive");
    const caseId = JSON.stringify(answer.value).match(/"caseId":"([0-9a-f-]{36})"/)?.[1];
    assert.ok(caseId, `the answer is a case card: ${cardText(answer.value)}`);
    return (await t.bot.store.containers.cases.item(caseId, TENANT_ID).read<Case>()).resource!;
  }

  async function storedCase(id: string): Promise<Case> {
    return (await t.bot.store.containers.cases.item(id, TENANT_ID).read<Case>()).resource!;
  }

  async function timelineOf(id: string): Promise<{ kind: string; summary: string; detail?: string; by: { name: string } }[]> {
    const { resources } = await t.bot.store.containers.events.items
      .query({ query: "SELECT * FROM c WHERE c.caseId = @id ORDER BY c.at", parameters: [{ name: "@id", value: id }] })
      .fetchAll();
    return resources;
  }

  /** Every element of a card's body, including those inside containers (the contact form's "More details"). */
  const allElements = (elements: any[]): any[] => elements.flatMap((element) => [element, ...allElements(element.items ?? [])]);

  describe("the Log a contact form", () => {
    it("opens when the officer types `new`, with today's date filled in", async () => {
      await t.send(personalMessage("new", { serviceUrl: t.connector.url }));
      const card = cardOf(t.connector.sentActivities[0]);
      assert.match(cardText(card), /Log a contact/);
      const inputs = JSON.stringify(card);
      for (const id of [
        "contactType",
        "receivedVia",
        "raisedBy",
        "consent",
        "patientName",
        "nhsNumber",
        "dateOfBirth",
        "receivedOn",
        "eventOn",
        "division",
        "subjects",
        "professions",
        "summary",
        "desiredOutcome",
        "riskConsequence",
        "riskLikelihood",
        "safeguarding",
      ]) {
        assert.match(inputs, new RegExp(`"id":"${id}"`), `the form asks for ${id}`);
      }
      const receivedOn = allElements(card.body).find((element: any) => element.id === "receivedOn");
      assert.equal(receivedOn.value, "2026-03-10");
      assert.match(inputs, /"verb":"contact\.submit","style":"positive","data":\{"formId":"[0-9a-f-]{36}"\}/);
    });

    it("opens from the welcome card's button as a new message", async () => {
      const answer = await invoke("contact.new", {});
      assert.equal(answer.type, "application/vnd.microsoft.activity.message");
      assert.match(cardText(cardOf(t.connector.sentActivities[0])), /Log a contact/);
    });

    it("comes back with what was typed and each problem next to its field when something is wrong", async () => {
      const answer = await invoke("contact.submit", { formId: randomUUID(), ...complaintForm({ nhsNumber: "943 476 5918", patientName: "  " }) });
      const card = answer.value;
      const body: any[] = allElements(card.body);
      // Each problem sits right after its input, in the list (the card or its "More details" section) that holds it.
      const after = (id: string) => {
        const list: any[] = [card.body, ...body.map((element) => element.items ?? [])].find((items: any[]) => items.some((element) => element.id === id));
        return list[list.findIndex((element) => element.id === id) + 1];
      };
      assert.match(after("nhsNumber").text, /NHS number is not valid/);
      assert.match(after("patientName").text, /Enter the patient's name/);
      assert.equal(body.find((element) => element.id === "nhsNumber").value, "943 476 5918", "the typed NHS number is kept");
      assert.equal(body.find((element) => element.id === "summary").value, "Call bell not answered overnight.");
      assert.match(cardText(card), /2 things need fixing before this contact can be logged: the patient's name and the NHS number/);
      const { resources } = await t.bot.store.containers.cases.items.query("SELECT VALUE COUNT(1) FROM c WHERE c.docType = 'case'").fetchAll();
      assert.equal(resources[0], 0, "nothing was saved");
    });
  });

  describe("a logged complaint", () => {
    it("gets a reference, its deadlines in plain dates and the officer as owner", async () => {
      const answer = await invoke("contact.submit", { formId: randomUUID(), ...complaintForm() });
      const text = cardText(answer.value);
      assert.match(text, /Logged as PALS-2026-\d{6}/);
      assert.match(text, /Complaint PALS-2026-\d{6}/);
      assert.match(text, /owned by Olivia Officer/);
      // Received Monday 9 March: acknowledge within 3 working days, respond within 25, and six months beginning with 9 March end on 8 September.
      assert.match(text, /Acknowledge by: Thursday 12 March 2026 · due in 2 working days/);
      assert.match(text, /Respond by: Wednesday 15 April 2026/, "25 working days, skipping Good Friday and Easter Monday");
      assert.match(text, /6-month limit: Tuesday 8 September 2026/);
      assert.match(text, /Margaret Jones/);
      const caseId = answer.value.refresh.action.data.caseId;
      const stored = await storedCase(caseId);
      assert.equal(stored.status, "open");
      assert.equal(stored.owner?.aadObjectId, OFFICER.aadObjectId);
      assert.equal(stored.nextDueOn, "2026-03-12");
      const [created] = await timelineOf(caseId);
      assert.equal(created.kind, "created");
      assert.equal(created.by.name, "Olivia Officer");
    });

    it("is flagged out of time when made more than 12 months after the event", async () => {
      const answer = await invoke("contact.submit", { formId: randomUUID(), ...complaintForm({ eventOn: "2025-02-01" }) });
      assert.match(cardText(answer.value), /Out of time/i);
    });

    it("is logged once when the button is pressed twice", async () => {
      const formId = randomUUID();
      const first = await invoke("contact.submit", { formId, ...complaintForm() });
      const second = await invoke("contact.submit", { formId, ...complaintForm() });
      const reference = (card: any) => cardText(card).match(/PALS-2026-\d{6}/)![0];
      assert.equal(reference(second.value), reference(first.value));
      assert.match(cardText(second.value), /already logged/);
    });

    it("never shares a reference between contacts logged at the same moment", async () => {
      const answers = await Promise.all(Array.from({ length: 12 }, () => invoke("contact.submit", { formId: randomUUID(), ...complaintForm() })));
      const references = answers.map((answer) => cardText(answer.value).match(/Complaint (PALS-2026-\d{6})/)![1]);
      assert.equal(new Set(references).size, 12);
    });
  });

  describe("case card actions", () => {
    it("records the acknowledgement, and the next deadline becomes the next update to the complainant, before the response", async () => {
      const c = await logContact();
      const answer = await invoke("case.acknowledge", { caseId: c.id, acknowledgedOn: "2026-03-10" });
      assert.match(cardText(answer.value), /Acknowledgement recorded/);
      assert.match(cardText(answer.value), /sent Tuesday 10 March 2026/);
      // 20 working days after the acknowledgement (Good Friday and Easter Monday skipped); the response is due 15 April.
      const saved = await storedCase(c.id);
      assert.equal(saved.nextDueOn, "2026-04-09");
      assert.equal(saved.deadlines.respondBy, "2026-04-15");
      assert.equal((await timelineOf(c.id)).at(-1)!.kind, "acknowledged");
    });

    it("adds a note to the timeline, which the card can show", async () => {
      const c = await logContact();
      await invoke("case.addNote", { caseId: c.id, note: "Rang the ward manager." });
      const timeline = await invoke("case.timeline", { caseId: c.id });
      const text = cardText(timeline.value);
      assert.match(text, /Timeline of PALS-2026-/);
      assert.match(text, /Olivia Officer/);
      assert.ok(JSON.stringify(timeline.value).includes("Rang the ward manager."));
    });

    it("saves a note pressed again on the same card (a retry) once, and a note from the card that came back as another", async () => {
      const c = await logContact();
      const card = (await invoke("case.view", { caseId: c.id })).value;
      const save = (from: object) => JSON.parse(JSON.stringify(from).match(/"verb":"case\.addNote","data":(\{[^}]*\})/)![1]);
      const press = save(card);
      const first = await invoke("case.addNote", { ...press, note: "Rang the ward manager." });
      await invoke("case.addNote", { ...press, note: "Rang the ward manager." });
      await invoke("case.addNote", { ...save(first.value), note: "Rang the ward manager." });
      assert.equal((await timelineOf(c.id)).filter((event) => event.kind === "note-added").length, 2);
    });

    it("changes the response date with a reason", async () => {
      const c = await logContact();
      const answer = await invoke("case.changeResponseDate", {
        caseId: c.id,
        newResponseDate: "2026-04-28",
        responseDateReason: "Waiting for the ward's statement",
        agreedWithComplainant: "true",
        longerPeriodAgreed: "false",
      });
      assert.match(cardText(answer.value), /Respond by \(agreed\): Tuesday 28 April 2026/);
      assert.equal((await timelineOf(c.id)).at(-1)!.detail, "Waiting for the ward's statement");
    });

    it("escalates a concern to a complaint with complaint deadlines from today, keeping its history", async () => {
      const concern = await logContact(complaintForm({ contactType: "concern" }));
      const answer = await invoke("case.escalate", { caseId: concern.id });
      const text = cardText(answer.value);
      assert.match(text, /Complaint PALS-2026-/);
      assert.match(text, /Acknowledge by: Friday 13 March 2026/, "3 working days from Tuesday 10 March");
      const kinds = (await timelineOf(concern.id)).map((event) => event.kind);
      assert.deepEqual(kinds, ["created", "escalated-to-complaint"]);
    });

    it("records signposting, then closes with an outcome and reopens with a reason", async () => {
      const c = await logContact();
      await invoke("case.acknowledge", { caseId: c.id, acknowledgedOn: "2026-03-10" });
      const signposted = await invoke("case.recordSignposting", { caseId: c.id, organisations: "healthwatch,phso" });
      assert.match(cardText(signposted.value), /Signposted to: .*Healthwatch/);
      const closed = await invoke("case.close", { caseId: c.id, outcome: "partially-upheld", learning: "Night rota changed" });
      assert.match(cardText(closed.value), /Closed · owned by/);
      assert.match(cardText(closed.value), /Outcome: Partially upheld/);
      assert.equal((await storedCase(c.id)).nextDueOn, undefined);
      const reopened = await invoke("case.reopen", { caseId: c.id, reopenReason: "Family asked for a meeting" });
      assert.match(cardText(reopened.value), /Case reopened/);
      assert.equal((await storedCase(c.id)).status, "open");
    });

    it("assigns the case to another officer PALS Desk knows", async () => {
      await t.send(personalMessage("help", { serviceUrl: t.connector.url, from: PRIYA }));
      const c = await logContact();
      const answer = await invoke("case.assign", { caseId: c.id, assignTo: PRIYA.aadObjectId });
      assert.match(cardText(answer.value), /owned by Priya Officer/);
      const refused = await invoke("case.assign", { caseId: c.id, assignTo: LEAD.aadObjectId });
      assert.match(cardText(refused.value), /Choose someone from the list/);
      assert.equal((await storedCase(c.id)).owner?.aadObjectId, PRIYA.aadObjectId);
    });

    it("explains a rule instead of saving, and keeps what was typed", async () => {
      const c = await logContact();
      const answer = await invoke("case.close", { caseId: c.id, outcome: "upheld", learning: "Typed learning" });
      assert.match(cardText(answer.value), /Record the acknowledgement first/);
      assert.ok(JSON.stringify(answer.value).includes("Typed learning"));
      assert.equal((await storedCase(c.id)).status, "open");
    });

    it("keeps both notes when two officers add one at the same moment", async () => {
      const c = await logContact();
      await Promise.all([
        invoke("case.addNote", { caseId: c.id, note: "Olivia's note" }),
        invoke("case.addNote", { caseId: c.id, note: "Priya's note" }, PRIYA),
      ]);
      const details = (await timelineOf(c.id)).map((event) => event.detail).filter(Boolean);
      assert.deepEqual([...details].sort(), ["Olivia's note", "Priya's note"]);
    });

    it("tells the second officer the case changed when the first closed it meanwhile", async () => {
      const c = await logContact(complaintForm({ contactType: "concern" }));
      const seenByOlivia = (await t.bot.store.containers.cases.item(c.id, TENANT_ID).read()).etag;
      await invoke("case.close", { caseId: c.id, outcome: "resolved", learning: "" }, PRIYA);
      // Olivia presses Escalate on the card she had open, which still shows the case as she saw it.
      const answer = await invoke("case.escalate", { caseId: c.id, seen: seenByOlivia });
      assert.match(cardText(answer.value), /The case changed since you opened it/);
      assert.match(cardText(answer.value), /Closed/);
    });

    it("refreshes to each person's own view: the safeguarding detail is hidden from a volunteer", async () => {
      const c = await logContact(complaintForm({ safeguarding: "true", summary: "Bruising noticed by daughter" }));
      const officerView = await invoke("case.refresh", { caseId: c.id });
      assert.ok(JSON.stringify(officerView.value).includes("Bruising noticed by daughter"));
      const volunteerView = await invoke("case.refresh", { caseId: c.id }, VOLUNTEER);
      assert.ok(!JSON.stringify(volunteerView.value).includes("Bruising noticed by daughter"));
      assert.ok(!JSON.stringify(volunteerView.value).includes("Margaret Jones"));
      assert.match(cardText(volunteerView.value), /safeguarding details that only PALS officers and managers can see/);
      assert.equal(t.connector.calls.filter((call) => call.method === "PUT").length, 0, "a refresh never updates the shared card");
    });

    it("updates the shared card in a channel with the view any member of staff may see", async () => {
      const c = await logContact(complaintForm({ safeguarding: "true", summary: "Bruising noticed by daughter" }));
      const action = cardAction("case.addNote", { caseId: c.id, note: "Seen" }, { serviceUrl: t.connector.url });
      const inChannel = { ...action, conversation: channelMessage("x", { serviceUrl: t.connector.url }).conversation };
      await t.send(inChannel);
      const put = t.connector.calls.find((call) => call.method === "PUT");
      assert.ok(put, "the shared message was updated");
      assert.equal(put.activityId, action.replyToId);
      assert.ok(!JSON.stringify(put.body).includes("Bruising"), "no safeguarding detail in the shared copy");
    });
  });

  describe("finding cases", () => {
    it("lists my open cases by next deadline", async () => {
      const later = await logContact(complaintForm({ contactType: "concern", summary: "Parking" }), PRIYA);
      const sooner = await logContact(complaintForm({ contactType: "enquiry", subjects: "", summary: "Visiting times" }), PRIYA);
      await t.send(personalMessage("my cases", { serviceUrl: t.connector.url, from: PRIYA }));
      const text = cardText(cardOf(t.connector.sentActivities.at(-1)));
      assert.match(text, /My open cases/);
      assert.ok(text.indexOf(sooner.reference) < text.indexOf(later.reference), "enquiry (2 working days) before concern (10)");
    });

    it("shows one case by its reference, typed loosely", async () => {
      const c = await logContact();
      await t.send(personalMessage(`case ${c.reference.toLowerCase().replace(/-/g, " ")}`, { serviceUrl: t.connector.url }));
      assert.match(cardText(cardOf(t.connector.sentActivities.at(-1))), new RegExp(`Complaint ${c.reference}`));
      await t.send(personalMessage("case PALS-2026-999999", { serviceUrl: t.connector.url }));
      assert.match(t.connector.sentActivities.at(-1).text, /There is no case PALS-2026-999999/);
    });

    it("finds cases by words and by NHS number, and checks the NHS number", async () => {
      const c = await logContact(complaintForm({ patientName: "Alan Brooks", nhsNumber: "401 023 2137", summary: "Lost hearing aid on ward 9" }));
      await t.send(personalMessage("find hearing aid", { serviceUrl: t.connector.url }));
      assert.match(cardText(cardOf(t.connector.sentActivities.at(-1))), new RegExp(c.reference));
      await t.send(personalMessage("find 4010232137", { serviceUrl: t.connector.url }));
      assert.match(cardText(cardOf(t.connector.sentActivities.at(-1))), new RegExp(c.reference));
      await t.send(personalMessage("find 4010232138", { serviceUrl: t.connector.url }));
      assert.match(t.connector.sentActivities.at(-1).text, /NHS number is not valid/);
    });
  });

  describe("refusals", () => {
    it("does not show a case to another trust, even with its id", async () => {
      const c = await logContact();
      const answer = await invoke("case.refresh", { caseId: c.id }, OFFICER, { tenantId: OTHER_TENANT_ID });
      assert.match(cardText(answer.value), /Case not found/);
      assert.ok(!JSON.stringify(answer.value).includes("Margaret Jones"));
      const closeAttempt = await invoke("case.addNote", { caseId: c.id, note: "x" }, OFFICER, { tenantId: OTHER_TENANT_ID });
      assert.match(cardText(closeAttempt.value), /Case not found/);
      assert.equal((await timelineOf(c.id)).length, 1);
    });

    it("does not let a volunteer close a complaint, but lets them close an enquiry", async () => {
      const complaint = await logContact();
      await invoke("case.acknowledge", { caseId: complaint.id, acknowledgedOn: "2026-03-10" });
      const refused = await invoke("case.close", { caseId: complaint.id, outcome: "upheld" }, VOLUNTEER);
      assert.match(cardText(refused.value), /can't close complaints/i);
      assert.equal((await storedCase(complaint.id)).status, "open");
      const enquiry = await logContact(complaintForm({ contactType: "enquiry", subjects: "" }), VOLUNTEER);
      const closed = await invoke("case.close", { caseId: enquiry.id, outcome: "resolved" }, VOLUNTEER);
      assert.match(cardText(closed.value), /Case closed/);
    });

    it("refuses a clinical lead the case list and the case card", async () => {
      await t.send(personalMessage("my cases", { serviceUrl: t.connector.url, from: LEAD }));
      assert.doesNotMatch(t.connector.sentActivities.at(-1).text ?? "", /My open cases/);
      const c = await logContact();
      const answer = await invoke("case.refresh", { caseId: c.id }, LEAD);
      assert.match(cardText(answer.value), /Not available/);
      assert.ok(!JSON.stringify(answer.value).includes("Margaret Jones"));
    });

    it("refuses someone with no role, saying who to ask", async () => {
      const stranger: TeamsUser = { id: "29:stranger", name: "Sam Stranger", aadObjectId: "00000000-0000-4000-8000-0000000000ff" };
      await t.send(personalMessage("new", { serviceUrl: t.connector.url, from: stranger }));
      const reply = t.connector.sentActivities.at(-1);
      assert.equal(cardOf(reply), undefined, "no form");
      assert.match(reply.text, /PALS/);
    });

    it("answers a forged or unknown verb with an out-of-date notice", async () => {
      const answer = await invoke("case.delete", { caseId: randomUUID() });
      assert.match(cardText(answer.value), /out of date/);
      const badId = await invoke("case.addNote", { caseId: "../../etc/passwd", note: "x" });
      assert.match(cardText(badId.value), /Case not found/);
    });

    it("logs ids and references but never the patient's name, NHS number or what they said", async () => {
      const start = t.logLines.length;
      const c = await logContact(complaintForm({ patientName: "Zebedee Quartermain", nhsNumber: "943 476 5870", summary: "Xylophone-shaped bruise" }));
      await invoke("case.addNote", { caseId: c.id, note: "Spoke to Zebedee's son" });
      await t.send(personalMessage("find Quartermain", { serviceUrl: t.connector.url }));
      const logged = JSON.stringify(t.logLines.slice(start));
      assert.ok(logged.includes(c.reference), "the reference is logged");
      for (const secret of ["Zebedee", "Quartermain", "9434765870", "943 476 5870", "Xylophone"]) {
        assert.ok(!logged.includes(secret), `${secret} must not be logged`);
      }
    });
  });
});
