// A case change is one write: the case document carries what the change leaves to do in other documents
// (its timeline events, the messages to queue, thread links) until
// that work is done. Each follow-up is idempotent (create-if-absent by a deterministic id), so whoever
// finds a case with follow-ups still pending can finish them, however often, and nothing is duplicated.
import { z } from "zod";
import type { Case } from "./caseSchema";
import { alertReasonsFor, attentionDay, type AttentionRules } from "../deadlines/nudges";
import { alertOutboxItem, OutboxItemSchema, safetyChannelOutboxItem, type OutboxItem } from "../messages/outbox";
import { destroyDecision, retentionDay, type RetentionRules } from "../deadlines/retention";
import { alertIsOn, type Rules } from "../deadlines/rules";
import { CaseEventSchema, type CaseEvent } from "./timeline";
import { InboxOutcomeSchema, type InboxOutcome } from "../inbox/email";

/** A channel thread started by an investigation request, so replies in it reach the case. */
export interface ThreadLink {
  readonly rootActivityId: string;
  readonly caseId: string;
  readonly requestId: string;
}

/** An email that became, joined or was filed on the case: its inbox document says so, and its message id finds the case. */
export interface EmailSettlement {
  readonly emailId: string;
  readonly messageId: string;
  readonly state: "logged" | "added" | "filed";
  readonly outcome: InboxOutcome;
}

export const EmailSettlementSchema = z.object({
  emailId: z.string().min(1),
  messageId: z.string().min(1),
  state: z.enum(["logged", "added", "filed"]),
  outcome: InboxOutcomeSchema,
});

export interface FollowUps {
  /** The change that left them: the case id and the revision it was saved as. */
  readonly changeId: string;
  readonly at: string;
  readonly events: readonly CaseEvent[];
  readonly outbox: readonly OutboxItem[];
  readonly threads: readonly ThreadLink[];
  /** Emails to mark on their inbox documents (absent on changes saved before the inbox). */
  readonly emails?: readonly EmailSettlement[];
  /** Records retention: remove the free text of every timeline entry, once the events above are written. */
  readonly scrubTimeline?: boolean;
}

export const FollowUpsSchema = z.object({
  changeId: z.string().min(1),
  at: z.string(),
  events: z.array(CaseEventSchema),
  outbox: z.array(OutboxItemSchema),
  threads: z.array(z.object({ rootActivityId: z.string(), caseId: z.string(), requestId: z.string() })),
  emails: z.array(EmailSettlementSchema).optional(),
  scrubTimeline: z.boolean().optional(),
}) satisfies z.ZodType<FollowUps, z.ZodTypeDef, unknown>;

/** The id of the change that saved a case at this revision. */
export function changeIdOf(caseId: string, revision: number): string {
  return `${caseId}:${revision}`;
}

/** The nth timeline event of a change: the same change always gives the same ids. */
export function eventIdOf(changeId: string, index: number): string {
  return `${changeId}:${index}`;
}

export interface AlertContext {
  /** London date (yyyy-mm-dd). */
  readonly today: string;
  readonly now: Date;
  /** For a newly logged case with an NHS number: contacts about the patient in the last 90 days, this one included. */
  readonly contactsAboutPatientIn90Days?: number;
  /** The trust's rules: an alert it has switched off is not queued. */
  readonly rules: Pick<Rules, "alerts">;
}

/**
 * The day the sweep must next look at a case, stored on it (`watchOn`, indexed) so that the sweep finds due
 * work by one query, with no schedule document to keep: an open case's attention day; a closed case's
 * Ombudsman date while the PHSO waits for the trust, and its records retention day once a manager decided to destroy
 * the records (so a destruction left unfinished is finished). A file merely due for retention review is not watched:
 * the managers' review list finds it by its own index (`retentionDueOn`). A case stays due from that day until it
 * is dealt with (its deadline moves, it closes), so the sweep never files it again.
 */
export function watchDay(c: Case, retention: RetentionRules, rules: AttentionRules): string | undefined {
  // A deletion already begun (`retiringOn`) is finished too, whoever began it.
  const destroyOn = c.status !== "closed" ? undefined : (destroyDecision(c, retention)?.dueOn ?? (c.retiringOn ? retentionDay(c, retention) : undefined));
  const days = [attentionDay(c, rules), destroyOn].filter((day): day is string => day !== undefined);
  return days.sort()[0];
}

/** The manager alerts a change needs: only the alert reasons the case did not have before are queued (each once ever). */
export function alertsFor(before: Case | undefined, after: Case, ctx: AlertContext): OutboxItem[] {
  const had = new Set(before ? alertReasonsFor(before) : []);
  return (
    alertReasonsFor(after, { contactsAboutPatientIn90Days: ctx.contactsAboutPatientIn90Days })
      .filter((reason) => !had.has(reason) && alertIsOn(ctx.rules, reason))
      // A possible patient safety incident is also posted in the patient-safety channel, when one is set.
      .flatMap((reason) => [
        alertOutboxItem(after, reason, ctx.today, ctx.now),
        ...(reason === "patient-safety" ? [safetyChannelOutboxItem(after, ctx.today, ctx.now)] : []),
      ])
  );
}
