// The inbox's exactly-once rules against the embedded Cosmos DB server: several instances receiving the same
// email and officers pressing at once give one email, one triage card and one case; a crash between the case and
// the email's mark loses nothing (the case's follow-up marks the email, whoever finds it).
import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { createCaseDesk, type CaseDeskDeps } from "../../src/cases";
import { finishPendingCases } from "../../src/cases/changes";
import { applyRetention } from "../../src/cases/retention";
import type { Caller, ParsedEmail } from "../../src/domain";
import { createLogger } from "../../src/logger";
import { FolderDocuments } from "../../src/mail/folderDocuments";
import type { Store } from "../../src/store/cosmos";
import { contactForm } from "../helpers/caseFixtures";
import { deskDeps } from "../helpers/desk";
import { openTestStore } from "../helpers/store";
import { destroyDecided } from "../helpers/retention";

const NOW = new Date("2026-03-10T10:00:00Z");
const quiet = () => createLogger("silent", new Writable({ write: (_c, _e, done) => done() }));

function officer(trustId: string, n: number): Caller {
  return { trustId, tenantId: trustId, actor: { aadObjectId: `officer-${n}`, name: `Officer ${n}` }, teamsUserId: `29:${n}`, roles: new Set(["officer"]) };
}

function parsed(messageId: string, overrides: Partial<ParsedEmail> = {}): ParsedEmail {
  return {
    messageId,
    from: { name: "Ruth Example", address: "ruth.example@example.org" },
    to: ["pals@trust.example"],
    subject: "Concern about Ward 7",
    receivedAt: "2026-03-10T08:15:00.000Z",
    text: "My father was sent home without his medication.",
    textCut: false,
    references: [],
    attachments: [{ name: "discharge letter.pdf", contentType: "application/pdf", size: 9, content: Buffer.from("%PDF-1.4\n") }],
    ...overrides,
  };
}

describe("the PALS inbox: exactly once across instances and crashes (embedded Cosmos DB)", function () {
  this.timeout(30_000);
  let store: Store;
  let dir: string;
  let deps: CaseDeskDeps;

  before(async () => {
    store = await openTestStore();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pals-docs-"));
    deps = { ...deskDeps(store, { log: quiet(), now: () => NOW }), documents: new FolderDocuments(dir) };
  });
  after(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Three instances: each its own application layer over the one store. */
  const instances = () => [1, 2, 3].map(() => createCaseDesk({ ...deps, log: quiet() }));

  async function outboxOf(trustId: string): Promise<{ id: string; payload: { kind: string } }[]> {
    const { resources } = await store.containers.jobs.items
      .query({ query: "SELECT c.id, c.payload FROM c WHERE c.trustId = @t AND c.docType = 'outbox'", parameters: [{ name: "@t", value: trustId }] })
      .fetchAll();
    return resources;
  }

  it("keeps one email and queues one triage card when three instances receive it at once, and keeps its attachment", async () => {
    const trustId = `trust-${randomUUID()}`;
    const incoming = { trustId, mailbox: "pals@trust.example", email: parsed(`<${randomUUID()}@example.org>`) };
    const outcomes = await Promise.all(instances().map((desk) => desk.inbox.receiveEmail(incoming)));
    assert.deepEqual(outcomes.filter((o) => o === "new").length, 1, "one instance kept it, the others found it");
    const cards = (await outboxOf(trustId)).filter((item) => item.payload.kind === "inbox-email");
    assert.equal(cards.length, 1);
    const { emails } = await deps.inbox.listOpen(trustId, 10);
    assert.equal(emails.length, 1);
    const key = emails[0].attachments[0].documentKey!;
    assert.equal((await deps.documents.get(trustId, key))?.toString(), "%PDF-1.4\n");
  });

  it("makes one case when three officers log the same email at the same moment", async () => {
    const trustId = `trust-${randomUUID()}`;
    const desks = instances();
    await desks[0].inbox.receiveEmail({ trustId, mailbox: "pals@trust.example", email: parsed(`<${randomUUID()}@example.org>`) });
    const [{ id: emailId }] = (await deps.inbox.listOpen(trustId, 1)).emails;
    const results = await Promise.all(
      desks.map((desk, i) =>
        desk.contacts.logContact(officer(trustId, i + 1), randomUUID(), { ...contactForm({ receivedOn: "2026-03-10" }), fromEmail: emailId }),
      ),
    );
    const caseIds = new Set(results.map((r) => (r.ok ? r.view.record.value.id : r.problem)));
    assert.equal(caseIds.size, 1, `one case for everyone: ${[...caseIds].join(", ")}`);
    assert.equal(results.filter((r) => r.ok && !r.alreadyLogged).length, 1);
    const email = await deps.inbox.get(trustId, emailId);
    assert.equal(email?.value.state, "logged");
    assert.equal(email?.value.outcome?.caseId, [...caseIds][0]);
  });

  it("loses nothing when the instance stops between saving the case and marking the email: the case's follow-up marks it", async () => {
    const trustId = `trust-${randomUUID()}`;
    const desk = createCaseDesk(deps);
    await desk.inbox.receiveEmail({ trustId, mailbox: "pals@trust.example", email: parsed(`<${randomUUID()}@example.org>`) });
    const [{ id: emailId }] = (await deps.inbox.listOpen(trustId, 1)).emails;
    // The store fails every write to the email (the instance is gone before it gets there).
    const crashing = createCaseDesk({
      ...deps,
      inbox: {
        ...deps.inbox,
        get: deps.inbox.get.bind(deps.inbox),
        linkThread: deps.inbox.linkThread.bind(deps.inbox),
        save: () => Promise.reject(new Error("crashed")),
      },
    });
    const logged = await crashing.contacts.logContact(officer(trustId, 1), randomUUID(), { ...contactForm({ receivedOn: "2026-03-10" }), fromEmail: emailId });
    assert.ok(logged.ok, "the case is saved");
    assert.equal((await deps.inbox.get(trustId, emailId))?.value.state, "untriaged", "the email's mark did not happen yet");
    assert.equal(logged.view.record.pending.length, 1, "the mark stays on the case as a follow-up");
    await finishPendingCases(deps);
    const email = await deps.inbox.get(trustId, emailId);
    assert.equal(email?.value.state, "logged", "the sweep finished it");
    assert.equal(email?.value.outcome?.caseId, logged.view.record.value.id);
  });

  it("files a reply once when it arrives twice, through its In-Reply-To, and counts it once", async () => {
    const trustId = `trust-${randomUUID()}`;
    const desk = createCaseDesk(deps);
    const first = `<${randomUUID()}@example.org>`;
    await desk.inbox.receiveEmail({ trustId, mailbox: "pals@trust.example", email: parsed(first) });
    const [{ id: emailId }] = (await deps.inbox.listOpen(trustId, 1)).emails;
    const logged = await desk.contacts.logContact(officer(trustId, 1), randomUUID(), { ...contactForm({ receivedOn: "2026-03-10" }), fromEmail: emailId });
    assert.ok(logged.ok);
    const reply = {
      trustId,
      mailbox: "pals@trust.example",
      email: parsed(`<${randomUUID()}@example.org>`, { subject: "Re: Concern", inReplyTo: first, references: [first] }),
    };
    const outcomes = await Promise.all(instances().map((d) => d.inbox.receiveEmail(reply)));
    assert.ok(outcomes.includes("filed"));
    const events = await deps.timeline.list(logged.view.record.value.id);
    assert.equal(events.filter((e) => e.kind === "email-received").length, 2, "the first email and the reply, once each");
    const c = (await deps.cases.get(trustId, logged.view.record.value.id))!.value;
    assert.equal(c.updates?.length, 1, "one contact counted");
  });

  it("deletes the emails and attachments that became a case when records retention anonymises it", async () => {
    const trustId = `trust-${randomUUID()}`;
    const desk = createCaseDesk(deps);
    await desk.inbox.receiveEmail({ trustId, mailbox: "pals@trust.example", email: parsed(`<${randomUUID()}@example.org>`) });
    const [{ id: emailId, attachments }] = (await deps.inbox.listOpen(trustId, 1)).emails;
    const logged = await desk.contacts.logContact(officer(trustId, 1), randomUUID(), { ...contactForm({ receivedOn: "2026-03-10" }), fromEmail: emailId });
    assert.ok(logged.ok);
    // A document of the case's own, besides the email's attachment.
    await deps.documents.put(trustId, `cases/${logged.view.record.value.id}/letter`, Buffer.from("letter"), "text/plain");
    const record = (await deps.cases.get(trustId, logged.view.record.value.id))!;
    const closedLongAgo = { ...record.value, status: "closed", closedOn: "2015-01-05" } as const;
    // A manager decided at the records retention review to destroy it: only that lets the records go.
    await deps.cases.save({ ...closedLongAgo, ...destroyDecided(closedLongAgo, NOW) }, { ...record }, record.etag);
    assert.equal(await applyRetention(deps, trustId, record.value.id), "applied");
    assert.equal(await deps.inbox.get(trustId, emailId), undefined, "the email is gone with the case's details");
    assert.equal(await deps.documents.get(trustId, attachments[0].documentKey!), undefined, "and its attachment");
    assert.equal(await deps.documents.get(trustId, `cases/${record.value.id}/letter`), undefined, "and the case's own documents");
  });

  it("gives a reply to a closed case a triage card instead of filing it unseen, and one whose case can't be read too", async () => {
    const trustId = `trust-${randomUUID()}`;
    const desk = createCaseDesk(deps);
    const first = `<${randomUUID()}@example.org>`;
    await desk.inbox.receiveEmail({ trustId, mailbox: "pals@trust.example", email: parsed(first) });
    const [{ id: emailId }] = (await deps.inbox.listOpen(trustId, 1)).emails;
    const logged = await desk.contacts.logContact(officer(trustId, 1), randomUUID(), { ...contactForm({ receivedOn: "2026-03-10" }), fromEmail: emailId });
    assert.ok(logged.ok);
    const record = (await deps.cases.get(trustId, logged.view.record.value.id))!;
    await deps.cases.save({ ...record.value, status: "closed", closedOn: "2026-03-10" }, { ...record }, record.etag);
    const reply = (n: number) => ({
      trustId,
      mailbox: "pals@trust.example",
      email: parsed(`<${randomUUID()}@example.org>`, { subject: `Re: ${n}`, inReplyTo: first, references: [first] }),
    });
    assert.equal(await desk.inbox.receiveEmail(reply(1)), "new", "a closed case's reply is for a person to look at");
    const broken = createCaseDesk({ ...deps, cases: Object.assign(Object.create(deps.cases), { get: () => Promise.reject(new Error("unreadable")) }) });
    assert.equal(await broken.inbox.receiveEmail(reply(2)), "new", "the mailbox is never held up by one email");
  });

  it("never lets a second email with the same Message-ID, sender and subject replace the attachment a case already holds", async () => {
    const trustId = `trust-${randomUUID()}`;
    const desk = createCaseDesk(deps);
    const messageId = `<${randomUUID()}@example.org>`;
    await desk.inbox.receiveEmail({ trustId, mailbox: "pals@trust.example", email: parsed(messageId) });
    const [{ attachments }] = (await deps.inbox.listOpen(trustId, 1)).emails;
    const forged = parsed(messageId, {
      attachments: [{ name: "discharge letter.pdf", contentType: "application/pdf", size: 8, content: Buffer.from("TAMPERED") }],
    });
    assert.equal(await desk.inbox.receiveEmail({ trustId, mailbox: "pals@trust.example", email: forged }), "again");
    assert.equal((await deps.documents.get(trustId, attachments[0].documentKey!))?.toString(), "%PDF-1.4\n", "the kept attachment is as it came");
  });
});
