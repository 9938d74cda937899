import {
  alertOutboxItem,
  attentionDay,
  digestItem,
  digestOutboxId,
  isNudgeTime,
  londonClockTime,
  londonDate,
  nextWorkingDay,
  overdueReasons,
  sortDigest,
  subtractWorkingDays,
  ombudsmanDueOn,
  investigationReminders,
  newOutboxItem,
  type Case,
  retentionDay,
  type CaseRepository,
  type RetentionRules,
  type OutboxItem,
  type DigestItem,
  type OutboxStore,
  type SweepLease,
  type SweepSchedule,
} from "../domain";
import { errorFacts, type Logger } from "../logger";
import type { Dispatcher, DispatchReport } from "./dispatcher";

export interface SweepDeps {
  readonly cases: CaseRepository;
  readonly retention: RetentionRules;
  /** Finishes the follow-ups left pending on cases (the application layer); returns how many cases. */
  readonly finishPendingCases: () => Promise<number>;
  /** Applies the retention schedule to a closed case if it is due (the application layer). */
  readonly applyRetention: (tenantId: string, caseId: string) => Promise<"applied" | "not-due" | "try-again">;
  readonly schedule: SweepSchedule;
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
  /** Documents read to find due work: schedule days plus cases. */
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
export const NOT_RUN: SweepReport = { ran: false, days: [], documentsRead: 0, casesChecked: 0, digestsQueued: 0, alertsQueued: 0, casesRetired: 0, casesFinished: 0 };

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
function investigationItems(c: Case, today: string, now: Date): OutboxItem[] {
  const pending = (id: string, target: OutboxItem["target"], payload: OutboxItem["payload"]): OutboxItem => newOutboxItem(c.tenantId, id, target, payload, now);
  return investigationReminders(c, today).flatMap(({ request, reminder }) => {
    const about = { caseId: c.id, reference: c.reference, requestId: request.id };
    if (reminder !== "overdue") {
      const target: OutboxItem["target"] = request.delivery?.kind === "channel-thread"
        ? { kind: "conversation", address: { conversationId: request.delivery.conversationId, serviceUrl: request.delivery.serviceUrl, channelId: request.delivery.channelId, conversationType: "channel" } }
        : { kind: "person", aadObjectId: request.lead.aadObjectId };
      return [pending(`investigation:${request.id}:${reminder}`, target, { kind: "investigation-reminder", ...about, reminder, audience: "lead" })];
    }
    const toOwner = c.owner
      ? [pending(`investigation:${request.id}:overdue-owner`, { kind: "person", aadObjectId: c.owner.aadObjectId }, { kind: "investigation-reminder", ...about, reminder, audience: "owner" })]
      : [];
    return [
      ...toOwner,
      alertOutboxItem(c, "investigation-overdue", today, now, request.id),
    ];
  });
}

async function morningRound(deps: SweepDeps, now: Date): Promise<Omit<SweepReport, "ran" | "delivery" | "casesFinished">> {
  const today = londonDate(now);
  const result = { days: [] as string[], documentsRead: 0, casesChecked: 0, digestsQueued: 0, alertsQueued: 0, casesRetired: 0 };
  if (!isNudgeTime(today, londonClockTime(now))) return result;
  const cursor = await deps.schedule.lastSweptDay();
  result.documentsRead += 1;
  if (cursor.day && cursor.day >= today) return result;

  // Every working day since the last round, today included, so an outage delays nudges but loses none.
  // With no round on record (a new deployment, a wiped cursor) look back as far as a catch-up would.
  const earliest = subtractWorkingDays(today, MAX_CATCH_UP_DAYS);
  const first = cursor.day && nextWorkingDay(cursor.day) > earliest ? nextWorkingDay(cursor.day) : earliest;
  const days: string[] = [];
  for (let day = first; day <= today; day = nextWorkingDay(day)) days.push(day);

  const seen = new Set<string>();
  const digests = new Map<string, { tenantId: string; ownerId: string; items: DigestItem[] }>();
  for (const day of days) {
    const filed = await deps.schedule.casesOn(day);
    result.documentsRead += 1;
    for (const { caseId, tenantId } of filed) {
      if (seen.has(caseId)) continue;
      seen.add(caseId);
      const found = await deps.cases.get(tenantId, caseId);
      result.documentsRead += 1;
      result.casesChecked += 1;
      const c = found?.value;
      if (c?.status === "closed") {
        const retention = await deps.applyRetention(tenantId, caseId);
        if (retention === "applied") {
          result.casesRetired += 1;
          continue;
        }
        if (retention === "try-again") {
          // Due, but not possible now (a change in the way): the next working day's round tries again.
          await deps.schedule.file(tenantId, caseId, nextWorkingDay(today));
          continue;
        }
        // Not due yet (a PHSO date brought it here, or the trust changed its retention years): keep its day.
        const retireOn = retentionDay(c, deps.retention);
        if (retireOn && retireOn > today) await deps.schedule.file(tenantId, caseId, retireOn);
        // Closed, but the Ombudsman (PHSO) waits for the trust: its date goes in the owner's digest.
        if (!ombudsmanDueOn(c)) continue;
      }
      const attention = c ? attentionDay(c) : undefined;
      if (!c || !attention) continue; // closed, or no deadline left: drop it from the schedule
      if (attention > today) {
        await deps.schedule.file(tenantId, caseId, attention); // its deadline moved later
        continue;
      }
      const item = digestItem(c, today);
      if (item && c.owner) {
        const key = `${tenantId}/${c.owner.aadObjectId}`;
        const digest = digests.get(key) ?? { tenantId, ownerId: c.owner.aadObjectId, items: [] };
        digest.items.push(item);
        digests.set(key, digest);
      }
      for (const reason of overdueReasons(c, today)) {
        if (await deps.outbox.enqueue(alertOutboxItem(c, reason, today, now))) result.alertsQueued += 1;
      }
      for (const item of investigationItems(c, today, now)) {
        if ((await deps.outbox.enqueue(item)) && item.payload.kind === "alert") result.alertsQueued += 1;
      }
      // Still needs attention tomorrow (due soon or overdue) until it is dealt with.
      await deps.schedule.file(tenantId, caseId, nextWorkingDay(today));
    }
  }

  for (const digest of digests.values()) {
    const created = await deps.outbox.enqueue(
      newOutboxItem(digest.tenantId, digestOutboxId(digest.tenantId, digest.ownerId, today), { kind: "person", aadObjectId: digest.ownerId }, { kind: "digest", day: today, items: sortDigest(digest.items) }, now),
    );
    if (created) result.digestsQueued += 1;
  }
  // Only now is the day done: a crash before this line repeats the round, and the outbox ids dedupe it.
  await deps.schedule.markSwept(today, cursor.etag);
  result.days = days;
  return result;
}
