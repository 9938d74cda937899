// Actions from cases: "Add an action" in the case card's "..." menu opens the form; "Save action" adds it (the
// owner's card goes to their chat through the outbox); "Mark done" on the owner's card records what changed;
// `actions` lists mine, `actions all` (managers) every open action by division.
import { z } from "zod";
import { CASE_NOT_FOUND } from "../../cases";
import { ACTION_NOT_FOUND } from "../../cases/learningActions";
import { ACTION_TEXT_LIMIT, formatPlainDate, may, mayManageAlerts, type Caller, type Case, type LearningAction } from "../../domain";
import { callerOrRefuse, submissionKey, tell, tellRefused, todayFor } from "../caller";
import { answerCaseChange, CaseIdData, submissionOf } from "../cases/caseCard";
import type { TeamsDeps } from "../deps";
import { tooLongToSave, typedInputs, typedText } from "../invoke";
import { ACTION_DONE_INPUTS, ACTION_FORM_INPUTS, actionCard, actionFormCard, allActionsCard, myActionsCard } from "./learningActionCards";
import type { BotRoutes, Turn } from "../sdk/turn";
import { fromApp, said, type Message } from "../text";

const text = (max: number) => typedText(max, 2);

const NewAction = z.object({
  caseId: z.string().uuid(),
  actionDescription: text(ACTION_TEXT_LIMIT),
  actionOwner: text(64),
  actionDivision: text(200),
  actionDueOn: text(10),
  actionSubject: text(60).optional(),
});
const ActionIds = z.object({ caseId: z.string().uuid(), actionId: z.string().uuid() });
const Done = ActionIds.extend({ actionEvidence: text(ACTION_TEXT_LIMIT) });
const BOXES = { actionDescription: "what will change", actionDivision: "the division", actionEvidence: "what changed" };

/** "Add an action" (the case card's "..." menu): the form, in place of the case card. */
async function openForm(turn: Turn, deps: TeamsDeps, data: unknown, banner?: { text: Message; style: "attention" }): Promise<void> {
  const caller = await callerOrRefuse(turn);
  if (!caller) return;
  const ids = CaseIdData.safeParse(data);
  if (!ids.success) return tell(turn, "Case not found", CASE_NOT_FOUND);
  const form = await deps.desk.learningActions.actionForm(caller, ids.data.caseId);
  if (!form.ok) return tellRefused(turn, form);
  const draft = banner ? typedInputs(data, ACTION_FORM_INPUTS) : undefined;
  await turn.answerCard(actionFormCard(form.record.value, { version: form.record.etag, owners: form.owners, today: todayFor(deps), draft, banner }));
}

/** "Save action": the case card again with what was done, or the form with why not (and what was typed). */
async function add(turn: Turn, deps: TeamsDeps, data: unknown): Promise<void> {
  const caller = await callerOrRefuse(turn);
  if (!caller) return;
  const input = NewAction.safeParse(data);
  if (!input.success) {
    if (!CaseIdData.safeParse(data).success) return tell(turn, "Case not found", CASE_NOT_FOUND);
    return openForm(turn, deps, data, {
      text: tooLongToSave(input.error, BOXES) ?? "Some of what was entered could not be read. Check the form and try again.",
      style: "attention",
    });
  }
  const form = input.data;
  const result = await deps.desk.learningActions.addAction(submissionOf(turn, caller, form.caseId, "action.add", data), {
    description: form.actionDescription,
    ownerId: form.actionOwner,
    division: form.actionDivision,
    dueOn: form.actionDueOn,
    subject: form.actionSubject,
  });
  if (!result.ok) {
    if (result.problem === "rule") return openForm(turn, deps, data, { text: fromApp(result.message), style: "attention" });
    if (result.problem === "not-allowed" || !result.view) return tellRefused(turn, result);
    return answerCaseChange(turn, deps, caller, result, data, () => "");
  }
  const { owner, dueOn } = result.action;
  const banner = result.reachable
    ? said`Action added for ${owner.name}, due ${formatPlainDate(dueOn)}: it is in their Teams chat with PALS Desk.`
    : said`Action added for ${owner.name}, due ${formatPlainDate(dueOn)}. They haven't opened PALS Desk in Teams yet: ask them to, then they will see it with "actions".`;
  await answerCaseChange(turn, deps, caller, { ok: true, alreadyDone: false, view: result.view }, data, () => banner);
}

function cardFor(
  c: Pick<Case, "id" | "reference" | "trustId">,
  action: LearningAction,
  caller: Caller,
  today: string,
  extra: { banner?: { text: Message; style: "good" | "attention" }; draft?: Record<string, string> } = {},
) {
  const owns = action.owner.aadObjectId.toLowerCase() === caller.actor.aadObjectId.toLowerCase();
  return actionCard(c, action, { today, canMarkDone: owns || mayManageAlerts(caller.roles), canOpenCase: may(caller.roles, "view-case"), ...extra });
}

/** "Mark done" on the action card, with what changed. */
async function markDone(turn: Turn, deps: TeamsDeps, data: unknown): Promise<void> {
  const caller = await callerOrRefuse(turn);
  if (!caller) return;
  const ids = ActionIds.safeParse(data);
  if (!ids.success) return tell(turn, "Action not found", ACTION_NOT_FOUND);
  const today = todayFor(deps);
  const draft = typedInputs(data, ACTION_DONE_INPUTS);
  const input = Done.safeParse(data);
  const evidence = input.success ? input.data.actionEvidence : undefined;
  const result =
    evidence !== undefined
      ? await deps.desk.learningActions.markDone(
          { caller, caseId: ids.data.caseId, key: submissionKey(turn, "action.done", data) },
          ids.data.actionId,
          evidence,
        )
      : undefined;
  if (result?.ok) {
    const banner = result.alreadyDone ? "Already marked done." : "Marked done: what changed is on the case's timeline. Thank you.";
    return turn.answerCard(cardFor(result.record.value, result.action, caller, today, { banner: { text: banner, style: "good" } }));
  }
  // Refused (or unreadable): the action as it now is, if the caller may see it, saying why.
  if (result && result.problem !== "rule") return tellRefused(turn, result, "Action not found");
  const opened = await deps.desk.learningActions.openAction(caller, ids.data.caseId, ids.data.actionId);
  if (!opened.ok) return tellRefused(turn, opened, "Action not found");
  const why: Message = result ? fromApp(result.message) : (!input.success && tooLongToSave(input.error, BOXES)) || "Say what changed before saving.";
  await turn.answerCard(cardFor(opened.record.value, opened.action, caller, today, { banner: { text: why, style: "attention" }, draft }));
}

/** "Open" on an `actions` list: the action's card, sent below the list. */
async function open(turn: Turn, deps: TeamsDeps, data: unknown): Promise<void> {
  const caller = await callerOrRefuse(turn);
  if (!caller) return;
  const ids = ActionIds.safeParse(data);
  if (!ids.success) return tell(turn, "Action not found", ACTION_NOT_FOUND);
  const opened = await deps.desk.learningActions.openAction(caller, ids.data.caseId, ids.data.actionId);
  if (!opened.ok) return tellRefused(turn, opened, "Action not found");
  await turn.sendCard(cardFor(opened.record.value, opened.action, caller, todayFor(deps)));
  await turn.answerMessage(`Opened the action from ${opened.record.value.reference} below.`);
}

/** `actions`: my open actions. */
async function mine(turn: Turn, deps: TeamsDeps): Promise<void> {
  const caller = await callerOrRefuse(turn);
  if (!caller) return;
  const result = await deps.desk.learningActions.myActions(caller);
  if (!result.ok) return tellRefused(turn, result);
  if (result.actions.length === 0) {
    await turn.send("You have no open actions from cases.");
    return;
  }
  await turn.sendCard(myActionsCard(result.actions, result.today, { count: result.more, atLeast: result.atLeast }));
}

/** `actions all` (managers): every open action by division. */
async function all(turn: Turn, deps: TeamsDeps): Promise<void> {
  const caller = await callerOrRefuse(turn);
  if (!caller) return;
  const result = await deps.desk.learningActions.allActions(caller);
  if (!result.ok) return tellRefused(turn, result);
  if (result.total === 0) {
    await turn.send("There are no open actions from cases.");
    return;
  }
  await turn.sendCard(allActionsCard(result.divisions, result.today, { total: result.total, shown: result.shown, atLeast: result.atLeast }));
}

/** Back to the case from the form is `case.view` (caseCard.ts). */
export function registerLearningActions(routes: BotRoutes, deps: TeamsDeps): void {
  routes.command(/^(actions all|all actions|division actions|open actions)$/i, (turn) => all(turn, deps));
  routes.command(/^(actions|my actions)$/i, (turn) => mine(turn, deps));
  routes.verb("action.form", (turn, data) => openForm(turn, deps, data));
  routes.verb("action.add", (turn, data) => add(turn, deps, data));
  routes.verb("action.done", (turn, data) => markDone(turn, deps, data));
  routes.verb("action.open", (turn, data) => open(turn, deps, data));
}
