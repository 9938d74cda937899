// Actions from cases: an officer or manager adds one from the case card (the owner's card goes to their chat
// through the outbox); the owner (or a manager) marks it done with what changed; `actions` lists a person's
// open actions and managers' `actions all` every open action by division.
import { randomUUID } from "node:crypto";
import { v5 as uuidv5 } from "uuid";
import {
  addAction as addActionRule,
  CaseRuleError,
  learningActionOutboxId,
  londonDate,
  markActionDone as markActionDoneRule,
  may,
  mayManageAlerts,
  mayMarkDone,
  mayReport,
  myOpenActions,
  newOutboxItem,
  openActionsByDivision,
  refusal,
  type Caller,
  type CaseRecord,
  type DivisionActions,
  type LearningAction,
  type ListedAction,
  type StaffMember,
} from "../domain";
import { activityLog } from "../logger";
import { actOnCase, stepOf, type Submission } from "./caseActions";
import { changeCase } from "./changes";
import { rulesOf, type CaseDeskDeps } from "./deps";
import { CASE_NOT_FOUND, refused, type CaseView, type Result, type StaffChoice } from "./results";
import { findStaffMember, staffOf } from "./staff";

/** Name-based ids (version 5) in PALS Desk's namespace, as ids.ts makes them. */
const NAMESPACE = "5b0f3b52-2f0e-4c37-9e0e-5a6b2a8f2d11";

/** The action a submission adds, so a retried submission finds the action it made rather than adding another. */
export function actionIdFor(caseId: string, submission: string): string {
  return uuidv5(`learning-action\u0000${caseId}\u0000${submission}`, NAMESPACE);
}

export const ACTION_NOT_FOUND = "We couldn't find that action. The card may be out of date: type **actions** to see your open actions.";

export interface NewActionForm {
  readonly description: string;
  /** The owner's Entra ID object id, from the card: checked against the people the form offers. */
  readonly ownerId: string;
  readonly division: string;
  readonly dueOn: string;
  readonly subject?: string;
}

export type ActionFormResult = Result<{ readonly record: CaseRecord; readonly owners: readonly StaffChoice[] }>;

/** "Add an action" from the case card: the case and the people who may own an action (the Assign list's people). */
export async function actionForm(deps: CaseDeskDeps, caller: Caller, caseId: string): Promise<ActionFormResult> {
  const record = await deps.cases.get(caller.trustId, caseId);
  if (!record) return refused("not-found", CASE_NOT_FOUND);
  if (!may(caller.roles, "add-action", record.value)) {
    activityLog(deps.log).warn({ caseId }, "Refused the action form: the caller's role does not allow adding actions");
    return refused("not-allowed", refusal("add-action", record.value, caller.roles));
  }
  const owners = (await staffOf(deps, caller.trustId)).map((person) => ({ id: person.aadObjectId, title: person.name }));
  return { ok: true, record, owners };
}

export type AddActionResult = Result<{
  readonly view: CaseView;
  readonly action: LearningAction;
  /** The owner has a chat with PALS Desk their card can go to (otherwise they see it with `actions` once they open it). */
  readonly reachable: boolean;
}>;

/** Adds an action to an open case; the owner's card is queued in the same write (one card per action, ever). */
export async function addAction(deps: CaseDeskDeps, s: Submission, input: NewActionForm): Promise<AddActionResult> {
  const actionId = s.key ? actionIdFor(s.caseId, s.key) : randomUUID();
  let owner: StaffMember | undefined;
  let reachable = false;
  const result = await actOnCase(
    deps,
    s,
    "add-action",
    (c, ctx) => {
      const step = addActionRule(
        c,
        {
          id: actionId,
          description: input.description,
          owner: { aadObjectId: owner!.aadObjectId, name: owner!.name },
          division: input.division,
          dueOn: input.dueOn,
          subject: input.subject,
        },
        ctx,
      );
      const payload = { kind: "learning-action" as const, caseId: c.id, reference: c.reference, actionId, moment: "added" as const };
      return {
        ...stepOf(step),
        outbox: [newOutboxItem(c.trustId, learningActionOutboxId(actionId, "added"), { kind: "person", aadObjectId: owner!.aadObjectId }, payload, ctx.now)],
      };
    },
    // The owner comes from the card: only someone on the list the form offers (people met, the PALS team) will do.
    async () => {
      const id = input.ownerId.trim();
      owner = id ? await findStaffMember(deps, s.caller.trustId, id) : undefined;
      if (!owner) throw new CaseRuleError("Choose the action's owner from the list.");
      reachable = (await deps.people.personalConversation(s.caller.trustId, owner.aadObjectId)) !== undefined;
    },
  );
  if (!result.ok) return result;
  const action = result.view.record.value.actions?.find((a) => a.id === actionId);
  if (!action) return refused("rule", "That action could not be found on the case. Open the case again.", result.view);
  activityLog(deps.log).info({ caseId: s.caseId, actionId, alreadyDone: result.alreadyDone }, "Action added to a case");
  return { ok: true, view: result.view, action, reachable };
}

export type ActionResultView = Result<{ readonly record: CaseRecord; readonly action: LearningAction; readonly alreadyDone?: boolean }>;

/** An action of the caller's trust; its owner and PALS staff may see it. */
export async function openAction(deps: CaseDeskDeps, caller: Caller, caseId: string, actionId: string): Promise<ActionResultView> {
  const record = await deps.cases.get(caller.trustId, caseId);
  const action = record?.value.actions?.find((a) => a.id === actionId);
  if (!record || !action) {
    activityLog(deps.log).warn("Action card for an action not found in the caller's trust");
    return refused("not-found", ACTION_NOT_FOUND);
  }
  if (!mayMarkDone(action, caller.actor.aadObjectId, false) && !may(caller.roles, "view-case", record.value)) {
    activityLog(deps.log).warn({ caseId, actionId }, "Refused an action card to someone it does not belong to");
    return refused("not-allowed", `This action belongs to ${action.owner.name}. Only they and the PALS team can see it.`);
  }
  return { ok: true, record, action };
}

/** "Mark done" with what changed: by the owner or a manager; allowed on a closed case, not on one being retired. */
export async function markDone(deps: CaseDeskDeps, s: Submission, actionId: string, evidence: string): Promise<ActionResultView> {
  const log = activityLog(deps.log);
  const record = await deps.cases.get(s.caller.trustId, s.caseId);
  const action = record?.value.actions?.find((a) => a.id === actionId);
  if (!record || !action) {
    log.warn("Mark done for an action not found in the caller's trust");
    return refused("not-found", ACTION_NOT_FOUND);
  }
  const isManager = mayManageAlerts(s.caller.roles);
  if (!mayMarkDone(action, s.caller.actor.aadObjectId, isManager)) {
    log.warn({ caseId: s.caseId, actionId }, "Refused mark done from someone who neither owns the action nor manages");
    return refused("not-allowed", `This action belongs to ${action.owner.name}. Only they or a PALS manager can mark it done.`);
  }
  const outcome = await changeCase(deps, {
    trustId: s.caller.trustId,
    caseId: s.caseId,
    actor: s.caller.actor,
    submission: s.key,
    loaded: record,
    apply: (c) => stepOf(markActionDoneRule(c, actionId, evidence, { actor: s.caller.actor, now: deps.now(), rules: rulesOf(deps), isManager })),
  });
  if (outcome.kind === "not-found") return refused("not-found", ACTION_NOT_FOUND);
  const latest = outcome.record;
  const now = latest.value.actions?.find((a) => a.id === actionId) ?? action;
  if (outcome.kind === "refused") {
    log.info({ caseId: s.caseId, actionId, reason: outcome.error.name }, "Mark done not applied");
    const message =
      outcome.error instanceof CaseRuleError ? outcome.error.message : "The case changed while you were saving, and the action was not marked done. Try again.";
    return refused(outcome.error instanceof CaseRuleError ? "rule" : "changed", message);
  }
  log.info({ caseId: s.caseId, actionId, already: outcome.kind === "already-applied" }, "Action marked done");
  return { ok: true, record: latest, action: now, alreadyDone: outcome.kind === "already-applied" };
}

/** How many cases the lists read at most: one bounded query each. */
export const MY_ACTIONS_CASES = 50;
export const ALL_ACTIONS_CASES = 200;
/** How many actions a list card shows; the rest are counted. */
export const ACTIONS_SHOWN = 25;

export type MyActionsResult = Result<{
  readonly today: string;
  readonly actions: readonly ListedAction[];
  /** How many more open actions there are than shown (at least that many when `atLeast`). */
  readonly more: number;
  readonly atLeast: boolean;
}>;

/**
 * `actions`: the caller's open actions, soonest due first. For anyone identified in the trust: an action's owner
 * (a ward manager, say) needs no PALS Desk role, and the query reads only actions they own.
 */
export async function myActions(deps: CaseDeskDeps, caller: Caller): Promise<MyActionsResult> {
  const today = londonDate(deps.now());
  const cases = await deps.cases.listWithOpenActionsOf(caller.trustId, caller.actor.aadObjectId, MY_ACTIONS_CASES);
  const all = myOpenActions(cases, caller.actor.aadObjectId, today);
  return { ok: true, today, actions: all.slice(0, ACTIONS_SHOWN), more: Math.max(0, all.length - ACTIONS_SHOWN), atLeast: cases.length >= MY_ACTIONS_CASES };
}

export type AllActionsResult = Result<{
  readonly today: string;
  readonly divisions: readonly DivisionActions[];
  /** Open actions in all, and how many the card shows. */
  readonly total: number;
  readonly shown: number;
  /** The query was cut: there are more cases with open actions than were read. */
  readonly atLeast: boolean;
}>;

/** Managers' `actions all`: every open action of the trust by division, overdue first, with counts. */
export async function allActions(deps: CaseDeskDeps, caller: Caller): Promise<AllActionsResult> {
  if (!mayReport(caller.roles)) {
    activityLog(deps.log).warn("Refused `actions all`: the caller is not a manager");
    return refused("not-allowed", "Only PALS managers can see every open action. Type **actions** to see yours.");
  }
  const today = londonDate(deps.now());
  const cases = await deps.cases.listWithOpenActions(caller.trustId, ALL_ACTIONS_CASES);
  const grouped = openActionsByDivision(cases, today);
  const total = grouped.reduce((sum, group) => sum + group.open, 0);
  // The card lists at most ACTIONS_SHOWN actions, overdue divisions first; the counts cover them all.
  let room = ACTIONS_SHOWN;
  const divisions = grouped.map((group) => {
    const actions = group.actions.slice(0, Math.max(0, room));
    room -= actions.length;
    return { ...group, actions };
  });
  const shown = divisions.reduce((sum, group) => sum + group.actions.length, 0);
  return { ok: true, today, divisions, total, shown, atLeast: cases.length >= ALL_ACTIONS_CASES };
}
