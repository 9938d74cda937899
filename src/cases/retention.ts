// Records retention: a closed case's records are anonymised (or deleted) the configured years after closure.
import { anonymiseCase, CaseRuleError, eventFrom, isRetentionDue, londonDate } from "../domain";
import { activityLog } from "../logger";
import { changeCase, finishFollowUps } from "./changes";
import type { CaseDeskDeps } from "./deps";
import { caseDocumentFolder } from "./documents";
import { emailDocuments } from "./inbox";
import { PALS_DESK } from "./results";

const ACTOR = { ...PALS_DESK, name: "PALS Desk (records retention)" };
const yearsText = (years: number) => `${years} year${years === 1 ? "" : "s"}`;

/** Applied; not due (or the case is gone); or due but not possible now (try again the next working day). */
export type RetentionOutcome = "applied" | "not-due" | "try-again";

/**
 * Applies the retention schedule to a case if it is due. Every step can be repeated (the morning round runs
 * again after a crash): the audit entry has a fixed id, deletions ignore what is gone, scrubbing is idempotent.
 */
export async function applyRetention(deps: CaseDeskDeps, trustId: string, caseId: string): Promise<RetentionOutcome> {
  const now = deps.now();
  const today = londonDate(now);
  const record = await deps.cases.get(trustId, caseId);
  if (!record || !isRetentionDue(record.value, today, deps.retention)) return "not-due";
  // Follow-ups still pending may carry free text (a note's event): they are written before anything is removed.
  const finished = await finishFollowUps(deps, record);
  if (finished.pending.length > 0) return "try-again";
  const { years, action } = deps.retention;
  const log = activityLog(deps.log);
  if (action === "delete") {
    if (!finished.value.retiringOn) {
      // First a mark that refuses every later change, so nothing is added to the timeline while it is deleted.
      const marked = await changeCase(deps, {
        trustId,
        caseId,
        actor: ACTOR,
        loaded: finished,
        apply: (c) => ({ updated: { ...c, retiringOn: today }, events: [] }),
      });
      if (marked.kind !== "saved") return marked.kind === "not-found" ? "not-due" : "try-again";
    }
    const c = finished.value;
    const auditId = `${c.id}:retention`;
    const entries = (await deps.timeline.list(c.id)).filter((e) => e.id !== auditId).length;
    await deps.timeline.record(
      eventFrom(
        {
          kind: "retention-applied",
          summary: `Case deleted under the records retention schedule (${yearsText(years)} after closure); ${entries} timeline entries removed`,
        },
        c,
        { actor: ACTOR, now },
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
        if (!isRetentionDue(current, today, deps.retention)) throw new CaseRuleError("Retention is not due.");
        return {
          updated: anonymiseCase(current, now),
          events: [
            {
              kind: "retention-applied",
              summary: `Patient details and free text removed under the records retention schedule (${yearsText(years)} after closure); ${cleared} timeline entries cleared`,
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
