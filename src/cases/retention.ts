// Records retention (the rule and its source: src/domain/deadlines/retention.ts). A closed file comes due for review
// at the end of its retention period; managers see the files due (`retention review`) and decide for each: keep it
// for more years, or destroy it. Only a recorded "destroy" lets the trust's action run: the case is anonymised (or
// deleted) here, with its emails, their attachments and its documents, and an audit entry is kept.
import {
  anonymiseCase,
  CaseChangedError,
  CaseRuleError,
  decideToDestroy,
  destroyDecision,
  eventFrom,
  formatPlainDate,
  keepRecords as keepRecordsRule,
  londonDate,
  may,
  mayDestroyRecords,
  newOutboxItem,
  refusal,
  retentionDueFile,
  type ActionContext,
  type ActionResult,
  type Caller,
  type Case,
  type CaseRecord,
  type RetentionDueFile,
} from "../domain";
import { activityLog, errorFacts } from "../logger";
import type { Submission } from "./caseActions";
import { changeCase, finishFollowUps } from "./changes";
import { rulesOf, type CaseDeskDeps } from "./deps";
import { caseDocumentFolder } from "./documents";
import { emailDocuments } from "./inbox";
import { CASE_NOT_FOUND, PALS_DESK, refused, type Result } from "./results";

const ACTOR = { ...PALS_DESK, name: "PALS Desk (records retention)" };
const yearsText = (years: number) => `${years} year${years === 1 ? "" : "s"}`;

/** The fixed id of the audit entry a destroyed case keeps. */
const auditIdOf = (caseId: string) => `${caseId}:retention`;

/** Applied; not due or not decided (or the case is gone); or decided but not possible now (the sweep tries again). */
export type RetentionOutcome = "applied" | "not-due" | "try-again";

/**
 * Carries out a manager's decision to destroy a file: the trust's action (anonymise or delete), only when the file
 * is due and the decision was made at this review. Every step can be repeated (the morning round runs again after a
 * crash, and finishes a destruction left unfinished): the audit entry has a fixed id, deletions ignore what is gone,
 * scrubbing is idempotent.
 */
export async function applyRetention(deps: CaseDeskDeps, trustId: string, caseId: string): Promise<RetentionOutcome> {
  const now = deps.now();
  const today = londonDate(now);
  const record = await deps.cases.get(trustId, caseId);
  if (!record || !mayDestroyRecords(record.value, today, deps.retention)) return "not-due";
  // Follow-ups still pending may carry free text (a note's event): they are written before anything is removed.
  const finished = await finishFollowUps(deps, record);
  if (finished.pending.length > 0) return "try-again";
  const { years, action } = deps.retention;
  const decision = destroyDecision(finished.value, deps.retention);
  // A deletion begun before review decisions were recorded (the case marked retiring) is finished as it was begun.
  const decided = decision ? `reviewed and destruction decided by ${decision.by.name} on ${formatPlainDate(decision.on)}` : "its deletion had already begun";
  const log = activityLog(deps.log);
  if (action === "delete") {
    if (!finished.value.retiringOn) {
      // First a mark that refuses every later change, so nothing is added to the timeline while it is deleted.
      const marked = await changeCase(deps, {
        trustId,
        caseId,
        actor: ACTOR,
        loaded: finished,
        apply: (c) => {
          if (!mayDestroyRecords(c, today, deps.retention)) throw new CaseRuleError("Retention is not due.");
          return { updated: { ...c, retiringOn: today }, events: [] };
        },
      });
      if (marked.kind !== "saved") return marked.kind === "not-found" || marked.kind === "refused" ? "not-due" : "try-again";
    }
    const c = finished.value;
    const auditId = auditIdOf(c.id);
    const entries = (await deps.timeline.list(c.id)).filter((e) => e.id !== auditId).length;
    await deps.timeline.record(
      eventFrom(
        {
          kind: "retention-applied",
          summary: `Case deleted under the records retention schedule (${yearsText(years)} after the last process ended; ${decided}); ${entries} timeline entries removed`,
        },
        c,
        { actor: ACTOR, now, rules: rulesOf(deps) },
        auditId,
      ),
    );
    await deps.timeline.deleteAll(c.id, auditId);
    await deps.cases.delete(trustId, caseId);
  } else {
    const cleared = (await deps.timeline.list(caseId)).filter((e) => e.detail !== undefined).length;
    // The timeline's free text is cleared as a follow-up of this change, after its own event is written.
    const outcome = await changeCase(deps, {
      trustId,
      caseId,
      actor: ACTOR,
      loaded: finished,
      apply: (current) => {
        if (!mayDestroyRecords(current, today, deps.retention)) throw new CaseRuleError("Retention is not due.");
        return {
          updated: anonymiseCase(current, now),
          events: [
            {
              kind: "retention-applied",
              summary: `Patient details and free text removed under the records retention schedule (${yearsText(years)} after the last process ended; ${decided}); ${cleared} timeline entries cleared`,
            },
          ],
          scrubTimeline: true,
        };
      },
    });
    if (outcome.kind === "not-found") return "not-due";
    if (outcome.kind !== "saved" || outcome.record.pending.length > 0)
      return outcome.kind === "refused" && outcome.error instanceof CaseRuleError ? "not-due" : "try-again";
  }
  // The emails that became or joined the case, their attachments and the case's own documents go with it (they hold the same details).
  const emails = await deps.inbox.removeForCase(trustId, caseId);
  for (const emailId of emails) await deps.documents.deleteUnder(trustId, emailDocuments(emailId));
  await deps.documents.deleteUnder(trustId, caseDocumentFolder(caseId));
  log.info({ caseId, reference: finished.value.reference, action, emails: emails.length }, "Records retention applied");
  return "applied";
}

// --- the managers' review ------------------------------------------------------------------------------

/** The review card lists at most this many files, longest due first; the rest are counted. */
export const REVIEW_SHOWN = 10;

export type RetentionReviewResult = Result<{
  readonly today: string;
  readonly files: readonly RetentionDueFile[];
  /** How many files are due in all (the card shows at most REVIEW_SHOWN). */
  readonly total: number;
  /** What "destroy" does in this deployment, and after how many years files come due. */
  readonly action: CaseDeskDeps["retention"]["action"];
  readonly years: number;
}>;

const ONLY_MANAGERS = (caller: Caller) => refusal("review-retention", undefined, caller.roles);

/** `retention review`: the trust's closed files due for review, longest due first (no patient details). Managers and admins. */
export async function retentionReview(deps: CaseDeskDeps, caller: Caller): Promise<RetentionReviewResult> {
  if (!may(caller.roles, "review-retention")) {
    activityLog(deps.log).warn("Refused `retention review`: the caller is not a manager");
    return refused("not-allowed", ONLY_MANAGERS(caller));
  }
  const today = londonDate(deps.now());
  const page = await deps.cases.listDueForRetentionReview(caller.trustId, today, REVIEW_SHOWN);
  // The index says due; the rule decides (an index written under other retention settings is ignored until rewritten).
  const files = page.cases.flatMap((c) => retentionDueFile(c, today, deps.retention) ?? []);
  return { ok: true, today, files, total: Math.max(page.total - (page.cases.length - files.length), files.length), ...deps.retention };
}

export type RetentionDecisionResult = Result<{
  readonly reference: string;
  /** A retried submission, already done. */
  readonly alreadyDone: boolean;
  /** Keep: the next review day. */
  readonly keepUntil?: string;
  /** Destroy: whether the trust's action was carried out now, or is left for the sweep. */
  readonly destroyed?: RetentionOutcome;
}>;

/** The outcome of pressing a decision on a card: the rule for the case as it now stands, saved as one change. */
async function decide(
  deps: CaseDeskDeps,
  s: Submission,
  decision: "keep" | "destroy",
  rule: (current: Case, ctx: ActionContext) => ActionResult,
): Promise<Result<{ readonly record: CaseRecord; readonly alreadyDone: boolean }>> {
  const log = activityLog(deps.log);
  // The role from the caller's identity (the server's), never the card's.
  if (!may(s.caller.roles, "review-retention")) {
    log.warn({ caseId: s.caseId, decision }, "Refused a records retention decision: the caller is not a manager");
    return refused("not-allowed", ONLY_MANAGERS(s.caller));
  }
  // Only the caller's own trust's partition is read: a case id from elsewhere (or made up) is not found.
  const loaded = await deps.cases.get(s.caller.trustId, s.caseId);
  if (!loaded) {
    const destroyed = await destroyedOn(deps, s.caller.trustId, s.caseId);
    if (destroyed) return refused("rule", `${destroyed.reference}'s records were already destroyed under the records retention schedule.`);
    log.warn({ decision }, "Records retention decision for a case not found in the caller's trust");
    return refused("not-found", CASE_NOT_FOUND);
  }
  const outcome = await changeCase(deps, {
    trustId: s.caller.trustId,
    caseId: s.caseId,
    actor: s.caller.actor,
    submission: s.key,
    loaded,
    apply: (current) => {
      const result = rule(current, { actor: s.caller.actor, now: deps.now(), rules: rulesOf(deps) });
      return { updated: result.updated, events: [result.event] };
    },
  });
  switch (outcome.kind) {
    case "not-found":
      return refused("not-found", CASE_NOT_FOUND);
    case "refused":
      log.info({ caseId: s.caseId, reference: loaded.value.reference, decision, reason: outcome.error.name }, "Records retention decision not made");
      return outcome.error instanceof CaseChangedError
        ? refused("changed", "The file changed while you were saving, and your decision was not recorded. Type **retention review** and try again.")
        : refused("rule", outcome.error.message);
    case "already-applied":
      log.info({ caseId: s.caseId, decision }, "Records retention decision already recorded: a retried submission");
      return { ok: true, record: outcome.record, alreadyDone: true };
    case "saved":
      log.info({ caseId: s.caseId, reference: outcome.record.value.reference, decision }, "Records retention decision recorded");
      return { ok: true, record: outcome.record, alreadyDone: false };
  }
}

/** A case destroyed under the schedule keeps one audit entry (in its own trust): its reference, for the person told. */
async function destroyedOn(deps: CaseDeskDeps, trustId: string, caseId: string): Promise<{ reference: string } | undefined> {
  const audit = (await deps.timeline.list(caseId)).find((e) => e.id === auditIdOf(caseId) && e.trustId === trustId);
  return audit ? { reference: audit.reference } : undefined;
}

/** "Keep for N more years" (with the reason): the file is due for review again then. */
export async function keepRecords(
  deps: CaseDeskDeps,
  s: Submission,
  input: { readonly years: unknown; readonly reason: string },
): Promise<RetentionDecisionResult> {
  const result = await decide(deps, s, "keep", (current, ctx) => keepRecordsRule(current, input, ctx, deps.retention));
  if (!result.ok) return result;
  const c = result.record.value;
  return { ok: true, reference: c.reference, alreadyDone: result.alreadyDone, keepUntil: c.retentionReview?.keepUntil };
}

/**
 * "Destroy" (confirmed on the card): the decision is recorded (who, when) in one conditional write, and only then is
 * the trust's action carried out. If that cannot be done now (a store hiccup), the decision stands and the morning
 * sweep finishes it.
 */
export async function destroyRecords(deps: CaseDeskDeps, s: Submission): Promise<RetentionDecisionResult> {
  const result = await decide(deps, s, "destroy", (current, ctx) => decideToDestroy(current, ctx, deps.retention));
  if (!result.ok) return result;
  const reference = result.record.value.reference;
  const destroyed = await applyRetention(deps, s.caller.trustId, s.caseId).catch((error: Error) => {
    activityLog(deps.log).warn(
      { caseId: s.caseId, reference, err: errorFacts(error) },
      "Records retention decided but not yet applied; the sweep will finish it",
    );
    return "try-again" as const;
  });
  // A retried press of a file already destroyed: nothing is left to do, which is done.
  return { ok: true, reference, alreadyDone: result.alreadyDone, destroyed: destroyed === "not-due" && result.alreadyDone ? "applied" : destroyed };
}

// --- the managers' morning word --------------------------------------------------------------------------

/** At most this many files are read for the morning word (across trusts); more are counted as "or more". */
const NOTICE_LIMIT = 200;
/** References named in a trust's morning word. */
const NOTICE_REFERENCES = 10;

/**
 * The morning round: files that came due for review on the days after `after` up to `today` (each file is in one
 * day's range, so it is mentioned once per review, never every day) get one word per trust in its alerts channel.
 * Returns how many files were mentioned.
 */
export async function noticeRetentionReviews(deps: CaseDeskDeps, after: string, today: string): Promise<number> {
  let files = 0;
  try {
    const found = await deps.cases.newlyDueForRetentionReview(after, today, NOTICE_LIMIT);
    const byTrust = new Map<string, string[]>();
    for (const file of found) byTrust.set(file.trustId, [...(byTrust.get(file.trustId) ?? []), file.reference]);
    let queued = 0;
    for (const [trustId, references] of byTrust) {
      const item = newOutboxItem(
        trustId,
        `retention-review:${trustId}:${today}`,
        { kind: "alerts-channel" },
        {
          kind: "retention-review",
          day: today,
          count: references.length,
          atLeast: found.length >= NOTICE_LIMIT,
          references: references.slice(0, NOTICE_REFERENCES),
        },
        deps.now(),
      );
      if (await deps.outbox.enqueue(item)) queued += 1;
      files += references.length;
    }
    if (queued > 0) deps.sendSoon();
  } catch (error) {
    activityLog(deps.log).warn({ err: errorFacts(error) }, "Could not look for files due for records retention review");
  }
  return files;
}
