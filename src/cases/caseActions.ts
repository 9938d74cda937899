// What people do to a case from its card: each loads the case in the caller's trust, checks their role,
// applies the pure rule (src/domain) and saves it as one change (changes.ts).
import {
  CASE_VERB_DEFINITIONS,
  CaseRuleError,
  may,
  recordLetterSent as recordLetterSentRule,
  recordOmbudsman as recordOmbudsmanRule,
  refusal,
  type ActionContext,
  type ActionResult,
  type Caller,
  type Case,
  type CaseRecord,
  type CaseVerb,
  type CaseVerbDefinition,
  type CaseVerbName,
  type LetterKind,
  type OmbudsmanInput,
  type PersonRef,
  type SignpostingChoice,
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
  const ctx: ActionContext = { actor: caller.actor, now: deps.now(), rules: rulesOf(deps) };
  const outcome = await changeCase(deps, {
    trustId: caller.trustId,
    caseId,
    actor: caller.actor,
    submission: key,
    loaded,
    apply: (current, record) => apply(current, ctx, record),
  });
  switch (outcome.kind) {
    case "not-found":
      return refused("not-found", CASE_NOT_FOUND);
    case "refused":
      log.info({ caseId, verb, reason: outcome.error.name }, "Case action not applied");
      return refused(
        outcome.error instanceof CaseRuleError ? "rule" : "changed",
        outcome.error instanceof CaseRuleError ? outcome.error.message : CHANGED_WHILE_SAVING,
        await caseViewFor(deps, caller, outcome.record),
      );
    case "already-applied":
      log.info({ caseId, verb }, "Case action already applied: a retried submission");
      return { ok: true, alreadyDone: true, view: await caseViewFor(deps, caller, outcome.record) };
    case "saved":
      log.info({ caseId, reference: outcome.record.value.reference, verb, events: outcome.step.events.map((e) => e.kind) }, "Case updated");
      return { ok: true, alreadyDone: false, view: await caseViewFor(deps, caller, outcome.record) };
  }
}

/**
 * A case-card verb (src/domain/case/caseVerbs.ts): loads the case in the caller's trust, checks they may, looks up
 * what the verb refers to (checked: its ids come from the card), applies the verb's rule and saves the change.
 */
export function act(deps: CaseDeskDeps, s: Submission, name: CaseVerbName, input: Readonly<Record<string, string | boolean>>): Promise<CaseChangeResult> {
  const definition: CaseVerbDefinition = CASE_VERB_DEFINITIONS[name];
  const resolved: { assignee?: PersonRef; organisations?: readonly SignpostingChoice[] } = {};
  const prepare =
    definition.resolves === "assignee"
      ? () => findAssignee(deps, s, String(input.assignTo ?? ""), resolved)
      : definition.resolves === "organisations"
        ? () => findOrganisations(deps, String(input.organisations ?? ""), resolved)
        : undefined;
  return actOnCase(deps, s, definition.access as CaseVerb, (c, ctx) => stepOf(definition.rule(c, input, ctx, resolved)), prepare);
}

/** Someone in this trust who may own cases: PALS Desk has met them, or they are in the PALS team (the Assign list offers both). */
async function findAssignee(deps: CaseDeskDeps, s: Submission, assigneeId: string, resolved: { assignee?: PersonRef }): Promise<void> {
  const person = assigneeId ? await findStaffMember(deps, s.caller.trustId, assigneeId) : undefined;
  if (!person || !may(await deps.roles.rolesOf(s.caller.trustId, person.aadObjectId), "take-ownership")) {
    throw new CaseRuleError("Choose someone from the list to assign the case to.");
  }
  resolved.assignee = { aadObjectId: person.aadObjectId, name: person.name };
}

/** Only organisations in the loaded directory will do. */
async function findOrganisations(deps: CaseDeskDeps, chosenIds: string, resolved: { organisations?: readonly SignpostingChoice[] }): Promise<void> {
  const ids = new Set(
    chosenIds
      .split(",")
      .map((id) => id.trim())
      .filter(Boolean),
  );
  const chosen = deps.signposting.choices.filter((organisation) => ids.has(organisation.id)).map((o) => ({ id: o.id, title: o.title }));
  if (chosen.length === 0 || chosen.length !== ids.size) throw new CaseRuleError("Choose the organisations from the list.");
  resolved.organisations = chosen;
}

/** "Letter sent" on a letter draft: recorded on the timeline. */
export const recordLetterSent = (deps: CaseDeskDeps, s: Submission, letter: LetterKind) =>
  actOnCase(deps, s, "draft-letter", (c, ctx) => stepOf(recordLetterSentRule(c, letter, ctx)));

/** The PHSO referral: files the PHSO's date for nudges, and the managers hear the Ombudsman is involved. */
export const recordOmbudsman = (deps: CaseDeskDeps, s: Submission, input: OmbudsmanInput) =>
  actOnCase(deps, s, "record-ombudsman", (c, ctx) => stepOf(recordOmbudsmanRule(c, input, ctx)));
