import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import type { Case } from "../../src/domain";
import { startTestBot, type TestBot } from "../helpers/bot";
import {
  cardAction,
  channelMessage,
  LEAD,
  MANAGER,
  messageExtensionQuery,
  OFFICER,
  personalInstall,
  personalMessage,
  TENANT_ID,
  type TeamsUser,
} from "../helpers/activities";
import { contactForm } from "../helpers/caseFixtures";

/** Distinctive patient data and free text: none of it may ever reach a log line. */
const SECRETS = {
  patientName: "Wilhelmina Zanzibar-Quist",
  raiserName: "Bartholomew Quist",
  nhsNumber: "401 023 2137",
  dateOfBirth: "1939-07-14",
  contactDetails: "07700 912345, 12 Plum Lane",
  communicationNeeds: "Needs a Tigrinya interpreter",
  summary: "Fell from a hoist during a night transfer",
  desiredOutcome: "Wants a meeting with the matron",
  note: "Daughter reports bruising on the left hip",
  questions: "Was the hoist sling the right size?",
  leadSummary: "Hoist incident on Larch ward",
  findings: "Sling was a size too large",
  followUp: "Incident form references hoist serial HX-55",
  learning: "Check sling sizes at every transfer",
  search: "Zanzibar",
  signpost: "my mother was dropped by nurses",
};
const NEEDLES = [...Object.values(SECRETS), "4010232137", "401-023-2137"];

describe("privacy: patient data never reaches the logs (main journeys, every log line scanned)", function () {
  this.timeout(60_000);
  let t: TestBot;

  before(async () => {
    let now = new Date("2026-03-09T10:00:00Z");
    t = await startTestBot({
      env: { ROLE_OFFICERS: OFFICER.aadObjectId, ROLE_MANAGERS: MANAGER.aadObjectId, ROLE_CLINICAL_LEADS: LEAD.aadObjectId, LOG_LEVEL: "trace" },
      now: () => now,
    });
    const send = (activity: object) => t.send(activity);
    const as = (from: TeamsUser) => ({ serviceUrl: t.connector.url, from });
    for (const person of [OFFICER, MANAGER, LEAD]) await send(personalInstall(as(person)));
    await send(channelMessage("set alerts channel", as(MANAGER)));
    await send(channelMessage("set division channel Medicine", as(OFFICER)));

    const form = contactForm({
      raisedBy: "family",
      raiserName: SECRETS.raiserName,
      consent: "given",
      patientName: SECRETS.patientName,
      nhsNumber: SECRETS.nhsNumber,
      dateOfBirth: SECRETS.dateOfBirth,
      contactDetails: SECRETS.contactDetails,
      communicationNeeds: SECRETS.communicationNeeds,
      summary: SECRETS.summary,
      desiredOutcome: SECRETS.desiredOutcome,
      receivedOn: "2026-03-09",
      safeguarding: "true",
      division: "Medicine",
    });
    // A mistake first (the form comes back with everything typed), then the real thing.
    await send(cardAction("contact.submit", { formId: randomUUID(), ...form, nhsNumber: "401 023 2138" }, as(OFFICER)));
    const created = await send(cardAction("contact.submit", { formId: randomUUID(), ...form }, as(OFFICER)));
    const caseId = created.body.value.refresh.action.data.caseId as string;
    await send(cardAction("case.addNote", { caseId, note: SECRETS.note }, as(OFFICER)));
    await send(personalMessage(`find ${SECRETS.search}`, as(OFFICER)));
    await send(personalMessage(`find ${SECRETS.nhsNumber}`, as(OFFICER)));
    await send(personalMessage("my cases", as(OFFICER)));
    await send(personalMessage(`signpost ${SECRETS.signpost}`, as(OFFICER)));
    await send(messageExtensionQuery(SECRETS.search, as(OFFICER)));
    await send(
      cardAction(
        "investigation.request",
        {
          caseId,
          investigationDivision: "Medicine",
          investigationLead: LEAD.aadObjectId,
          investigationLeadId: "",
          investigationSummary: SECRETS.leadSummary,
          investigationQuestions: SECRETS.questions,
          investigationDueOn: "",
          investigationIncludeNhsNumber: "true",
        },
        as(OFFICER),
      ),
    );
    const stored = (await t.bot.store.containers.cases.item(caseId, TENANT_ID).read<Case>()).resource!;
    const request = stored.investigations![0];
    await send(
      cardAction(
        "investigation.answer",
        { caseId, requestId: request.id, findings: SECRETS.findings, actionsTaken: "", learning: SECRETS.learning, upheldView: "upheld" },
        as(LEAD),
      ),
    );
    const reply = channelMessage(SECRETS.followUp, as(LEAD));
    await send({ ...reply, conversation: { ...reply.conversation, id: request.delivery!.conversationId } });
    await send(cardAction("case.timeline", { caseId }, as(OFFICER)));
    now = new Date("2026-03-10T09:00:00Z");
    await t.bot.jobs.sweepNow();
    await send(cardAction("case.acknowledge", { caseId, acknowledgedOn: "2026-03-10" }, as(OFFICER)));
    await send(cardAction("case.close", { caseId, outcome: "upheld", learning: SECRETS.learning }, as(OFFICER)));
    // And a failure on the way: a forged action and a malformed activity.
    await send(cardAction("case.close", { caseId: "not-a-case", learning: SECRETS.learning }, as(OFFICER)));
    await send({ type: "message", text: SECRETS.summary });
  });
  after(async () => t.close());

  it("logged the journeys (with ids and references)", () => {
    const messages = new Set(t.logLines.map((line) => line.msg));
    for (const step of [
      "Contact form returned for corrections",
      "Contact logged",
      "Case updated",
      "Case search",
      "Investigation request sent",
      "Investigation request updated",
      "Investigation thread reply added to the timeline",
      "Proactive message sent",
      "Refused a malformed activity",
    ]) {
      assert.ok(messages.has(step), `the journey reached "${step}"`);
    }
    assert.ok(t.logLines.some((line) => typeof line.reference === "string" && /^PALS-2026-/.test(line.reference as string)));
  });

  for (const needle of NEEDLES) {
    it(`never logs "${needle}"`, () => {
      const offending = t.logLines.filter((line) => JSON.stringify(line).includes(needle));
      assert.deepEqual(
        offending.map((line) => line.msg),
        [],
      );
    });
  }
});
