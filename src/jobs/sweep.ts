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
  DEFAULT_RULES,
  type Rules,
} from "../domain";
import { errorFacts, type Logger } from "../logger";
import type { Dispatcher, DispatchReport } from "./dispatcher";

export interface SweepDeps {
  readonly cases: CaseRepository;
  readonly retention: RetentionRules;
  /** The trust's rules: nudge window, investigation reminders, which alerts are on (England's when left out). */
  readonly rules?: Rules;
  /** Finishes the follow-ups left pending on cases (the application layer); returns how many cases. */
  readonly finishPendingCases: () => Promise<number>;
  /** The morning word on emails waiting in each trust's PALS inbox since before `before` (an ISO instant); how many were queued. */
  readonly remindOfWaitingEmail?: (today: string, before: string) => Promise<number>;
  /** Applies the retention schedule to a closed case if it is due (the application layer). */
  readonly applyRetention: (trustId: string, caseId: string) => Promise<"applied" | "not-due" | "try-again">;
  readonly cursor: SweepCursor;
  readonly outbox: OutboxStore;
  readonly lease: SweepLease;
  readonly dispatcher: Dispatcher;
  readonly log: Logger;
  /** Identifies this instance as the lease holder. */
  readonly instanceId: string;
  readonly leaseMs: number;
}

export interface SweepReport {
  readonly ran: boolean;
  /** Days whose morning round this run did (usually none or one). */
  readonly days: string[];
  /** Documents read to find and do due work: the cursor, the query for due cases (counted as one), the cases. */
  readonly documentsRead: number;
  readonly casesChecked: number;
  readonly digestsQueued: number;
  readonly alertsQueued: number;
  /** Closed cases whose records were anonymised or deleted under the retention schedule. */
  readonly casesRetired: number;
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
  casesFinished: 0,
};

/** The most days a late sweep catches up on (after an outage): older due work is still overdue today. */
const MAX_CATCH_UP_DAYS = 31;

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

async function morningRound(deps: SweepDeps, now: Date): Promise<Omit<SweepReport, "ran" | "delivery" | "casesFinished">> {
  const today = londonDate(now);
  const rules = deps.rules ?? DEFAULT_RULES;
  const result = { days: [] as string[], documentsRead: 0, casesChecked: 0, digestsQueued: 0, alertsQueued: 0, casesRetired: 0 };
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

  const { due, incomplete } = await deps.cases.needingAttention(today);
  result.documentsRead += 1;
  const digests = new Map<string, { trustId: string; ownerId: string; items: DigestItem[]; incomplete: { caseId: string; reference: string }[] }>();
  for (const { caseId, trustId } of due) {
    const found = await deps.cases.get(trustId, caseId);
    result.documentsRead += 1;
    result.casesChecked += 1;
    if (!found) continue;
    const c = found.value;
    if (c.status === "closed") {
      const retention = await deps.applyRetention(trustId, caseId);
      if (retention === "applied") {
        result.casesRetired += 1;
        continue;
      }
      // "try-again": due, but not possible now (a change in the way); it is still due at the next round.
      if (retention === "try-again") continue;
      // Closed, but the Ombudsman (PHSO) waits for the trust (its date goes in the owner's digest), or actions are still open.
      if (!ombudsmanDueOn(c) && !actionAttentionDay(c, rules.nudgeWindowWorkingDays)) {
        await stillWatched(deps, found, today);
        continue;
      }
    }
    const attention = attentionDay(c, rules);
    if (!attention || attention > today) {
      await stillWatched(deps, found, today);
      continue;
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

  // Owners' open cases with details still to record (quick capture): found by the same query, ids and references only.
  for (const c of incomplete) {
    if (!c.ownerId) continue;
    const key = `${c.trustId}/${c.ownerId}`;
    const digest = digests.get(key) ?? { trustId: c.trustId, ownerId: c.ownerId, items: [], incomplete: [] };
    digest.incomplete.push({ caseId: c.caseId, reference: c.reference });
    digests.set(key, digest);
  }

  for (const digest of digests.values()) {
    const details = digestIncomplete(digest.incomplete);
    const payload = { kind: "digest" as const, day: today, items: sortDigest(digest.items), ...(details ? { incomplete: details } : {}) };
    const created = await deps.outbox.enqueue(
      newOutboxItem(digest.trustId, digestOutboxId(digest.trustId, digest.ownerId, today), { kind: "person", aadObjectId: digest.ownerId }, payload, now),
    );
    if (created) result.digestsQueued += 1;
  }
  // Emails waiting more than a working day: one word per trust and day in its managers' channel.
  if (deps.remindOfWaitingEmail) await deps.remindOfWaitingEmail(today, londonDateTime(subtractWorkingDays(today, 1), londonClockTime(now)).toISOString());
  // Only now is the day done: a crash before this line repeats the round, and the outbox ids dedupe it.
  await deps.cursor.markSwept(today, cursor.etag);
  result.days = days;
  return result;
}
