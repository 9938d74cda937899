import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import type { Case } from "../../src/domain";
import { cardOf, cardText, inputValues, startTestBot, type TestBot, storedCase as storedCaseOf, timelineKinds as timelineKindsOf } from "../helpers/bot";
import { CHANNEL, cardAction, channelMessage, LEAD, MANAGER, OFFICER, personalInstall, VOLUNTEER, type TeamsUser } from "../helpers/activities";
import { contactForm } from "../helpers/caseFixtures";

const OTHER_LEAD: TeamsUser = { id: "29:2lead", name: "Dr Nia Other", aadObjectId: "00000000-0000-4000-8000-0000000000b3" };
const ROLES = {
  ROLE_OFFICERS: OFFICER.aadObjectId,
  ROLE_MANAGERS: MANAGER.aadObjectId,
  ROLE_VOLUNTEERS: VOLUNTEER.aadObjectId,
  ROLE_CLINICAL_LEADS: `${LEAD.aadObjectId},${OTHER_LEAD.aadObjectId}`,
};
const at = (day: string, time: string) => new Date(`${day}T${time}:00Z`);

describe("investigation requests to clinical leads (real HTTP activities)", () => {
  let t: TestBot;
  let now: Date;

  beforeEach(async () => {
    now = at("2026-03-09", "10:00"); // Monday
    t = await startTestBot({ env: ROLES, now: () => now });
    for (const person of [OFFICER, MANAGER, LEAD, OTHER_LEAD]) await t.send(personalInstall({ serviceUrl: t.connector.url, from: person }));
    t.connector.reset();
  });
  afterEach(async () => t.close());

  const invoke = (verb: string, data: Record<string, unknown>, from: TeamsUser = OFFICER, activity: object = {}) => t.press(verb, data, from, { activity });

  async function logComplaint(): Promise<Case> {
    // Fully coded (service area too), so the sweep's digest has no "details still to record" for the owner.
    const answer = await invoke("contact.submit", {
      formId: randomUUID(),
      ...contactForm({ receivedOn: "2026-03-09", eventOn: "2026-03-01", division: "Medicine", serviceArea: "inpatient" }),
    });
    return storedCase(answer.value.refresh.action.data.caseId);
  }

  const storedCase = (id: string) => storedCaseOf(t, id);
  const timelineKinds = (id: string) => timelineKindsOf(t, id);

  async function setDivisionChannel(): Promise<void> {
    await t.send(channelMessage("set division channel Medicine", { serviceUrl: t.connector.url, from: OFFICER }));
    assert.match(t.connector.sentActivities.at(-1).text, /investigation requests for \*\*Medicine\*\* will start a thread in this channel/);
  }

  function requestForm(c: Case, overrides: Record<string, unknown> = {}) {
    return {
      caseId: c.id,
      investigationDivision: "medicine",
      investigationLead: LEAD.aadObjectId,
      investigationLeadId: "",
      investigationSummary: "Patient on ward 7 says the call bell went unanswered overnight on 1 March.",
      investigationQuestions: "Who was on shift? Was the call bell working?",
      investigationDueOn: "",
      investigationIncludeNhsNumber: "false",
      ...overrides,
    };
  }

  async function sendRequest(c: Case): Promise<{ requestId: string; threadId: string; rootId: string }> {
    await setDivisionChannel();
    const answer = await invoke("investigation.request", requestForm(c));
    assert.match(cardText(answer.value), /Request sent to Dr Liam Lead in the medicine channel. It is due Monday 23 March 2026/);
    const stored = await storedCase(c.id);
    const request = stored.investigations![0];
    return { requestId: request.id, threadId: request.delivery!.conversationId, rootId: request.delivery!.activityId! };
  }

  it("starts a thread in the division's channel that @mentions the lead and shows only what the officer shared", async () => {
    const c = await logComplaint();
    const { threadId } = await sendRequest(c);
    const created = t.connector.calls.find((call) => call.method === "POST" && call.path === "/v3/conversations")!;
    assert.ok(created, "a new conversation (thread) was created");
    assert.equal(created.body.isGroup, true);
    assert.equal(created.body.channelData.channel.id, CHANNEL.id);
    assert.ok(threadId.startsWith(`${CHANNEL.id};messageid=`));
    const card = cardOf(created.body.activity);
    const mention = card.msteams.entities[0];
    assert.equal(mention.type, "mention");
    assert.equal(mention.text, "<at>Dr Liam Lead</at>");
    assert.equal(mention.mentioned.id, LEAD.id);
    assert.ok(cardText(card).includes("<at>Dr Liam Lead</at>, the PALS team would like your input on"), "the text contains the mention exactly");
    const shown = JSON.stringify(card);
    assert.ok(shown.includes("Who was on shift?"));
    assert.ok(!shown.includes("Margaret Jones"), "no patient name");
    assert.ok(!shown.includes("9434765919") && !shown.includes("943 476 5919"), "no NHS number unless the officer chooses");
    assert.ok(!shown.includes("Call bell not answered overnight"), "not the case summary, only the officer's words for the lead");
    assert.deepEqual(await timelineKinds(c.id), ["created", "investigation-requested"]);
  });

  it("logs the request's id beside the turn's request id, not over it", async () => {
    const c = await logComplaint();
    await setDivisionChannel();
    const activity = cardAction("investigation.request", requestForm(c), { serviceUrl: t.connector.url, from: OFFICER });
    await t.send(activity);
    const sent = t.logLines.find((line) => line.msg === "Investigation request sent")!;
    assert.equal(sent.requestId, activity.id, "the line can be found with the rest of its turn");
    assert.equal(sent.investigationId, (await storedCase(c.id)).investigations![0].id);
  });

  it("sends the request to the lead's chat when the division has no channel, with the NHS number when chosen", async () => {
    const c = await logComplaint();
    const answer = await invoke("investigation.request", requestForm(c, { investigationDivision: "Surgery", investigationIncludeNhsNumber: "true" }));
    assert.match(cardText(answer.value), /Request sent to Dr Liam Lead in Dr Liam Lead's chat with PALS Desk/);
    assert.equal((await storedCase(c.id)).investigations![0].delivery?.kind, "personal", "where it went is on the case");
    const sent = t.connector.calls.find((call) => call.method === "POST" && call.conversationId === `a:1personal-${LEAD.aadObjectId}`)!;
    assert.match(cardText(cardOf(sent.body)), /NHS number: 943 476 5919/);
  });

  it("refuses an NHS number typed into the summary or questions when the officer chose not to share it, however it is written", async () => {
    const c = await logComplaint();
    for (const [field, text] of [
      ["investigationSummary", "Patient 943\u00a0476\u00a05919 on ward 7"],
      ["investigationSummary", "Patient 401/023/4563 on ward 7"],
      ["investigationQuestions", "Who saw 943 \u2013 476 \u2013 5919?"],
      ["investigationQuestions", "Who saw 9.4.3.4.7.6.5.9.1.9?"],
    ]) {
      const refused = await invoke("investigation.request", requestForm(c, { [field]: text }));
      assert.match(cardText(refused.value), /You chose not to share the NHS number, but the summary or questions have one/, text);
      assert.match(cardText(refused.value), /tick "Include the NHS number"/);
    }
    assert.equal((await storedCase(c.id)).investigations, undefined, "nothing sent");
    // Chosen: the number is shown beside the words anyway.
    const chosen = await invoke(
      "investigation.request",
      requestForm(c, { investigationDivision: "Surgery", investigationIncludeNhsNumber: "true", investigationSummary: "Patient 943 476 5919" }),
    );
    assert.match(cardText(chosen.value), /Request sent to Dr Liam Lead/);
  });

  it("refuses a request nobody could receive, saving nothing", async () => {
    const c = await logComplaint();
    const stranger = "00000000-0000-4000-8000-0000000000ee";
    const unknown = await invoke("investigation.request", requestForm(c, { investigationLead: "", investigationLeadId: stranger }));
    assert.match(cardText(unknown.value), /doesn't know that person yet/);
    const notLead = await invoke("investigation.request", requestForm(c, { investigationLead: MANAGER.aadObjectId }));
    assert.match(cardText(notLead.value), /not set up as a clinical lead/);
    assert.equal((await storedCase(c.id)).investigations, undefined);
  });

  it("lets the lead answer from the card; everyone sees it answered and the owner gets the answer", async () => {
    const c = await logComplaint();
    const { requestId, threadId, rootId } = await sendRequest(c);
    const inThread = { replyToId: rootId, conversation: { ...channelMessage("x", { serviceUrl: t.connector.url }).conversation, id: threadId } };

    const leadView = await invoke("investigation.refresh", { caseId: c.id, requestId }, LEAD);
    assert.match(JSON.stringify(leadView.value), /"verb":"investigation.answer"/, "the lead is offered Answer");
    const otherView = await invoke("investigation.refresh", { caseId: c.id, requestId }, OTHER_LEAD);
    assert.match(cardText(otherView.value), /addressed to Dr Liam Lead/);
    assert.ok(!JSON.stringify(otherView.value).includes("Who was on shift"), "another lead sees nothing of it");

    const forged = await invoke(
      "investigation.answer",
      { caseId: c.id, requestId, findings: "Forged", actionsTaken: "", learning: "", upheldView: "not-upheld" },
      OTHER_LEAD,
    );
    assert.match(cardText(forged.value), /addressed to Dr Liam Lead|Not available/);
    assert.equal((await storedCase(c.id)).investigations![0].status, "open");

    const answered = await invoke(
      "investigation.answer",
      {
        caseId: c.id,
        requestId,
        findings: "Bell was faulty; estates called.",
        actionsTaken: "Bells checked nightly",
        learning: "Escalate faults",
        upheldView: "partially-upheld",
      },
      LEAD,
      inThread,
    );
    assert.match(cardText(answered.value), /Answered by Dr Liam Lead on Monday 9 March 2026/);
    const shared = t.connector.calls.find((call) => call.method === "PUT" && call.activityId === rootId)!;
    assert.ok(shared, "the card in the thread was updated for everyone");
    assert.match(cardText(cardOf(shared.body)), /Answered by Dr Liam Lead/);
    assert.ok(!JSON.stringify(shared.body).includes("Bell was faulty"), "the shared copy does not show the answer");

    await t.bot.jobs.sweepNow();
    const toOwner = t.connector.calls.filter((call) => call.method === "POST" && call.conversationId === `a:1personal-${OFFICER.aadObjectId}`);
    assert.equal(toOwner.length, 1);
    const ownerCard = cardOf(toOwner[0].body);
    assert.match(cardText(ownerCard), /Dr Liam Lead answered on PALS-2026-/);
    assert.match(cardText(ownerCard), /Findings: Bell was faulty; estates called./);
    assert.match(JSON.stringify(ownerCard), /"verb":"case.open"/, "with a link to the case");
    assert.deepEqual((await timelineKinds(c.id)).slice(-1), ["investigation-answered"]);

    const again = await invoke(
      "investigation.answer",
      { caseId: c.id, requestId, findings: "Again", actionsTaken: "", learning: "", upheldView: "upheld" },
      LEAD,
    );
    assert.match(cardText(again.value), /already answered/);
  });

  it("keeps what the lead typed when his answer is missing a part", async () => {
    const c = await logComplaint();
    const { requestId } = await sendRequest(c);
    const answer = await invoke(
      "investigation.answer",
      { caseId: c.id, requestId, findings: "Bell was faulty.", actionsTaken: "Estates called", learning: "", upheldView: "" },
      LEAD,
    );
    assert.match(cardText(answer.value), /Write your findings and choose whether it should be upheld in your view/);
    const inputs = inputValues(answer.value);
    assert.equal(inputs.findings, "Bell was faulty.");
    assert.equal(inputs.actionsTaken, "Estates called");
    assert.equal((await storedCase(c.id)).investigations![0].status, "open", "nothing was saved");
  });

  it("records replies in the request's thread that @mention the bot on the case timeline", async () => {
    const c = await logComplaint();
    const { threadId } = await sendRequest(c);
    const reply = channelMessage("Ward manager's statement to follow on Friday.", { serviceUrl: t.connector.url, from: LEAD });
    await t.send({ ...reply, conversation: { ...reply.conversation, id: threadId } });
    assert.match(t.connector.sentActivities.at(-1).text, /Added to the timeline of PALS-2026-/);
    const { resources } = await t.bot.store.containers.events.items
      .query<{ kind: string; detail?: string }>({ query: "SELECT * FROM c WHERE c.caseId = @id", parameters: [{ name: "@id", value: c.id }] })
      .fetchAll();
    const followUp = resources.find((event) => event.kind === "investigation-follow-up")!;
    assert.equal(followUp.detail, "Ward manager's statement to follow on Friday.");
  });

  it("lets the lead ask for more time and the officer agree it", async () => {
    const c = await logComplaint();
    const { requestId } = await sendRequest(c);
    const asked = await invoke("investigation.moreTime", { caseId: c.id, requestId, newDueOn: "2026-03-27", reason: "Staff member on leave" }, LEAD);
    assert.match(cardText(asked.value), /Asked for more time/);
    await t.bot.jobs.sweepNow();
    const notice = t.connector.calls.filter((call) => call.method === "POST" && call.conversationId === `a:1personal-${OFFICER.aadObjectId}`).at(-1)!;
    assert.match(cardText(cardOf(notice.body)), /Dr Liam Lead asked for more time/);
    assert.match(JSON.stringify(cardOf(notice.body)), /"verb":"investigation.acceptExtension"/);

    const byVolunteer = await invoke("investigation.acceptExtension", { caseId: c.id, requestId }, VOLUNTEER);
    assert.match(cardText(byVolunteer.value), /Volunteers can't agree more time/);
    const agree = (card: object) => JSON.parse(JSON.stringify(card).match(/"verb":"investigation\.acceptExtension","data":(\{[^}]*\})/)![1]);
    const officersCard = (await invoke("investigation.refresh", { caseId: c.id, requestId })).value;
    const agreed = await invoke("investigation.acceptExtension", agree(officersCard));
    assert.match(cardText(agreed.value), /More time agreed: now due Friday 27 March 2026/);
    assert.equal((await storedCase(c.id)).investigations![0].dueOn, "2026-03-27");

    // He needs longer still; the officer agrees again from the card as it now is: a new decision, not a repeat.
    await invoke("investigation.moreTime", { caseId: c.id, requestId, newDueOn: "2026-04-03", reason: "Still on leave" }, LEAD);
    const again = await invoke("investigation.acceptExtension", agree((await invoke("investigation.refresh", { caseId: c.id, requestId })).value));
    assert.match(cardText(again.value), /More time agreed: now due Friday 3 April 2026/);
    assert.equal((await storedCase(c.id)).investigations![0].dueOn, "2026-04-03");
  });

  it("reminds the lead 2 working days before and on the due day, then tells the owner and managers", async () => {
    await t.send(channelMessage("set alerts channel", { serviceUrl: t.connector.url, from: MANAGER }));
    const c = await logComplaint();
    const { threadId } = await sendRequest(c); // due Monday 23 March
    await invoke("case.acknowledge", { caseId: c.id, acknowledgedOn: "2026-03-09" }); // keep the complaint's own deadlines quiet
    t.connector.reset();
    const inThread = () => t.connector.calls.filter((call) => call.method === "POST" && call.conversationId === threadId);

    now = at("2026-03-18", "09:00"); // Wednesday: 3 working days before
    await t.bot.jobs.sweepNow();
    assert.equal(inThread().length, 0);
    now = at("2026-03-19", "09:00"); // Thursday: 2 working days before
    await t.bot.jobs.sweepNow();
    assert.equal(inThread().length, 1);
    const reminder = cardOf(inThread()[0].body);
    assert.match(cardText(reminder), /<at>Dr Liam Lead<\/at>, your input on PALS-2026-\d+ is due Monday 23 March 2026/);
    assert.equal(reminder.msteams.entities[0].text, "<at>Dr Liam Lead</at>");

    now = at("2026-03-23", "09:00");
    await t.bot.jobs.sweepNow();
    assert.equal(inThread().length, 2);
    assert.match(cardText(cardOf(inThread()[1].body)), /is due today/);

    now = at("2026-03-24", "09:00");
    await t.bot.jobs.sweepNow();
    const ownerNotice = t.connector.calls
      .filter((call) => call.conversationId === `a:1personal-${OFFICER.aadObjectId}` && call.method === "POST")
      .map((call) => cardText(cardOf(call.body)));
    assert.ok(ownerNotice.some((text) => /Investigation input overdue on PALS-2026-/.test(text)));
    const alertCards = t.connector.calls.filter((call) => call.method === "POST" && call.conversationId === CHANNEL.id).map((call) => cardOf(call.body));
    const overdue = alertCards.find((card) => /Investigation input overdue/.test(cardText(card)));
    assert.ok(overdue, "the managers' channel is alerted");
    // A manager acknowledges it from the card: the card names the request, whose alert it is.
    const acknowledge = JSON.stringify(overdue).match(/"verb":"alert.acknowledge","data":(\{[^}]*\})/);
    const acknowledged = await invoke("alert.acknowledge", JSON.parse(acknowledge![1]), MANAGER);
    assert.match(cardText(acknowledged.value), /Acknowledged by Maya Manager/);
    assert.ok((await timelineKinds(c.id)).includes("alert-acknowledged"));

    now = at("2026-03-25", "09:00");
    await t.bot.jobs.sweepNow();
    assert.equal(inThread().length, 2, "no more reminders to the lead once overdue");
  });
});
