// The inbox's cards: an email's triage card (shared in the inbox channel; everyone sees who did what) and the
// `inbox` list. Everything the email says goes into TextRuns: plain text, never markdown or a link.
import { doneLine, formatLondonDateTime, isOpen, NOT_A_CASE_REASONS, previewOf, senderText, type InboxEmail, type InboxEmailSummary } from "../../domain";
import { workingDaysWaiting } from "../../cases/inbox";
import { expandCard } from "../cards";

const REFUSED_WORDS: Readonly<Record<string, string>> = {
  executable: "refused: a program, which could harm the trust's computers",
  "password-protected": "refused: protected by a password, so it can't be checked",
  "too-large": "refused: larger than 25 MB",
  "too-many": "refused: more than 50 attachments",
  unreadable: "refused: it could not be read",
};

function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

const HEADINGS: Readonly<Record<InboxEmail["state"], string>> = {
  untriaged: "New email to the PALS inbox",
  taken: "Email to the PALS inbox: being dealt with",
  logged: "Email to the PALS inbox: logged as a case",
  added: "Email to the PALS inbox: added to a case",
  filed: "Email to the PALS inbox: a reply, filed on its case",
  "not-a-case": "Email to the PALS inbox: not a case",
  automatic: "Automatic email",
};

/** The triage card, as everyone in the inbox channel sees it; `note` says why a press was refused. */
export function triageCard(email: InboxEmail, options: { readonly note?: string } = {}): Record<string, unknown> {
  const open = isOpen(email);
  const unreadable =
    email.unreadable === "too-large"
      ? "This email is larger than PALS Desk reads (40 MB): open it in the shared mailbox."
      : email.unreadable === "malformed"
        ? "Part of this email could not be read: check it in the shared mailbox."
        : "";
  return expandCard("inboxEmail", {
    emailId: email.id,
    note: options.note ?? "",
    heading: HEADINGS[email.state],
    style: open ? "accent" : email.state === "not-a-case" ? "default" : "good",
    stateText: doneLine(email),
    facts: [
      { title: "From", value: senderText(email) },
      { title: "Subject", value: email.subject || "(no subject)" },
      { title: "Received", value: formatLondonDateTime(email.receivedAt) },
      { title: "To", value: email.mailbox },
    ],
    preview: [unreadable, previewOf(email.text)].filter((part) => part !== "").join("\n\n"),
    attachments: email.attachments.map((a) => ({
      text: `${a.name} (${sizeText(a.size)})${a.refused ? `: ${REFUSED_WORDS[a.refused] ?? "refused"}` : ""}`,
      color: a.refused ? "Attention" : "Default",
    })),
    reasons: NOT_A_CASE_REASONS.map((r) => ({ id: r.id, title: r.title })),
    open,
    canTake: email.state === "untriaged",
    caseId: email.outcome?.caseId ?? "",
  });
}

/** `inbox`: the emails still to deal with, oldest first, with how long each has waited. */
export function inboxListCard(emails: readonly InboxEmailSummary[], total: number, today: string): Record<string, unknown> {
  return expandCard("inboxList", {
    heading: total === 0 ? "The PALS inbox" : `The PALS inbox: ${total} email${total === 1 ? "" : "s"} to deal with`,
    emails: emails.map((email) => {
      const waited = workingDaysWaiting(email, today);
      const waiting = waited === 0 ? "today" : `${waited} working day${waited === 1 ? "" : "s"} waiting`;
      return {
        emailId: email.id,
        subject: email.subject || "(no subject)",
        line: `From ${senderText(email)} · ${formatLondonDateTime(email.receivedAt)} · ${waiting}${email.state === "taken" ? ` · ${email.takenBy?.name ?? "someone"} has it` : ""}`,
        color: waited >= 1 && email.state === "untriaged" ? "Attention" : "Default",
      };
    }),
    moreText: total > emails.length ? `The ${emails.length} oldest of ${total}. Deal with these first; the rest follow.` : "",
  });
}
