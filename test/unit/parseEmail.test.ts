// Reading the PALS team's shared mailbox: each email of the corpus (test/fixtures/mail, all people made up) read
// from its raw MIME as PALS Desk keeps it, and the hostile ones read safely: never a throw, bounded output, quickly.
import { strict as assert } from "node:assert";
import fs from "node:fs";
import path from "node:path";
import { EMAIL_LIMITS, type ParsedEmail } from "../../src/domain/inbox/email";
import { parseEmail } from "../../src/mail/parseEmail";

const CORPUS = path.join(__dirname, "..", "fixtures", "mail");
const NOW = new Date("2026-07-03T09:00:00Z");
/** The sample shipped to people trying PALS Desk (README) is read from where they find it. */
const SAMPLE = path.join(__dirname, "..", "..", "env", "mail", "sample-complaint.eml");
const raw = (file: string) => fs.readFileSync(file === "sample-complaint.eml" ? SAMPLE : path.join(CORPUS, file));
const read = (file: string, options: { receivedAt?: Date } = {}) => parseEmail(raw(file), { now: NOW, ...options });

/** Everything the store keeps of an email (InboxEmailSchema's bounds), and plain strings only. */
function assertBounded(email: ParsedEmail, label: string): void {
  assert.ok(/^<[^<>\s]+>$/.test(email.messageId) && email.messageId.length <= EMAIL_LIMITS.messageId + 2, `${label}: messageId`);
  assert.ok(email.subject.length <= EMAIL_LIMITS.subject, `${label}: subject`);
  // eslint-disable-next-line no-control-regex
  assert.ok(!/[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/.test(email.subject), `${label}: no control characters in the subject`);
  // eslint-disable-next-line no-control-regex
  assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\r]/.test(email.text), `${label}: no control characters in the text`);
  assert.ok(email.text.length <= EMAIL_LIMITS.text, `${label}: text`);
  assert.ok((email.from?.name ?? "").length <= EMAIL_LIMITS.name && (email.from?.address ?? "").length <= EMAIL_LIMITS.address, `${label}: from`);
  assert.ok(email.to.length <= 100 && email.to.every((a) => a.length <= EMAIL_LIMITS.address), `${label}: to`);
  assert.ok(email.references.length <= EMAIL_LIMITS.references, `${label}: references`);
  assert.ok(email.attachments.length <= EMAIL_LIMITS.attachments + 1, `${label}: attachments`);
  for (const a of email.attachments) {
    assert.ok(a.name.length > 0 && a.name.length <= EMAIL_LIMITS.name && !/[/\\]/.test(a.name), `${label}: attachment name ${a.name}`);
    assert.ok(a.refused === undefined || a.content === undefined, `${label}: a refused attachment has no content`);
    assert.ok(!a.content || a.content.length <= EMAIL_LIMITS.attachmentBytes, `${label}: attachment size`);
  }
  assert.ok(!Number.isNaN(Date.parse(email.receivedAt)), `${label}: receivedAt`);
}

/** A message with one attachment of `bytes` (base64, repeated content: quick to build and to read). */
function messageWithAttachment(bytes: number): Buffer {
  const line = `${Buffer.alloc(57, "PALS Desk test attachment content. ").toString("base64")}\r\n`;
  return Buffer.from(
    [
      "From: Big Example <big.example@example.org>",
      "To: pals@trust.example",
      "Subject: Scans of my letters",
      "Date: Wed, 1 Jul 2026 10:00:00 +0100",
      "Message-ID: <big-1@example.org>",
      "MIME-Version: 1.0",
      'Content-Type: multipart/mixed; boundary="big"',
      "",
      "--big",
      "Content-Type: text/plain; charset=utf-8",
      "",
      "My scanned letters are attached.",
      "--big",
      'Content-Type: application/pdf; name="scans.pdf"',
      'Content-Disposition: attachment; filename="scans.pdf"',
      "Content-Transfer-Encoding: base64",
      "",
      `${line.repeat(Math.ceil(bytes / 57))}--big--`,
      "",
    ].join("\r\n"),
  );
}

describe("reading an email from its MIME (parseEmail)", function () {
  this.timeout(60_000);

  it("the triage card shows who wrote, the subject and the text; the PDF they attached is kept (the shipped sample)", async () => {
    const email = await read("sample-complaint.eml");
    assert.deepEqual(email.from, { name: "Ruth Example", address: "ruth.example@example.org" });
    assert.deepEqual(email.to, ["pals@trust.example"]);
    assert.equal(email.subject, "Concern about my father's discharge from Ward 7");
    assert.equal(email.receivedAt, "2026-06-30T09:14:52.000Z", "the Date header, when the mailbox gave no time");
    assert.match(email.text, /^Dear PALS team,\n\nI hope you can help\. My father, Arthur Example, was discharged from Ward 7 on Friday 26 June/);
    assert.match(email.text, /Ruth Example\n\(Arthur's daughter\)$/);
    assert.equal(email.textCut, false);
    assert.equal(email.automatic, undefined);
    assert.equal(email.unreadable, undefined);
    assert.equal(email.attachments.length, 1);
    const [pdf] = email.attachments;
    assert.equal(pdf!.name, "Discharge letter - Arthur Example.pdf");
    assert.equal(pdf!.contentType, "application/pdf");
    assert.equal(pdf!.refused, undefined);
    assert.equal(pdf!.size, pdf!.content!.length);
    assert.match(pdf!.content!.toString("latin1"), /^%PDF-1\.4\n[\s\S]*%%EOF\n$/);

    const received = new Date("2026-06-30T09:20:00Z");
    assert.equal((await read("sample-complaint.eml", { receivedAt: received })).receivedAt, received.toISOString(), "the mailbox's own time first");
  });

  it("an HTML-only email from Outlook reads as plain text; its letter and photo are listed, the logo in its signature is not", async () => {
    const email = await read("outlook-html-attachments.eml");
    assert.deepEqual(email.from, { name: "Priya Example", address: "priya.example@example.org" }, "the address lower-cased");
    assert.equal(email.subject, "Nine hours in A&E on 27 June");
    assert.match(email.text, /^Good afternoon,\n\nI’m writing about the care my husband received in the Emergency Department on 27 June\./);
    assert.match(email.text, /Kind regards,\n+Priya Example$/);
    assert.doesNotMatch(email.text, /MsoNormal|font-family|<|cid:/, "no markup, styles or picture links");
    assert.deepEqual(
      email.attachments.map((a) => [a.name, a.contentType, a.refused ?? "kept"]),
      [
        ["ED attendance letter.pdf", "application/pdf", "kept"],
        ["IMG_2041.jpg", "image/jpeg", "kept"],
      ],
    );
    assert.deepEqual([...email.attachments[1]!.content!.subarray(0, 3)], [0xff, 0xd8, 0xff]);
  });

  it("a reply carries the case reference in its subject and the ids of what it answers", async () => {
    const email = await read("reply-with-reference.eml");
    assert.match(email.subject, /\[PALS-2026-000123\]$/);
    assert.equal(email.inReplyTo, "<pals-desk.2026-07-02.000123.1@trust.example>");
    assert.deepEqual(email.references, [
      "<a1f3c9e2-7b44-4c1e-9d6a-5e0c2b8f1a10@mail.example.org>",
      "<pals-desk.2026-07-01.000123.0@trust.example>",
      "<pals-desk.2026-07-02.000123.1@trust.example>",
    ]);
    assert.match(email.text, /> Thank you for contacting the Patient Advice and Liaison Service\./, "the quoted history kept as text");
  });

  it("a forwarded email is from the colleague who forwarded it; the original sender is only text in the body", async () => {
    const email = await read("forwarded.eml");
    assert.deepEqual(email.from, { name: "Sam Wardmanager", address: "sam.wardmanager@nhs.example" });
    assert.match(email.text, /From: Jane Example <jane\.example@example\.org>\nSent: 01 July 2026 21:05/);
    assert.match(email.text, /My son Leo \(14\) was on Ward 12 last week\./);
  });

  it("auto-replies, out-of-office notices, bounces and bulk mail are recognised; people's emails are not", async () => {
    const kinds: Record<string, string | undefined> = {};
    for (const file of fs.readdirSync(CORPUS).filter((f) => f.endsWith(".eml"))) kinds[file] = (await read(file)).automatic;
    assert.equal(kinds["auto-reply.eml"], "auto-reply");
    assert.equal(kinds["out-of-office.eml"], "out-of-office");
    assert.equal(kinds["bounce.eml"], "bounce");
    assert.equal(kinds["bulk.eml"], "bulk");
    const people = Object.entries(kinds).filter(([file]) => !["auto-reply.eml", "out-of-office.eml", "bounce.eml", "bulk.eml"].includes(file));
    assert.deepEqual(
      people.filter(([, kind]) => kind !== undefined),
      [],
      "every other email is a person's",
    );
    const bounce = await read("bounce.eml");
    assert.match(bounce.text, /Recipient address rejected: User unknown/);
    assert.ok(!bounce.attachments.some((a) => a.contentType === "message/delivery-status"), "the delivery report is not listed as a document");
  });

  it("Welsh and accented names and subjects read as written: encoded words and ISO-8859-1", async () => {
    const email = await read("encodings.eml");
    assert.equal(email.subject, "Pryder am ofal fy mam – Siân Ŵyn (clinig llygaid)");
    assert.deepEqual(email.from, { name: "Renée Examplé", address: "renee.example@example.org" });
    assert.match(email.text, /Annwyl dîm PALS,/);
    assert.match(email.text, /Chère équipe : Renée a attendu trois heures à l'accueil, sans café ni chaise\./);
  });

  it("hostile text stays plain text: no scripts, card JSON, markdown and mentions as the characters typed, a bounded subject", async () => {
    const email = await read("hostile-text.eml");
    assert.doesNotMatch(email.text, /fetch\(|document\.cookie|display:none/, "scripts and styles are not text");
    assert.match(email.text, /\{"type":"AdaptiveCard","version":"1\.5"/, "card JSON is just characters");
    assert.match(email.text, /\*\*Bold claim\*\* \[click here\]\(https:\/\/evil\.example\/phish\) <at>Chief Executive<\/at> PALS Team/);
    assert.match(email.text, /<img src=x onerror=alert\(1\)> \$\{secret\} \{\{mustache\}\}/, "typed markup decoded once, never markup");
    assert.equal(email.subject.length, EMAIL_LIMITS.subject, "10,000 characters cut to the limit");
    assert.ok(email.subject.startsWith("Urgent [31m complaintAAAA"), "control characters and the right-to-left override gone");
    assert.ok(email.subject.endsWith("…"));
    assert.deepEqual(email.from, { name: "Mallory <script>", address: "mallory@example.org" }, "a name is text, whatever it holds");
  });

  it("programs and locked files are refused and listed without their content; names cannot reach outside their folder", async () => {
    const email = await read("hostile-attachments.eml");
    assert.deepEqual(
      email.attachments.map((a) => [a.name, a.refused ?? "kept"]),
      [
        ["passwd", "kept"],
        ["invoice.pdf.exe", "executable"],
        ["photo.jpg", "executable"],
        ["medical-records.zip", "password-protected"],
        ["consent form.pdf", "password-protected"],
        ["gpj.scr", "executable"],
      ],
    );
    for (const a of email.attachments.filter((a) => a.refused)) {
      assert.equal(a.content, undefined, `${a.name}: not kept`);
      assert.ok(a.size > 0, `${a.name}: its size is still shown`);
    }
  });

  it("an email with 60 attachments lists the first 50 and the other 10 as one entry, refused as too many", async () => {
    const email = await read("too-many-attachments.eml");
    assert.equal(email.attachments.length, EMAIL_LIMITS.attachments + 1);
    assert.deepEqual(
      email.attachments.slice(0, 50).map((a) => a.name),
      Array.from({ length: 50 }, (_, i) => `page-${String(i + 1).padStart(2, "0")}.txt`),
    );
    assert.ok(email.attachments.slice(0, 50).every((a) => a.content?.toString() === `Page ${a.name.slice(5, 7).replace(/^0/, "")} of my notes.\r\n`));
    const rest = email.attachments[50]!;
    assert.equal(rest.name, "10 more attachments");
    assert.equal(rest.refused, "too-many");
    assert.equal(rest.content, undefined);
    assert.equal(rest.size, 10 * "Page 51 of my notes.\r\n".length);
  });

  it("the same email read twice has the same id; one without a Message-ID gets a stable id from its bytes", async () => {
    assert.equal((await read("sample-complaint.eml")).messageId, "<a1f3c9e2-7b44-4c1e-9d6a-5e0c2b8f1a10@mail.example.org>");
    const first = await read("no-message-id.eml");
    const second = await parseEmail(raw("no-message-id.eml"), { now: new Date("2027-01-01T00:00:00Z") });
    assert.match(first.messageId, /^<sha256-[0-9a-f]{64}@pals-desk\.invalid>$/);
    assert.equal(second.messageId, first.messageId, "the same bytes, the same id, whenever read");
    const changed = Buffer.concat([raw("no-message-id.eml"), Buffer.from("P.S. and the porters.\r\n")]);
    assert.notEqual((await parseEmail(changed, { now: NOW })).messageId, first.messageId, "other bytes, another id");
    assert.equal(first.subject, "Compliment for the maternity team");
  });

  it("a malformed email is kept as unreadable with what could be read, never a failure; a broken attachment is refused", async () => {
    const email = await read("malformed.eml");
    assert.equal(email.unreadable, "malformed");
    assert.equal(email.messageId, "<broken-1@example.org>");
    assert.deepEqual(email.from, { name: "Broken Sender", address: "broken@example.org" });
    assert.equal(email.subject, "Please read my letter");
    assert.match(email.text, /My letter is attached, I hope it comes through\./, "its body, as text");

    const truncated = await read("truncated-base64.eml");
    assert.equal(truncated.unreadable, undefined, "the email itself is fine");
    assert.deepEqual(
      truncated.attachments.map((a) => [a.name, a.refused]),
      [["ward.jpg", "unreadable"]],
      "its attachment's base64 stops halfway",
    );

    for (const junk of [Buffer.alloc(0), Buffer.from("not an email at all"), Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 7919) % 256))]) {
      const parsed = await parseEmail(junk, { now: NOW });
      assert.equal(parsed.unreadable, "malformed");
      assert.match(parsed.messageId, /^<sha256-[0-9a-f]{64}@pals-desk\.invalid>$/);
      assert.equal(parsed.receivedAt, NOW.toISOString());
      assertBounded(parsed, "junk");
    }
  });

  it("when it arrived: the mailbox's time, else a Date header that is not more than a day ahead, else now", async () => {
    const dated = (date: string) => Buffer.from(`From: a@example.org\r\nDate: ${date}\r\nSubject: x\r\n\r\nbody\r\n`);
    assert.equal((await parseEmail(dated("Fri, 3 Jul 2026 20:00:00 +0100"), { now: NOW })).receivedAt, "2026-07-03T19:00:00.000Z", "later today");
    assert.equal((await parseEmail(dated("Sat, 4 Jul 2026 12:00:00 +0000"), { now: NOW })).receivedAt, NOW.toISOString(), "tomorrow afternoon: not yet");
    assert.equal((await parseEmail(dated("the day before yesterday"), { now: NOW })).receivedAt, NOW.toISOString());
  });

  it("a long thread's text is cut to the limit and says so", async () => {
    const long = Buffer.from(`From: a@example.org\r\nSubject: x\r\n\r\n${"A long line of quoted history.\r\n".repeat(10_000)}`);
    const email = await parseEmail(long, { now: NOW });
    assert.equal(email.textCut, true);
    assert.ok(email.text.length <= EMAIL_LIMITS.text && email.text.length > EMAIL_LIMITS.text - 100);
  });

  it("every email of the corpus reads quickly, within the bounds, and the 5,000-deep HTML reads as its text", async () => {
    for (const file of fs.readdirSync(CORPUS).filter((f) => f.endsWith(".eml"))) {
      const started = performance.now();
      const email = await read(file);
      assert.ok(performance.now() - started < 2000, `${file}: quickly`);
      assertBounded(email, file);
    }
    const deep = await read("hostile-deep-html.eml");
    assert.equal(deep.text, "Before the deep part.\nMy complaint is about the noise on Ward 3 at night.");
    assert.equal(deep.unreadable, undefined);
  });

  it("a 26 MB attachment is listed as too large, without its content; the email is read", async () => {
    const message = messageWithAttachment(26 * 1024 * 1024);
    assert.ok(message.length < EMAIL_LIMITS.rawBytes, "under the email's own limit");
    const started = performance.now();
    const email = await parseEmail(message, { now: NOW });
    const took = performance.now() - started;
    assert.ok(took < 20_000, `read in ${Math.round(took)} ms`);
    assert.equal(email.text, "My scanned letters are attached.");
    assert.equal(email.unreadable, undefined);
    assert.equal(email.attachments.length, 1);
    assert.equal(email.attachments[0]!.refused, "too-large");
    assert.equal(email.attachments[0]!.content, undefined);
    assert.ok(email.attachments[0]!.size > EMAIL_LIMITS.attachmentBytes);
  });

  it("an email over the 40 MB limit is kept unread: its headers, no body, quickly", async () => {
    const message = messageWithAttachment(EMAIL_LIMITS.rawBytes * 0.75 + 1024 * 1024);
    assert.ok(message.length > EMAIL_LIMITS.rawBytes);
    const started = performance.now();
    const email = await parseEmail(message, { now: NOW });
    assert.ok(performance.now() - started < 5000);
    assert.equal(email.unreadable, "too-large");
    assert.equal(email.messageId, "<big-1@example.org>");
    assert.equal(email.subject, "Scans of my letters");
    assert.deepEqual(email.from, { name: "Big Example", address: "big.example@example.org" });
    assert.equal(email.text, "");
    assert.deepEqual(email.attachments, []);
  });

  it("hostile structures end quickly with bounded output: thousands of parts, deep nesting, a huge header, an encoded-word flood", async () => {
    const head = "From: a@example.org\r\nTo: pals@trust.example\r\nSubject: hostile\r\nMessage-ID: <h@example.org>\r\n";
    let nested = "";
    for (let i = 0; i < 2000; i++) nested += `--b${i}\r\nContent-Type: multipart/mixed; boundary="b${i + 1}"\r\n\r\n`;
    const cases: Record<string, string> = {
      "3,000 parts": `${head}Content-Type: multipart/mixed; boundary="b"\r\n\r\n${Array.from({ length: 3000 }, (_, i) => `--b\r\nContent-Type: application/octet-stream; name="f${i}.bin"\r\n\r\nx\r\n`).join("")}--b--\r\n`,
      "2,000 nested multiparts": `${head}Content-Type: multipart/mixed; boundary="b0"\r\n\r\n${nested}`,
      "a 2 MB header": `${head}X-Big: ${"a".repeat(2_000_000)}\r\n\r\nbody`,
      "14,000 encoded words": `${head.replace("Subject: hostile\r\n", "")}Subject: ${"=?utf-8?B?w6k=?= ".repeat(14_000)}\r\n\r\nbody`,
      "20,000 references": `${head}References: ${Array.from({ length: 20_000 }, (_, i) => `<r${i}@example.org>`).join("\r\n ")}\r\n\r\nbody`,
      "HTML 200,000 deep": `${head}Content-Type: text/html\r\n\r\n${"<b>".repeat(200_000)}deep text`,
    };
    for (const [label, message] of Object.entries(cases)) {
      const started = performance.now();
      const email = await parseEmail(Buffer.from(message), { now: NOW });
      assert.ok(performance.now() - started < 5000, `${label}: quickly`);
      assertBounded(email, label);
      assert.ok(JSON.stringify(email).length < 500_000, `${label}: bounded output`);
    }
    const flood = await parseEmail(Buffer.from(cases["14,000 encoded words"]!), { now: NOW });
    assert.equal(flood.subject.length, EMAIL_LIMITS.subject);
    assert.equal((await parseEmail(Buffer.from(cases["HTML 200,000 deep"]!), { now: NOW })).text, "deep text");
    assert.equal((await parseEmail(Buffer.from(cases["2,000 nested multiparts"]!), { now: NOW })).unreadable, "malformed");
  });
});
