// What people do to a case from its card: each loads the case in the caller's trust, checks their role,
// applies the pure rule (src/domain) and saves it as one change (changes.ts).
import {
  addNote as addNoteRule,
  assignOwner,
  CaseRuleError,
  changeResponseDate as changeResponseDateRule,
  closeCase,
  escalateConcernToComplaint,
  may,
  OutcomeSchema,
  recordAcknowledgement as recordAcknowledgementRule,
  recordIncidentReference as recordIncidentReferenceRule,
  recordLetterSent as recordLetterSentRule,
  recordOmbudsman as recordOmbudsmanRule,
  recordSignposting as recordSignpostingRule,
  recordUpdateGiven as recordUpdateGivenRule,
  refusal,
  reopenCase,
  takeOwnership as takeOwnershipRule,
  type ActionContext,
  type ActionResult,
  type Caller,
  type Case,
  type CaseRecord,
  type CaseVerb,
  type ChangeResponseDateInput,
  type LetterKind,
  type OmbudsmanInput,
} from "../domain";
import { activityLog } from "../logger";
import { changeCase, type ChangeStep } from "./changes";
import { rulesOf, type CaseDeskDeps } from "./deps";
import { CASE_NOT_FOUND, refused, type CaseView, type Result } from "./results";
import { findStaffMember } from "./staff";
import { caseViewFor } from "./views";

export type CaseChangeResult = Result<{ readonly view: CaseView; readonly alreadyDone: boolean }>;

/** Who pressed what, and which submission it was (a retried one is recognised and not applied twice). */
export interface Submission {
  readonly caller: Caller;
  readonly caseId: string;
  /** A key for this submission; the same key again means the same submission retried. */
  readonly key?: string;
}

export const CHANGED_WHILE_SAVING = "The case changed while you were saving, and your change was not made. Here it is now: check it and try again.";

/** One rule's result as a change step. */
export const stepOf = (result: ActionResult): ChangeStep => ({ updated: result.updated, events: [result.event] });

/**
 * Loads the case in the caller's trust, checks they may see it and do `verb`, then saves the change.
 * `prepare` looks up what the input refers to before anything is written (and may refuse with CaseRuleError).
 */
export async function actOnCase(
  deps: CaseDeskDeps,
  { caller, caseId, key }: Submission,
  verb: CaseVerb,
  apply: (current: Case, ctx: ActionContext, record: CaseRecord) => ChangeStep,
  prepare?: (c: Case) => Promise<void>,
): Promise<CaseChangeResult> {
  const log = activityLog(deps.log);
  const loaded = await deps.cases.get(caller.trustId, caseId);
  if (!loaded) {
    log.warn({ verb }, "Case action for a case not found in the caller's trust");
    return refused("not-found", CASE_NOT_FOUND);
  }
  if (!may(caller.roles, "view-case", loaded.value)) {
    log.warn({ caseId, verb }, "Refused a case action: the caller may not view cases");
    return refused("not-allowed", refusal("view-case", loaded.value, caller.roles));
  }
  if (!may(caller.roles, verb, loaded.value)) {
    log.warn({ caseId, reference: loaded.value.reference, verb }, "Refused a case action the caller's role does not allow");
    return refused("not-allowed", refusal(verb, loaded.value, caller.roles), await caseViewFor(deps, caller, loaded));
  }
  try {
    await prepare?.(loaded.value);
  } catch (error) {
    if (!(error instanceof CaseRuleError)) throw error;
    return refused("rule", error.message, await caseViewFor(deps, caller, loaded));
  }
  const ctx: ActionContext = { actor: caller.actor, now: deps.now(), rules: rulesOf(deps).deadlines, updateWorkingDays: rulesOf(deps).updates.workingDays };
  const outcome = await changeCase(deps, { trustId: caller.trustId, caseId, actor: caller.actor, submission: key, loaded, apply: (current, record) => apply(current, ctx, record) });
  switch (outcome.kind) {
    case "not-found":
      return refused("not-found", CASE_NOT_FOUND);
    case "refused":
      log.info({ caseId, verb, reason: outcome.error.name }, "Case action not applied");
      return refused(outcome.error instanceof CaseRuleError ? "rule" : "changed", outcome.error instanceof CaseRuleError ? outcome.error.message : CHANGED_WHILE_SAVING, await caseViewFor(deps, caller, outcome.record));
    case "already-applied":
      log.info({ caseId, verb }, "Case action already applied: a retried submission");
      return { ok: true, alreadyDone: true, view: await caseViewFor(deps, caller, outcome.record) };
    case "saved":
      log.info({ caseId, reference: outcome.record.value.reference, verb, events: outcome.step.events.map((e) => e.kind) }, "Case updated");
      return { ok: true, alreadyDone: false, view: await caseViewFor(deps, caller, outcome.record) };
  }
}

export const takeOwnership = (deps: CaseDeskDeps, s: Submission) => actOnCase(deps, s, "take-ownership", (c, ctx) => stepOf(takeOwnershipRule(c, ctx)));

/** Assigns the case to someone in this trust who may own cases (met, or in the PALS team); the id comes from the card, so it is checked. */
export async function assign(deps: CaseDeskDeps, s: Submission, assigneeId: string): Promise<CaseChangeResult> {
  let assignee: { aadObjectId: string; name: string } | undefined;
  return actOnCase(
    deps,
    s,
    "assign",
    (c, ctx) => stepOf(assignOwner(c, assignee!, ctx)),
    async () => {
      // Someone PALS Desk has met, or a member of the PALS team (the Assign list offers both).
      const person = assigneeId ? await findStaffMember(deps, s.caller.trustId, assigneeId) : undefined;
      if (!person || !may(await deps.roles.rolesOf(s.caller.trustId, person.aadObjectId), "take-ownership")) {
        throw new CaseRuleError("Choose someone from the list to assign the case to.");
      }
      assignee = { aadObjectId: person.aadObjectId, name: person.name };
    },
  );
}

export const addNote = (deps: CaseDeskDeps, s: Submission, note: string) => actOnCase(deps, s, "add-note", (c, ctx) => stepOf(addNoteRule(c, note, ctx)));

export const recordAcknowledgement = (deps: CaseDeskDeps, s: Submission, sentOn: string) =>
  actOnCase(deps, s, "acknowledge", (c, ctx) => stepOf(recordAcknowledgementRule(c, sentOn, ctx)));

export const changeResponseDate = (deps: CaseDeskDeps, s: Submission, input: ChangeResponseDateInput) =>
  actOnCase(deps, s, "change-response-date", (c, ctx) => stepOf(changeResponseDateRule(c, input, ctx)));

export const escalate = (deps: CaseDeskDeps, s: Submission) => actOnCase(deps, s, "escalate", (c, ctx) => stepOf(escalateConcernToComplaint(c, ctx)));

/** Records signposting; the ids come from the card, so only organisations in the loaded directory will do. */
export function recordSignposting(deps: CaseDeskDeps, s: Submission, organisationIds: readonly string[]): Promise<CaseChangeResult> {
  const ids = new Set(organisationIds.map((id) => id.trim()).filter(Boolean));
  const chosen = deps.signposting.choices.filter((organisation) => ids.has(organisation.id)).map((o) => ({ id: o.id, title: o.title }));
  return actOnCase(
    deps,
    s,
    "record-signposting",
    (c, ctx) => stepOf(recordSignpostingRule(c, chosen, ctx)),
    async () => {
      if (chosen.length === 0 || chosen.length !== ids.size) throw new CaseRuleError("Choose the organisations from the list.");
    },
  );
}

export function close(deps: CaseDeskDeps, s: Submission, input: { readonly outcome: string; readonly learning?: string }): Promise<CaseChangeResult> {
  return actOnCase(deps, s, "close", (c, ctx) => {
    const outcome = OutcomeSchema.safeParse(input.outcome);
    if (!outcome.success) throw new CaseRuleError("Choose the outcome before closing the case.");
    return stepOf(closeCase(c, { outcome: outcome.data, learning: input.learning || undefined }, ctx));
  });
}

export const reopen = (deps: CaseDeskDeps, s: Submission, reason: string) => actOnCase(deps, s, "reopen", (c, ctx) => stepOf(reopenCase(c, reason, ctx)));

/** "Letter sent" on a letter draft: recorded on the timeline. */
export const recordLetterSent = (deps: CaseDeskDeps, s: Submission, letter: LetterKind) =>
  actOnCase(deps, s, "draft-letter", (c, ctx) => stepOf(recordLetterSentRule(c, letter, ctx)));

/** The PHSO referral: files the PHSO's date for nudges, and the managers hear the Ombudsman is involved. */
export const recordOmbudsman = (deps: CaseDeskDeps, s: Submission, input: OmbudsmanInput) =>
  actOnCase(deps, s, "record-ombudsman", (c, ctx) => stepOf(recordOmbudsmanRule(c, input, ctx)));

/** Where a possible patient safety incident was reported on the trust's incident system; the input is checked by the rule. */
export const recordIncidentReference = (deps: CaseDeskDeps, s: Submission, input: { readonly system: string; readonly reference: string }) =>
  actOnCase(deps, s, "record-incident-reference", (c, ctx) => stepOf(recordIncidentReferenceRule(c, input, ctx)));

/** "Record update given" on an open complaint: how, when and a short note, all checked by the rule; the next update falls due from it. */
export const recordUpdateGiven = (deps: CaseDeskDeps, s: Submission, input: { readonly how: string; readonly on: string; readonly note: string }) =>
  actOnCase(deps, s, "record-update", (c, ctx) => stepOf(recordUpdateGivenRule(c, input, ctx)));
