// The case card shows a case's newest timeline entries without a query on the events container: the case
// document keeps a copy of them, written by the same conditional write that adds the events (as follow-ups),
// so the copy is never ahead of or behind the timeline it summarises.
import { z } from "zod";
import type { FollowUps } from "./followUps";
import type { CaseEvent } from "./timeline";

/** How many entries the case card shows (and the case document keeps). */
export const LATEST_ENTRIES_KEPT = 3;
/** A note is cut to this on the card (and in the copy); the timeline keeps it whole. */
export const LATEST_DETAIL_LENGTH = 300;

/** One timeline entry as the case card shows it. `detail` is typed text (a note, a reason): shown as plain text only. */
export interface LatestEntry {
  readonly id: string;
  readonly at: string;
  readonly kind: string;
  /** The name of who did it, as shown at the time. */
  readonly by: string;
  readonly summary: string;
  readonly detail?: string;
}

export const LatestEntrySchema = z.object({
  id: z.string(),
  at: z.string(),
  // Plain string: a kind added by a later version must not stop an older one reading the case.
  kind: z.string(),
  by: z.string(),
  summary: z.string(),
  detail: z.string().optional(),
}) satisfies z.ZodType<LatestEntry, z.ZodTypeDef, unknown>;

function cut(text: string): string {
  const chars = [...text];
  return chars.length > LATEST_DETAIL_LENGTH ? `${chars.slice(0, LATEST_DETAIL_LENGTH - 1).join("")}…` : text;
}

function entryOf(event: CaseEvent): LatestEntry {
  return { id: event.id, at: event.at, kind: event.kind, by: event.by.name, summary: event.summary, ...(event.detail ? { detail: cut(event.detail) } : {}) };
}

const withoutDetail = ({ detail: _removed, ...kept }: LatestEntry): LatestEntry => kept;

/**
 * The newest entries, newest first, once the events these follow-ups carry are on the timeline: each entry
 * once (follow-ups ride along with later writes until they are cleared). Records retention removes the free
 * text of the whole timeline, so a write that scrubs it drops every detail here too.
 */
export function latestEntries(kept: readonly LatestEntry[], pending: readonly FollowUps[]): LatestEntry[] {
  const byId = new Map(kept.map((entry) => [entry.id, entry]));
  for (const followUps of pending) for (const event of followUps.events) byId.set(event.id, entryOf(event));
  // Events of one change share their time; their ids (caseId:revision:index, compared as numbers) keep the order of changes.
  const newest = [...byId.values()].sort((a, b) => b.at.localeCompare(a.at) || b.id.localeCompare(a.id, "en", { numeric: true })).slice(0, LATEST_ENTRIES_KEPT);
  return pending.some((f) => f.scrubTimeline) ? newest.map(withoutDetail) : newest;
}
