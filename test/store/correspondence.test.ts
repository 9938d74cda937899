// A send from a case is one change carrying its follow-ups: a crash at any write of it (before the case is saved,
// after the mail server took the email but before the case says so) neither loses the record nor sends twice.
// Against the embedded Cosmos DB server, with a mail sender that behaves as the real ones (one email per send id).
import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { createCaseDesk, type CaseDeskDeps } from "../../src/cases";
import { sendOutboxId } from "../../src/cases/correspondence";
import type { Caller, CaseRecord, MailSender, OutboxItem, OutgoingEmail } from "../../src/domain";
import { createLogger } from "../../src/logger";
import { FolderDocuments } from "../../src/mail/folderDocuments";
import type { Store } from "../../src/store/cosmos";
import { contactForm } from "../helpers/caseFixtures";
import { deskDeps } from "../helpers/desk";
import { openTestStore } from "../helpers/store";

const NOW = new Date("2026-03-10T10:00:00Z");
const quiet = () => createLogger("silent", new Writable({ write: (_c, _e, done) => done() }));

/** The real senders' promise: one email per send id, however often asked. Counts what actually went. */
class OnceSender implements MailSender {
  readonly sent = new Map<string, OutgoingEmail>();
  failNext = 0;
  async send(email: OutgoingEmail) {
    if (this.failNext > 0) {
      this.failNext -= 1;
      return { ok: false as const, status: 503, permanent: false };
    }
    const alreadySent = this.sent.has(email.sendId);
    if (!alreadySent) this.sent.set(email.sendId, email);
    return { ok: true as const, messageId: `<${email.sendId}@pals-desk.invalid>`, alreadySent };
  }
}

describe("sending from a case loses nothing and sends nothing twice, whatever write fails (embedded Cosmos DB)", function () {
  this.timeout(30_000);
  let store: Store;
  let dir: string;
  let base: CaseDeskDeps;

  before(async () => {
    store = await openTestStore();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pals-send-faults-"));
    base = { ...deskDeps(store, { log: quiet(), now: () => NOW }), documents: new FolderDocuments(dir) };
  });
  after(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function setUp(trustId: string, sender: MailSender, saveFails?: (call: number) => boolean): { deps: CaseDeskDeps; outbox: () => Promise<OutboxItem[]> } {
    let calls = 0;
    const cases = Object.create(base.cases) as CaseDeskDeps["cases"];
    cases.save = async (...args: Parameters<CaseDeskDeps["cases"]["save"]>): Promise<CaseRecord> => {
      calls += 1;
      if (saveFails?.(calls)) throw Object.assign(new Error("crashed"), { code: 503 });
      return base.cases.save(...args);
    };
    const deps: CaseDeskDeps = { ...base, cases, mail: sender, mailboxOf: () => "pals@trust.example", sendNow: async () => undefined };
    const outbox = async () =>
      (
        await store.containers.jobs.items
          .query<OutboxItem>({ query: "SELECT * FROM c WHERE c.trustId = @t AND c.docType = 'outbox'", parameters: [{ name: "@t", value: trustId }] })
          .fetchAll()
      ).resources;
    return { deps, outbox };
  }

  async function complaint(trustId: string): Promise<{ caller: Caller; caseId: string }> {
    const caller: Caller = {
      trustId,
      tenantId: trustId,
      actor: { aadObjectId: "officer-1", name: "Olivia Officer" },
      teamsUserId: "29:1",
      roles: new Set(["officer"]),
    };
    const logged = await createCaseDesk(base).contacts.logContact(
      caller,
      randomUUID(),
      contactForm({ receivedOn: "2026-03-09", contactDetails: "margaret.jones@example.org" }),
    );
    assert.ok(logged.ok);
    return { caller, caseId: logged.view.record.value.id };
  }

  const request = { kind: "message" as const, message: "We have your complaint and will reply by 15 April.", documentIds: [] };

  it("a store failure when Send saves the case: nothing queued, nothing sent; Send again sends it once", async () => {
    const trustId = `trust-${randomUUID()}`;
    const { caller, caseId } = await complaint(trustId);
    const sender = new OnceSender();
    const failing = setUp(trustId, sender, (call) => call === 1);
    const desk = createCaseDesk(failing.deps);
    const preview = await desk.correspondence.previewEmail(caller, caseId, request);
    assert.ok(preview.ok);
    await assert.rejects(desk.correspondence.sendEmail(caller, caseId, request, preview.preview.sendId, preview.preview.hash));
    assert.equal((await failing.outbox()).length, 0, "nothing queued");
    assert.equal(sender.sent.size, 0);

    const working = setUp(trustId, sender);
    const again = createCaseDesk(working.deps);
    assert.ok((await again.correspondence.sendEmail(caller, caseId, request, preview.preview.sendId, preview.preview.hash)).ok);
    const [item] = await working.outbox();
    assert.equal(item.id, sendOutboxId(preview.preview.sendId));
    assert.deepEqual(await again.correspondence.deliverEmail(item, false), { kind: "sent" });
    assert.equal(sender.sent.size, 1);
  });

  it("a crash after the mailbox took the email, before the case says so: the next try records it and sends nothing more", async () => {
    const trustId = `trust-${randomUUID()}`;
    const { caller, caseId } = await complaint(trustId);
    const sender = new OnceSender();
    const working = setUp(trustId, sender);
    const desk = createCaseDesk(working.deps);
    const preview = await desk.correspondence.previewEmail(caller, caseId, request);
    assert.ok(preview.ok);
    assert.ok((await desk.correspondence.sendEmail(caller, caseId, request, preview.preview.sendId, preview.preview.hash)).ok);
    const [item] = await working.outbox();

    // The email goes; the write that records it fails (the instance dies there).
    const crashing = createCaseDesk(setUp(trustId, sender, () => true).deps);
    await assert.rejects(crashing.correspondence.deliverEmail(item, false));
    assert.equal(sender.sent.size, 1, "the mailbox has it");
    assert.equal((await base.cases.get(trustId, caseId))!.value.correspondence![0].status, "sending", "the case doesn't know yet");

    // The outbox tries again (another instance): nothing is sent twice, and the case records it.
    assert.deepEqual(await desk.correspondence.deliverEmail(item, false), { kind: "sent" });
    assert.equal(sender.sent.size, 1, "one email");
    const c = (await base.cases.get(trustId, caseId))!.value;
    assert.equal(c.correspondence![0].status, "sent");
    assert.equal(c.correspondence![0].messageId, `<${preview.preview.sendId}@pals-desk.invalid>`);
    assert.equal((await base.timeline.list(caseId)).filter((e) => e.kind === "email-sent").length, 1);
    // And a reply to it finds the case.
    assert.equal(await base.inbox.caseOfThread(trustId, [`<${preview.preview.sendId}@pals-desk.invalid>`]), caseId);
  });

  it("a mailbox outage is tried again later; the last try's failure is recorded on the case and the officer is told", async () => {
    const trustId = `trust-${randomUUID()}`;
    const { caller, caseId } = await complaint(trustId);
    const sender = new OnceSender();
    const working = setUp(trustId, sender);
    const desk = createCaseDesk(working.deps);
    const preview = await desk.correspondence.previewEmail(caller, caseId, request);
    assert.ok(preview.ok);
    await desk.correspondence.sendEmail(caller, caseId, request, preview.preview.sendId, preview.preview.hash);
    const [item] = await working.outbox();
    sender.failNext = 2;
    assert.deepEqual(await desk.correspondence.deliverEmail(item, false), { kind: "try-again", status: 503, retryAfterSeconds: undefined });
    assert.deepEqual(await desk.correspondence.deliverEmail(item, true), { kind: "nothing-to-send" });
    const c = (await base.cases.get(trustId, caseId))!.value;
    assert.equal(c.correspondence![0].status, "failed");
    assert.equal(sender.sent.size, 0);
    const told = (await working.outbox()).find((i) => i.payload.kind === "email-outcome");
    assert.ok(told, "the officer hears it was not sent");
    assert.deepEqual(told.target, { kind: "person", aadObjectId: "officer-1" });
  });
});
