// Records retention: a closed case's records are anonymised (or deleted) the configured years after closure.
import { anonymiseCase, CaseRuleError, eventFrom, isRetentionDue, londonDate } from "../domain";
import { activityLog } from "../logger";
import { changeCase, finishFollowUps } from "./changes";
import type { CaseDeskDeps } from "./deps";
import { PALS_DESK } from "./results";

const ACTOR = { ...PALS_DESK, name: "PALS Desk (records retention)" };
const yearsText = (years: number) => `${years} year${years === 1 ? "" : "s"}`;

/**
 * Applies the retention schedule to a case if it is due; true when it did. Every step can be repeated (the
 * morning round runs again after a crash): the audit entry has a fixed id, deletions ignore what is gone.
 */
export async function applyRetention(deps: CaseDeskDeps, tenantId: string, caseId: string): Promise<boolean> {
  const now = deps.now();
  const record = await deps.cases.get(tenantId, caseId);
  if (!record || !isRetentionDue(record.value, londonDate(now), deps.retention)) return false;
  // Follow-ups still pending may carry free text (a note's event): finish them before anything is removed.
  const c = (await finishFollowUps(deps, record)).value;
  const { years, action } = deps.retention;
  if (action === "delete") {
    const auditId = `${c.id}:retention`;
    const entries = (await deps.timeline.list(c.id)).filter((e) => e.id !== auditId).length;
    await deps.timeline.record(
      eventFrom(
        { kind: "retention-applied", summary: `Case deleted under the records retention schedule (${yearsText(years)} after closure); ${entries} timeline entries removed` },
        c,
        { actor: ACTOR, now },
        auditId,
      ),
    );
    await deps.timeline.deleteAll(c.id, auditId);
    await deps.cases.delete(tenantId, caseId);
  } else {
    const scrubbed = await deps.timeline.removeDetails(c.id);
    const outcome = await changeCase(deps, {
      tenantId,
      caseId,
      actor: ACTOR,
      apply: (current) => {
        if (!isRetentionDue(current, londonDate(now), deps.retention)) throw new CaseRuleError("Retention is not due.");
        return {
          updated: anonymiseCase(current, now),
          events: [{ kind: "retention-applied", summary: `Patient details and free text removed under the records retention schedule (${yearsText(years)} after closure); ${scrubbed} timeline entries cleared` }],
        };
      },
    });
    if (outcome.kind !== "saved") return false;
  }
  activityLog(deps.log).info({ caseId, reference: c.reference, action }, "Records retention applied");
  return true;
}
