import {
  addCalendarDays,
  alertOutboxId,
  alertReasonsFor,
  londonDate,
  REPEAT_CONTACT_DAYS,
  retentionDay,
  scheduleDay,
  type RetentionRules,
  type AlertReason,
  type Case,
  type CaseRepository,
  type OutboxItem,
  type OutboxStore,
  type SweepSchedule,
} from "../domain";

export interface CaseWatchDeps {
  readonly cases: CaseRepository;
  readonly retention?: RetentionRules;
  readonly schedule: SweepSchedule;
  readonly outbox: OutboxStore;
}

/** A new alert for the managers' channel; its id makes it once per case and reason. */
export function alertItem(c: Case, reason: AlertReason, now: Date): OutboxItem {
  return {
    id: alertOutboxId(c.id, reason),
    tenantId: c.tenantId,
    target: { kind: "alerts-channel" },
    payload: { kind: "alert", caseId: c.id, reference: c.reference, reason, raisedOn: londonDate(now) },
    state: "pending",
    attempts: 0,
    nextAttemptAt: now.toISOString(),
    createdAt: now.toISOString(),
  };
}

/**
 * After any save of a case: file it for the morning sweep on the day it next needs attention, and
 * queue an alert for each reason managers must hear about (each queued once, ever, per case).
 * Returns how many new alerts were queued.
 */
export async function watchCase(deps: CaseWatchDeps, c: Case, now: Date): Promise<number> {
  const today = londonDate(now);
  // Open: the day it next needs attention. Closed: the day its records fall due for retention.
  const day = c.status === "closed" ? retentionDay(c, deps.retention) : scheduleDay(c, today);
  if (day) await deps.schedule.file(c.tenantId, c.id, day);
  // A closed case the Ombudsman (PHSO) is waiting on still needs the morning round before that date.
  const phsoDay = c.status === "closed" ? scheduleDay(c, today) : undefined;
  if (phsoDay) await deps.schedule.file(c.tenantId, c.id, phsoDay);
  const contactsAboutPatientIn90Days = c.patient.nhsNumber
    ? await deps.cases.countForPatient(c.tenantId, c.patient.nhsNumber, addCalendarDays(today, -REPEAT_CONTACT_DAYS))
    : 0;
  let queued = 0;
  for (const reason of alertReasonsFor(c, { contactsAboutPatientIn90Days })) {
    if (await deps.outbox.enqueue(alertItem(c, reason, now))) queued += 1;
  }
  return queued;
}
