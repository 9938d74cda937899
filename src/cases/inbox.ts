// The PALS inbox: each new email of the trust's shared mailbox is kept once, filed on its case when it is a reply,
// or given a triage card; officers then log it as a contact, add it to a case, take it, or say it is not a case.
// Every change to an email is a conditional write; what it does to a case is that case's one write (changes.ts),
// which marks the email as its follow-up (inboxSettlement.ts).
import { createHash } from "node:crypto";
import {
  CaseRuleError,
  EMAIL_LIMITS,
  dismissEmail,
  doneLine,
  emailReachedCase,
  formatCaseReference,
  isOpen,
  londonDate,
  may,
  newOutboxItem,
  parseCaseReference,
  refusal,
  takeEmail,
  TRIAGE_VERBS,
  workingDaysBetween,
  type Caller,
  type Case,
  type CaseRecord,
  type EmailSettlement,
  type InboxAttachment,
  type InboxEmail,
  type InboxEmailSummary,
  type IncomingEmail,
  type NotACaseReason,
  type ParsedAttachment,
  type TriageVerbName,
  type Versioned,
} from "../domain";
import { activityLog, errorFacts } from "../logger";
import { changeCase } from "./changes";
import type { CaseDeskDeps } from "./deps";
import { emailIdFor } from "./ids";
import { CASE_NOT_FOUND, PALS_DESK, refused, type Result } from "./results";
import { rulesOf } from "./deps";

/** What became of an email given by a mailbox. */
export type Received = "new" | "again" | "filed" | "automatic";

/** How many emails `inbox` lists (the rest are counted). */
export const INBOX_LIST_LIMIT = 20;
const SAVE_ATTEMPTS = 5;
/** How much of an email's text the quick-capture summary starts with. */
const SUMMARY_FROM_EMAIL = 1_500;

export const EMAIL_GONE = "This email is no longer in the PALS inbox. Type **inbox** to see the emails still to deal with.";

/** Where an email's attachments are kept: made from ids only (a name is shown, never used as a path). */
export function emailDocuments(emailId: string): string {
  return `emails/${emailId}`;
}

/** Keeps the attachments' content first, so an email on record always has its files (writing the same again is harmless). */
async function keepAttachments(deps: CaseDeskDeps, trustId: string, emailId: string, attachments: readonly ParsedAttachment[]): Promise<InboxAttachment[]> {
  const kept: InboxAttachment[] = [];
  for (const [index, a] of attachments.slice(0, EMAIL_LIMITS.attachments + 1).entries()) {
    const id = String(index + 1);
    const facts = { id, name: a.name.slice(0, EMAIL_LIMITS.name), contentType: a.contentType.slice(0, 200), size: a.size };
    if (a.refused || !a.content) {
      kept.push({ ...facts, refused: a.refused ?? "unreadable" });
      continue;
    }
    // The content's hash is in the key: another email claiming the same id can't replace what a case already holds.
    const key = `${emailDocuments(emailId)}/${id}-${createHash("sha256").update(a.content).digest("hex").slice(0, 32)}`;
    await deps.documents.put(trustId, key, a.content, facts.contentType);
    kept.push({ ...facts, documentKey: key });
  }
  return kept;
}

/**
 * A new email from a mailbox: kept once (its id comes from its Message-ID, so a second delivery, from another
 * instance or after a crash, finds it), then filed on its case when it is a reply, or given a triage card.
 * Every step is idempotent, so the mailbox may give the same email again until this has resolved.
 */
export async function receiveEmail(deps: CaseDeskDeps, incoming: IncomingEmail): Promise<Received> {
  const { trustId, email: parsed } = incoming;
  const now = deps.now();
  const id = emailIdFor(trustId, parsed);
  const attachments = parsed.automatic ? [] : await keepAttachments(deps, trustId, id, parsed.attachments);
  const { email: stored, created } = await deps.inbox.keep({
    id,
    trustId,
    mailbox: incoming.mailbox,
    messageId: parsed.messageId,
    ...(parsed.from ? { from: parsed.from } : {}),
    to: parsed.to.slice(0, 100),
    subject: parsed.subject,
    receivedAt: parsed.receivedAt,
    text: parsed.automatic ? "" : parsed.text,
    textCut: parsed.textCut,
    ...(parsed.inReplyTo ? { inReplyTo: parsed.inReplyTo } : {}),
    references: parsed.references.slice(-EMAIL_LIMITS.references),
    ...(parsed.automatic ? { automatic: parsed.automatic } : {}),
    ...(parsed.unreadable ? { unreadable: parsed.unreadable } : {}),
    attachments,
    // Machines' mail is kept (so it is never read again) but never shown, logged as a case or answered.
    state: parsed.automatic ? "automatic" : "untriaged",
    readAt: now.toISOString(),
  });
  const email = stored.value;
  const log = activityLog(deps.log);
  if (email.state === "automatic") {
    log.info({ emailId: id, automatic: email.automatic }, "An automatic email (auto-reply, bounce or bulk) was set aside");
    return "automatic";
  }
  if (email.state !== "untriaged") return "again";
  // Filing is a convenience: anything that stops it (a case that can't be read) leaves the email to a person.
  const record = await caseForReply(deps, email).catch((error: unknown) => {
    log.warn({ emailId: id, err: errorFacts(error) }, "Could not look for the case an email answers; it gets a triage card");
    return undefined;
  });
  const filed = record
    ? await fileReply(deps, email, record).catch((error: unknown) => {
        log.warn({ emailId: id, err: errorFacts(error) }, "Could not file a reply on its case; it gets a triage card");
        return false;
      })
    : false;
  if (record && filed) {
    log.info({ emailId: id, caseId: record.value.id, reference: record.value.reference }, "A reply was filed on its case");
    return "filed";
  }
  // The triage card: its outbox item's id is the email's, so it is posted once however often this runs.
  if (await deps.outbox.enqueue(newOutboxItem(trustId, `inbox:${id}`, { kind: "inbox-channel" }, { kind: "inbox-email", emailId: id }, now))) {
    deps.sendSoon();
  }
  log.info({ emailId: id, attachments: attachments.length, refused: attachments.filter((a) => a.refused).length }, "A new email is in the PALS inbox");
  return created ? "new" : "again";
}

/**
 * The case an email answers: one whose messages it names (In-Reply-To, References), else the reference of this
 * trust in its subject. A reference of another trust, or of no case, finds nothing (the email is then new).
 */
async function caseForReply(deps: CaseDeskDeps, email: InboxEmail): Promise<CaseRecord | undefined> {
  const named = [...email.references, ...(email.inReplyTo ? [email.inReplyTo] : [])];
  const caseId = await deps.inbox.caseOfThread(email.trustId, named);
  const inThread = caseId ? await deps.cases.get(email.trustId, caseId) : undefined;
  if (inThread) return filable(inThread);
  const parsed = parseCaseReference(email.subject);
  const byReference = parsed ? await deps.cases.findByReference(email.trustId, formatCaseReference(parsed.year, parsed.sequence)) : undefined;
  // References are easy to guess: a subject alone files the email only when it comes from the address the case has.
  return byReference && fromTheCasesContact(email, byReference.value) ? filable(byReference) : undefined;
}

/** Only an open case, with its details kept, takes an email without a person looking at it first. */
function filable(record: CaseRecord): CaseRecord | undefined {
  const c = record.value;
  return c.status === "open" && !c.anonymisedOn && !c.retiringOn ? record : undefined;
}

/** The sender's address is one the case records for the person who raised it. */
function fromTheCasesContact(email: Pick<InboxEmail, "from">, c: Case): boolean {
  const address = email.from?.address?.trim().toLowerCase();
  return !!address && (c.patient.contactDetails ?? "").toLowerCase().includes(address);
}

/** Files a reply on its case as PALS Desk; false when the case can't take it (its records are being deleted). */
async function fileReply(deps: CaseDeskDeps, email: InboxEmail, record: CaseRecord): Promise<boolean> {
  const now = deps.now();
  const settlement: EmailSettlement = {
    emailId: email.id,
    messageId: email.messageId,
    state: "filed",
    outcome: { by: { ...PALS_DESK }, at: now.toISOString(), caseId: record.value.id, reference: record.value.reference },
  };
  const outcome = await changeCase(deps, {
    trustId: email.trustId,
    caseId: record.value.id,
    actor: PALS_DESK,
    submission: `email:${email.id}`,
    loaded: record,
    apply: (c) => {
      const reached = emailReachedCase(c, email, "filed", {
        actor: PALS_DESK,
        now,
        rules: rulesOf(deps),
      });
      // The owner hears of it in their chat (rendered from the email when sent, so nothing of it is copied here).
      const tell = c.owner
        ? [
            newOutboxItem(
              c.trustId,
              `email-filed:${email.id}`,
              { kind: "person", aadObjectId: c.owner.aadObjectId },
              { kind: "email-filed", emailId: email.id, caseId: c.id, reference: c.reference },
              now,
            ),
          ]
        : [];
      return { updated: reached.updated, events: reached.events, outbox: tell, emails: [settlement] };
    },
  });
  if (outcome.kind === "saved" || outcome.kind === "already-applied") return true;
  if (outcome.kind === "refused")
    activityLog(deps.log).warn({ emailId: email.id, caseId: record.value.id }, "A reply could not be filed on its case; it gets a triage card");
  return false;
}

/** The email, when the caller may act on the inbox in their own trust. */
async function emailFor(
  deps: CaseDeskDeps,
  caller: Caller,
  emailId: string,
  verb: TriageVerbName | "see",
): Promise<Result<{ readonly email: Versioned<InboxEmail> }>> {
  const access = verb === "see" ? "see-inbox" : TRIAGE_VERBS[verb].access;
  if (!may(caller.roles, access)) {
    activityLog(deps.log).warn({ verb: access }, "Refused an inbox action the caller's role does not allow");
    return refused("not-allowed", refusal(access, undefined, caller.roles));
  }
  const email = await deps.inbox.get(caller.trustId, emailId);
  if (!email || email.value.state === "automatic") return refused("not-found", EMAIL_GONE);
  return { ok: true, email };
}

/** One conditional write of the email; re-read and re-applied when someone else wrote first. */
async function changeEmail(
  deps: CaseDeskDeps,
  first: Versioned<InboxEmail>,
  apply: (email: InboxEmail) => InboxEmail,
): Promise<Result<{ readonly email: InboxEmail }>> {
  let current: Versioned<InboxEmail> | undefined = first;
  for (let attempt = 1; attempt <= SAVE_ATTEMPTS && current; attempt++) {
    let next: InboxEmail;
    try {
      next = apply(current.value);
    } catch (error) {
      if (!(error instanceof CaseRuleError)) throw error;
      return refused("rule", error.message);
    }
    const saved = await deps.inbox.save(next, current.etag);
    if (saved) return { ok: true, email: saved.value };
    current = await deps.inbox.get(first.value.trustId, first.value.id);
  }
  return current ? refused("changed", "Someone else dealt with this email at the same moment. Look at the card again.") : refused("not-found", EMAIL_GONE);
}

/** The email as its triage card shows it (a refresh, or after a refusal). */
export async function openEmail(deps: CaseDeskDeps, caller: Caller, emailId: string): Promise<Result<{ readonly email: InboxEmail }>> {
  const found = await emailFor(deps, caller, emailId, "see");
  return found.ok ? { ok: true, email: found.email.value } : found;
}

/** "I'll take it". */
export async function take(deps: CaseDeskDeps, caller: Caller, emailId: string): Promise<Result<{ readonly email: InboxEmail }>> {
  const found = await emailFor(deps, caller, emailId, "take");
  if (!found.ok) return found;
  const result = await changeEmail(deps, found.email, (email) => takeEmail(email, caller.actor));
  if (result.ok) activityLog(deps.log).info({ emailId }, "An email was taken");
  return result;
}

/** "Not a case", with its reason. */
export async function notACase(deps: CaseDeskDeps, caller: Caller, emailId: string, reason: NotACaseReason): Promise<Result<{ readonly email: InboxEmail }>> {
  const found = await emailFor(deps, caller, emailId, "notACase");
  if (!found.ok) return found;
  const result = await changeEmail(deps, found.email, (email) => dismissEmail(email, caller.actor, reason, deps.now()));
  if (result.ok) activityLog(deps.log).info({ emailId, reason }, "An email was marked not a case");
  return result;
}

/** "Add to a case": the email joins the case named by its reference (one change of the case, which marks the email). */
export async function addToCase(
  deps: CaseDeskDeps,
  caller: Caller,
  emailId: string,
  referenceText: string,
): Promise<Result<{ readonly email: InboxEmail; readonly reference: string; readonly caseId: string }>> {
  const found = await emailFor(deps, caller, emailId, "add");
  if (!found.ok) return found;
  const email = found.email.value;
  if (!isOpen(email)) return refused("rule", `This email was already dealt with. ${doneLine(email)}`);
  const parsed = parseCaseReference(referenceText);
  if (!parsed)
    return refused("rule", "Type the case's reference, for example PALS-2026-000123. To look one up, type **find** and a name in your chat with PALS Desk.");
  const reference = formatCaseReference(parsed.year, parsed.sequence);
  const record = await deps.cases.findByReference(caller.trustId, reference);
  if (!record) return refused("not-found", `There is no case ${reference}. Check the reference, or type **find** and a name or NHS number to search.`);
  if (!may(caller.roles, "view-case", record.value)) return refused("not-allowed", refusal("view-case", record.value, caller.roles));
  const now = deps.now();
  const outcome = await changeCase(deps, {
    trustId: caller.trustId,
    caseId: record.value.id,
    actor: caller.actor,
    submission: `email:${email.id}`,
    loaded: record,
    apply: (c) => {
      const reached = emailReachedCase(c, email, "added", {
        actor: caller.actor,
        now,
        rules: rulesOf(deps),
      });
      const settlement: EmailSettlement = {
        emailId: email.id,
        messageId: email.messageId,
        state: "added",
        outcome: { by: { ...caller.actor }, at: now.toISOString(), caseId: c.id, reference: c.reference },
      };
      return { updated: reached.updated, events: reached.events, emails: [settlement] };
    },
  });
  if (outcome.kind === "not-found") return refused("not-found", CASE_NOT_FOUND);
  if (outcome.kind === "refused") return refused("rule", outcome.error.message);
  activityLog(deps.log).info({ emailId, caseId: record.value.id, reference }, "An email was added to a case");
  const after = (await deps.inbox.get(caller.trustId, email.id))?.value ?? email;
  return { ok: true, email: after, reference, caseId: record.value.id };
}

/**
 * "Log as contact": the quick-capture form's prefill (route email, the sender as the person raising it, the
 * text as the summary, the day received). The email is taken by the presser if nobody had it.
 */
export async function contactPrefill(
  deps: CaseDeskDeps,
  caller: Caller,
  emailId: string,
): Promise<Result<{ readonly email: InboxEmail; readonly values: Readonly<Record<string, string>> }>> {
  const found = await emailFor(deps, caller, emailId, "log");
  if (!found.ok) return found;
  let email = found.email.value;
  if (!isOpen(email)) return refused("rule", `This email was already dealt with. ${doneLine(email)}`);
  if (email.state === "untriaged") {
    const taken = await changeEmail(deps, found.email, (e) => (e.state === "untriaged" ? takeEmail(e, caller.actor) : e));
    if (taken.ok) email = taken.email;
  }
  const values: Record<string, string> = {
    receivedVia: "email",
    receivedOn: londonDate(new Date(email.receivedAt)),
    summary: summaryOf(email),
    ...(email.from?.name ? { raiserName: email.from.name } : {}),
    ...(email.from?.address ? { contactDetails: email.from.address } : {}),
  };
  return { ok: true, email, values };
}

/** The form's summary: the subject and the start of the text (the whole email goes on the case's timeline). */
function summaryOf(email: Pick<InboxEmail, "subject" | "text">): string {
  const text = email.text.trim();
  const start = text.length > SUMMARY_FROM_EMAIL ? `${text.slice(0, SUMMARY_FROM_EMAIL).trimEnd()}… (the whole email is on the case's timeline)` : text;
  return [email.subject.trim(), start].filter((part) => part !== "").join("\n\n");
}

/** The inbox's emails still to deal with, oldest first. Officers and managers (volunteers see the cards in the channel). */
export async function listInbox(
  deps: CaseDeskDeps,
  caller: Caller,
): Promise<Result<{ readonly emails: readonly InboxEmailSummary[]; readonly total: number; readonly today: string }>> {
  if (!may(caller.roles, "see-inbox")) return refused("not-allowed", refusal("see-inbox", undefined, caller.roles));
  const { emails, total } = await deps.inbox.listOpen(caller.trustId, INBOX_LIST_LIMIT);
  return { ok: true, emails, total, today: londonDate(deps.now()) };
}

/** Working days an email has waited (0 on the day it came). */
export function workingDaysWaiting(email: Pick<InboxEmail, "receivedAt">, today: string): number {
  const received = londonDate(new Date(email.receivedAt));
  return received >= today ? 0 : Math.max(0, workingDaysBetween(received, today));
}

/** The triage card was posted: where, so it can be updated for everyone later (before the item is marked sent). */
export async function triageCardPosted(deps: CaseDeskDeps, trustId: string, emailId: string, card: NonNullable<InboxEmail["card"]>): Promise<void> {
  for (let attempt = 1; attempt <= SAVE_ATTEMPTS; attempt++) {
    const stored = await deps.inbox.get(trustId, emailId);
    if (!stored || stored.value.card?.activityId === card.activityId) return;
    if (await deps.inbox.save({ ...stored.value, card }, stored.etag)) return;
  }
  activityLog(deps.log).warn({ emailId }, "Could not record where an email's triage card was posted");
}

/** The morning round: each trust whose inbox has emails waiting since before the last working day gets one word in its alerts channel. */
export async function remindOfWaitingEmail(deps: CaseDeskDeps, today: string, before: string): Promise<number> {
  let queued = 0;
  try {
    for (const trust of await deps.inbox.openSince(before, 100)) {
      const item = newOutboxItem(
        trust.trustId,
        `inbox-waiting:${trust.trustId}:${today}`,
        { kind: "alerts-channel" },
        { kind: "inbox-waiting", day: today, count: trust.count, oldest: trust.oldest },
        deps.now(),
      );
      if (await deps.outbox.enqueue(item)) queued += 1;
    }
  } catch (error) {
    activityLog(deps.log).warn({ err: errorFacts(error) }, "Could not look for emails waiting in the PALS inbox");
  }
  if (queued > 0) deps.sendSoon();
  return queued;
}

/** Queues the triage card's redraw in the inbox channel (a press made elsewhere, e.g. on a card from `inbox`). */
export async function refreshTriageCard(deps: CaseDeskDeps, caller: Caller, emailId: string): Promise<void> {
  const stored = await deps.inbox.get(caller.trustId, emailId);
  const card = stored?.value.card;
  if (!stored || !card) return;
  const version = createHash("sha256")
    .update(JSON.stringify([stored.value.state, stored.value.takenBy?.aadObjectId, stored.value.outcome?.at]))
    .digest("hex")
    .slice(0, 16);
  const item = newOutboxItem(
    caller.trustId,
    `inbox-card:${emailId}:${version}`,
    { kind: "conversation", address: card.address },
    { kind: "inbox-email-update", emailId, activityId: card.activityId },
    deps.now(),
  );
  if (await deps.outbox.enqueue(item)) deps.sendSoon();
}
