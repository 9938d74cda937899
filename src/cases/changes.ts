// The one way a case changes. A change is one conditional write of the case document (If-Match on the
// etag read), and that write carries the change's follow-ups: its timeline events (ids decided by the
// change) and the messages to queue (the day the sweep next looks at the case is a field of the case
// itself, written by the same write). The follow-ups are then done (each create-if-absent) and cleared. A crash anywhere leaves them on the case, where the next
// change, a retried submission or the sweep finds them and finishes them: nothing lost, nothing twice.
import {
  CaseChangedError,
  CaseRuleError,
  changeIdOf,
  eventFrom,
  eventIdOf,
  londonDate,
  alertsFor,
  type Actor,
  type Case,
  type CaseEventDraft,
  type CaseRecord,
  type EmailSettlement,
  type FollowUps,
  type OutboxItem,
  type ThreadLink,
} from "../domain";
import { activityLog, errorFacts } from "../logger";
import { rulesOf, type CaseDeskDeps } from "./deps";
import { settleInboxEmail } from "./inboxSettlement";

export const RETIRING = "This case's records are being deleted under the records retention schedule, so it can't be changed.";

/** How many times a conflicting change is re-read and re-applied before the person is asked to look again. */
const MAX_ATTEMPTS = 40;
/** Submission keys remembered per case, so a retried submission is recognised as done. */
const APPLIED_KEPT = 20;

/** What a change does to the case as it now stands, and what it leaves to do elsewhere. */
export interface ChangeStep {
  readonly updated: Case;
  readonly events: readonly CaseEventDraft[];
  /** Messages to queue beside the manager alerts the new state of the case calls for. */
  readonly outbox?: readonly OutboxItem[];
  readonly threads?: readonly ThreadLink[];
  /** Emails that became, joined or were filed on the case (their inbox documents are marked as a follow-up). */
  readonly emails?: readonly EmailSettlement[];
  /** Records retention: clear the free text of the whole timeline once the events are written. */
  readonly scrubTimeline?: boolean;
}

export interface ChangeRequest {
  readonly trustId: string;
  readonly caseId: string;
  readonly actor: Actor;
  /** Identifies the submission: one already applied to this case is not applied again. */
  readonly submission?: string;
  /** The case as the caller already read it, to save a read on the first attempt. */
  readonly loaded?: CaseRecord;
  /**
   * Applies the change to the case as it now stands (it may be called again on a fresher copy after a
   * conflict); throws CaseRuleError when the change no longer applies.
   */
  readonly apply: (current: Case, record: CaseRecord) => ChangeStep;
}

export type ChangeOutcome =
  | { readonly kind: "saved"; readonly record: CaseRecord; readonly before: Case; readonly step: ChangeStep }
  | { readonly kind: "already-applied"; readonly record: CaseRecord }
  | { readonly kind: "not-found" }
  | { readonly kind: "refused"; readonly error: CaseRuleError | CaseChangedError; readonly record: CaseRecord };

/** Waits a random few milliseconds (more after each clash) so writers racing for one case fall out of step. */
function backoff(attempt: number): Promise<void> {
  const ceiling = Math.min(100, 5 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}

/** The follow-ups of one change, saved with it as revision `revision`. */
export function followUpsOf(
  deps: CaseDeskDeps,
  before: Case | undefined,
  step: ChangeStep,
  revision: number,
  actor: Actor,
  extra: { contactsAboutPatientIn90Days?: number } = {},
): FollowUps {
  const now = deps.now();
  const changeId = changeIdOf(step.updated.id, revision);
  const ctx = { actor, now, rules: rulesOf(deps) };
  return {
    changeId,
    at: now.toISOString(),
    events: step.events.map((draft, index) => eventFrom(draft, step.updated, ctx, eventIdOf(changeId, index))),
    outbox: [...alertsFor(before, step.updated, { today: londonDate(now), now, rules: rulesOf(deps), ...extra }), ...(step.outbox ?? [])],
    threads: [...(step.threads ?? [])],
    ...(step.emails?.length ? { emails: [...step.emails] } : {}),
    ...(step.scrubTimeline ? { scrubTimeline: true } : {}),
  };
}

/** Applies a change in one conditional write, then carries out its follow-ups (and any left by earlier changes). */
export async function changeCase(deps: CaseDeskDeps, request: ChangeRequest): Promise<ChangeOutcome> {
  let record = request.loaded;
  for (let attempt = 1; ; attempt++) {
    record ??= await deps.cases.get(request.trustId, request.caseId);
    if (!record) return { kind: "not-found" };
    if (request.submission && record.applied.includes(request.submission)) {
      return { kind: "already-applied", record: await finishFollowUps(deps, record) };
    }
    let step: ChangeStep;
    try {
      if (record.value.retiringOn) throw new CaseRuleError(RETIRING);
      step = request.apply(record.value, record);
    } catch (error) {
      if (!(error instanceof CaseRuleError)) throw error;
      return { kind: "refused", error, record: await finishFollowUps(deps, record) };
    }
    const revision = record.revision + 1;
    const followUps = followUpsOf(deps, record.value, step, revision, request.actor);
    const applied = request.submission ? [...record.applied, request.submission].slice(-APPLIED_KEPT) : record.applied;
    try {
      // Follow-ups an earlier change left undone ride along with this write, so none is dropped.
      const saved = await deps.cases.save(step.updated, { revision, pending: [...record.pending, followUps], applied, latest: record.latest }, record.etag);
      return { kind: "saved", record: await finishFollowUps(deps, saved), before: record.value, step };
    } catch (error) {
      if (!(error instanceof CaseChangedError)) throw error;
      if (attempt >= MAX_ATTEMPTS) {
        const latest = (await deps.cases.get(request.trustId, request.caseId)) ?? record;
        return { kind: "refused", error, record: latest };
      }
      record = undefined;
      await backoff(attempt);
    }
  }
}

/**
 * Carries out a case's pending follow-ups (each idempotent) and clears them. A failure is logged and left
 * for whoever next finds the case (the sweep at the latest): the change itself is already saved.
 */
export async function finishFollowUps(deps: CaseDeskDeps, record: CaseRecord): Promise<CaseRecord> {
  if (record.pending.length === 0) return record;
  const c = record.value;
  let queued = 0;
  try {
    const done = await Promise.allSettled(
      record.pending.flatMap((f) => [
        ...f.events.map((event) => deps.timeline.record(event)),
        ...f.threads.map((link) => deps.channels.rememberThread(c.trustId, link)),
        ...(f.emails ?? []).map(async (settlement) => {
          if (await settleInboxEmail(deps, c.trustId, c.id, settlement)) queued += 1;
        }),
        ...f.outbox.map(async (item) => {
          if (await deps.outbox.enqueue(item)) queued += 1;
        }),
      ]),
    );
    const failed = done.find((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected");
    if (failed) throw failed.reason;
    // Only once every event is written, so no free text lands after the scrub.
    if (record.pending.some((f) => f.scrubTimeline)) await deps.timeline.removeDetails(c.id);
  } catch (error) {
    activityLog(deps.log).warn(
      { caseId: c.id, reference: c.reference, err: errorFacts(error) },
      "Follow-ups of a saved case change could not all be done; they stay on the case and will be finished",
    );
    return record;
  }
  if (queued > 0) deps.sendSoon();
  const cleared = await deps.cases
    .clearFollowUps(
      record,
      record.pending.map((f) => f.changeId),
    )
    .catch((error: Error) => {
      activityLog(deps.log).warn({ caseId: c.id, err: errorFacts(error) }, "Done follow-ups could not be cleared; they will be checked again");
      return undefined;
    });
  // Changed meanwhile: that change carried these follow-ups along and clears them; show the case as it is now.
  return cleared ?? (await deps.cases.get(c.trustId, c.id).catch(() => undefined)) ?? record;
}

/** Finishes the follow-ups left on a case, if any (the retried submission, the sweep). */
export async function finishCase(deps: CaseDeskDeps, trustId: string, caseId: string): Promise<CaseRecord | undefined> {
  const record = await deps.cases.get(trustId, caseId);
  return record ? finishFollowUps(deps, record) : undefined;
}

/**
 * The sweep's part: finds cases whose follow-ups are still pending (a crash, a store outage mid-change)
 * through the index on their pending time, not by reading every case, and finishes them.
 */
export async function finishPendingCases(deps: CaseDeskDeps, limit = 100): Promise<number> {
  const found = await deps.cases.withPendingFollowUps(limit);
  for (const { trustId, caseId } of found) {
    // One case that cannot be read (a document of the wrong shape) must not hold up the others.
    await finishCase(deps, trustId, caseId).catch((error: Error) =>
      activityLog(deps.log).error({ caseId, err: errorFacts(error) }, "Could not finish a case's pending follow-ups"),
    );
  }
  if (found.length > 0) activityLog(deps.log).info({ cases: found.length }, "Finished the follow-ups left pending on cases");
  return found.length;
}
