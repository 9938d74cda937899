// Mail sent by a machine is recognised from its headers and subject (src/domain/inbox/automatic.ts), and a person's
// email never is: an email taken for automatic mail is never seen by the team.
import { strict as assert } from "node:assert";
import { automaticKind } from "../../src/domain/inbox/automatic";

const person = { headers: { From: "Ruth Example <ruth.example@example.org>" }, subject: "Concern about my father's discharge from Ward 7" };

describe("automatic mail: auto-replies, out-of-office, bounces and bulk mail (automaticKind)", () => {
  it("reads Auto-Submitted (RFC 3834): anything but no is an auto-reply", () => {
    for (const value of ["auto-replied", "auto-generated", "auto-notified", "Auto-Replied; owner-email=x@example.org", "auto-generated (vacation)"]) {
      assert.equal(automaticKind({ ...person, headers: { "Auto-Submitted": value } }), "auto-reply", value);
    }
    assert.equal(automaticKind({ ...person, headers: { "auto-submitted": "no" } }), undefined);
    assert.equal(automaticKind({ ...person, headers: new Map([["AUTO-SUBMITTED", "auto-replied"]]) }), "auto-reply", "a Map, any case of name");
    assert.equal(automaticKind({ ...person, headers: { "X-Autoreply": "yes" } }), "auto-reply");
    assert.equal(
      automaticKind({ ...person, headers: {}, contentType: "multipart/report; report-type=disposition-notification" }),
      "auto-reply",
      "a read receipt",
    );
  });

  it("knows an out-of-office notice: Exchange's X-Auto-Response-Suppress on an auto-reply, or Outlook's 'Automatic reply:' subject", () => {
    assert.equal(
      automaticKind({ headers: { "Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All" }, subject: "Investigation request" }),
      "out-of-office",
    );
    for (const subject of [
      "Automatic reply: Investigation request PALS-2026-000123",
      "Out of Office: Re: Ward 7",
      "Out of office reply: hello",
      "Auto-Reply: your email",
      "AutoReply: x",
    ]) {
      assert.equal(automaticKind({ headers: {}, subject }), "out-of-office", subject);
    }
    assert.equal(
      automaticKind({ headers: { "X-Auto-Response-Suppress": "All" }, subject: "Please call me" }),
      undefined,
      "the header alone: many senders set it",
    );
  });

  it("knows a bounce: a delivery report, mail from MAILER-DAEMON or postmaster, or a delivery-failure subject; before any other kind", () => {
    assert.equal(automaticKind({ headers: {}, subject: "x", contentType: 'multipart/report; report-type="delivery-status"; boundary="b"' }), "bounce");
    assert.equal(automaticKind({ headers: { "Content-Type": "multipart/report; report-type=delivery-status" }, subject: "x" }), "bounce", "from the headers");
    assert.equal(automaticKind({ headers: {}, subject: "x", partTypes: ["multipart/mixed", "text/plain", "message/delivery-status"] }), "bounce");
    assert.equal(automaticKind({ headers: { "Auto-Submitted": "auto-replied" }, subject: "x", from: "MAILER-DAEMON@mx.example.org" }), "bounce");
    assert.equal(automaticKind({ headers: {}, subject: "x", from: "postmaster@example.org" }), "bounce");
    for (const subject of [
      "Undeliverable: Your concern about Ward 7",
      "Undelivered Mail Returned to Sender",
      "Delivery Status Notification (Failure)",
      "Mail delivery failed: returning message to sender",
      "Returned mail: see transcript for details",
    ]) {
      assert.equal(automaticKind({ headers: {}, subject }), "bounce", subject);
    }
  });

  it("knows bulk mail: Precedence bulk, junk or list, List-Id, List-Unsubscribe", () => {
    for (const headers of <Record<string, string>[]>[
      { Precedence: "bulk" },
      { Precedence: "junk" },
      { precedence: "List" },
      { "List-Id": "<news.example.org>" },
      { "List-Unsubscribe": "<mailto:u@example.org>" },
    ]) {
      assert.equal(automaticKind({ headers, subject: "This week's news" }), "bulk", JSON.stringify(headers));
    }
    assert.equal(automaticKind({ headers: { Precedence: "first-class" }, subject: "x" }), undefined);
  });

  it("never takes a person's email for automatic mail: subjects that only look like a machine's", () => {
    for (const subject of [
      "Out of office hours care for my mum",
      "RE: Automatic reply: Investigation request",
      "Returned mail from the ward",
      "Undeliverable medication at home",
      "My automatic reply to your letter",
      "Complaint about the postmaster@ address on your website",
    ]) {
      assert.equal(
        automaticKind({ headers: { From: "Ruth Example <ruth.example@example.org>" }, subject, from: "ruth.example@example.org" }),
        undefined,
        subject,
      );
    }
    assert.equal(
      automaticKind({ headers: { "X-MS-Exchange-Inbox-Rules-Loop": "ward12@nhs.example" }, subject: "FW: Complaint" }),
      undefined,
      "forwarded by a rule: still a person's email",
    );
  });
});
