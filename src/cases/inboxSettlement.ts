// The follow-up that marks an email's inbox document once the case change it belongs to is saved (changes.ts):
// logged as the case, added to it, or filed on it as a reply. Idempotent, like every follow-up.
import { CaseRuleError, newOutboxItem, settleEmail, type EmailSettlement } from "../domain";
import { activityLog } from "../logger";
import type { CaseDeskDeps } from "./deps";

const ATTEMPTS = 5;

/** Marks the email and links its message id to the case; true when the triage card's update was queued. */
export async function settleInboxEmail(deps: CaseDeskDeps, trustId: string, caseId: string, settlement: EmailSettlement): Promise<boolean> {
  await deps.inbox.linkThread(trustId, settlement.messageId, caseId);
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const stored = await deps.inbox.get(trustId, settlement.emailId);
    if (!stored) return false;
    let settled;
    try {
      settled = settleEmail(stored.value, settlement.state, settlement.outcome);
    } catch (error) {
      if (!(error instanceof CaseRuleError)) throw error;
      // Dealt with otherwise meanwhile (two officers at once): the case keeps the email all the same.
      activityLog(deps.log).warn(
        { emailId: settlement.emailId, caseId, state: stored.value.state },
        "An email reached a case after it was dealt with otherwise",
      );
      return false;
    }
    if (settled === "unchanged") return false;
    const saved = await deps.inbox.save(settled, stored.etag);
    if (!saved) continue;
    const card = saved.value.card;
    if (!card) return false;
    return deps.outbox.enqueue(
      newOutboxItem(
        trustId,
        `inbox-card:${settlement.emailId}:${settlement.state}`,
        { kind: "conversation", address: card.address },
        { kind: "inbox-email-update", emailId: settlement.emailId, activityId: card.activityId },
        deps.now(),
      ),
    );
  }
  throw new Error("An email's inbox document kept changing while it was being marked");
}
