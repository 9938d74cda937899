import { strict as assert } from "node:assert";
import { PlaygroundClient, type PlaygroundMessage } from "./playgroundClient";
import { startStack, type Stack } from "./stack";
import {
  answerAsLead,
  cardText,
  choiceValue,
  CONCERN,
  CONCERN_DETAILS,
  DIVISION_CHANNEL,
  findExecuteAction,
  inputValues,
  INVALID_NHS_NUMBER,
  INVESTIGATION,
  LEAD,
  MANAGER,
  MANAGERS_CHANNEL,
  messageExtensionSearch,
  NEXT_MORNING,
  PATIENT_NAME,
  referenceIn,
  SAFEGUARDING_CONCERN,
  SAMPLE_EMAIL,
  EMAIL_CONTACT,
  STEPS,
  VALID_NHS_NUMBER,
} from "./journey";

const ADAPTIVE = "application/vnd.microsoft.card.adaptive";
const cardOf = (message: PlaygroundMessage) => message.attachments.find((a) => a.contentType === ADAPTIVE)?.content;
const textOf = (message: PlaygroundMessage) => [message.text ?? "", ...message.attachments.map((a) => cardText(a.content))].join("\n");

/** What quick capture submits for a contact: what the officer chose and typed (safeguarding is under More details). */
function typedContact(contact: typeof CONCERN | typeof SAFEGUARDING_CONCERN, safeguarding: boolean): Record<string, string> {
  return {
    contactType: contact.contactType.id,
    receivedVia: contact.receivedVia.id,
    raisedBy: contact.raisedBy.id,
    raiserName: contact.raiserName,
    patientName: contact.patientName,
    summary: contact.summary,
    safeguarding: String(safeguarding),
  };
}

/**
 * The main journeys through the real Microsoft 365 Agents Playground and the real bot, driven through the
 * Playground's HTTP + WebSocket API (what its web page uses), so they run wherever `npm test` runs.
 * The same journeys run in Chromium with `npm run test:e2e`.
 */
describe("journeys in the Agents Playground, headless (HTTP + WebSocket API)", function () {
  this.timeout(30_000);
  let stack: Stack;
  let pg: PlaygroundClient;
  let personalChat: string;
  let general: { id: string; name: string };
  let concernReference = "";
  let caseCard: { conversationId: string; messageId: string; card: any };

  before(async function () {
    this.timeout(60_000);
    // No skip: if the Playground cannot start here, that is a failure to see, not a test to drop.
    stack = await startStack();
    pg = await PlaygroundClient.connect(stack.playgroundUrl);
    personalChat = pg.config.personalChat.id;
    general = pg.channel(MANAGERS_CHANNEL);
  });

  after(async () => {
    pg?.close();
    await stack?.close();
  });

  // Each step builds on the one before: after a failure the rest are reported as pending, not run.
  let broken = "";
  beforeEach(function () {
    if (broken) this.skip();
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed") {
      broken ||= this.currentTest.title;
      process.stderr.write(`\nE2E (Playground API) step broke: "${this.currentTest.title}"\n`);
      process.stderr.write(
        `Last bot log lines (patient fields are redacted):\n${stack.botLogLines
          .slice(-8)
          .map((l) => JSON.stringify(l))
          .join("\n")}\n`,
      );
    }
  });

  async function say(text: string, what: string, match: (m: PlaygroundMessage) => boolean) {
    const mark = pg.mark();
    await pg.say(personalChat, text);
    return pg.waitForBotMessage(what, match, { mark, conversationId: personalChat });
  }

  it(STEPS.help, async () => {
    const { message } = await say("help", "the welcome card", (m) => textOf(m).includes("Welcome to PALS Desk"));
    findExecuteAction(cardOf(message), "Log a contact");
    assert.match(textOf(message), /signpost/);
  });

  let form: { conversationId: string; messageId: string; card: any };
  it(STEPS.form, async () => {
    const { conversationId, message } = await say(
      "new",
      "the Log a contact form",
      (m) => textOf(m).includes("Log a contact") && JSON.stringify(cardOf(m) ?? {}).includes('"id":"summary"'),
    );
    form = { conversationId, messageId: message.messageId, card: cardOf(message) };
    assert.equal(inputValues(form.card).receivedOn, "2026-03-10", "today's date is filled in");
    findExecuteAction(form.card, "Log contact");
  });

  it(STEPS.logged, async () => {
    const action = findExecuteAction(form.card, "Log contact");
    const answer = await pg.execute(form.conversationId, form.messageId, {
      ...action,
      data: { ...action.data, ...inputValues(form.card), ...typedContact(CONCERN, false) },
    });
    const text = cardText(answer.value);
    assert.match(text, /Logged as PALS-2026-\d{6}/);
    assert.match(text, /Concern PALS-2026-\d{6}/);
    assert.match(text, /owned by Olivia Officer/);
    assert.match(text, /Still to record: .*NHS number/);
    assert.match(text, /Risk: Not assessed/i);
    concernReference = referenceIn(text);
    caseCard = { conversationId: form.conversationId, messageId: form.messageId, card: answer.value };
  });

  it(STEPS.invalid, async () => {
    const opened = await pg.execute(caseCard.conversationId, caseCard.messageId, findExecuteAction(caseCard.card, "Complete details"));
    const details = opened.value;
    const save = findExecuteAction(details, "Save details");
    const typed = { nhsNumber: INVALID_NHS_NUMBER, division: CONCERN_DETAILS.division, subjects: CONCERN_DETAILS.subjects.id };
    const flagged = await pg.execute(caseCard.conversationId, caseCard.messageId, { ...save, data: { ...save.data, ...inputValues(details), ...typed } });
    const flaggedText = cardText(flagged.value);
    assert.match(flaggedText, /NHS number/);
    assert.match(flaggedText, /That NHS number is not valid: check the 10 digits/);
    assert.equal(inputValues(flagged.value).division, CONCERN_DETAILS.division, "what was typed is kept");
    const again = findExecuteAction(flagged.value, "Save details");
    const saved = await pg.execute(caseCard.conversationId, caseCard.messageId, {
      ...again,
      data: { ...again.data, ...inputValues(flagged.value), nhsNumber: VALID_NHS_NUMBER },
    });
    const text = cardText(saved.value);
    assert.match(text, /Details saved/);
    assert.match(text, new RegExp(`Concern ${concernReference}`));
    assert.doesNotMatch(text, /Still to record: .*NHS number/);
    caseCard = { ...caseCard, card: saved.value };
  });

  it(STEPS.alertsChannel, async () => {
    const mark = pg.mark();
    await pg.sayAs(pg.user(MANAGER), general.id, "set alerts channel", { mentionBot: true, channel: general });
    await pg.waitForBotMessage("the alerts channel confirmation", (m) => /will be posted in this channel\. Set by Maya Manager/.test(textOf(m)), {
      mark,
      conversationId: general.id,
    });
  });

  it(STEPS.escalate, async () => {
    const answer = await pg.execute(caseCard.conversationId, caseCard.messageId, findExecuteAction(caseCard.card, "Escalate to complaint"));
    const text = cardText(answer.value);
    assert.match(text, /Escalated to a formal complaint/);
    assert.match(text, new RegExp(`Complaint ${concernReference}`));
    assert.match(text, /Acknowledge by: Friday 13 March 2026/);
  });

  let safeguardingReference = "";
  it(STEPS.safeguarding, async () => {
    const { conversationId, message } = await say("new", "a second Log a contact form", (m) => JSON.stringify(cardOf(m) ?? {}).includes('"id":"summary"'));
    const card = cardOf(message);
    const action = findExecuteAction(card, "Log contact");
    const answer = await pg.execute(conversationId, message.messageId, {
      ...action,
      data: { ...action.data, ...inputValues(card), ...typedContact(SAFEGUARDING_CONCERN, true) },
    });
    const text = cardText(answer.value);
    assert.match(text, /Logged as PALS-2026-\d{6}/);
    assert.match(text, /Safeguarding/i);
    safeguardingReference = referenceIn(text);
  });

  it(STEPS.alert, async () => {
    const mark = pg.mark();
    const report = await stack.sweep();
    assert.equal(report.ran, true);
    const safeguarding = await pg.waitForBotMessage(
      "the safeguarding alert",
      (m) => textOf(m).includes("Safeguarding concern") && textOf(m).includes(safeguardingReference),
      { mark, conversationId: general.id },
    );
    await pg.waitForBotMessage(
      "the escalation alert",
      (m) => textOf(m).includes("Concern escalated to a formal complaint") && textOf(m).includes(concernReference),
      { mark, conversationId: general.id },
    );
    // Maya acknowledges it from the channel; everyone there then sees who did.
    const card = cardOf(safeguarding.message);
    const answer = await pg.execute(safeguarding.conversationId, safeguarding.message.messageId, findExecuteAction(card, "Acknowledge"), pg.user(MANAGER).id);
    assert.match(cardText(answer.value), /Acknowledged by Maya Manager/);
  });

  it(STEPS.digest, async () => {
    stack.clock.jumpTo(NEXT_MORNING);
    const mark = pg.mark();
    await stack.sweep();
    const { message } = await pg.waitForBotMessage("the morning digest", (m) => textOf(m).includes("Good morning: your deadlines"), {
      mark,
      conversationId: personalChat,
    });
    const text = textOf(message);
    assert.match(text, /Due in the next 2 working days/);
    assert.match(text, new RegExp(`${concernReference} · Complaint`));
    assert.match(text, /Acknowledgement: Friday 13 March 2026/);
  });

  it(STEPS.signpost, async () => {
    const mark = pg.mark();
    await pg.say(personalChat, "signpost suicidal");
    await pg.waitForBotMessage("the crisis introduction", (m) => /crisis support comes first/.test(m.text ?? ""), { mark, conversationId: personalChat });
    // The Playground shows each card of a list as its own message, after the text, in order.
    const { message } = await pg.waitForBotMessage("the first signposting card", (m) => cardOf(m) !== undefined, { mark, conversationId: personalChat });
    const first = cardText(cardOf(message));
    assert.match(first, /Samaritans/);
    assert.match(first, /call 999/);
    await pg.waitForBotMessage("a second signposting card", (m) => cardOf(m) !== undefined && m.messageId !== message.messageId, {
      mark,
      conversationId: personalChat,
    });
  });

  it(STEPS.messageExtension, async () => {
    // As the Playground's Search Command panel sends it, with the ids from appPackage/manifest.json; in the group chat.
    const { commandId, parameterName } = messageExtensionSearch();
    const huddle = pg.config.groupChats[0].id;
    const answer = await pg.searchMessageExtension(huddle, commandId, parameterName, "advocacy");
    assert.equal(answer.composeExtension?.type, "result");
    const titles = answer.composeExtension.attachments.map((a: any) => a.preview?.content?.title);
    assert.ok(titles.includes("NHS Complaints Advocacy"), `results: ${titles.join(", ")}`);
  });

  let requestCard: { conversationId: string; messageId: string; card: any };
  it(STEPS.investigation, async () => {
    const medicine = pg.channel(DIVISION_CHANNEL);
    const lead = pg.user(LEAD);
    // Dr Liam Lead opens PALS Desk once (in his division's channel), so it knows him as a clinical lead.
    let mark = pg.mark();
    await pg.sayAs(lead, medicine.id, "help", { mentionBot: true, channel: medicine });
    await pg.waitForBotMessage("the welcome card for the lead", (m) => textOf(m).includes("Welcome to PALS Desk"), { mark, conversationId: medicine.id });

    mark = pg.mark();
    await pg.say(medicine.id, `set division channel ${INVESTIGATION.division}`, { mentionBot: true });
    await pg.waitForBotMessage(
      "the division channel confirmation",
      (m) => /requests for \*\*Medicine\*\* will start a thread in this channel/.test(m.text ?? ""),
      { mark, conversationId: medicine.id },
    );

    // Olivia opens the case again (its card now lists the lead) and asks him from it.
    const opened = await say(`case ${concernReference}`, "the case card", (m) => textOf(m).includes(`Complaint ${concernReference}`));
    const card = cardOf(opened.message);
    const send = findExecuteAction(card, "Send request");
    mark = pg.mark();
    const sent = await pg.execute(opened.conversationId, opened.message.messageId, {
      ...send,
      data: {
        ...send.data,
        ...inputValues(card),
        investigationDivision: INVESTIGATION.division,
        investigationLead: choiceValue(card, "investigationLead", LEAD),
        investigationSummary: INVESTIGATION.summary,
        investigationQuestions: INVESTIGATION.questions,
      },
    });
    // 10 working days from Wednesday 11 March.
    assert.match(cardText(sent.value), /Request sent to Dr Liam Lead in the Medicine channel\. It is due Wednesday 25 March 2026/);

    // A new thread in the division's channel, @mentioning him, with the officer's words and nothing else of the patient.
    const thread = await pg.waitForBotMessage("the request in the division channel", (m) => textOf(m).includes("Investigation input requested"), {
      mark,
      conversationId: medicine.id,
    });
    assert.match(thread.conversationId, /;messageid=/, "it is a thread of its own");
    const request = cardOf(thread.message);
    assert.match(cardText(request), new RegExp(`<at>Dr Liam Lead</at>, the PALS team would like your input on ${concernReference}`));
    assert.deepEqual(request.msteams.entities, [{ type: "mention", text: "<at>Dr Liam Lead</at>", mentioned: { id: lead.id, name: LEAD } }]);
    assert.ok(cardText(request).includes(INVESTIGATION.questions), "his questions are on it");
    const shown = JSON.stringify(request);
    for (const secret of [PATIENT_NAME, "9434765919", VALID_NHS_NUMBER, CONCERN.summary])
      assert.ok(!shown.includes(secret), "the channel sees no patient details");
    requestCard = { conversationId: thread.conversationId, messageId: thread.message.messageId, card: request };
  });

  it(STEPS.investigationAnswer, async () => {
    const medicine = pg.channel(DIVISION_CHANNEL);
    const lead = pg.user(LEAD);
    const { conversationId, messageId } = requestCard;
    let mark = pg.mark();
    await answerAsLead(pg, requestCard, medicine);
    const answered = await pg.waitForBotMessage(
      "the request card marked answered",
      (m) => m.messageId === messageId && textOf(m).includes("Answered by Dr Liam Lead on Wednesday 11 March 2026"),
      { mark, conversationId: medicine.id },
    );
    const { findings } = INVESTIGATION;
    assert.ok(!textOf(answered.message).includes(findings), "the channel sees that he answered, not what he wrote");

    // Later he adds something in the thread, @mentioning PALS Desk: it goes on the case timeline.
    mark = pg.mark();
    await pg.sayAs(lead, conversationId, INVESTIGATION.followUp, { mentionBot: true, channel: medicine });
    await pg.waitForBotMessage("the timeline confirmation in the thread", (m) => m.text === `Added to the timeline of ${concernReference}.`, {
      mark,
      conversationId: medicine.id,
    });

    // Olivia, who owns the case, gets his answer in her chat.
    mark = pg.mark();
    await stack.sweep();
    const told = await pg.waitForBotMessage("the answer in the officer's chat", (m) => textOf(m).includes(`Dr Liam Lead answered on ${concernReference}`), {
      mark,
      conversationId: personalChat,
    });
    assert.ok(textOf(told.message).includes(`Findings: ${findings}`), "with his findings");
    findExecuteAction(cardOf(told.message), "Open case");
  });

  it(STEPS.inbox, async () => {
    const mark = pg.mark();
    await stack.dropEmail(SAMPLE_EMAIL);
    await stack.sweep();
    const triage = await pg.waitForBotMessage("the triage card", (m) => textOf(m).includes("New email to the PALS inbox"), {
      mark,
      conversationId: general.id,
    });
    const card = cardOf(triage.message);
    assert.match(cardText(card), /From: Ruth Example <ruth\.example@example\.org>/);
    assert.match(cardText(card), /Subject: Concern about my father's discharge from Ward 7/);
    assert.match(cardText(card), /Discharge letter - Arthur Example\.pdf/);
    // Press 1, in the channel: the form, filled in from the email, goes to Olivia's own chat.
    const formMark = pg.mark();
    const pressed = await pg.execute(triage.conversationId, triage.message.messageId, findExecuteAction(card, "Log as contact"));
    // The card is redrawn for everyone in the channel; the presser is told beside it where the form went.
    assert.match(JSON.stringify(pressed.value), /The form is in your chat with PALS Desk/);
    const sent = await pg.waitForBotMessage("the form filled in from the email", (m) => JSON.stringify(cardOf(m) ?? {}).includes('"fromEmail"'), {
      mark: formMark,
      conversationId: personalChat,
    });
    const formCard = cardOf(sent.message);
    const values = inputValues(formCard);
    assert.equal(values.receivedVia, "email");
    assert.equal(values.raiserName, "Ruth Example");
    assert.equal(values.contactDetails, "ruth.example@example.org");
    // Press 2: what an email can't say is chosen, and the contact is logged.
    const action = findExecuteAction(formCard, "Log contact");
    const logged = await pg.execute(sent.conversationId, sent.message.messageId, {
      ...action,
      data: {
        ...action.data,
        ...values,
        contactType: EMAIL_CONTACT.contactType.id,
        raisedBy: EMAIL_CONTACT.raisedBy.id,
        consent: EMAIL_CONTACT.consent.id,
        patientName: EMAIL_CONTACT.patientName,
        division: EMAIL_CONTACT.division,
        subjects: EMAIL_CONTACT.subjects.id,
      },
    });
    assert.match(cardText(logged.value), /Logged as PALS-2026-\d{6}/);
    emailCase = { conversationId: sent.conversationId, messageId: sent.message.messageId, card: logged.value };
  });

  let emailCase: { conversationId: string; messageId: string; card: any };
  it(STEPS.acknowledgementSent, async () => {
    assert.match(cardText(emailCase.card), /Discharge letter - Arthur Example\.pdf/, "the email's attachment is kept with the case");
    const previewButton = findExecuteAction(emailCase.card, "Preview");
    const preview = await pg.execute(emailCase.conversationId, emailCase.messageId, {
      ...previewButton,
      data: { ...previewButton.data, emailKind: "acknowledgement", emailMessage: "", emailDocuments: "" },
    });
    assert.match(cardText(preview.value), /To: Ruth Example <ruth\.example@example\.org>/);
    assert.match(cardText(preview.value), /acknowledgement of your complaint/);
    const sent = await pg.execute(emailCase.conversationId, emailCase.messageId, findExecuteAction(preview.value, "Send"));
    assert.match(cardText(sent.value), /Sent to Ruth Example/);
    assert.match(cardText(sent.value), /Acknowledge by: .* · sent /);
    assert.equal(stack.sentEmails().length, 1, "one email in the folder mailbox's sent/");
  });

  it("never writes the patients' details to the bot's logs", () => {
    const logged = JSON.stringify(stack.botLogLines);
    const freeText = [
      CONCERN.summary,
      SAFEGUARDING_CONCERN.summary,
      INVESTIGATION.summary,
      INVESTIGATION.questions,
      INVESTIGATION.findings,
      INVESTIGATION.followUp,
    ];
    // The inbox's email too: its sender, subject and words.
    const email = ["Ruth Example", "ruth.example@example.org", "Concern about my father", EMAIL_CONTACT.patientName, "Discharge letter"];
    for (const secret of [PATIENT_NAME, CONCERN.raiserName, SAFEGUARDING_CONCERN.patientName, "9434765919", VALID_NHS_NUMBER, ...freeText, ...email]) {
      assert.ok(!logged.includes(secret), "a patient detail reached the logs");
    }
    assert.ok(
      stack.botLogLines.some((line) => line.msg === "Contact logged"),
      "the bot did log (ids only)",
    );
  });
});
