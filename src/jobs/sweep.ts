import pLimit from "p-limit";
import {
  alertOutboxItem,
  attentionDay,
  digestIncomplete,
  digestItem,
  digestOutboxId,
  isNudgeTime,
  londonClockTime,
  londonDateTime,
  londonDate,
  nextWorkingDay,
  overdueReasons,
  sortDigest,
  subtractWorkingDays,
  ombudsmanDueOn,
  investigationReminders,
  actionAttentionDay,
  actionReminders,
  learningActionOutboxId,
  newOutboxItem,
  type Case,
  type CaseRecord,
  type CaseRepository,
  type RetentionRules,
  type OutboxItem,
  type DigestItem,
  type OutboxStore,
  type SweepLease,
  type SweepCursor,
  watchDay,
  alertIsOn,
  type Rules,
} from "../domain";
import { errorFacts, type Logger } from "../logger";
import type { Dispatcher, DispatchReport } from "./dispatcher";

export interface SweepDeps {
  readonly cases: CaseRepository;
  readonly retention: RetentionRules;
  /** The trust's rules: nudge window, investigation reminders, which alerts are on. */
  readonly rules: Rules;
  /** Finishes the follow-ups left pending on cases (the application layer); returns how many cases. */
  readonly finishPendingCases: () => Promise<number>;
  /** The morning word on emails waiting in each trust's PALS inbox since before `before` (an ISO instant); how many were queued. */
  readonly remindOfWaitingEmail?: (today: string, before: string) => Promise<number>;
  /** Carries out a manager's decision to destroy a closed file's records, left unfinished (the application layer). */
  readonly applyRetention: (trustId: string, caseId: string) => Promise<"applied" | "not-due" | "try-again">;
  /** The managers' morning word on files that came due for records retention review after `after` up to `today`; how many files. */
  readonly noticeRetentionReviews?: (after: string, today: string) => Promise<number>;
  readonly cursor: SweepCursor;
  readonly outbox: OutboxStore;
  readonly lease: SweepLease;
  readonly dispatcher: Dispatcher;
  readonly log: Logger;
  /** How the morning round reads and works through due cases (ROUND_PAGE_SIZE and ROUND_CONCURRENCY when left out). */
  readonly round?: { readonly pageSize?: number; readonly concurrency?: number };
  /** Identifies this instance as the lease holder. */
  readonly instanceId: string;
  readonly leaseMs: number;
}

export interface SweepReport {
  readonly ran: boolean;
  /** Days whose morning round this run did (usually none or one). */
  readonly days: string[];
  /** Documents read to find and do due work: the cursor, the due cases (read whole, in pages), the query for incomplete cases (counted as one). */
  readonly documentsRead: number;
  readonly casesChecked: number;
  readonly digestsQueued: number;
  readonly alertsQueued: number;
  /** Closed cases whose records were anonymised or deleted under the retention schedule (a manager's decision finished). */
  readonly casesRetired: number;
  /** Closed files that came due for records retention review in this round's days (the managers are told; nothing is removed). */
  readonly filesDueForReview: number;
  /** Cases whose follow-ups a change had left pending (after a crash), finished by this sweep. */
  readonly casesFinished: number;
  readonly delivery?: DispatchReport;
}

/** What a sweep that did not run reports (another instance holds the lease, or this one is stopping). */
export const NOT_RUN: SweepReport = {
  ran: false,
  days: [],
  documentsRead: 0,
  casesChecked: 0,
  digestsQueued: 0,
  alertsQueued: 0,
  casesRetired: 0,
  filesDueForReview: 0,
  casesFinished: 0,
};

/** The most days a late sweep catches up on (after an outage): older due work is still overdue today. */
const MAX_CATCH_UP_DAYS = 31;

/** Due cases are read whole, this many a query page: no case is read on its own. */
export const ROUND_PAGE_SIZE = 100;
/**
 * Due cases worked on at once. Each makes one store request at a time, so at most this many are in flight: a
 * round of thousands takes seconds at Azure's few milliseconds a round trip, and leaves the store room for people.
 */
export const ROUND_CONCURRENCY = 8;

/**
 * One sweep: if this instance holds the lease, do the morning round when it is due (09:00 London on a
 * working day, once a day), then send whatever the outbox has due.
 */
export async function sweep(deps: SweepDeps, now: Date): Promise<SweepReport> {
  if (!(await deps.lease.tryAcquire(deps.instanceId, now, deps.leaseMs))) {
    return NOT_RUN;
  }
  try {
    // First, so a safeguarding alert a crash left unqueued goes out in this very sweep; never in the way of the rest.
    const casesFinished = await deps.finishPendingCases().catch((error: Error) => {
      deps.log.error({ err: errorFacts(error) }, "Finishing pending follow-ups failed; the next sweep will try again");
      return 0;
    });
    const round = await morningRound(deps, now);
    const delivery = await deps.dispatcher.dispatch(now);
    const report = { ran: true, ...round, casesFinished, delivery };
    if (casesFinished || round.days.length || delivery.sent || delivery.retrying || delivery.undeliverable || delivery.failed) {
      deps.log.info({ ...report }, "Sweep finished");
    }
    return report;
  } finally {
    await deps.lease.release(deps.instanceId);
  }
}

/** Reminders to the lead before and on the due day; when overdue, the owner and the managers are told. */
function investigationItems(c: Case, today: string, now: Date, rules: Rules): OutboxItem[] {
  const pending = (id: string, target: OutboxItem["target"], payload: OutboxItem["payload"]): OutboxItem => newOutboxItem(c.trustId, id, target, payload, now);
  return investigationReminders(c, today, rules.investigations.reminderWorkingDays).flatMap(({ request, reminder }) => {
    const about = { caseId: c.id, reference: c.reference, requestId: request.id };
    if (reminder !== "overdue") {
      const target: OutboxItem["target"] =
        request.delivery?.kind === "channel-thread"
          ? {
              kind: "conversation",
              address: {
                conversationId: request.delivery.conversationId,
                serviceUrl: request.delivery.serviceUrl,
                channelId: request.delivery.channelId,
                conversationType: "channel",
              },
            }
          : { kind: "person", aadObjectId: request.lead.aadObjectId };
      return [pending(`investigation:${request.id}:${reminder}`, target, { kind: "investigation-reminder", ...about, reminder, audience: "lead" })];
    }
    const toOwner = c.owner
      ? [
          pending(
            `investigation:${request.id}:overdue-owner`,
            { kind: "person", aadObjectId: c.owner.aadObjectId },
            { kind: "investigation-reminder", ...about, reminder, audience: "owner" },
          ),
        ]
      : [];
    return [...toOwner, ...(alertIsOn(rules, "investigation-overdue") ? [alertOutboxItem(c, "investigation-overdue", today, now, request.id)] : [])];
  });
}

/** Actions from cases: the owner's card as the due day nears and on the day; once overdue, the managers' alert (each once). */
function actionItems(c: Case, today: string, now: Date, rules: Rules): OutboxItem[] {
  return actionReminders(c, today, rules.nudgeWindowWorkingDays).flatMap(({ action, moment }) => {
    if (moment === "overdue") return alertIsOn(rules, "action-overdue") ? [alertOutboxItem(c, "action-overdue", today, now, action.id)] : [];
    const payload = { kind: "learning-action" as const, caseId: c.id, reference: c.reference, actionId: action.id, moment };
    return [newOutboxItem(c.trustId, learningActionOutboxId(action.id, moment), { kind: "person", aadObjectId: action.owner.aadObjectId }, payload, now)];
  });
}

/**
 * A case found due with nothing to do today: its stored watch day is out of date (written under other
 * retention rules, or by an older version). Writing it again moves the case to its real day.
 */
async function stillWatched(deps: SweepDeps, record: CaseRecord, today: string): Promise<void> {
  const day = watchDay(record.value, deps.retention, deps.rules);
  if (day && day <= today) return; // due again tomorrow (a retention step waiting on a change)
  await deps.cases.reindex(record);
}

type Digests = Map<string, { trustId: string; ownerId: string; items: DigestItem[]; incomplete: { caseId: string; reference: string }[] }>;

/** What one round shares between its due cases: the day, the rules, the owners' digests being built and the tally. */
interface Round {
  readonly today: string;
  readonly now: Date;
  readonly rules: Rules;
  readonly digests: Digests;
  readonly result: { casesRetired: number; alertsQueued: number };
}

/**
 * One due case, as read in its page: retention when closed, its line in the owner's digest, its alerts and
 * reminders. Each message is queued by an id that says what it is, so a case checked twice (two rounds at once,
 * a round repeated after a crash) still gives one of each; the case itself is only written conditionally.
 */
async function checkDueCase(deps: SweepDeps, found: CaseRecord, { today, now, rules, digests, result }: Round): Promise<void> {
  const c = found.value;
  const { trustId } = c;
  if (c.status === "closed") {
    // Only a manager's decision to destroy (`retention review`) is carried out here, when it was left unfinished.
    const retention = await deps.applyRetention(trustId, c.id);
    if (retention === "applied") {
      result.casesRetired += 1;
      return;
    }
    // "try-again": decided, but not possible now (a change in the way); it is still due at the next round.
    if (retention === "try-again") return;
    // Closed, but the Ombudsman (PHSO) waits for the trust (its date goes in the owner's digest), or actions are still open.
    if (!ombudsmanDueOn(c) && !actionAttentionDay(c, rules.nudgeWindowWorkingDays)) {
      await stillWatched(deps, found, today);
      return;
    }
  }
  const attention = attentionDay(c, rules);
  if (!attention || attention > today) {
    await stillWatched(deps, found, today);
    return;
  }
  const item = digestItem(c, today, rules.nudgeWindowWorkingDays);
  if (item && c.owner) {
    const key = `${trustId}/${c.owner.aadObjectId}`;
    const digest = digests.get(key) ?? { trustId, ownerId: c.owner.aadObjectId, items: [], incomplete: [] };
    digest.items.push(item);
    digests.set(key, digest);
  }
  for (const reason of overdueReasons(c, today).filter((r) => alertIsOn(rules, r))) {
    if (await deps.outbox.enqueue(alertOutboxItem(c, reason, today, now))) result.alertsQueued += 1;
  }
  for (const item of [...investigationItems(c, today, now, rules), ...actionItems(c, today, now, rules)]) {
    if ((await deps.outbox.enqueue(item)) && item.payload.kind === "alert") result.alertsQueued += 1;
  }
}

/** Waits for every task, so none is still writing when the round moves on or ends; then throws the first failure. */
async function allDone(tasks: readonly Promise<void>[]): Promise<void> {
  const failed = (await Promise.allSettled(tasks)).find((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected");
  if (failed) throw failed.reason;
}

async function morningRound(deps: SweepDeps, now: Date): Promise<Omit<SweepReport, "ran" | "delivery" | "casesFinished">> {
  const today = londonDate(now);
  const { rules } = deps;
  const result = { days: [] as string[], documentsRead: 0, casesChecked: 0, digestsQueued: 0, alertsQueued: 0, casesRetired: 0, filesDueForReview: 0 };
  if (!isNudgeTime(today, londonClockTime(now))) return result;
  const cursor = await deps.cursor.lastSweptDay();
  result.documentsRead += 1;
  if (cursor.day && cursor.day >= today) return result;

  // The working days since the last round, today included, for the report: an outage delays nudges but
  // loses none, because a case stays due (its watch day on or before today) until it is dealt with.
  const earliest = subtractWorkingDays(today, MAX_CATCH_UP_DAYS);
  const first = cursor.day && nextWorkingDay(cursor.day) > earliest ? nextWorkingDay(cursor.day) : earliest;
  const days: string[] = [];
  for (let day = first; day <= today; day = nextWorkingDay(day)) days.push(day);

  const digests: Digests = new Map();
  const limit = pLimit(deps.round?.concurrency ?? ROUND_CONCURRENCY);
  for await (const page of deps.cases.dueCases(today, deps.round?.pageSize ?? ROUND_PAGE_SIZE)) {
    result.documentsRead += page.length;
    result.casesChecked += page.length;
    await allDone(page.map((record) => limit(() => checkDueCase(deps, record, { today, now, rules, digests, result }))));
    // The next page after a turn of the event loop: a long round must not hold up the bot's own turns.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  // Owners' open cases with details still to record (quick capture): ids and references only.
  const incomplete = await deps.cases.incompleteCases();
  result.documentsRead += 1;
  for (const c of incomplete) {
    if (!c.ownerId) continue;
    const key = `${c.trustId}/${c.ownerId}`;
    const digest = digests.get(key) ?? { trustId: c.trustId, ownerId: c.ownerId, items: [], incomplete: [] };
    digest.incomplete.push({ caseId: c.caseId, reference: c.reference });
    digests.set(key, digest);
  }

  await allDone(
    [...digests.values()].map((digest) =>
      limit(async () => {
        const details = digestIncomplete(digest.incomplete);
        const payload = { kind: "digest" as const, day: today, items: sortDigest(digest.items), ...(details ? { incomplete: details } : {}) };
        const created = await deps.outbox.enqueue(
          newOutboxItem(digest.trustId, digestOutboxId(digest.trustId, digest.ownerId, today), { kind: "person", aadObjectId: digest.ownerId }, payload, now),
        );
        if (created) result.digestsQueued += 1;
      }),
    ),
  );
  // Files that came due for records retention review since the last round: one word per trust in its managers' channel.
  if (deps.noticeRetentionReviews)
    result.filesDueForReview = await deps.noticeRetentionReviews(cursor.day ?? subtractWorkingDays(today, MAX_CATCH_UP_DAYS), today);
  // Emails waiting more than a working day: one word per trust and day in its managers' channel.
  if (deps.remindOfWaitingEmail) await deps.remindOfWaitingEmail(today, londonDateTime(subtractWorkingDays(today, 1), londonClockTime(now)).toISOString());
  // Only now is the day done: a crash before this line repeats the round, and the outbox ids dedupe it.
  await deps.cursor.markSwept(today, cursor.etag);
  result.days = days;
  return result;
}
