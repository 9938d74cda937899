// Working the PALS inbox: what each triage button does to an email, who may press it, and what everyone then
// sees. One definition per triage verb; access.ts, the application layer (src/cases/inbox.ts) and the triage
// card (src/teams/inbox/) all read these. Each email is acted on once: a second press finds it done.
import { formatLondonDateTime, formatPlainDate, londonDate } from "../calendar/calendar";
import { recordUpdateGiven } from "../case/caseActions";
import type { Case, PersonRef } from "../case/caseSchema";
import type { ActionContext, CaseEventDraft } from "../case/change";
import { CaseRuleError } from "../case/errors";
import { withDocuments } from "../documents/documents";
import type { CaseDocument } from "../documents/documentSchema";
import { NOT_A_CASE_REASONS, senderText, type InboxEmail, type InboxOutcome, type NotACaseReason } from "./email";

export interface TriageVerbDefinition {
  /** The permission access.ts checks. */
  readonly access: "log-email" | "add-email" | "dismiss-email" | "take-email";
  /** Volunteers may too (they log contacts; they don't decide an email is not a case). */
  readonly volunteers?: true;
  /** "You can't <phrase>". */
  readonly phrase: string;
  /** The button's title on the triage card. */
  readonly title: string;
}

export const TRIAGE_VERBS = {
  log: { access: "log-email", volunteers: true, phrase: "log emails as contacts", title: "Log as contact" },
  add: { access: "add-email", phrase: "add emails to cases", title: "Add to a case" },
  notACase: { access: "dismiss-email", phrase: "mark emails as not a case", title: "Not a case" },
  take: { access: "take-email", phrase: "take emails from the inbox", title: "I'll take it" },
} as const satisfies Record<string, TriageVerbDefinition>;

export type TriageVerbName = keyof typeof TRIAGE_VERBS;
export const TRIAGE_VERB_NAMES = Object.keys(TRIAGE_VERBS) as TriageVerbName[];

/** What a later press is told: who did what, when. */
export function doneLine(email: Pick<InboxEmail, "state" | "outcome" | "takenBy">): string {
  const o = email.outcome;
  const when = o ? formatLondonDateTime(o.at) : "";
  switch (email.state) {
    case "logged":
      return `Logged as ${o?.reference ?? "a case"} by ${o?.by.name ?? "someone"}, ${when}.`;
    case "added":
      return `Added to ${o?.reference ?? "a case"} by ${o?.by.name ?? "someone"}, ${when}.`;
    case "filed":
      return `A reply on ${o?.reference ?? "a case"}: filed on its timeline, ${when}.`;
    case "not-a-case":
      return `Not a case (${reasonTitle(o?.reason)}): ${o?.by.name ?? "someone"}, ${when}.`;
    case "automatic":
      return "An automatic message (an auto-reply, out-of-office, bounce or bulk mail): nothing to do.";
    case "taken":
      return `${email.takenBy?.name ?? "Someone"} is dealing with it.`;
    case "untriaged":
      return "Nobody has dealt with it yet.";
  }
}

export function reasonTitle(reason: NotACaseReason | undefined): string {
  return NOT_A_CASE_REASONS.find((r) => r.id === reason)?.title.toLowerCase() ?? "no reason given";
}

/** Refuses a final action on an email someone already dealt with, saying who and how. */
function stillOpen(email: InboxEmail): void {
  if (email.state !== "untriaged" && email.state !== "taken") throw new CaseRuleError(`This email was already dealt with. ${doneLine(email)}`);
}

/** "I'll take it": the person deals with it (another person's take can be taken over; a done email can't). */
export function takeEmail(email: InboxEmail, by: PersonRef): InboxEmail {
  stillOpen(email);
  if (email.state === "taken" && email.takenBy?.aadObjectId === by.aadObjectId) throw new CaseRuleError("You already took this email.");
  return { ...email, state: "taken", takenBy: by };
}

/** "Not a case", with the reason. */
export function dismissEmail(email: InboxEmail, by: PersonRef, reason: NotACaseReason, at: Date): InboxEmail {
  stillOpen(email);
  return { ...email, state: "not-a-case", outcome: { by, at: at.toISOString(), reason } };
}

/**
 * Records that the email became a case, joined one, or was filed on one as a reply. Idempotent: the same
 * outcome again changes nothing (a follow-up done twice). A case logged from it wins over an earlier "not a
 * case" (a real case must be found from its email); anything else already done is refused.
 */
export function settleEmail(email: InboxEmail, state: "logged" | "added" | "filed", outcome: InboxOutcome): InboxEmail | "unchanged" {
  if (email.state === state && email.outcome?.caseId === outcome.caseId) return "unchanged";
  if (!(email.state === "untriaged" || email.state === "taken" || (state === "logged" && email.state === "not-a-case"))) {
    throw new CaseRuleError(`This email was already dealt with. ${doneLine(email)}`);
  }
  return { ...email, state, outcome };
}

/** The line the case timeline shows for an email that reached the case. */
export function emailEventSummary(email: Pick<InboxEmail, "from">, how: "logged" | "added" | "filed"): string {
  const from = `Email from ${senderText(email)}`;
  return how === "filed" ? `${from} (a reply, filed by PALS Desk)` : how === "added" ? `${from}, added to the case` : `${from}, logged as this case`;
}

/** The timeline's copy of the email: subject, received time, attachments, then the text (bounded by the timeline). */
export function emailEventDetail(email: Pick<InboxEmail, "subject" | "receivedAt" | "text" | "attachments">, maxChars: number): string {
  const kept = email.attachments.filter((a) => !a.refused).map((a) => a.name);
  const refused = email.attachments.filter((a) => a.refused).map((a) => a.name);
  const head = [
    `Subject: ${email.subject || "(no subject)"}`,
    `Received: ${formatLondonDateTime(email.receivedAt)}`,
    ...(kept.length ? [`Attachments: ${kept.join(", ")}`] : []),
    ...(refused.length ? [`Refused attachments (not kept): ${refused.join(", ")}`] : []),
  ].join("\n");
  const whole = `${head}\n\n${email.text}`;
  return whole.length <= maxChars ? whole : `${whole.slice(0, maxChars - 40).trimEnd()}\n… (the rest is kept with the email)`;
}

/** The most of an email the timeline keeps (the whole text stays with the email). */
export const EMAIL_EVENT_DETAIL_LIMIT = 20_000;

/**
 * An email reaches a case (added by an officer, or a reply filed by PALS Desk): its copy on the timeline and,
 * on an open complaint, contact with the complainant by email on the day it was received (the update clock).
 */
export function emailReachedCase(
  c: Case,
  email: Pick<InboxEmail, "id" | "from" | "subject" | "receivedAt" | "text" | "attachments">,
  how: "added" | "filed",
  ctx: ActionContext,
): { readonly updated: Case; readonly events: readonly CaseEventDraft[] } {
  const event: CaseEventDraft = {
    kind: "email-received",
    summary: emailEventSummary(email, how),
    detail: emailEventDetail(email, EMAIL_EVENT_DETAIL_LIMIT),
    changes: [{ field: "emails", after: email.id }],
  };
  const withAttachments = withDocuments(c, documentsOfEmail(email, ctx.actor, ctx.now));
  if (withAttachments.type !== "complaint" || withAttachments.status !== "open") return { updated: withAttachments, events: [event] };
  const today = londonDate(ctx.now);
  const received = londonDate(new Date(email.receivedAt));
  const on = received < withAttachments.receivedOn ? withAttachments.receivedOn : received > today ? today : received;
  const contact = recordUpdateGiven(withAttachments, { how: "email", on }, ctx);
  return {
    updated: contact.updated,
    events: [event, { ...contact.event, summary: `Contact with the complainant (an email they sent)${on === today ? "" : ` on ${formatPlainDate(on)}`}` }],
  };
}

/** The email's kept attachments as the case's documents (refused ones are named on the timeline only). */
export function documentsOfEmail(email: Pick<InboxEmail, "id" | "attachments">, by: PersonRef, at: Date): CaseDocument[] {
  return email.attachments
    .filter((a) => !a.refused && a.documentKey)
    .map((a) => ({
      id: `${email.id}-${a.id}`,
      name: a.name,
      contentType: a.contentType,
      size: a.size,
      key: a.documentKey!,
      source: "email" as const,
      addedBy: { aadObjectId: by.aadObjectId, name: by.name },
      addedAt: at.toISOString(),
      emailId: email.id,
    }));
}
