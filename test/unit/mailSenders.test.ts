import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { simpleParser } from "mailparser";
import { parseConfig } from "../../src/config";
import type { OutgoingEmail } from "../../src/domain/ports";
import { botCredential } from "../../src/entra/credentials";
import { graphClient } from "../../src/entra/graphClient";
import { createLogger } from "../../src/logger";
import { FolderSender, outgoingMessageId } from "../../src/mail/folderSender";
import { GraphSender, MAX_TRIES, sendMarker, UPLOAD_CHUNK_BYTES, type GraphSenderOptions } from "../../src/mail/graphSender";
import { GRAPH_BASE, LOGIN_HOST } from "../helpers/fakeEntra";
import { FakeGraphMail, UPLOAD_UNIT_BYTES } from "../helpers/fakeGraphMail";

const APP_ID = "6d1f2c3b-0000-4000-8000-00000000a99e";
const SECRET = "a-client-secret-that-is-never-logged";
const TENANT = "72f988bf-0000-4000-8000-0000000000aa";
/** As configured (mixed case); the email names it in lower case. */
const ADDRESS = "PALS.Team@trust.nhs.uk";
const MAILBOX = ADDRESS.toLowerCase();
const SEND_ID = "send-7f3c2a91-4b6d-4e0a-9c11-2d8e5f0a6b3c";
const MB = 1024 * 1024;

const LOOKUP = /^GET \/v1\.0\/users\/[^/]+\/messages$/;
const CREATE = /^POST \/v1\.0\/users\/[^/]+\/messages$/;
const ADD_ATTACHMENT = /^POST \/v1\.0\/users\/[^/]+\/messages\/[^/]+\/attachments$/;
const UPLOAD_SESSION = /^POST \/v1\.0\/users\/[^/]+\/messages\/[^/]+\/attachments\/createUploadSession$/;
const SEND = /^POST \/v1\.0\/users\/[^/]+\/messages\/[^/]+\/send$/;

/** A process that dies: what the injected wait throws once the test says the process is gone. */
class Crash extends Error {
  constructor() {
    super("the process died");
    this.name = "Crash";
  }
}

/** An answer to a complainant: its subject, text, names and address carry a patient's details, which must never be logged. */
function email(overrides: Partial<OutgoingEmail> = {}): OutgoingEmail {
  return {
    sendId: SEND_ID,
    trustId: "RXX",
    mailbox: MAILBOX,
    to: { name: "Jane Patient", address: "jane.patient@example.org" },
    subject: "Your complaint PALS-2026-000123: Mrs Jane Patient on Ward 7",
    text: "Dear Mrs Patient,\n\nThank you for telling us about your mother's care on Ward 7.\n\nPALS",
    attachments: [],
    inReplyTo: "<message-1@sender.example.org>",
    ...overrides,
  };
}

function attachment(name: string, bytes: number, contentType = "application/pdf"): OutgoingEmail["attachments"][number] {
  return { name, contentType, content: randomBytes(bytes) };
}

describe("sending as the shared mailbox, exactly once per sendId", () => {
  let logLines: Record<string, unknown>[];
  /** Strings that must not appear in any log line of the test (the email's words, names and addresses). */
  let secrets: string[];

  const log = createLogger(
    "debug",
    new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split("\n")) if (line.trim()) logLines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    }),
  );

  beforeEach(() => {
    logLines = [];
    secrets = ["Patient", "Ward", "trust.nhs.uk", "pals.team", "example.org", "response-letter", "scan-of", SEND_ID, SECRET, "graph-token-"];
  });
  afterEach(() => {
    // Nothing of an email (address, subject, text, attachment names), a mailbox's address, the sendId or a token is logged.
    const logged = JSON.stringify(logLines).toLowerCase();
    for (const secret of secrets) assert.ok(!logged.includes(secret.toLowerCase()), `${secret} is not logged`);
  });

  describe("through Microsoft Graph (fake Graph and token service on loopback, the real Graph client and @azure/identity)", () => {
    let graph: FakeGraphMail;
    let sleeps: number[];
    /** Once true, the next wait throws: the process died there (before trying again). */
    let dies: boolean;

    before(async () => {
      graph = await new FakeGraphMail(APP_ID, SECRET).start();
    });
    after(async () => {
      await graph.stop();
    });
    beforeEach(() => {
      graph.reset();
      graph.addMailbox(ADDRESS);
      sleeps = [];
      dies = false;
    });

    function sender(overrides: Partial<GraphSenderOptions> = {}): GraphSender {
      const config = parseConfig({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: SECRET, ALLOWED_TENANT_IDS: TENANT });
      return new GraphSender({
        mailboxes: [{ trustId: "RXX", address: ADDRESS, tenantId: TENANT }],
        credentialFor: (tenantId) => botCredential(config.bot!, tenantId, { authorityHost: LOGIN_HOST, httpClient: graph.httpClient }),
        log,
        sleep: async (ms) => {
          if (dies) throw new Crash();
          sleeps.push(ms);
        },
        graphBaseUrl: GRAPH_BASE,
        fetch: graph.fetch,
        ...overrides,
      });
    }

    const names = (mail: { attachments: readonly { name: string }[] }) => mail.attachments.map((item) => item.name).sort();

    it("sends an email with a small and a 5 MB attachment once: the small one in the draft's create request, the large one in 320 KiB-multiple chunks", async () => {
      const small = attachment("response-letter.pdf", 200 * 1024);
      const large = attachment("scan-of-notes.pdf", 5 * MB);
      const graphSender = sender();
      const outcome = await graphSender.send(email({ attachments: [small, large] }));

      const messageId = outgoingMessageId(SEND_ID, MAILBOX);
      assert.deepEqual(outcome, { ok: true, messageId, alreadySent: false });
      assert.equal(graph.sent.length, 1);
      const [sent] = graph.sent;
      assert.equal(sent.address, MAILBOX);
      assert.deepEqual(sent.to, ["jane.patient@example.org"]);
      assert.equal(sent.subject, email().subject);
      assert.equal(sent.text, email().text);
      assert.equal(sent.internetMessageId, messageId);
      assert.equal(sent.sendMarker, sendMarker(SEND_ID));
      assert.equal(sent.inReplyTo, "<message-1@sender.example.org>", "In-Reply-To through PidTagInReplyToId");
      assert.equal(sent.references, "<message-1@sender.example.org>", "References through PidTagInternetReferences");
      assert.deepEqual(
        sent.attachments.map((item) => [item.name, item.contentType, item.via, item.puts]),
        [
          ["response-letter.pdf", "application/pdf", "create", 0],
          ["scan-of-notes.pdf", "application/pdf", "upload", 2],
        ],
      );
      assert.ok(sent.attachments[0].content.equals(small.content));
      assert.ok(sent.attachments[1].content.equals(large.content));
      // The chunks: 320 KiB multiples but the last, under 4 MB, in order, without the Graph token.
      assert.deepEqual(
        graph.uploadRequests.map((put) => [put.range, put.status, put.authorization]),
        [
          [`bytes 0-${UPLOAD_CHUNK_BYTES - 1}/${5 * MB}`, 200, false],
          [`bytes ${UPLOAD_CHUNK_BYTES}-${5 * MB - 1}/${5 * MB}`, 201, false],
        ],
      );
      assert.equal(UPLOAD_CHUNK_BYTES % UPLOAD_UNIT_BYTES, 0);
      // Look, create (with the small attachment), upload session, 2 PUTs, send.
      assert.equal(graphSender.requests, 6);
      assert.equal(graph.callsTo(LOOKUP), 1);
      assert.equal(graph.callsTo(ADD_ATTACHMENT), 0);
      assert.equal(graph.draftsOf(ADDRESS).length, 0, "no draft left behind");
      assert.equal(graph.outgoingOf(ADDRESS)[0].folder, "sentitems");
      assert.deepEqual(sleeps, []);
      // The log says what happened in numbers and a hash, nothing of the email.
      const line = logLines.find((entry) => entry.msg === "Sent an email from the shared mailbox through Microsoft Graph");
      assert.equal(line?.requests, 6);
      assert.equal(line?.attachmentCount, 2);
      assert.match(String(line?.send), /^[0-9a-f]{12}$/);
    });

    it("costs 3 requests for an email with small attachments, and attaches those over the create request's budget one POST each", async () => {
      const graphSender = sender();
      const outcome = await graphSender.send(email({ attachments: [attachment("a-letter.pdf", 10 * 1024)] }));
      assert.equal(outcome.ok, true);
      assert.equal(graphSender.requests, 3, "look, create with the attachment, send");

      const more = sender();
      const three = [attachment("one.pdf", 2 * MB), attachment("two.pdf", 2 * MB), attachment("three.docx", 1024)];
      assert.equal((await more.send(email({ sendId: "send-2", attachments: three }))).ok, true);
      assert.equal(more.requests, 4, "look, create with one.pdf and three.docx, a POST for two.pdf, send");
      const sent = graph.sent.find((mail) => mail.sendMarker === sendMarker("send-2"))!;
      assert.deepEqual(names(sent), ["one.pdf", "three.docx", "two.pdf"]);
      assert.deepEqual(
        sent.attachments.map((item) => item.via),
        ["create", "create", "post"],
      );
      three.forEach((item) => assert.ok(sent.attachments.find((got) => got.name === item.name)!.content.equals(item.content)));
    });

    it("sends nothing the second time: alreadySent with the same messageId, for one request, from any instance", async () => {
      const first = await sender().send(email({ attachments: [attachment("response-letter.pdf", 1024)] }));
      assert.equal(first.ok && first.alreadySent, false);

      for (const instance of [sender(), sender()]) {
        const again = await instance.send(email({ attachments: [attachment("response-letter.pdf", 1024)] }));
        assert.deepEqual(again, { ok: true, messageId: outgoingMessageId(SEND_ID, MAILBOX), alreadySent: true });
        assert.equal(instance.requests, 1, "only the look");
      }
      assert.equal(graph.sent.length, 1);
      assert.equal(graph.callsTo(CREATE), 1);
      assert.ok(logLines.some((line) => line.msg === "The email was sent before: not sent again"));
    });

    it("takes another sendId for another email, even one differing only in case (Graph compares the mark's value without case)", async () => {
      await sender().send(email({ sendId: "send-ABC" }));
      const other = await sender().send(email({ sendId: "send-abc" }));
      assert.deepEqual(other, { ok: true, messageId: outgoingMessageId("send-abc", MAILBOX), alreadySent: false });
      assert.deepEqual(
        graph.sent.map((mail) => mail.sendMarker),
        [sendMarker("send-ABC"), sendMarker("send-abc")],
      );
      assert.deepEqual(await sender().send(email({ sendId: "send-abc" })), { ok: true, messageId: outgoingMessageId("send-abc", MAILBOX), alreadySent: true });
      assert.equal(graph.sent.length, 2);
    });

    it("after a crash once the draft was made and an attachment added, another instance finishes that draft: one email, every attachment once", async () => {
      const letter = attachment("response-letter.pdf", 1 * MB);
      const notes = attachment("notes.pdf", 2 * MB);
      const scan = attachment("scan-of-notes.pdf", 5 * MB);
      const full = email({ attachments: [letter, notes, scan] });
      // Graph adds notes.pdf, but the answer never comes back, and the process dies before trying again.
      graph.failMailAfter(ADD_ATTACHMENT, { status: 0 });
      dies = true;
      await assert.rejects(sender().send(full), Crash);
      assert.equal(graph.sent.length, 0);
      const [draft] = graph.draftsOf(ADDRESS);
      assert.deepEqual(names(draft), ["notes.pdf", "response-letter.pdf"]);

      dies = false;
      const other = sender();
      const outcome = await other.send(full);
      assert.deepEqual(outcome, { ok: true, messageId: outgoingMessageId(SEND_ID, MAILBOX), alreadySent: false });
      assert.equal(graph.sent.length, 1);
      const [sent] = graph.sent;
      assert.deepEqual(names(sent), ["notes.pdf", "response-letter.pdf", "scan-of-notes.pdf"]);
      for (const item of [letter, notes, scan]) assert.ok(sent.attachments.find((got) => got.name === item.name)!.content.equals(item.content));
      assert.equal(graph.callsTo(CREATE), 1, "the draft is not made again");
      // Look, list the draft's attachments, upload session, 2 PUTs, send.
      assert.equal(other.requests, 6);
      assert.equal(graph.draftsOf(ADDRESS).length, 0);
    });

    it("within one process, a lost answer is followed by a look, not a repeat: the attachment is there once, the email goes once", async () => {
      const full = email({ attachments: [attachment("a.pdf", 2 * MB), attachment("b.pdf", 2 * MB)] });
      graph.failMailAfter(ADD_ATTACHMENT, { status: 504 });
      const graphSender = sender();
      const outcome = await graphSender.send(full);
      assert.equal(outcome.ok, true);
      assert.equal(sleeps.length, 1);
      assert.equal(graph.sent.length, 1);
      assert.deepEqual(names(graph.sent[0]), ["a.pdf", "b.pdf"]);
      assert.equal(graph.callsTo(ADD_ATTACHMENT), 1, "b.pdf was added once: the look found it");
    });

    it("after a crash once Graph accepted the send (before PALS Desk heard), the next try sends nothing, even while the message still sits in Drafts", async () => {
      graph.submittedLinger = true;
      graph.failMailAfter(SEND, { status: 0 });
      dies = true;
      await assert.rejects(sender().send(email()), Crash);
      assert.equal(graph.sent.length, 1, "Graph sent it");
      assert.equal(graph.outgoingOf(ADDRESS)[0].folder, "drafts", "still in Drafts, saying isDraft: true");

      dies = false;
      const retry = sender();
      assert.deepEqual(await retry.send(email()), { ok: true, messageId: outgoingMessageId(SEND_ID, MAILBOX), alreadySent: true });
      assert.equal(retry.requests, 1);
      graph.moveSubmitted();
      assert.deepEqual(await sender().send(email()), { ok: true, messageId: outgoingMessageId(SEND_ID, MAILBOX), alreadySent: true });
      assert.equal(graph.sent.length, 1);
      assert.equal(graph.callsTo(SEND), 1);
    });

    it("within one process, a lost answer to the send is followed by a look that finds it sent: sent once, not 'already sent'", async () => {
      graph.failMailAfter(SEND, { status: 504, headers: { "retry-after": "1" } });
      const outcome = await sender().send(email());
      assert.deepEqual(outcome, { ok: true, messageId: outgoingMessageId(SEND_ID, MAILBOX), alreadySent: false });
      assert.deepEqual(sleeps, [1000]);
      assert.equal(graph.sent.length, 1);
      assert.equal(graph.callsTo(SEND), 1);
    });

    it("waits as long as a 429's Retry-After says, then sends", async () => {
      graph.failGraph({ status: 429, headers: { "retry-after": "7" }, body: { error: { code: "ApplicationThrottled", message: "Too many requests" } } });
      graph.failMail(UPLOAD_SESSION, { status: 503, headers: { "retry-after": "2" } });
      const graphSender = sender();
      const outcome = await graphSender.send(email({ attachments: [attachment("scan-of-notes.pdf", 4 * MB)] }));
      assert.equal(outcome.ok, true);
      assert.deepEqual(sleeps, [7000, 2000]);
      assert.equal(graph.sent.length, 1);
      assert.deepEqual(
        logLines.filter((line) => line.level === "warn").map((line) => [line.status, line.code, line.waitMs]),
        [
          [429, "ApplicationThrottled", 7000],
          [503, "Scripted", 2000],
        ],
      );
    });

    it(`gives up after ${MAX_TRIES} tries, or at once when Retry-After is too long: not permanent, with Graph's wait`, async () => {
      graph.failGraph(...Array.from({ length: MAX_TRIES }, () => ({ status: 429, headers: { "retry-after": "5" } })));
      assert.deepEqual(await sender().send(email()), { ok: false, status: 429, permanent: false, code: "Scripted", retryAfterSeconds: 5 });
      assert.equal(sleeps.length, MAX_TRIES - 1);

      sleeps = [];
      graph.failGraph({ status: 503, headers: { "retry-after": "3600" } });
      assert.deepEqual(await sender().send(email()), { ok: false, status: 503, permanent: false, code: "Scripted", retryAfterSeconds: 3600 });
      assert.deepEqual(sleeps, []);
      assert.equal(graph.sent.length, 0);

      // Later, the caller's retry sends it.
      assert.equal((await sender().send(email())).ok, true);
      assert.equal(graph.sent.length, 1);
    });

    it("is refused for good with Graph's code when the mailbox is outside the app's RBAC scope (403): nothing sent, no retries", async () => {
      graph.deniedMailboxes.add(MAILBOX);
      const graphSender = sender();
      assert.deepEqual(await graphSender.send(email()), { ok: false, status: 403, permanent: true, code: "ErrorAccessDenied" });
      assert.equal(graphSender.requests, 1);
      assert.deepEqual(sleeps, []);
      assert.equal(graph.sent.length, 0);
      const error = logLines.find((line) => line.level === "error");
      assert.deepEqual([error?.status, error?.code], [403, "ErrorAccessDenied"]);
    });

    it("is refused for good for a bad address (400) or an attachment over 150 MB, and for a mailbox or sendId it does not know", async () => {
      secrets.push("not an address");
      assert.deepEqual(await sender().send(email({ to: { address: "not an address" } })), {
        ok: false,
        status: 400,
        permanent: true,
        code: "ErrorInvalidRecipients",
      });
      const tooLarge = { name: "scan.pdf", contentType: "application/pdf", content: Buffer.alloc(150 * MB + 1) };
      const graphSender = sender();
      assert.deepEqual(await graphSender.send(email({ sendId: "send-3", attachments: [tooLarge] })), {
        ok: false,
        status: 0,
        permanent: true,
        code: "AttachmentTooLarge",
      });
      assert.deepEqual(await graphSender.send(email({ sendId: "send-4", mailbox: "other@trust.nhs.uk" })), {
        ok: false,
        status: 0,
        permanent: true,
        code: "NoMailbox",
      });
      assert.deepEqual(await graphSender.send(email({ sendId: "send-4", trustId: "RYY" })), { ok: false, status: 0, permanent: true, code: "NoMailbox" });
      assert.deepEqual(await graphSender.send(email({ sendId: "send 5' or 1 eq 1" })), { ok: false, status: 0, permanent: true, code: "InvalidSendId" });
      assert.equal(graphSender.requests, 0);
      assert.equal(graph.sent.length, 0);
    });

    it("is not sent, and not refused for good, when no token can be had (the app's secret or consent): no retries, no secret logged", async () => {
      graph.failTokens({ status: 401, body: { error: "invalid_client", error_description: "AADSTS7000215: Invalid client secret provided." } });
      const graphSender = sender();
      const outcome = await graphSender.send(email());
      assert.equal(outcome.ok, false);
      assert.deepEqual(outcome.ok ? undefined : [outcome.status, outcome.permanent], [0, false]);
      assert.match(String(outcome.ok ? "" : outcome.code), /Authentication|Credential/);
      assert.deepEqual(sleeps, []);
      assert.equal(graph.graphCalls.length, 0);
      graph.failTokens(undefined);
      assert.equal((await sender().send(email())).ok, true);
    });

    it("joins a second call for a sendId already being sent in this process", async () => {
      const graphSender = sender();
      const [one, two] = await Promise.all([graphSender.send(email()), graphSender.send(email())]);
      assert.deepEqual(one, two);
      assert.equal(graph.sent.length, 1);
      assert.equal(graphSender.requests, 3);
    });

    it("has a fake that refuses what Graph refuses: a $filter it does not support, custom headers not named x-, chunks off the 320 KiB grid", async () => {
      const config = parseConfig({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: SECRET, ALLOWED_TENANT_IDS: TENANT });
      const client = graphClient({
        credential: botCredential(config.bot!, TENANT, { authorityHost: LOGIN_HOST, httpClient: graph.httpClient }),
        graphBaseUrl: GRAPH_BASE,
        fetch: graph.fetch,
      });
      const user = `/users/${encodeURIComponent(MAILBOX)}`;
      await assert.rejects(client.api(`${user}/messages?$filter=${encodeURIComponent("subject eq 'x'")}`).get(), {
        statusCode: 400,
        code: "ErrorInvalidUrlQueryFilter",
      });
      await assert.rejects(client.api(`${user}/messages`).post({ subject: "x", internetMessageHeaders: [{ name: "In-Reply-To", value: "<a@b>" }] }), {
        statusCode: 400,
        code: "InvalidInternetMessageHeader",
      });
      const draft = (await client.api(`${user}/messages`).post({ subject: "x", toRecipients: [{ emailAddress: { address: "a@b.example" } }] })) as {
        id: string;
      };
      const session = (await client
        .api(`${user}/messages/${encodeURIComponent(draft.id)}/attachments/createUploadSession`)
        .post({ AttachmentItem: { attachmentType: "file", name: "x.bin", size: 1_000_000 } })) as { uploadUrl: string };
      const put = (from: number, bytes: number) =>
        graph.fetch(session.uploadUrl, {
          method: "PUT",
          headers: { "content-type": "application/octet-stream", "content-range": `bytes ${from}-${from + bytes - 1}/1000000` },
          body: Buffer.alloc(bytes),
        });
      assert.equal((await put(0, 500_000)).status, 400, "not a multiple of 320 KiB");
      assert.equal((await put(UPLOAD_UNIT_BYTES, UPLOAD_UNIT_BYTES)).status, 416, "out of order");
      assert.equal((await put(0, UPLOAD_UNIT_BYTES)).status, 200);
      assert.equal((await put(UPLOAD_UNIT_BYTES, 1_000_000 - UPLOAD_UNIT_BYTES)).status, 201, "the last chunk may be any size");
      assert.equal(graph.outgoingOf(MAILBOX)[0].attachments[0].content.length, 1_000_000);
    });
  });

  describe("into the mailbox folder (embedded default)", () => {
    let dir: string;

    beforeEach(async () => {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), "pals-sender-"));
    });
    afterEach(async () => {
      await fs.rm(dir, { recursive: true, force: true });
    });

    const folderSender = () =>
      new FolderSender({
        mailboxes: [{ trustId: "RXX", address: ADDRESS, dir }],
        log,
        now: () => new Date("2026-03-10T10:00:00Z"),
      });

    it("writes sent/<sendId>.eml that mailparser reads back as sent, and a second send of the id writes nothing", async () => {
      const letter = attachment("response-letter.pdf", 300 * 1024);
      const photo = attachment("ward-photo.png", 20 * 1024, "image/png");
      const sender = folderSender();
      const outcome = await sender.send(email({ attachments: [letter, photo] }));
      const messageId = outgoingMessageId(SEND_ID, MAILBOX);
      assert.deepEqual(outcome, { ok: true, messageId, alreadySent: false });
      assert.deepEqual(await fs.readdir(path.join(dir, "sent")), [`${SEND_ID}.eml`], "the email only: no partial file left");

      const file = path.join(dir, "sent", `${SEND_ID}.eml`);
      const parsed = await simpleParser(await fs.readFile(file));
      assert.equal(parsed.subject, email().subject);
      assert.equal(parsed.text?.trim(), email().text.trim());
      assert.equal(parsed.messageId, messageId);
      assert.equal(parsed.inReplyTo, "<message-1@sender.example.org>");
      assert.equal(parsed.references, "<message-1@sender.example.org>");
      assert.equal(parsed.date?.toISOString(), "2026-03-10T10:00:00.000Z");
      const from = Array.isArray(parsed.from) ? parsed.from[0] : parsed.from;
      assert.deepEqual(from?.value, [{ name: "PALS", address: MAILBOX }]);
      const to = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to;
      assert.deepEqual(to?.value, [{ name: "Jane Patient", address: "jane.patient@example.org" }]);
      assert.deepEqual(
        parsed.attachments.map((item) => [item.filename, item.contentType]),
        [
          ["response-letter.pdf", "application/pdf"],
          ["ward-photo.png", "image/png"],
        ],
      );
      assert.ok(parsed.attachments[0].content.equals(letter.content));
      assert.ok(parsed.attachments[1].content.equals(photo.content));

      const before = await fs.stat(file);
      const again = await folderSender().send(email({ subject: "Something else", attachments: [] }));
      assert.deepEqual(again, { ok: true, messageId, alreadySent: true });
      const after = await fs.stat(file);
      assert.equal(after.mtimeMs, before.mtimeMs);
      assert.equal(after.size, before.size);
      assert.deepEqual(await fs.readdir(path.join(dir, "sent")), [`${SEND_ID}.eml`]);
    });

    it("writes one file when two instances send the same id at once", async () => {
      const outcomes = await Promise.all([folderSender().send(email()), folderSender().send(email()), folderSender().send(email())]);
      assert.ok(outcomes.every((outcome) => outcome.ok));
      assert.equal(outcomes.filter((outcome) => outcome.ok && !outcome.alreadySent).length, 1, "one of them sent it");
      assert.deepEqual(await fs.readdir(path.join(dir, "sent")), [`${SEND_ID}.eml`]);
    });

    it("refuses a sendId that could name another file, and a mailbox it has no folder for", async () => {
      const sender = folderSender();
      for (const sendId of ["../../etc/passwd", "a.eml", "", "x".repeat(101), "id with spaces"]) {
        assert.deepEqual(await sender.send(email({ sendId })), { ok: false, status: 0, permanent: true, code: "InvalidSendId" });
      }
      assert.deepEqual(await sender.send(email({ mailbox: "other@trust.nhs.uk" })), { ok: false, status: 0, permanent: true, code: "NoMailbox" });
      assert.deepEqual(await sender.send(email({ trustId: "RYY" })), { ok: false, status: 0, permanent: true, code: "NoMailbox" });
      assert.deepEqual(await fs.readdir(dir), []);
    });
  });
});
