// A case change is one write: the case document carries what the change leaves to do in other documents
// (its timeline events, its place in the sweep's schedule, the messages to queue, thread links) until
// that work is done. Each follow-up is idempotent (create-if-absent by a deterministic id), so whoever
// finds a case with follow-ups still pending can finish them, however often, and nothing is duplicated.
import { z } from "zod";
import type { Case } from "./caseSchema";
import { alertReasonsFor, attentionDay, scheduleDay } from "./nudges";
import { alertOutboxItem, OutboxItemSchema, type OutboxItem } from "./outbox";
import { retentionDay, type RetentionRules } from "./retention";
import { CaseEventSchema, type CaseEvent } from "./timeline";

/** A channel thread started by an investigation request, so replies in it reach the case. */
export interface ThreadLink {
  readonly rootActivityId: string;
  readonly caseId: string;
  readonly requestId: string;
}

export interface FollowUps {
  /** The change that left them: the case id and the revision it was saved as. */
  readonly changeId: string;
  readonly at: string;
  readonly events: readonly CaseEvent[];
  /** Days the case must be filed on in the sweep's schedule. */
  readonly fileOn: readonly string[];
  readonly outbox: readonly OutboxItem[];
  readonly threads: readonly ThreadLink[];
  /** Records retention: remove the free text of every timeline entry, once the events above are written. */
  readonly scrubTimeline?: boolean;
}

export const FollowUpsSchema = z.object({
  changeId: z.string().min(1),
  at: z.string(),
  events: z.array(CaseEventSchema),
  fileOn: z.array(z.string()),
  outbox: z.array(OutboxItemSchema),
  threads: z.array(z.object({ rootActivityId: z.string(), caseId: z.string(), requestId: z.string() })),
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

export interface WatchContext {
  /** London date (yyyy-mm-dd). */
  readonly today: string;
  readonly now: Date;
  readonly retention?: RetentionRules;
  /** For a newly logged case with an NHS number: contacts about the patient in the last 90 days, this one included. */
  readonly contactsAboutPatientIn90Days?: number;
}

/** What decides where a case sits in the schedule: its attention day, and once closed its retention day too. */
function scheduleKey(c: Case, retention?: RetentionRules): string {
  return JSON.stringify([c.status, attentionDay(c) ?? null, c.status === "closed" ? (retentionDay(c, retention) ?? null) : null]);
}

/**
 * The schedule filings and manager alerts a change needs: the case is filed again only when the day it
 * needs attention moved, and only the alert reasons it did not have before are queued (each once ever).
 */
export function watchFollowUps(before: Case | undefined, after: Case, ctx: WatchContext): { fileOn: string[]; outbox: OutboxItem[] } {
  const fileOn: string[] = [];
  if (!before || scheduleKey(before, ctx.retention) !== scheduleKey(after, ctx.retention)) {
    // Open: the day it next needs attention. Closed: the day its records fall due for retention, and the
    // Ombudsman's date while the PHSO waits for the trust.
    const days = after.status === "closed" ? [retentionDay(after, ctx.retention), scheduleDay(after, ctx.today)] : [scheduleDay(after, ctx.today)];
    for (const day of days) if (day && !fileOn.includes(day)) fileOn.push(day);
  }
  const had = new Set(before ? alertReasonsFor(before) : []);
  const outbox = alertReasonsFor(after, { contactsAboutPatientIn90Days: ctx.contactsAboutPatientIn90Days })
    .filter((reason) => !had.has(reason))
    .map((reason) => alertOutboxItem(after, reason, ctx.today, ctx.now));
  return { fileOn, outbox };
}
