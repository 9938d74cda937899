// Letters and emails sent from the case, and the case's documents, end to end: the real restify server and teams-ai
// app with real Bot Framework activities, the embedded store, the folder mailbox (sent/ holds what went) and the
// folder document store. What officers see: an email's attachment listed and opened from the case, the
// acknowledgement sent from the case in two presses and recorded, nothing sent twice, nothing sent to the wrong person.
import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { simpleParser } from "mailparser";
import type { Case, CaseEvent } from "../../src/domain";
import { docxText } from "../../src/mail/letterDocx";
import { MANAGER, OFFICER, personalMessage, TENANT_ID, VOLUNTEER } from "../helpers/activities";
import { cardText, startTestBot, type TestBot } from "../helpers/bot";
import { contactForm } from "../helpers/caseFixtures";
import { listenOnLoopback, closeNow } from "../helpers/ports";

const SAMPLE = path.resolve(__dirname, "..", "..", "env", "mail", "sample-complaint.eml");

/** The data of the card's Action.Execute (or Action.OpenUrl's url) with this verb or title. */
function actionOf(card: unknown, match: (node: Record<string, unknown>) => boolean): Record<string, unknown> {
  let found: Record<string, unknown> | undefined;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== "object") return;
    const n = node as Record<string, unknown>;
    if (match(n)) found ??= n;
    Object.values(n).forEach(visit);
  };
  visit(card);
  assert.ok(found, "the card has the button");
  return found;
}
const executeData = (card: unknown, verb: string) => actionOf(card, (n) => n.type === "Action.Execute" && n.verb === verb).data as Record<string, unknown>;
const openUrl = (card: unknown) => String(actionOf(card, (n) => n.type === "Action.OpenUrl").url);

describe("letters and emails sent from the case, and its documents (folder mailbox and documents, real HTTP activities)", function () {
  this.timeout(30_000);
  let t: TestBot;
  let dir: string;
  let clock: Date;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pals-send-"));
    clock = new Date("2026-03-10T10:00:00Z");
    t = await startTestBot({
      now: () => clock,
      env: {
        MAILBOX: "folder",
        MAILBOX_DIR: path.join(dir, "mailbox"),
        MAILBOX_TRUST: TENANT_ID,
        DOCUMENTS_DIR: path.join(dir, "documents"),
        TRUST_NAME: "Example Hospitals NHS Foundation Trust",
        ROLE_OFFICERS: OFFICER.aadObjectId,
        ROLE_MANAGERS: MANAGER.aadObjectId,
        ROLE_VOLUNTEERS: VOLUNTEER.aadObjectId,
      },
    });
    for (const person of [OFFICER, VOLUNTEER]) await t.send(personalMessage("help", { serviceUrl: t.connector.url, from: person }));
  });

  afterEach(async () => {
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function logComplaint(overrides: Record<string, unknown> = {}): Promise<Case> {
    const answer = await t.press(
      "contact.submit",
      { formId: randomUUID(), ...contactForm({ receivedOn: "2026-03-09", contactDetails: "margaret.jones@example.org", ...overrides }) },
      OFFICER,
    );
    const caseId = JSON.stringify(answer.value).match(/"caseId":"([0-9a-f-]{36})"/)![1];
    return stored(caseId);
  }
  const stored = async (caseId: string) => (await t.bot.store.containers.cases.item(caseId, TENANT_ID).read<Case>()).resource!;
  const timeline = async (caseId: string) =>
    (
      await t.bot.store.containers.events.items
        .query<CaseEvent>({ query: "SELECT * FROM c WHERE c.caseId = @id", parameters: [{ name: "@id", value: caseId }] })
        .fetchAll()
    ).resources;
  const sentFiles = () => fs.readdirSync(path.join(dir, "mailbox", "sent")).filter((f) => f.endsWith(".eml"));

  it("lists a logged email's attachment on the case card and opens it through a link checked again when it is used", async () => {
    fs.copyFileSync(SAMPLE, path.join(dir, "mailbox", "inbox", "sample.eml"));
    await t.bot.mailbox!.catchUp();
    const { resources } = await t.bot.store.containers.inbox.items.query("SELECT c.id FROM c WHERE c.docType = 'email'").fetchAll();
    const logged = await t.press(
      "contact.submit",
      {
        formId: randomUUID(),
        ...contactForm({ receivedOn: "2026-03-10", contactType: "concern", raisedBy: "family", raiserName: "Ruth Example", consent: "given" }),
        fromEmail: resources[0].id,
      },
      OFFICER,
    );
    assert.match(cardText(logged.value), /Documents \(1\)/);
    assert.match(cardText(logged.value), /1\. Discharge letter - Arthur Example\.pdf · 695 bytes · from an email/);
    const c = await stored(JSON.stringify(logged.value).match(/"caseId":"([0-9a-f-]{36})"/)![1]);

    const opened = await t.press("case.openDocument", { caseId: c.id, documentId: c.documents![0].id }, OFFICER);
    const url = openUrl(opened.value);
    const download = await fetch(url);
    assert.equal(download.status, 200, await download.clone().text());
    assert.match(download.headers.get("content-disposition") ?? "", /^attachment;/);
    assert.equal(download.headers.get("content-type"), "application/octet-stream", "never shown in the browser");
    assert.ok(
      Buffer.from(await download.arrayBuffer())
        .subarray(0, 5)
        .equals(Buffer.from("%PDF-")),
    );

    // Forged: the link names another document, or the signature is changed.
    const [payload, signature] = url.split("/api/documents?link=")[1].split(".");
    const forgedClaims = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, "base64url").toString()), d: "another" })).toString("base64url");
    assert.equal((await fetch(`${t.bot.url}/api/documents?link=${forgedClaims}.${signature}`)).status, 404);
    assert.equal((await fetch(`${url}x`)).status, 404);

    // A volunteer may open a document of an ordinary case; once the case is restricted, their link stops working.
    const volunteers = openUrl((await t.press("case.openDocument", { caseId: c.id, documentId: c.documents![0].id }, VOLUNTEER)).value);
    const current = await t.bot.store.containers.cases.item(c.id, TENANT_ID).read<Case>();
    await t.bot.store.containers.cases.item(c.id, TENANT_ID).replace({ ...current.resource!, safeguarding: true });
    const refused = await fetch(volunteers);
    assert.equal(refused.status, 403);
    assert.match(await refused.text(), /restricted/);
    assert.match(cardText((await t.press("case.openDocument", { caseId: c.id, documentId: c.documents![0].id }, VOLUNTEER)).value), /restricted/);

    // Expired: links work for 10 minutes.
    clock = new Date(clock.getTime() + 11 * 60_000);
    assert.equal((await fetch(url)).status, 410);
  });

  it("sends the acknowledgement from the case in two presses: exactly what was previewed goes, once, and the acknowledgement is recorded", async () => {
    const c = await logComplaint();
    // Press 1: preview.
    const preview = await t.press("mail.preview", { caseId: c.id, emailKind: "acknowledgement", emailMessage: "", emailDocuments: "" }, OFFICER);
    const text = cardText(preview.value);
    assert.match(text, /To: Margaret Jones <margaret\.jones@example\.org>/);
    assert.match(text, new RegExp(`Subject: ${c.reference}: acknowledgement of your complaint`));
    assert.match(text, new RegExp(`Attached: ${c.reference} Acknowledgement letter\\.docx \\(made on Send\\)`));
    assert.match(text, /Dear Margaret Jones,/);
    assert.match(text, /Nothing is sent until you press Send/);
    assert.equal(sentFiles().length, 0, "nothing is sent by a preview");

    // Press 2: Send.
    const send = executeData(preview.value, "mail.send");
    const sent = await t.press("mail.send", send, OFFICER);
    assert.match(cardText(sent.value), /Sent to Margaret Jones at/);
    assert.match(cardText(sent.value), /Acknowledge by: Thursday 12 March 2026 · sent Tuesday 10 March 2026/);
    assert.equal(sentFiles().length, 1);
    const email = await simpleParser(fs.readFileSync(path.join(dir, "mailbox", "sent", sentFiles()[0])));
    assert.equal(email.subject, `${c.reference}: acknowledgement of your complaint`);
    assert.equal(email.to && !Array.isArray(email.to) ? email.to.value[0].address : "", "margaret.jones@example.org");
    assert.match(email.text ?? "", /Dear Margaret Jones,/);
    const word = email.attachments.find((a) => a.filename === `${c.reference} Acknowledgement letter.docx`);
    assert.ok(word, "the letter goes as a Word document on the letterhead");
    assert.match(docxText(word.content), /Example Hospitals NHS Foundation Trust/);
    assert.match(docxText(word.content), /Dear Margaret Jones,/);

    const after = await stored(c.id);
    assert.equal(after.deadlines.acknowledgedOn, "2026-03-10", "the acknowledgement clock stops");
    assert.equal(after.updates?.at(-1)?.how, "email", "and it counts as an update to the complainant");
    assert.equal(after.correspondence?.[0].status, "sent");
    assert.ok(
      after.documents?.some((d) => d.source === "letter"),
      "the letter is kept with the case",
    );
    const events = await timeline(c.id);
    const filed = events.find((e) => e.kind === "email-sent");
    assert.ok(filed);
    assert.match(filed.summary, /Acknowledgement letter emailed to Margaret Jones \(margaret\.jones@example\.org\)/);
    assert.match(filed.detail ?? "", /Dear Margaret Jones,/);

    // The same Send again (a double press, a retry): nothing more goes.
    const again = await t.press("mail.send", send, OFFICER);
    assert.match(cardText(again.value), /Sent to Margaret Jones/);
    assert.equal(sentFiles().length, 1);
    assert.equal((await timeline(c.id)).filter((e) => e.kind === "email-sent").length, 1);
  });

  it("refuses a Send whose email changed since the preview, and shows the new one", async () => {
    const c = await logComplaint();
    const preview = await t.press("mail.preview", { caseId: c.id, emailKind: "message", emailMessage: "We have your complaint.", emailDocuments: "" }, OFFICER);
    const send = executeData(preview.value, "mail.send");
    const changed = await t.press("mail.send", { ...send, emailMessage: "Something else entirely." }, OFFICER);
    assert.match(cardText(changed.value), /has changed since you looked at it/);
    assert.match(cardText(changed.value), /Something else entirely\./);
    assert.equal(sentFiles().length, 0);
  });

  it("writes only to the person who raised it: never to a representative without consent, never without an address", async () => {
    const family = await logComplaint({ raisedBy: "family", raiserName: "Sam Jones", consent: "not-yet" });
    const noConsent = await t.press("mail.preview", { caseId: family.id, emailKind: "message", emailMessage: "Hello", emailDocuments: "" }, OFFICER);
    assert.match(cardText(noConsent.value), /consent isn't recorded/);
    const noAddress = await logComplaint({ contactDetails: "07700 900123" });
    const phoneOnly = await t.press("mail.preview", { caseId: noAddress.id, emailKind: "message", emailMessage: "Hello", emailDocuments: "" }, OFFICER);
    assert.match(cardText(phoneOnly.value), /No email address is recorded for Margaret Jones/);
    const volunteer = await t.press("mail.preview", { caseId: noAddress.id, emailKind: "message", emailMessage: "Hello", emailDocuments: "" }, VOLUNTEER);
    assert.match(cardText(volunteer.value), /Volunteers can't send emails from cases/);
  });

  it("keeps a file sent in the chat with a case reference, and refuses a program whatever its name", async () => {
    const c = await logComplaint();
    const files = http.createServer((req, res) => {
      const pdf = req.url === "/letter.pdf";
      res.writeHead(200, { "content-type": "application/octet-stream" });
      res.end(pdf ? Buffer.from("%PDF-1.4\n%%EOF\n") : Buffer.concat([Buffer.from("MZ"), Buffer.alloc(200)]));
    });
    const base = await listenOnLoopback(files);
    try {
      const withFile = (name: string, file: string) => ({
        ...personalMessage(`For ${c.reference}`, { serviceUrl: t.connector.url, from: OFFICER }),
        attachments: [
          {
            contentType: "application/vnd.microsoft.teams.file.download.info",
            name,
            content: { downloadUrl: `${base}/${file}`, fileType: name.split(".").pop() },
          },
        ],
      });
      t.connector.reset();
      await t.send(withFile("GP letter.pdf", "letter.pdf"));
      assert.match(t.connector.sentActivities.at(-1).text, new RegExp(`Kept with ${c.reference}: GP letter\\.pdf`));
      await t.send(withFile("photo.jpg", "program"));
      assert.match(t.connector.sentActivities.at(-1).text, /doesn't keep programs/);
      const after = await stored(c.id);
      assert.deepEqual(
        after.documents?.map((d) => d.name),
        ["GP letter.pdf"],
      );
    } finally {
      await closeNow(files);
    }
  });

  it("emails the case file and the letters to the Ombudsman (managers), from the address in the trust's PHSO entry", async () => {
    const c = await logComplaint();
    // The acknowledgement first, so there is a letter on the letterhead to go with the file.
    const ack = await t.press("mail.preview", { caseId: c.id, emailKind: "acknowledgement", emailMessage: "", emailDocuments: "" }, OFFICER);
    await t.press("mail.send", executeData(ack.value, "mail.send"), OFFICER);
    const officer = await t.press("mail.preview", { caseId: c.id, emailKind: "ombudsman-file", emailMessage: "", emailDocuments: "" }, OFFICER);
    assert.match(cardText(officer.value), /Only a PALS manager can send the case file to the Ombudsman/);
    const noAddress = await t.press("mail.preview", { caseId: c.id, emailKind: "ombudsman-file", emailMessage: "", emailDocuments: "" }, MANAGER);
    assert.match(cardText(noAddress.value), /no email address for the Ombudsman/);
  });
});

describe("the Ombudsman's file, where the trust's signposting gives the PHSO's address (real HTTP activities)", function () {
  this.timeout(30_000);
  let t: TestBot;
  let dir: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pals-phso-"));
    const national = JSON.parse(fs.readFileSync(path.resolve(__dirname, "..", "..", "src", "domain", "signposting", "national.json"), "utf8")) as {
      entries: { id: string; contact: Record<string, string> }[];
    };
    const phso = national.entries.find((e) => e.id === "phso")!;
    const local = path.join(dir, "signposting.json");
    fs.writeFileSync(local, JSON.stringify({ entries: [{ ...phso, contact: { ...phso.contact, email: "casework@phso.example" } }] }));
    t = await startTestBot({
      now: () => new Date("2026-03-10T10:00:00Z"),
      env: {
        MAILBOX: "folder",
        MAILBOX_DIR: path.join(dir, "mailbox"),
        MAILBOX_TRUST: TENANT_ID,
        DOCUMENTS_DIR: path.join(dir, "documents"),
        SIGNPOSTING_LOCAL_FILE: local,
        TRUST_NAME: "Example Hospitals NHS Foundation Trust",
        ROLE_OFFICERS: OFFICER.aadObjectId,
        ROLE_MANAGERS: MANAGER.aadObjectId,
      },
    });
  });
  after(async () => {
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("shows the bundle, sends it once, and records what went on the timeline", async () => {
    const logged = await t.press(
      "contact.submit",
      { formId: randomUUID(), ...contactForm({ receivedOn: "2026-03-09", contactDetails: "margaret.jones@example.org" }) },
      OFFICER,
    );
    const caseId = JSON.stringify(logged.value).match(/"caseId":"([0-9a-f-]{36})"/)![1];
    const ack = await t.press("mail.preview", { caseId, emailKind: "acknowledgement", emailMessage: "", emailDocuments: "" }, OFFICER);
    await t.press("mail.send", executeData(ack.value, "mail.send"), OFFICER);

    const preview = await t.press("mail.preview", { caseId, emailKind: "ombudsman-file", emailMessage: "", emailDocuments: "" }, MANAGER);
    const text = cardText(preview.value);
    assert.match(text, /To: PHSO <casework@phso\.example>/);
    assert.match(text, /Attached: PALS-2026-000001 case file\.html \(made on Send\), PALS-2026-000001 Acknowledgement letter\.docx/);
    const sent = await t.press("mail.send", executeData(preview.value, "mail.send"), MANAGER);
    assert.match(cardText(sent.value), /Sent to PHSO/);
    const files = fs.readdirSync(path.join(dir, "mailbox", "sent")).filter((f) => f.endsWith(".eml"));
    assert.equal(files.length, 2);
    const emails = await Promise.all(files.map(async (f) => simpleParser(fs.readFileSync(path.join(dir, "mailbox", "sent", f)))));
    const bundle = emails.find((e) => e.subject?.includes("complaint file for the Ombudsman"));
    assert.ok(bundle);
    assert.deepEqual(bundle.attachments.map((a) => a.filename).sort(), ["PALS-2026-000001 Acknowledgement letter.docx", "PALS-2026-000001 case file.html"]);
    const { resources } = await t.bot.store.containers.events.items
      .query<CaseEvent>({ query: "SELECT * FROM c WHERE c.caseId = @id AND c.kind = 'email-sent'", parameters: [{ name: "@id", value: caseId }] })
      .fetchAll();
    assert.ok(resources.some((e) => /Case file for the Ombudsman emailed to PHSO \(casework@phso\.example\)/.test(e.summary)));
  });
});
