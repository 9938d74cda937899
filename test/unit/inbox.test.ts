import { strict as assert } from "node:assert";
import { CaseRuleError, dismissEmail, doneLine, previewOf, settleEmail, takeEmail, type InboxEmail } from "../../src/domain";

const OLIVIA = { aadObjectId: "officer-1", name: "Olivia Officer" };
const PRIYA = { aadObjectId: "officer-2", name: "Priya Officer" };
const AT = new Date("2026-03-10T09:00:00Z");

function email(overrides: Partial<InboxEmail> = {}): InboxEmail {
  return {
    id: "email-1",
    trustId: "trust-1",
    mailbox: "pals@trust.example",
    messageId: "<m1@example.org>",
    from: { name: "Ruth Example", address: "ruth.example@example.org" },
    to: ["pals@trust.example"],
    subject: "Concern about Ward 7",
    receivedAt: "2026-03-10T08:15:00.000Z",
    text: "Please call me.",
    textCut: false,
    references: [],
    attachments: [],
    state: "untriaged",
    readAt: "2026-03-10T08:15:01.000Z",
    ...overrides,
  };
}

describe("working an email of the PALS inbox (domain rules)", () => {
  it("lets one person take an email, and another take it over, but not the same person twice", () => {
    const taken = takeEmail(email(), OLIVIA);
    assert.equal(doneLine(taken), "Olivia Officer is dealing with it.");
    assert.throws(() => takeEmail(taken, OLIVIA), /You already took this email/);
    assert.equal(takeEmail(taken, PRIYA).takenBy?.name, "Priya Officer");
  });

  it("refuses anything once an email is dealt with, saying who did what", () => {
    const dismissed = dismissEmail(email(), OLIVIA, "spam", AT);
    assert.throws(
      () => takeEmail(dismissed, PRIYA),
      (error: Error) => error instanceof CaseRuleError && /Not a case \(spam or phishing\): Olivia Officer/.test(error.message),
    );
    assert.throws(() => dismissEmail(dismissed, PRIYA, "internal", AT), /already dealt with/);
  });

  it("marks an email logged once, however often the case's follow-up runs, and a real case wins over 'not a case'", () => {
    const outcome = { by: OLIVIA, at: AT.toISOString(), caseId: "case-1", reference: "PALS-2026-000001" };
    const logged = settleEmail(email(), "logged", outcome);
    assert.notEqual(logged, "unchanged");
    assert.equal(settleEmail(logged as InboxEmail, "logged", outcome), "unchanged");
    const dismissed = dismissEmail(email(), PRIYA, "duplicate", AT);
    assert.equal((settleEmail(dismissed, "logged", outcome) as InboxEmail).state, "logged");
    assert.throws(() => settleEmail(logged as InboxEmail, "added", { ...outcome, caseId: "case-2" }), /already dealt with/);
  });

  it("shows the first lines of an email, and says when there is more", () => {
    assert.equal(previewOf("Dear PALS,\n\nPlease call me."), "Dear PALS,\n\nPlease call me.");
    const long = Array.from({ length: 20 }, (_, i) => `Line ${i + 1}`).join("\n");
    assert.match(previewOf(long), /^Line 1\nLine 2[\s\S]*Line 8\n…$/);
  });
});
