// What a change to a case is, as the pure rules return it: the changed case and its timeline entry.
import type { Case } from "./caseSchema";
import type { Rules } from "../deadlines/rules";
import type { Actor, CaseEvent } from "./timeline";

export interface ActionContext {
  readonly actor: Actor;
  readonly now: Date;
  /** The trust's rules, always given: a forgotten wiring step must not silently give a Wales trust England's figures. */
  readonly rules: Readonly<Rules>;
}

export type CaseEventDraft = Pick<CaseEvent, "kind" | "summary"> & Partial<Pick<CaseEvent, "detail" | "changes">>;

export interface ActionResult {
  readonly updated: Case;
  readonly event: CaseEventDraft;
}

/** The timeline entry for a draft: who did it and when, against which case. */
export function eventFrom(draft: CaseEventDraft, c: Case, ctx: ActionContext, id: string): CaseEvent {
  return {
    id,
    caseId: c.id,
    trustId: c.trustId,
    reference: c.reference,
    kind: draft.kind,
    at: ctx.now.toISOString(),
    by: { aadObjectId: ctx.actor.aadObjectId, name: ctx.actor.name },
    summary: draft.summary,
    ...(draft.detail !== undefined ? { detail: draft.detail } : {}),
    ...(draft.changes !== undefined && draft.changes.length > 0 ? { changes: draft.changes.map((ch) => ({ ...ch })) } : {}),
  };
}
