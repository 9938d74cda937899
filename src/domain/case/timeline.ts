import { z } from "zod";

/** Who did something, as Teams identifies them (Entra ID object id) with the name shown at the time. */
export interface Actor {
  readonly aadObjectId: string;
  readonly name: string;
}

export const CASE_EVENT_KINDS = [
  "created",
  "owner-changed",
  "note-added",
  "acknowledged",
  "response-date-changed",
  "escalated-to-complaint",
  "signposting-recorded",
  "closed",
  "reopened",
  "alert-acknowledged",
  "investigation-requested",
  "investigation-answered",
  "investigation-extension-requested",
  "investigation-extension-decided",
  "investigation-follow-up",
  "letter-sent",
  "ombudsman-updated",
  "retention-applied",
  "details-updated",
  "deadlines-recalculated",
  "incident-reference-recorded",
  "update-given",
  "time-limit-waived",
  "discussion-recorded",
  "action-added",
  "action-done",
  "email-received",
  "document-added",
  "email-sent",
  "email-failed",
  "legal-hold-placed",
  "legal-hold-lifted",
  "retention-reviewed",
] as const;

export type CaseEventKind = (typeof CASE_EVENT_KINDS)[number];

/** One entry of a case's timeline: append-only, never changed or deleted by the app. */
export interface CaseEvent {
  readonly id: string;
  readonly caseId: string;
  readonly trustId: string;
  readonly reference: string;
  readonly kind: CaseEventKind;
  readonly at: string;
  readonly by: Actor;
  /** Plain-English line for the timeline card, e.g. "Response date extended to 4 March 2026". */
  readonly summary: string;
  /** Free text that belongs to the event (a note, a reason, learning); shown on the timeline only. */
  readonly detail?: string;
  readonly changes?: readonly { readonly field: string; readonly before?: unknown; readonly after?: unknown }[];
}

/**
 * A stored timeline entry, checked when read back (unknown keys, such as Cosmos DB's own, are dropped). The
 * timeline is never rewritten, not even by `npm run migrate`: an entry written by release 0.1 names its tenant
 * (`tenantId`), read here as its partition of the day. Entries are found by case, never by this field.
 */
export const CaseEventSchema = z.preprocess(
  (stored) =>
    stored !== null && typeof stored === "object" && !("trustId" in stored) && "tenantId" in stored
      ? { ...stored, trustId: (stored as { tenantId: unknown }).tenantId }
      : stored,
  z.object({
    id: z.string().min(1),
    caseId: z.string().min(1),
    trustId: z.string().min(1),
    reference: z.string(),
    kind: z.enum(CASE_EVENT_KINDS),
    at: z.string(),
    by: z.object({ aadObjectId: z.string(), name: z.string() }),
    summary: z.string(),
    detail: z.string().optional(),
    changes: z.array(z.object({ field: z.string(), before: z.unknown().optional(), after: z.unknown().optional() })).optional(),
  }),
);
