// Emails sent from the case: to whom PALS Desk may write (the person who raised it, a representative only with
// consent), what the subject says (the case reference, so replies find the case), and what sending records (the
// timeline's copy; for the acknowledgement letter, the acknowledgement itself; on an open complaint, an update).
import { formatLondonDateTime, londonDate } from "../calendar/calendar";
import { recordAcknowledgement, recordUpdateGiven } from "../case/caseActions";
import type { Case, PersonRef } from "../case/caseSchema";
import type { ActionContext, CaseEventDraft } from "../case/change";
import { CaseRuleError } from "../case/errors";
import { needsConsent } from "../case/triage";
import type { CaseDocument } from "../documents/documentSchema";
import { SENT_EMAIL_LIMITS, type SentEmail, type SentEmailKind } from "./sentEmailSchema";

/** A plain email address: no display name, no spaces or line breaks (so nothing can be added to the headers). */
const ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const ADDRESS_IN_TEXT = /[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/;

/** Consent statuses that let PALS Desk write to a representative about the patient. */
const CONSENT_OK = new Set(["given", "deceased", "child", "lacks-capacity"]);

export function isEmailAddress(text: string): boolean {
  return text.length <= 254 && ADDRESS.test(text);
}

/**
 * Who an email from the case goes to: only the person who raised it, at the email address in its contact
 * details; a representative (family, carer, advocate, MP) only once consent is recorded or not needed.
 */
export function recipientOf(c: Case): { readonly name?: string; readonly address: string } {
  const found = ADDRESS_IN_TEXT.exec(c.patient.contactDetails ?? "")?.[0];
  const name = c.raisedBy === "patient" ? c.patient.name : c.raiser?.name;
  if (!found || !isEmailAddress(found)) {
    throw new CaseRuleError(
      `No email address is recorded for ${name ?? "the person who raised this"}. Add it to the contact details (Complete details), then send again.`,
    );
  }
  if (needsConsent(c) && !CONSENT_OK.has(c.consent ?? "")) {
    throw new CaseRuleError(
      "The patient's consent isn't recorded, so PALS Desk won't write to their representative about them. Record consent (Complete details) first.",
    );
  }
  return { ...(name ? { name } : {}), address: found.toLowerCase() };
}

const WHAT: Readonly<Record<SentEmailKind, string>> = {
  acknowledgement: "acknowledgement of your complaint",
  holding: "an update on your complaint",
  final: "our response to your complaint",
  message: "a message from the Patient Advice and Liaison Service",
  "ombudsman-file": "complaint file for the Ombudsman",
};

/** The subject carries the reference, so a reply (Re: ...) finds its case. */
export function emailSubject(c: Pick<Case, "reference">, kind: SentEmailKind): string {
  return `${c.reference}: ${WHAT[kind]}`;
}

/** The send starts: recorded on the case as "sending" (the same send again changes nothing). */
export function startSending(c: Case, sent: Omit<SentEmail, "status">): Case {
  if ((c.correspondence ?? []).some((e) => e.id === sent.id)) return c;
  if ((sent.text ?? "").length > SENT_EMAIL_LIMITS.text) throw new CaseRuleError(`Shorten the message to ${SENT_EMAIL_LIMITS.text} characters or fewer.`);
  const kept = [...(c.correspondence ?? []), { ...sent, status: "sending" as const }].slice(-SENT_EMAIL_LIMITS.count);
  return { ...c, correspondence: kept };
}

const TITLES: Readonly<Record<SentEmailKind, string>> = {
  acknowledgement: "Acknowledgement letter",
  holding: "Holding letter",
  final: "Final response",
  message: "Message",
  "ombudsman-file": "Case file for the Ombudsman",
};

function to(e: Pick<SentEmail, "to">): string {
  return e.to.name ? `${e.to.name} (${e.to.address})` : e.to.address;
}

/**
 * The email went: the record says so (its text moves to the timeline), and what sending it means is recorded too:
 * the acknowledgement letter stops the acknowledgement clock (SI 2009/309 reg 13(1): acknowledge within 3 working
 * days in England), and on an open complaint it counts as an update to the complainant.
 */
export function emailSent(
  c: Case,
  sendId: string,
  sent: { readonly messageId: string; readonly at: Date; readonly documents: readonly Pick<CaseDocument, "name">[] },
  ctx: ActionContext,
): { readonly updated: Case; readonly events: readonly CaseEventDraft[] } {
  const record = (c.correspondence ?? []).find((e) => e.id === sendId);
  if (!record) throw new CaseRuleError("That email is not on this case.");
  if (record.status === "sent") return { updated: c, events: [] };
  let updated: Case = {
    ...c,
    correspondence: (c.correspondence ?? []).map((e) =>
      e.id === sendId ? { ...e, status: "sent" as const, sentAt: sent.at.toISOString(), messageId: sent.messageId, text: undefined } : e,
    ),
  };
  const events: CaseEventDraft[] = [
    {
      kind: "email-sent",
      summary: `${TITLES[record.kind]} emailed to ${to(record)}`,
      detail: [
        `Subject: ${record.subject}`,
        `Sent: ${formatLondonDateTime(sent.at)} from the PALS shared mailbox`,
        ...(sent.documents.length ? [`Attached: ${sent.documents.map((d) => d.name).join(", ")}`] : []),
        "",
        record.text ?? "",
      ].join("\n"),
      changes: [{ field: "correspondence", after: sendId }],
    },
  ];
  const today = londonDate(ctx.now);
  if (record.kind === "acknowledgement" && updated.type === "complaint" && updated.status === "open" && !updated.deadlines.acknowledgedOn) {
    const ack = recordAcknowledgement(updated, today, ctx);
    updated = ack.updated;
    events.push(ack.event);
  }
  if (record.kind !== "ombudsman-file" && updated.type === "complaint" && updated.status === "open") {
    const update = recordUpdateGiven(updated, { how: "email", on: today }, ctx);
    updated = update.updated;
    events.push(update.event);
  }
  return { updated, events };
}

/** The email could not be sent (and trying again would not help): the record says why; the officer may send it again. */
export function emailFailed(c: Case, sendId: string, code: string, by: PersonRef): { readonly updated: Case; readonly event: CaseEventDraft } {
  const record = (c.correspondence ?? []).find((e) => e.id === sendId);
  if (!record) throw new CaseRuleError("That email is not on this case.");
  return {
    updated: { ...c, correspondence: (c.correspondence ?? []).map((e) => (e.id === sendId ? { ...e, status: "failed" as const, failure: code } : e)) },
    event: {
      kind: "email-failed",
      summary: `${TITLES[record.kind]} to ${to(record)} could not be sent`,
      detail: `The shared mailbox did not take it (${code}). ${by.name} can check the mailbox's Sent Items and the address, and send it again.`,
    },
  };
}
