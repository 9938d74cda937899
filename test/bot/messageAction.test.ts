// "Log as a PALS contact" on any Teams message: composeExtension/fetchTask and composeExtension/submitAction invokes
// shaped as Teams sends them (messagePayload as in Microsoft's "Create and send dialogs" example), through the real
// HTTP server; the form goes to the officer's personal chat through the fake Bot Connector.
import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Case, CaseEvent } from "../../src/domain";
import { LOG_MESSAGE_COMMAND_ID } from "../../src/teams/cases/messageAction";
import { APP_PACKAGE_DIR, buildManifest, readAppEnv } from "../../src/tools/packageApp";
import { cardElements, cardOf, cardText, inputValues, startTestBot, type TestBot } from "../helpers/bot";
import { BOT, CHANNEL, LEAD, MANAGER, OFFICER, OTHER_TENANT_ID, personalInstall, TEAM, TENANT_ID, VOLUNTEER, type TeamsUser } from "../helpers/activities";
import { HOSTILE, hostileProblems } from "../helpers/hostile";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const AC = require("adaptivecards/dist/adaptivecards.js");

const ROLES = { ROLE_OFFICERS: OFFICER.aadObjectId, ROLE_VOLUNTEERS: VOLUNTEER.aadObjectId, ROLE_CLINICAL_LEADS: LEAD.aadObjectId };
const MESSAGE_ID = "1782862200000";
const LINK = `https://teams.microsoft.com/l/message/${CHANNEL.id}/${MESSAGE_ID}?tenantId=${TENANT_ID}&groupId=${TEAM.aadGroupId}&parentMessageId=${MESSAGE_ID}`;

/** An email sent to the PALS channel's email address, as Teams posts it: the sender is an "emailUser". */
const EMAIL_PAYLOAD = {
  linkToMessage: LINK,
  id: MESSAGE_ID,
  replyToId: null,
  createdDateTime: "2026-06-30T23:30:00.000Z", // 00:30 on 1 July in London (BST)
  lastModifiedDateTime: null,
  deleted: false,
  subject: "My father's discharge from Ward 7",
  summary: null,
  importance: "normal",
  locale: "en-us",
  body: {
    contentType: "html",
    content:
      "<html><head><style>p{color:red}</style></head><body><div><p>Dear PALS,</p><p>My father was sent home from Ward&nbsp;7 without his tablets &amp; nobody rang us.</p><p>Please call me on 07700&nbsp;900123.</p></div></body></html>",
  },
  from: {
    application: null,
    device: null,
    user: { "@odata.type": "#microsoft.graph.teamworkUserIdentity", id: "jo.bloggs@example.com", displayName: "Jo Bloggs", userIdentityType: "emailUser" },
  },
  reactions: [],
  mentions: [],
  attachments: [],
};
const EMAIL_TEXT =
  "My father's discharge from Ward 7\n\nDear PALS,\n\nMy father was sent home from Ward 7 without his tablets & nobody rang us.\n\nPlease call me on 07700 900123.";

/** A message from a ward in a group chat: a colleague, with an @mention and whatever they typed. */
function wardPayload(content: string) {
  return {
    linkToMessage: `https://teams.microsoft.com/l/message/19:ward-chat@thread.v2/1782900000000?context=%7B%22contextType%22%3A%22chat%22%7D`,
    id: "1782900000000",
    replyToId: null,
    createdDateTime: "2026-07-02T08:15:00.000Z",
    lastModifiedDateTime: null,
    deleted: false,
    subject: null,
    summary: null,
    importance: "normal",
    locale: "en-us",
    body: { contentType: "html", content },
    from: {
      application: null,
      device: null,
      conversation: null,
      user: { userIdentityType: "aadUser", id: "00000000-0000-4000-8000-0000000000d1", displayName: "Sister Ward 7" },
    },
    reactions: [],
    mentions: [],
    attachments: [],
  };
}

/** A message action invoke started from a message in the Medicine channel, as Teams sends it. */
function messageActionInvoke(
  name: "composeExtension/fetchTask" | "composeExtension/submitAction",
  value: Record<string, unknown>,
  from: TeamsUser,
  serviceUrl: string,
  tenantId = TENANT_ID,
) {
  return {
    type: "invoke",
    name,
    id: `f:${randomUUID()}`,
    timestamp: new Date().toISOString(),
    localTimestamp: new Date().toISOString(),
    serviceUrl,
    channelId: "msteams",
    from: { id: from.id, name: from.name, aadObjectId: from.aadObjectId },
    recipient: { id: BOT.id, name: BOT.name },
    conversation: { isGroup: true, conversationType: "channel", id: `${CHANNEL.id};messageid=${MESSAGE_ID}`, name: CHANNEL.name, tenantId },
    channelData: { channel: { id: CHANNEL.id }, team: { id: TEAM.id }, tenant: { id: tenantId }, source: { name: "compose" } },
    locale: "en-GB",
    entities: [{ type: "clientInfo", locale: "en-GB", country: "GB", platform: "Web", timezone: "Europe/London" }],
    value: { commandId: LOG_MESSAGE_COMMAND_ID, commandContext: "message", requestId: randomUUID().replace(/-/g, ""), context: { theme: "default" }, ...value },
  };
}

/** Adaptive Cards schema 1.5 problems, as the adaptivecards parser reports them. */
function schemaProblems(card: object): string[] {
  const parsed = new AC.AdaptiveCard();
  const context = new AC.SerializationContext();
  context.targetVersion = AC.Versions.v1_5;
  parsed.parse(card, context);
  const problems: string[] = [];
  for (let i = 0; i < context.eventCount; i++) problems.push(context.getEventAt(i).message);
  for (const event of parsed.validateProperties().validationEvents ?? []) problems.push(event.message);
  return problems;
}

describe("Log as a PALS contact: a message action on any Teams message (real fetchTask and submitAction invokes)", function () {
  this.timeout(60_000);
  let t: TestBot;
  let now: Date;

  beforeEach(async () => {
    now = new Date("2026-07-03T09:00:00Z");
    t = await startTestBot({ env: ROLES, now: () => now });
  });
  afterEach(async () => t.close());

  const personalChatOf = (user: TeamsUser) => `a:1personal-${user.aadObjectId}`;
  const open = (payload: unknown, from: TeamsUser = OFFICER, tenantId?: string) =>
    t.send(messageActionInvoke("composeExtension/fetchTask", { messagePayload: payload }, from, t.connector.url, tenantId));
  const submit = (payload: unknown, data: unknown, from: TeamsUser = OFFICER) =>
    t.send(messageActionInvoke("composeExtension/submitAction", { messagePayload: payload, data }, from, t.connector.url));
  const stored = async (id: string) => (await t.bot.store.containers.cases.item(id, TENANT_ID).read<Case>()).resource!;
  const timelineOf = async (id: string) =>
    (
      await t.bot.store.containers.events.items
        .query<CaseEvent>({ query: "SELECT * FROM c WHERE c.caseId = @id", parameters: [{ name: "@id", value: id }] })
        .fetchAll()
    ).resources;

  /** The dialog's card and the data its button sends (Action.Submit: the button's data, no inputs). */
  async function dialogFor(payload: unknown, from: TeamsUser = OFFICER): Promise<{ card: any; submitData: Record<string, unknown> }> {
    const answer = await open(payload, from);
    assert.equal(answer.status, 200);
    assert.equal(answer.body.task?.type, "continue", `a dialog card, not ${JSON.stringify(answer.body).slice(0, 300)}`);
    assert.equal(answer.body.task.value.title, "Log as a PALS contact");
    assert.equal(answer.body.task.value.card.contentType, "application/vnd.microsoft.card.adaptive");
    const card = answer.body.task.value.card.content;
    const button = cardElements(card).find((node) => node.type === "Action.Submit");
    assert.ok(button, "the dialog has a Submit button");
    return { card, submitData: { ...button.data } };
  }

  /** Opens the dialog, submits it; the form posted in the person's chat. */
  async function formFromMessage(payload: unknown, from: TeamsUser = OFFICER): Promise<any> {
    const { submitData } = await dialogFor(payload, from);
    t.connector.reset();
    const answer = await submit(payload, submitData, from);
    assert.equal(answer.status, 200);
    assert.deepEqual(
      answer.body,
      { task: { type: "message", value: "The form is in your chat with PALS Desk, filled in from this message. Check it there and press Log contact." } },
      "the dialog says where the form went",
    );
    const sent = t.connector.sentActivities;
    assert.equal(sent.length, 1, "one message: the form");
    assert.equal(
      t.connector.calls.find((call) => call.body === sent[0])?.conversationId,
      personalChatOf(from),
      "in the person's own chat with PALS Desk, not the channel",
    );
    return cardOf(sent[0]);
  }

  /** Presses the form's Log contact button with these answers: the card's inputs, the answers, then the button's data. */
  async function logFromForm(form: any, answers: Record<string, string>, from: TeamsUser = OFFICER): Promise<string> {
    const button = cardElements(form).find((node) => node.type === "Action.Execute" && node.verb === "contact.submit");
    assert.ok(button, "the form has its Log contact button");
    const answer = await t.press("contact.submit", { ...inputValues(form), ...answers, ...button.data }, from);
    const caseId = JSON.stringify(answer.value).match(/"caseId":"([0-9a-f-]{36})"/)?.[1];
    assert.ok(caseId, `the answer is a case card: ${cardText(answer.value).slice(0, 400)}`);
    return caseId;
  }

  it("an email sent to the PALS channel: the dialog shows what will be filled in, and the form arrives in the officer's chat with summary, date and Email filled in", async () => {
    await t.send(personalInstall({ serviceUrl: t.connector.url }));
    const { card } = await dialogFor(EMAIL_PAYLOAD);
    assert.deepEqual(schemaProblems(card), [], "the dialog card is valid Adaptive Card 1.5");
    const shown = cardText(card);
    assert.match(shown, /Log this message as a PALS contact\?/);
    assert.match(shown, /Wednesday 1 July 2026/, "the London date it was posted (00:30 BST), not the UTC date");
    assert.match(shown, /Email \(sent to the channel's email address\)/);
    assert.match(shown, /My father was sent home from Ward 7 without his tablets & nobody rang us\./, "the HTML as plain text");
    assert.match(shown, /full text and a link back to it will be kept on the case's timeline/);

    const form = await formFromMessage(EMAIL_PAYLOAD);
    const values = inputValues(form);
    assert.equal(values.summary, EMAIL_TEXT, "the subject and the body, as plain text");
    assert.equal(values.receivedOn, "2026-07-01");
    assert.equal(values.receivedVia, "email");
    // The message is patient data: nothing of it reaches the logs.
    const logged = JSON.stringify(t.logLines);
    for (const secret of ["Ward 7", "tablets", "07700", "Jo Bloggs", "jo.bloggs"]) assert.ok(!logged.includes(secret), `${secret} is not logged`);
    assert.ok(t.logLines.some((line) => line.msg === "Contact form from a message posted in the person's chat"));
  });

  it("logging the prefilled form keeps the original text and the link on the case's timeline, shown to staff and hidden from a volunteer on a safeguarding case", async () => {
    await t.send(personalInstall({ serviceUrl: t.connector.url }));
    const form = await formFromMessage(EMAIL_PAYLOAD);
    const caseId = await logFromForm(form, {
      contactType: "concern",
      raisedBy: "family",
      raiserName: "Jo Bloggs",
      patientName: "Arthur Bloggs",
      safeguarding: "true",
    });
    const c = await stored(caseId);
    assert.equal(c.summary, EMAIL_TEXT);
    assert.equal(c.receivedVia, "email");
    assert.equal(c.receivedOn, "2026-07-01");

    const created = (await timelineOf(caseId)).find((event) => event.kind === "created");
    assert.ok(created);
    assert.match(created.summary, /from a Teams message$/);
    assert.match(created.detail ?? "", /^Logged from a Teams message \(an email sent to a channel\), sent 1 Jul 2026, 00:30\./);
    assert.ok(created.detail!.includes(`Link to the message: ${LINK}`));
    assert.ok(created.detail!.endsWith(`Original text:\n${EMAIL_TEXT}`));

    const officerView = await t.press("case.timeline", { caseId }, OFFICER);
    assert.match(cardText(officerView.value), /Logged from a Teams message/);
    assert.match(cardText(officerView.value), /without his tablets/);
    assert.deepEqual(hostileProblems(officerView.value), [], "the link is plain text, never a live link");
    const volunteerView = await t.press("case.timeline", { caseId }, VOLUNTEER);
    assert.match(cardText(volunteerView.value), /from a Teams message/, "the entry is there");
    assert.doesNotMatch(
      JSON.stringify(volunteerView.value),
      /tablets|07700|teams\.microsoft\.com/,
      "but not its text or link: safeguarding details are for PALS staff",
    );
  });

  it("the records retention schedule clears the original text and link with the rest of the case's free text", async () => {
    await t.close();
    t = await startTestBot({ env: { ...ROLES, ROLE_MANAGERS: MANAGER.aadObjectId, RETENTION_YEARS: "1" }, now: () => now });
    await t.send(personalInstall({ serviceUrl: t.connector.url }));
    const form = await formFromMessage(EMAIL_PAYLOAD);
    const caseId = await logFromForm(form, { contactType: "enquiry", raisedBy: "patient", patientName: "Arthur Bloggs" });
    const closed = await t.press("case.close", { caseId, outcome: "resolved", learning: "" }, OFFICER);
    assert.match(cardText(closed.value), /Case closed/);
    assert.ok((await timelineOf(caseId)).some((event) => event.detail?.includes("without his tablets")));

    now = new Date("2027-07-05T09:30:00Z"); // a year after closing, a Monday: due for review, and a manager decides to destroy it
    await t.press("retention.destroy", { caseId, submission: randomUUID() }, MANAGER);
    const timeline = JSON.stringify(await timelineOf(caseId));
    assert.match(timeline, /retention-applied/);
    for (const secret of ["tablets", "07700", "teams.microsoft.com"]) assert.ok(!timeline.includes(secret), `${secret} cleared`);
    assert.match(timeline, /from a Teams message/, "the entry stays, without its free text");
  });

  it("a form corrected and sent again still carries the message to the timeline", async () => {
    await t.send(personalInstall({ serviceUrl: t.connector.url }));
    const form = await formFromMessage(EMAIL_PAYLOAD);
    const button = cardElements(form).find((node) => node.type === "Action.Execute" && node.verb === "contact.submit");
    const refused = await t.press("contact.submit", { ...inputValues(form), ...button.data, contactType: "", raisedBy: "patient" }, OFFICER);
    assert.match(cardText(refused.value), /type of contact/, "sent back for the missing type");
    const caseId = await logFromForm(refused.value, { contactType: "enquiry", patientNameNotGiven: "true" });
    const created = (await timelineOf(caseId)).find((event) => event.kind === "created");
    assert.ok(created?.detail?.includes("without his tablets"));
  });

  it("a chat from a ward: the route is left for the officer to choose, and hostile HTML and markdown arrive as plain text, never live links", async () => {
    await t.send(personalInstall({ serviceUrl: t.connector.url }));
    const hostile = HOSTILE.join(" ");
    const content = `<div><div><at id="0">PALS</at>&nbsp;Patient in bed 4 unhappy.</div><div><a href="https://evil.example/link">${HOSTILE[0]}</a> ${HOSTILE.slice(
      1,
    )
      .map((h) => h.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"))
      .join(" ")}<img src="https://evil.example/pixel.png" alt=""><script>stealCookies()</script></div></div>`;
    const payload = wardPayload(content);
    const { card } = await dialogFor(payload);
    assert.deepEqual(hostileProblems(card), []);
    assert.match(cardText(card), /Not filled in: choose it on the form/);
    const form = await formFromMessage(payload);
    assert.deepEqual(hostileProblems(form), []);
    const values = inputValues(form);
    assert.equal(values.receivedVia, "", "a Teams message could have started as a call, a letter or a visit: the officer says which");
    assert.equal(values.receivedOn, "2026-07-02");
    assert.equal(values.summary, `PALS Patient in bed 4 unhappy.\n${hostile}`, "tags gone, entities decoded once, typed text kept as typed");
    assert.ok(!JSON.stringify(form).includes("evil.example/link"), "the link's address is not carried over");
    assert.ok(!JSON.stringify(form).includes("stealCookies"), "scripts are dropped");
  });

  it("a message with no text (only a picture) gets a plain answer instead of an empty form", async () => {
    await t.send(personalInstall({ serviceUrl: t.connector.url }));
    const answer = await open(wardPayload('<div><img src="https://example.nhs.uk/x.png" alt="photo"></div>'));
    assert.equal(answer.body.task.type, "message");
    assert.match(answer.body.task.value, /no text PALS Desk can use/);
  });

  it("a message whose HTML nests 5,000 deep (about 25 KB) still opens the dialog, read as flat text, with no unhandled error", async () => {
    await t.send(personalInstall({ serviceUrl: t.connector.url }));
    const deep = `${"<div>".repeat(5000)}Patient in bed 4 unhappy about the noise at night.${"</div>".repeat(10)}`;
    assert.ok(deep.length > 25_000 && deep.length < 26_000);
    const answer = await open(wardPayload(deep));
    assert.equal(answer.status, 200);
    const task = answer.body.task;
    assert.ok(task?.type === "continue" || task?.type === "message", `the dialog's own shape, not ${JSON.stringify(answer.body).slice(0, 300)}`);
    const shown = task.type === "continue" ? cardText(task.value.card.content) : String(task.value);
    assert.doesNotMatch(shown, /something went wrong/i);
    if (task.type === "continue") assert.match(shown, /Patient in bed 4 unhappy about the noise at night\./, "the text, read flat");
    else assert.match(shown, /PALS Desk couldn't read this message/);
    assert.deepEqual(
      t.logLines.filter((line) => line.msg === "Unhandled error while handling an activity"),
      [],
      "nothing failed on the way",
    );
  });

  it("tells an officer who has never opened PALS Desk in a chat to do that first, plainly", async () => {
    const answer = await open(EMAIL_PAYLOAD);
    assert.equal(answer.status, 200);
    assert.equal(answer.body.task.type, "message");
    assert.match(answer.body.task.value, /PALS Desk can't write to you yet\. Open PALS Desk once in a chat first/);
    assert.doesNotMatch(answer.body.task.value, /\*\*/);
    t.connector.reset();
    const submitted = await submit(EMAIL_PAYLOAD, { logFromMessage: true, messageSource: { text: "x", sentAt: "2026-07-01T08:00:00Z", viaEmail: false } });
    assert.match(submitted.body.task.value, /can't write to you yet/);
    assert.equal(t.connector.sentActivities.length, 0);
  });

  it("says so in the dialog when Teams refuses the form, rather than closing as if it were sent", async () => {
    await t.send(personalInstall({ serviceUrl: t.connector.url }));
    const { submitData } = await dialogFor(EMAIL_PAYLOAD);
    t.connector.failNext({ status: 403 });
    const answer = await submit(EMAIL_PAYLOAD, submitData);
    assert.equal(answer.body.task.type, "message");
    assert.match(answer.body.task.value, /couldn't put the form in your chat just now\. Try again in a minute/);
  });

  it("a volunteer may log contacts this way too", async () => {
    await t.send(personalInstall({ serviceUrl: t.connector.url, from: VOLUNTEER }));
    const form = await formFromMessage(EMAIL_PAYLOAD, VOLUNTEER);
    assert.equal(inputValues(form).receivedVia, "email");
  });

  it("refuses, plainly and without a form, a clinical lead, someone with no role and another organisation", async () => {
    const stranger: TeamsUser = { id: "29:1stranger", name: "Sam Stranger", aadObjectId: "00000000-0000-4000-8000-0000000000ee" };
    for (const person of [LEAD, stranger]) await t.send(personalInstall({ serviceUrl: t.connector.url, from: person }));
    t.connector.reset();
    const lead = await open(EMAIL_PAYLOAD, LEAD);
    assert.equal(lead.body.task.type, "message");
    assert.match(lead.body.task.value, /only lets clinical leads answer investigation requests/);
    const leadSubmit = await submit(EMAIL_PAYLOAD, { messageSource: { text: "forged", sentAt: "2026-07-01T08:00:00Z", viaEmail: false } }, LEAD);
    assert.match(leadSubmit.body.task.value, /only lets clinical leads/);
    const none = await open(EMAIL_PAYLOAD, stranger);
    assert.match(none.body.task.value, /You don't have a PALS Desk role yet/);
    assert.equal(t.connector.sentActivities.length, 0, "no form sent anywhere");
    await t.close();

    t = await startTestBot({ env: { ...ROLES, ALLOWED_TENANT_IDS: TENANT_ID }, now: () => now });
    const other = await open(EMAIL_PAYLOAD, { ...OFFICER, aadObjectId: "00000000-0000-4000-8000-0000000000ff" }, OTHER_TENANT_ID);
    assert.equal(other.status, 200);
    assert.equal(other.body.task?.type, "message", "answered in the dialog's own shape");
    assert.match(other.body.task.value, /PALS Desk can't help with that/);
    assert.equal(t.connector.sentActivities.length, 0);
  });

  it("checks what the dialog sends back: a forged or oversized message, a link outside Teams, a payload of the wrong shape", async () => {
    await t.send(personalInstall({ serviceUrl: t.connector.url }));
    t.connector.reset();
    for (const forged of [
      { messageSource: { text: "x".repeat(4001), sentAt: "2026-07-01T08:00:00Z", viaEmail: false } },
      { messageSource: { text: "Hello", sentAt: "yesterday", viaEmail: false } },
      { messageSource: { text: ["Hello"], sentAt: "2026-07-01T08:00:00Z", viaEmail: "yes" } },
      { messageSource: { text: "Hello", sentAt: "2026-07-01T08:00:00Z", viaEmail: false, link: "https://evil.example/l/message/1" } },
      {},
    ]) {
      const answer = await submit(EMAIL_PAYLOAD, forged);
      assert.equal(answer.body.task?.type, "message", JSON.stringify(forged).slice(0, 80));
      assert.match(answer.body.task.value, /not as PALS Desk sent it/);
    }
    assert.equal(t.connector.sentActivities.length, 0);

    const notAMessage = await open({ body: "just a string" });
    assert.match(notAMessage.body.task.value, /couldn't read this message/);
    const fromCompose = await t.send(messageActionInvoke("composeExtension/fetchTask", { commandContext: "compose" }, OFFICER, t.connector.url));
    assert.match(fromCompose.body.task.value, /from a message's More actions/);

    // A link somewhere other than Teams is dropped, not refused; a missing timestamp means now.
    const { card, submitData } = await dialogFor({ ...EMAIL_PAYLOAD, linkToMessage: "javascript:alert(1)", createdDateTime: "not a date" });
    assert.match(cardText(card), /Friday 3 July 2026/);
    assert.doesNotMatch(cardText(card), /a link back to it/);
    assert.equal((submitData.messageSource as { link?: string }).link, undefined);
  });

  it("the app package lists the message action with the id the bot listens for, on messages only", () => {
    const manifest = buildManifest(fs.readFileSync(path.join(APP_PACKAGE_DIR, "manifest.json"), "utf8"), readAppEnv("local"));
    const command = manifest.composeExtensions[0].commands.find((c: { id: string }) => c.id === LOG_MESSAGE_COMMAND_ID);
    assert.ok(command, "the command is in the manifest");
    assert.equal(command.type, "action");
    assert.equal(command.fetchTask, true);
    assert.deepEqual(command.context, ["message"]);
    assert.equal(command.title, "Log as a PALS contact");
  });
});
