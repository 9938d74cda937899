// The PALS inbox end to end: .eml files dropped into the folder mailbox, the real restify server and teams-ai app,
// real Bot Framework activities, the embedded store. What an officer sees: one triage card per email in the inbox
// channel, logged as a case in two presses, replies filed on their case, machines' mail set aside.
import { strict as assert } from "node:assert";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { CHANNEL, channelMessage, MANAGER, OFFICER, personalMessage, TENANT_ID, VOLUNTEER, type TeamsUser } from "../helpers/activities";
import { cardOf, cardText, inputValues, startTestBot, type TestBot } from "../helpers/bot";
import { contactForm } from "../helpers/caseFixtures";

const NOW = new Date("2026-03-10T10:00:00Z");
const PRIYA: TeamsUser = { id: "29:2officer", name: "Priya Officer", aadObjectId: "00000000-0000-4000-8000-0000000000a6" };

function eml(options: { messageId: string; subject: string; from?: string; body?: string; headers?: string[] }): string {
  return [
    `From: ${options.from ?? "Ruth Example <ruth.example@example.org>"}`,
    "To: PALS <pals@trust.example>",
    `Subject: ${options.subject}`,
    "Date: Tue, 10 Mar 2026 08:15:00 +0000",
    `Message-ID: ${options.messageId}`,
    ...(options.headers ?? []),
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "",
    options.body ?? "My father was sent home from Ward 7 without his medication.\r\nPlease can someone call me.",
    "",
  ].join("\r\n");
}

/** The data of the card's Action.Execute button with this verb. */
function executeData(card: unknown, verb: string): Record<string, unknown> {
  let found: Record<string, unknown> | undefined;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== "object") return;
    const n = node as Record<string, unknown>;
    if (n.type === "Action.Execute" && n.verb === verb) found ??= n.data as Record<string, unknown>;
    Object.values(n).forEach(visit);
  };
  visit(card);
  assert.ok(found, `the card has a ${verb} button`);
  return found;
}

describe("The PALS inbox (folder mailbox, real HTTP activities)", function () {
  this.timeout(30_000);
  let t: TestBot;
  let dir: string;

  function drop(name: string, content: string, at = new Date("2026-03-10T08:15:00Z")): void {
    const file = path.join(dir, "mailbox", "inbox", name);
    fs.writeFileSync(file, content);
    fs.utimesSync(file, at, at);
  }

  const triageCards = () => t.connector.sentActivities.map(cardOf).filter((card) => card && JSON.stringify(card).includes('"inbox.log"'));
  const updates = () => t.connector.calls.filter((call) => call.method === "PUT" && /\/activities\//.test(call.path)).map((call) => call.body);

  async function arrive(): Promise<void> {
    await t.bot.mailbox!.catchUp();
    await t.bot.jobs.sweepNow();
  }

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pals-inbox-"));
    t = await startTestBot({
      now: () => NOW,
      env: {
        MAILBOX: "folder",
        MAILBOX_DIR: path.join(dir, "mailbox"),
        MAILBOX_TRUST: TENANT_ID,
        DOCUMENTS_DIR: path.join(dir, "documents"),
        ROLE_OFFICERS: `${OFFICER.aadObjectId},${PRIYA.aadObjectId}`,
        ROLE_MANAGERS: MANAGER.aadObjectId,
        ROLE_VOLUNTEERS: VOLUNTEER.aadObjectId,
      },
    });
    // The managers' channel: triage cards go there until an inbox channel is set.
    await t.send(channelMessage("set alerts channel", { serviceUrl: t.connector.url, from: MANAGER }));
    for (const person of [OFFICER, PRIYA, VOLUNTEER]) await t.send(personalMessage("help", { serviceUrl: t.connector.url, from: person }));
    t.connector.reset();
  });

  afterEach(async () => {
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("gives a new email one triage card, with the sender as stated and its first lines as plain text, however often it is delivered", async () => {
    drop("1.eml", eml({ messageId: "<first@example.org>", subject: "Concern about my father's discharge" }));
    drop("1-again.eml", eml({ messageId: "<first@example.org>", subject: "Concern about my father's discharge" }));
    await arrive();
    await t.bot.mailbox!.catchUp();
    await t.bot.jobs.sweepNow();
    const cards = triageCards();
    assert.equal(cards.length, 1, "one card for the same Message-ID delivered twice");
    const text = cardText(cards[0]);
    assert.match(text, /From: Ruth Example <ruth\.example@example\.org>/);
    assert.match(text, /Subject: Concern about my father's discharge/);
    assert.match(text, /sent home from Ward 7/);
    assert.match(text, /has not checked who sent it/);
    assert.deepEqual(fs.readdirSync(path.join(dir, "mailbox", "inbox")), [], "both files were read and moved out of inbox/");
  });

  it("logs an email as a case in two presses: the form comes filled in, the case keeps the email, the card says so for everyone", async () => {
    drop("1.eml", eml({ messageId: "<log@example.org>", subject: "Complaint about Ward 7" }));
    await arrive();
    const [card] = triageCards();
    const emailId = JSON.stringify(card).match(/"emailId":"([^"]+)"/)![1];
    const cardActivity = t.connector.calls.find((call) => call.method === "POST" && cardOf(call.body) === card)!;

    // Press 1, in the channel: the form goes to the officer's own chat; the card shows who is logging it.
    const pressed = await t.press("inbox.log", { emailId }, OFFICER, {
      activity: { replyToId: "card-1", conversation: { conversationType: "channel", id: `${CHANNEL.id};messageid=1`, tenantId: TENANT_ID } },
    });
    assert.match(cardText(pressed.value), /The form is in your chat with PALS Desk/);
    assert.ok(cardActivity);
    const form = t.connector.sentActivities.map(cardOf).find((c) => c && JSON.stringify(c).includes('"contact.submit"'));
    assert.ok(form, "the quick-capture form was posted in the officer's chat");
    const values = inputValues(form);
    assert.equal(values.receivedVia, "email");
    assert.equal(values.raiserName, "Ruth Example");
    assert.equal(values.contactDetails, "ruth.example@example.org");
    assert.equal(values.receivedOn, "2026-03-10");
    assert.match(values.summary, /Complaint about Ward 7[\s\S]*sent home from Ward 7/);

    // Press 2: the officer completes what the email can't say and logs it.
    const submit = executeData(form, "contact.submit");
    assert.equal(submit.fromEmail, emailId, "the form names the email it was filled from");
    const data = { ...values, ...contactForm({ raiserName: "Ruth Example", contactDetails: "ruth.example@example.org", receivedOn: "2026-03-10" }), ...submit };
    const logged = await t.press("contact.submit", data, OFFICER);
    const reference = cardText(logged.value).match(/PALS-2026-\d{6}/)![0];
    assert.match(cardText(logged.value), new RegExp(`Logged as ${reference}`));

    const { resources: cases } = await t.bot.store.containers.cases.items.query("SELECT * FROM c WHERE c.docType = 'case'").fetchAll();
    assert.equal(cases.length, 1);
    const { resources: events } = await t.bot.store.containers.events.items
      .query({ query: "SELECT * FROM c WHERE c.caseId = @id", parameters: [{ name: "@id", value: cases[0].id }] })
      .fetchAll();
    const emailEvent = events.find((e: any) => e.kind === "email-received");
    assert.ok(emailEvent, "the email is on the case's timeline");
    assert.match(emailEvent.detail, /Subject: Complaint about Ward 7[\s\S]*sent home from Ward 7/);

    // A colleague's form for the same email finds the same case: one case per email.
    const again = await t.press("contact.submit", { ...data, formId: randomUUID() }, PRIYA);
    assert.match(cardText(again.value), new RegExp(`already logged as ${reference}`));
    const { resources: still } = await t.bot.store.containers.cases.items.query("SELECT VALUE COUNT(1) FROM c WHERE c.docType = 'case'").fetchAll();
    assert.equal(still[0], 1);

    // The card in the channel is redrawn for everyone: logged, by whom, and no more buttons.
    await t.bot.jobs.sweepNow();
    const redrawn = updates()
      .map(cardOf)
      .find((c) => c && cardText(c).includes(`Logged as ${reference}`));
    assert.ok(redrawn, "the triage card was updated to say it was logged");
    assert.ok(!JSON.stringify(redrawn).includes('"inbox.log"'), "no buttons once it is dealt with");

    // And the email is no longer listed.
    const list = await t.send(personalMessage("inbox", { serviceUrl: t.connector.url, from: OFFICER }));
    assert.equal(list.status, 200);
    const listed = cardOf(t.connector.sentActivities.at(-1));
    assert.match(cardText(listed), /Nothing is waiting/);
  });

  it("lets a volunteer log an email but not set it aside; an officer's 'Not a case' is final for everyone", async () => {
    drop("1.eml", eml({ messageId: "<spam@example.org>", subject: "You have won" }));
    await arrive();
    const emailId = JSON.stringify(triageCards()[0]).match(/"emailId":"([^"]+)"/)![1];
    const volunteer = await t.press("inbox.notACase", { emailId, reason: "spam" }, VOLUNTEER);
    assert.match(cardText(volunteer.value), /Volunteers can't mark emails as not a case/);
    const officer = await t.press("inbox.notACase", { emailId, reason: "spam" }, OFFICER);
    assert.match(cardText(officer.value), /Not a case \(spam or phishing\): Olivia Officer/);
    const late = await t.press("inbox.take", { emailId }, PRIYA);
    assert.match(cardText(late.value), /already dealt with\. Not a case/);
    const forged = await t.press("inbox.notACase", { emailId: "email-of-another-trust", reason: "spam" }, OFFICER);
    assert.match(cardText(forged.value), /no longer in the PALS inbox/);
  });

  it("files a reply that names this trust's case on its timeline, as contact with the complainant, and tells the owner: no triage card", async () => {
    const logged = await t.press(
      "contact.submit",
      { formId: randomUUID(), ...contactForm({ receivedOn: "2026-03-09", contactDetails: "ruth.example@example.org" }) },
      OFFICER,
    );
    const reference = cardText(logged.value).match(/PALS-2026-\d{6}/)![0];
    t.connector.reset();
    drop("reply.eml", eml({ messageId: "<reply@example.org>", subject: `RE: Your complaint ${reference}`, body: "Thank you, Thursday suits me." }));
    drop("other.eml", eml({ messageId: "<other@example.org>", subject: "RE: PALS-2026-009999", body: "About a case of another trust." }));
    // References are easy to guess: from an address the case doesn't have, a person looks at it first.
    drop(
      "stranger.eml",
      eml({ messageId: "<stranger@example.org>", from: "Someone Else <someone@elsewhere.example>", subject: `RE: ${reference}`, body: "Please close it." }),
    );
    await arrive();
    const cards = triageCards();
    assert.equal(cards.length, 2, "the email naming no case of this trust and the stranger's get cards");
    assert.ok(cards.some((card) => /PALS-2026-009999/.test(cardText(card))));
    assert.ok(cards.some((card) => /someone@elsewhere\.example/.test(cardText(card))));
    const told = t.connector.sentActivities.map(cardOf).find((c) => c && cardText(c).includes(`A reply reached ${reference}`));
    assert.ok(told, "the owner is told in their chat");
    const { resources } = await t.bot.store.containers.cases.items.query("SELECT * FROM c WHERE c.docType = 'case'").fetchAll();
    assert.equal(resources[0].updates?.[0]?.how, "email", "the reply counts as contact with the complainant");
  });

  it("sets machines' mail aside: no card, no case, no reply", async () => {
    drop("ooo.eml", eml({ messageId: "<ooo@example.org>", subject: "Automatic reply: Your complaint", headers: ["Auto-Submitted: auto-replied"] }));
    await arrive();
    assert.equal(triageCards().length, 0);
    assert.equal(t.connector.sentActivities.length, 0, "nothing is sent, anywhere");
  });

  it("lists the emails still to deal with for officers, oldest first, and not for volunteers", async () => {
    drop("a.eml", eml({ messageId: "<a@example.org>", subject: "Second" }), new Date("2026-03-10T08:00:00Z"));
    drop("b.eml", eml({ messageId: "<b@example.org>", subject: "First" }), new Date("2026-03-06T08:00:00Z"));
    await arrive();
    t.connector.reset();
    await t.send(personalMessage("inbox", { serviceUrl: t.connector.url, from: OFFICER }));
    const text = cardText(cardOf(t.connector.sentActivities.at(-1)));
    assert.match(text, /2 emails to deal with/);
    assert.ok(text.indexOf("First") < text.indexOf("Second"), "oldest first");
    assert.match(text, /2 working days waiting/);
    await t.send(personalMessage("inbox", { serviceUrl: t.connector.url, from: VOLUNTEER }));
    assert.match(JSON.stringify(t.connector.sentActivities.at(-1)), /Volunteers can't see the PALS inbox/);
  });

  it("tells the managers' channel each morning about emails waiting more than a working day", async () => {
    drop("old.eml", eml({ messageId: "<old@example.org>", subject: "Waiting" }), new Date("2026-03-05T08:00:00Z"));
    await arrive();
    const word = t.connector.sentActivities.map(cardOf).find((c) => c && cardText(c).includes("Emails waiting in the PALS inbox"));
    assert.ok(word);
    assert.match(cardText(word), /1 email has waited more than a working day/);
  });
});
