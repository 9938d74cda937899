// Managers acknowledge an alert (and may take the case over) from the alert card in their channel.
// The acknowledgement is a change to the case, so it is one write like any other and on the timeline once.
import {
  acknowledgeAlert as acknowledgeAlertRule,
  alertOutboxId,
  CaseRuleError,
  mayManageAlerts,
  takeOwnership,
  type AlertReason,
  type CaseEventDraft,
  type CaseRecord,
  type OutboxItem,
} from "../domain";
import { activityLog } from "../logger";
import type { Submission } from "./caseActions";
import { changeCase } from "./changes";
import { rulesOf, type CaseDeskDeps } from "./deps";
import { refused, type Result } from "./results";

export interface AlertRef {
  readonly caseId: string;
  readonly reason: AlertReason;
  /** For an overdue investigation request: which request. */
  readonly requestId?: string;
}

export type AlertResult = Result<{
  readonly alert: OutboxItem;
  /** The case as it now is (undefined when it is gone). */
  readonly record?: CaseRecord;
  /** Why taking the case over did not happen, when it did not. */
  readonly note?: string;
}>;

export async function acknowledgeAlert(deps: CaseDeskDeps, s: Omit<Submission, "caseId">, ref: AlertRef, takeOver: boolean): Promise<AlertResult> {
  const log = activityLog(deps.log);
  const found = await deps.outbox.get(s.caller.trustId, alertOutboxId(ref.caseId, ref.reason, ref.requestId));
  const alert = found?.value;
  if (!alert || alert.payload.kind !== "alert") {
    log.warn({ verb: takeOver ? "alert.takeOver" : "alert.acknowledge" }, "Alert action for an alert not found in the caller's trust");
    return refused("not-found", "We couldn't find that alert. The card may be out of date.");
  }
  if (!mayManageAlerts(s.caller.roles)) {
    log.warn({ caseId: ref.caseId }, "Refused an alert action: the caller is not a manager");
    return refused("not-allowed", "Only PALS managers can acknowledge or take over alerts.");
  }
  let note: string | undefined;
  const outcome = await changeCase(deps, {
    trustId: s.caller.trustId,
    caseId: ref.caseId,
    actor: s.caller.actor,
    submission: s.key,
    apply: (current) => {
      const ctx = { actor: s.caller.actor, now: deps.now(), rules: rulesOf(deps) };
      const events: CaseEventDraft[] = [];
      let updated = current;
      note = undefined;
      if (takeOver) {
        try {
          const taken = takeOwnership(updated, ctx);
          updated = taken.updated;
          events.push(taken.event);
        } catch (error) {
          if (!(error instanceof CaseRuleError)) throw error;
          note = error.message;
        }
      }
      try {
        const acknowledged = acknowledgeAlertRule(updated, { id: alert.id, reason: ref.reason }, ctx);
        updated = acknowledged.updated;
        events.push(acknowledged.event);
      } catch (error) {
        // Acknowledged already: taking over may still be a change.
        if (!(error instanceof CaseRuleError) || events.length === 0) throw error;
      }
      return { updated, events };
    },
  });
  log.info({ caseId: ref.caseId, reason: ref.reason, takeOver, outcome: outcome.kind }, "Alert acknowledged");
  if (outcome.kind === "refused" && !(outcome.error instanceof CaseRuleError)) {
    return refused("changed", "The case changed while you were saving, and the alert was not acknowledged. Try again.");
  }
  return { ok: true, alert, record: outcome.kind === "not-found" ? undefined : outcome.record, ...(note ? { note } : {}) };
}
