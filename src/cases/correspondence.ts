// Emails sent from the case: the officer picks a letter or writes a message, sees exactly what will go, and presses
// Send. Send is one case change (the email recorded as "sending", the send queued in the outbox); the outbox makes
// the letter's Word document, sends it from the shared mailbox (each send claimed, so one instance sends it) and
// records it as sent, which is a second change (the document kept, and what sending means: the acknowledgement, an
// update). The mail sender never sends one send id twice, so a crash anywhere between loses nothing and sends nothing twice.
import { createHash, randomUUID } from "node:crypto";
import {
  NATIONAL_BODIES,
  CaseRuleError,
  emailFailed,
  emailSent,
  emailSubject,
  letterTitle,
  isEmailAddress,
  may,
  mayReport,
  newOutboxItem,
  recipientOf,
  refusal,
  SENT_EMAIL_LIMITS,
  startSending,
  withDocuments,
  formatPlainDate,
  gapsIn,
  londonDate,
  type Caller,
  type Case,
  type CaseDocument,
  type PersonRef,
  type CaseRecord,
  type LetterKind,
  type OutboxItem,
  type SentEmail,
  type SentEmailKind,
} from "../domain";
import { activityLog } from "../logger";
import { changeCase } from "./changes";
import { rulesOf, type CaseDeskDeps } from "./deps";
import { caseDocumentKey } from "./documents";
import { draftLetter } from "./letters";
import { buildFile } from "./reports";
import { CASE_NOT_FOUND, PALS_DESK, refused, type Result } from "./results";

/** What the officer asks to send: a letter, or their own message; with documents of the case attached. */
export interface EmailRequest {
  readonly kind: SentEmailKind;
  readonly message?: string;
  readonly documentIds: readonly string[];
}

/** Exactly what will go, for the officer to check before pressing Send. */
export interface EmailPreview {
  readonly caseId: string;
  readonly reference: string;
  readonly sendId: string;
  readonly to: { readonly name?: string; readonly address: string };
  readonly subject: string;
  readonly text: string;
  readonly attachments: readonly { readonly name: string; readonly size?: number }[];
  /** Placeholders a letter still has: it can't be sent until the case fills them. */
  readonly gaps: readonly string[];
  /** Changes when anything that would go changes: Send is refused when it no longer matches the preview. */
  readonly hash: string;
}

const LETTERS: ReadonlySet<string> = new Set(["acknowledgement", "holding", "final"]);
const isLetter = (kind: SentEmailKind): kind is LetterKind => LETTERS.has(kind);

/** Documents attached to one email at most, and their size together (NHSmail takes 35 MB a message). */
export const ATTACH_LIMITS = { count: 10, bytes: 20 * 1024 * 1024 } as const;
/** How long Send waits, from the press, for the email to go before saying it will tell the officer (Teams gives up at 5 s). */
export const SEND_BUDGET_MS = 3_500;

const NO_MAILBOX =
  "PALS Desk has no shared mailbox to send from, so it can't email anyone yet. Ask your PALS Desk administrator to set one up (Emails from cases in docs/operations.md).";

export const sendOutboxId = (sendId: string) => `mail:${sendId}`;

function letterFileName(reference: string, kind: LetterKind): string {
  return `${reference} ${letterTitle(kind).replace(/\s*\(.*\)$/, "")}.docx`;
}

async function compose(
  deps: CaseDeskDeps,
  caller: Caller,
  record: CaseRecord,
  request: EmailRequest,
): Promise<
  Result<{ readonly preview: Omit<EmailPreview, "sendId" | "hash" | "caseId">; readonly documents: readonly CaseDocument[]; readonly letter?: LetterKind }>
> {
  const c = record.value;
  if (!may(caller.roles, "view-case", c) || !may(caller.roles, "send-email", c)) {
    return refused("not-allowed", refusal(may(caller.roles, "view-case", c) ? "send-email" : "view-case", c, caller.roles));
  }
  if (request.kind === "ombudsman-file" && !mayReport(caller.roles))
    return refused("not-allowed", "Only a PALS manager can send the case file to the Ombudsman.");
  if (!deps.mail || !deps.mailboxOf?.(c.trustId)) return refused("rule", NO_MAILBOX);
  // One of each letter at a time: "Still sending" is not a reason to send it again.
  const sending = request.kind !== "message" ? c.correspondence?.find((e) => e.status === "sending" && e.kind === request.kind) : undefined;
  if (sending) {
    return refused(
      "rule",
      `"${sending.subject}" is still being sent: PALS Desk will tell you in your chat when it has gone. Send it again only if it says it was not sent.`,
    );
  }
  let to: { name?: string; address: string };
  try {
    to = request.kind === "ombudsman-file" ? ombudsmanAddress(deps) : recipientOf(c);
  } catch (error) {
    if (error instanceof CaseRuleError) return refused("rule", error.message);
    throw error;
  }
  const chosen = [...new Set(request.documentIds)];
  if (chosen.length > ATTACH_LIMITS.count) return refused("rule", `Attach at most ${ATTACH_LIMITS.count} documents to one email.`);
  const documents = chosen.map((id) => c.documents?.find((d) => d.id === id));
  if (documents.some((d) => d === undefined)) return refused("rule", "A document you chose is no longer on the case. Open the case again and choose again.");
  const attached = documents as CaseDocument[];
  if (attached.reduce((sum, d) => sum + d.size, 0) > ATTACH_LIMITS.bytes) {
    return refused("rule", "The documents together are over 20 MB, more than a mailbox takes in one email. Send fewer, or send them in two emails.");
  }
  let text: string;
  let letter: LetterKind | undefined;
  if (request.kind === "ombudsman-file") {
    text = ombudsmanCoverNote(NATIONAL_BODIES[rulesOf(deps).nation].ombudsman.name, c.reference, deps.trustNameOf?.(c.trustId), caller.actor.name);
    // Every letter sent or drafted on the letterhead goes with the file, with the documents chosen.
    const letters = (c.documents ?? []).filter((d) => d.source === "letter" && !chosen.includes(d.id));
    const withLetters = [...letters, ...attached];
    const attachments = [{ name: caseFileName(c.reference) }, ...withLetters.map((d) => ({ name: d.name, size: d.size }))];
    return { ok: true, preview: { reference: c.reference, to, subject: emailSubject(c, request.kind), text, attachments, gaps: [] }, documents: withLetters };
  }
  if (request.kind === "message") {
    text = (request.message ?? "").replace(/\r\n?/g, "\n").trim();
    if (text === "") return refused("rule", "Write the message to send.");
    if (text.length > SENT_EMAIL_LIMITS.text) return refused("rule", `Shorten the message to ${SENT_EMAIL_LIMITS.text} characters or fewer.`);
  } else {
    letter = request.kind;
    const draft = await draftLetter(deps, caller, c.id, letter, caller.actor.name);
    if (!draft.ok) return draft;
    text = draft.text;
  }
  const attachments = [...(letter ? [{ name: letterFileName(c.reference, letter) }] : []), ...attached.map((d) => ({ name: d.name, size: d.size }))];
  return {
    ok: true,
    preview: { reference: c.reference, to, subject: emailSubject(c, request.kind), text, attachments, gaps: gapsIn(text) },
    documents: attached,
    letter,
  };
}

function hashOf(preview: Omit<EmailPreview, "sendId" | "hash" | "caseId">): string {
  return createHash("sha256")
    .update(JSON.stringify([preview.to, preview.subject, preview.text, preview.attachments.map((a) => a.name)]))
    .digest("base64url")
    .slice(0, 32);
}

/** "Preview": what would go, with a new send id for its Send button. */
export async function previewEmail(
  deps: CaseDeskDeps,
  caller: Caller,
  caseId: string,
  request: EmailRequest,
): Promise<Result<{ readonly preview: EmailPreview }>> {
  const record = await deps.cases.get(caller.trustId, caseId);
  if (!record) return refused("not-found", CASE_NOT_FOUND);
  const composed = await compose(deps, caller, record, request);
  if (!composed.ok) return composed;
  return { ok: true, preview: { ...composed.preview, caseId, sendId: randomUUID(), hash: hashOf(composed.preview) } };
}

/**
 * "Send": refused unless what would go is still what the officer saw (the hash); then one case change queues it, and
 * it is sent at once (within a few seconds) or by the outbox soon after. Pressing again sends nothing twice.
 */
export async function sendEmail(
  deps: CaseDeskDeps,
  caller: Caller,
  caseId: string,
  request: EmailRequest,
  sendId: string,
  hash: string,
): Promise<
  | Result<{ readonly status: SentEmail["status"]; readonly record: CaseRecord; readonly sent: SentEmail }>
  | (ReturnType<typeof refused> & { readonly preview?: EmailPreview })
> {
  const startedAt = Date.now();
  const record = await deps.cases.get(caller.trustId, caseId);
  if (!record) return refused("not-found", CASE_NOT_FOUND);
  const c = record.value;
  if (!may(caller.roles, "view-case", c) || !may(caller.roles, "send-email", c)) {
    return refused("not-allowed", refusal(may(caller.roles, "view-case", c) ? "send-email" : "view-case", c, caller.roles));
  }
  const already = c.correspondence?.find((e) => e.id === sendId);
  if (!already) {
    // A send id names one email: never a document the case already has (its content would be replaced).
    if (c.documents?.some((d) => d.id === sendId)) return refused("changed", "This Send button is out of date. Press Email the complainant again.");
    const composed = await compose(deps, caller, record, request);
    if (!composed.ok) return composed;
    if (hashOf(composed.preview) !== hash) {
      return {
        ...refused("changed", "What would be sent has changed since you looked at it (the case was updated). Check it again below."),
        preview: { ...composed.preview, caseId, sendId: randomUUID(), hash: hashOf(composed.preview) },
      };
    }
    if (composed.preview.gaps.length > 0) {
      return refused(
        "rule",
        `The letter still has gaps (${composed.preview.gaps.join(", ")}). Complete the case's details so PALS Desk can fill them, then send it.`,
      );
    }
    const now = deps.now();
    // The letter's Word document (or the Ombudsman's case file) is made when the email goes, by the outbox: not here,
    // inside the 5 seconds Teams gives this button.
    const outcome = await changeCase(deps, {
      trustId: caller.trustId,
      caseId,
      actor: caller.actor,
      submission: `send:${sendId}`,
      loaded: record,
      apply: (current) => ({
        updated: startSending(current, {
          id: sendId,
          kind: request.kind,
          to: composed.preview.to,
          subject: composed.preview.subject,
          text: composed.preview.text,
          documentIds: composed.documents.map((d) => d.id),
          requestedBy: { aadObjectId: caller.actor.aadObjectId, name: caller.actor.name },
          requestedAt: now.toISOString(),
        }),
        events: [],
        outbox: [sendItem(current.trustId, current.id, current.reference, sendId, now)],
      }),
    });
    if (outcome.kind === "not-found") return refused("not-found", CASE_NOT_FOUND);
    if (outcome.kind === "refused") return refused("rule", outcome.error.message);
    activityLog(deps.log).info({ caseId, reference: c.reference, sendId, kind: request.kind }, "An email from a case was queued");
  }
  // Sent now when it can be, within what is left of Teams' 5 seconds; otherwise the outbox keeps trying and the
  // officer is told in their chat when it has gone.
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    deps.sendNow(caller.trustId, [sendOutboxId(sendId)]).catch(() => undefined),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, SEND_BUDGET_MS - (Date.now() - startedAt))))),
  ]);
  clearTimeout(timer);
  const now = await deps.cases.get(caller.trustId, caseId);
  const sent = now?.value.correspondence?.find((e) => e.id === sendId);
  if (!now || !sent) return refused("not-found", CASE_NOT_FOUND);
  return { ok: true, status: sent.status, record: now, sent };
}

function sendItem(trustId: string, caseId: string, reference: string, sendId: string, now: Date): OutboxItem {
  return newOutboxItem(trustId, sendOutboxId(sendId), { kind: "mailbox" }, { kind: "send-email", caseId, reference, sendId }, now);
}

/** The letter on the trust's letterhead, kept with the case (written first: the case never lists a document it doesn't have). */
async function storeLetter(deps: CaseDeskDeps, by: PersonRef, c: Case, kind: LetterKind, text: string, sendId: string): Promise<CaseDocument | undefined> {
  if (!deps.letterDocument) return undefined;
  const content = deps.letterDocument({
    trustName: deps.trustNameOf?.(c.trustId),
    reference: c.reference,
    date: formatPlainDate(londonDate(deps.now())),
    text,
  });
  return keepMade(deps, c, sendId, { name: letterFileName(c.reference, kind), contentType: DOCX, source: "letter", content }, by);
}

const DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/** A document PALS Desk made for a send, stored under the send's id in the case's folder (writing it again is harmless). */
async function keepMade(
  deps: CaseDeskDeps,
  c: Case,
  sendId: string,
  made: { readonly name: string; readonly contentType: string; readonly source: CaseDocument["source"]; readonly content: Buffer },
  by: PersonRef,
): Promise<CaseDocument> {
  const document: CaseDocument = {
    id: sendId,
    name: made.name,
    contentType: made.contentType,
    size: made.content.length,
    key: caseDocumentKey(c.id, sendId),
    source: made.source,
    addedBy: { aadObjectId: by.aadObjectId, name: by.name },
    addedAt: deps.now().toISOString(),
  };
  await deps.documents.put(c.trustId, document.key, made.content, document.contentType);
  return document;
}

/** The Ombudsman's address, from the nation's Ombudsman's entry (the PHSO's, or the PSOW's) in the trust's signposting directory. */
function ombudsmanAddress(deps: CaseDeskDeps): { name: string; address: string } {
  const { shortName, id } = NATIONAL_BODIES[rulesOf(deps).nation].ombudsman;
  const entry = deps.signposting.get(id);
  const address = entry?.contact.email;
  if (!entry || !address || !isEmailAddress(address)) {
    throw new CaseRuleError(
      `Your trust's signposting directory has no email address for the Ombudsman (the ${shortName} entry, id "${id}"). If the ${shortName} asked for the file through its secure portal, type **export case** and the reference to download it; to email it, add the address to the ${shortName} entry of your local signposting file.`,
    );
  }
  return { name: entry.shortName ?? entry.name, address: address.toLowerCase() };
}

function caseFileName(reference: string): string {
  return `${reference} case file.html`;
}

function ombudsmanCoverNote(ombudsmanName: string, reference: string, trustName: string | undefined, sender: string): string {
  return [
    `Dear ${ombudsmanName},`,
    "",
    `Please find attached our complaint file for ${reference}: the case file (the case, its timeline, the clinical leads' input and the letters sent), the letters on our letterhead, and the documents listed.`,
    "",
    "Please quote the reference above in any reply.",
    "",
    "Yours sincerely,",
    "",
    sender,
    "Patient Advice and Liaison Service (PALS) and Patient Relations",
    ...(trustName ? [trustName] : []),
  ].join("\n");
}

/** The case file (today's HTML export), kept with the case as the document that went to the Ombudsman (asked for by a manager). */
async function storeCaseFile(deps: CaseDeskDeps, by: PersonRef, c: Case, sendId: string): Promise<CaseDocument | undefined> {
  const manager: Caller = { trustId: c.trustId, tenantId: c.trustId, actor: by, teamsUserId: "", roles: new Set(["manager"]) };
  const built = await buildFile(deps, manager, { kind: "case-file", caseId: c.id });
  if (!built.ok) return undefined;
  return keepMade(deps, c, sendId, { name: caseFileName(c.reference), contentType: "text/html", source: "ombudsman-file", content: built.file.content }, by);
}

/** What the outbox's try at sending came to, for the dispatcher. */
export type EmailDelivery =
  | { readonly kind: "sent" }
  | { readonly kind: "nothing-to-send" }
  | { readonly kind: "try-again"; readonly status: number; readonly retryAfterSeconds?: number };

/**
 * The outbox's send (src/jobs, through the deliverer): from the case as it now is, as the trust's shared mailbox.
 * Sent (now or before: the sender knows the send id) is recorded on the case; a refusal that trying again can't
 * fix, or the last try, records the failure; both tell the officer who asked when they have stopped waiting.
 */
export async function deliverEmail(deps: CaseDeskDeps, item: OutboxItem, lastTry: boolean): Promise<EmailDelivery> {
  if (item.payload.kind !== "send-email") return { kind: "nothing-to-send" };
  const { caseId, sendId } = item.payload;
  const record = await deps.cases.get(item.trustId, caseId);
  const request = record?.value.correspondence?.find((e) => e.id === sendId);
  if (!record || !request || request.status !== "sending") return { kind: request?.status === "sent" ? "sent" : "nothing-to-send" };
  const log = activityLog(deps.log);
  const mailbox = deps.mailboxOf?.(item.trustId);
  if (!deps.mail || !mailbox) return fail(deps, item, "NoMailbox");
  // The letter on the letterhead, or the case file for the Ombudsman, made now (the same again on a later try).
  const c = record.value;
  const made =
    request.kind === "ombudsman-file"
      ? await storeCaseFile(deps, request.requestedBy, c, sendId)
      : isLetter(request.kind)
        ? await storeLetter(deps, request.requestedBy, c, request.kind, request.text ?? "", sendId)
        : undefined;
  if (request.kind === "ombudsman-file" && !made) return fail(deps, item, "CaseFileUnavailable");
  const documents = [...(made ? [made] : []), ...request.documentIds.map((id) => c.documents?.find((d) => d.id === id))];
  const contents = await Promise.all(documents.map((d) => (d ? deps.documents.get(item.trustId, d.key) : Promise.resolve(undefined))));
  if (contents.some((content) => content === undefined)) return fail(deps, item, "DocumentMissing");
  const outcome = await deps.mail.send({
    sendId,
    trustId: item.trustId,
    mailbox,
    to: request.to,
    subject: request.subject,
    text: request.text ?? "",
    attachments: documents.map((d, i) => ({ name: d!.name, contentType: d!.contentType, content: contents[i]! })),
  });
  if (!outcome.ok) {
    log.warn({ caseId, sendId, status: outcome.status, code: outcome.code, permanent: outcome.permanent }, "An email from a case was not sent");
    if (outcome.permanent || lastTry) return fail(deps, item, outcome.code ?? `HTTP ${outcome.status}`);
    return { kind: "try-again", status: outcome.status, retryAfterSeconds: outcome.retryAfterSeconds };
  }
  const at = deps.now();
  await deps.inbox.linkThread(item.trustId, outcome.messageId, caseId);
  const recorded = await changeCase(deps, {
    trustId: item.trustId,
    caseId,
    actor: request.requestedBy,
    submission: `sent:${sendId}`,
    apply: (current) => {
      const withMade = made ? withDocuments(current, [made]) : current;
      const names = documents.filter((d): d is CaseDocument => d !== undefined);
      const step = emailSent(
        withMade,
        sendId,
        { messageId: outcome.messageId, at, documents: names },
        { actor: request.requestedBy, now: at, rules: rulesOf(deps) },
      );
      // Told only when the officer had stopped waiting on the Send button ("Still sending").
      const late = at.getTime() - Date.parse(request.requestedAt) > SEND_BUDGET_MS;
      return { ...step, outbox: late ? [outcomeNotice(item, request, at)] : [] };
    },
  });
  if (recorded.kind === "refused" || recorded.kind === "not-found") {
    // Sent, but the case takes no more changes (its records are being deleted): the email is in the mailbox's Sent Items.
    log.warn({ caseId, sendId, outcome: recorded.kind }, "An email from a case was sent but could not be recorded on the case");
  }
  log.info({ caseId, sendId, alreadySent: outcome.alreadySent, attachments: documents.length }, "An email from a case was sent");
  return { kind: "sent" };
}

async function fail(deps: CaseDeskDeps, item: OutboxItem, code: string): Promise<EmailDelivery> {
  if (item.payload.kind !== "send-email") return { kind: "nothing-to-send" };
  const { caseId, sendId } = item.payload;
  const now = deps.now();
  await changeCase(deps, {
    trustId: item.trustId,
    caseId,
    actor: PALS_DESK,
    submission: `failed:${sendId}`,
    apply: (c) => {
      const request = c.correspondence?.find((e) => e.id === sendId);
      if (!request || request.status !== "sending") throw new CaseRuleError("Nothing to record.");
      const failed = emailFailed(c, sendId, code, request.requestedBy);
      return { updated: failed.updated, events: [failed.event], outbox: [outcomeNotice(item, request, now)] };
    },
  });
  return { kind: "nothing-to-send" };
}

/** The officer who pressed Send hears what became of it in their chat (rendered from the case when sent). */
function outcomeNotice(item: OutboxItem, request: SentEmail, now: Date): OutboxItem {
  const payload = item.payload as Extract<OutboxItem["payload"], { kind: "send-email" }>;
  return newOutboxItem(
    item.trustId,
    `mail-outcome:${request.id}`,
    { kind: "person", aadObjectId: request.requestedBy.aadObjectId },
    { kind: "email-outcome", caseId: payload.caseId, reference: payload.reference, sendId: request.id },
    now,
  );
}
