// The case card's buttons: parse the card's data (zod), call the application layer, render the answer.
import { z } from "zod";
import { CASE_NOT_FOUND, type CaseChangeResult, type Submission } from "../../cases";
import {
  CASE_VERB_DEFINITIONS,
  CASE_VERB_NAMES,
  type Caller,
  type Case,
  type CaseRecord,
  type CaseVerbDefinition,
  type CaseVerbName,
  type VerbInput,
} from "../../domain";
import { callerOrRefuse, cardContext, submissionKey, tell, tellRefused, viewerOf } from "../caller";
import { caseCard, caseCardFor, timelineCard } from "./caseView";
import type { TeamsDeps } from "../deps";
import { tooLongToSave, typedInputs, typedText } from "../invoke";
import type { BotRoutes, Turn } from "../sdk/turn";
import { fromApp, ours, type Message } from "../text";

/** The case a card button is about (checked against the caller's trust and role later). */
export const CaseIdData = z.object({ caseId: z.string().uuid() });

/** A toggle's value as the card sends it. */
const yesNo = z.preprocess((value) => value === true || value === "true", z.boolean());

/** A verb's inputs as the card sends them (src/domain/case/caseVerbs.ts): text cut at twice its limit (the rule checks again), toggles. */
function inputSchema(definition: CaseVerbDefinition): z.ZodType<Record<string, string | boolean>, z.ZodTypeDef, unknown> {
  return z.object(Object.fromEntries(Object.entries(definition.inputs).map(([id, input]) => [id, input.yesNo ? yesNo : typedText(input.max, 2)])));
}

/** Inputs of the case card's other forms (investigation, Ombudsman), kept when an action is refused. */
const OTHER_FORM_INPUTS = [
  "investigationDivision",
  "investigationLead",
  "investigationLeadId",
  "investigationSummary",
  "investigationQuestions",
  "investigationDueOn",
  "investigationIncludeNhsNumber",
  "phsoReferredOn",
  "phsoReference",
  "phsoStage",
  "phsoResponseDueOn",
  "phsoDecidedOn",
] as const;

/** The case card's action-form inputs whose text is kept when an action is refused (choices are chosen again). */
const CASE_FORM_INPUTS = [
  ...CASE_VERB_NAMES.flatMap((name) => Object.keys(CASE_VERB_DEFINITIONS[name].inputs)).filter((id) => !["assignTo", "organisations", "outcome"].includes(id)),
  ...OTHER_FORM_INPUTS,
];

/** The case card's boxes by input id, as a refusal names them. */
export const CASE_FORM_BOXES: Readonly<Record<string, string>> = {
  ...Object.fromEntries(
    CASE_VERB_NAMES.flatMap((name) =>
      Object.entries(CASE_VERB_DEFINITIONS[name].inputs as Readonly<Record<string, VerbInput>>).flatMap(([id, input]) => (input.box ? [[id, input.box]] : [])),
    ),
  ),
  investigationDivision: "the division",
  investigationSummary: "the summary for the lead",
  investigationQuestions: "the questions",
  phsoReference: "the Ombudsman's reference",
};

/** Text the person typed in the case card's action forms, so a refused action shows it again rather than losing it. */
export const draftFrom = (data: unknown): Record<string, string> => typedInputs(data, CASE_FORM_INPUTS);

/**
 * In a channel or group chat everyone sees the message, so the shared copy shows only what any member
 * of staff may see; each person's own view comes from the card's refresh.
 */
export async function updateSharedCaseCard(turn: Turn, deps: TeamsDeps, record: CaseRecord): Promise<void> {
  if (turn.incoming.conversationType === "personal") return;
  await turn.updatePressedCard(caseCard(record.value, { roles: new Set(), refreshUserIds: [], latest: record.latest, ...cardContext(deps) }));
}

/**
 * Answers a case change from a card: the case as it now is with what happened, or why not (with what they
 * typed kept). The card carries the version its viewer saw, so we can say when someone else got there first.
 */
export async function answerCaseChange(
  turn: Turn,
  deps: TeamsDeps,
  caller: Caller,
  result: CaseChangeResult,
  data: unknown,
  done: (c: Case) => Message,
): Promise<void> {
  if (result.ok) {
    await updateSharedCaseCard(turn, deps, result.view.record);
    await turn.answerCard(caseCardFor(result.view, viewerOf(caller), cardContext(deps), { banner: { text: done(result.view.record.value), style: "good" } }));
    return;
  }
  if (!result.view) return tellRefused(turn, result);
  const seen = (data as { seen?: unknown } | undefined)?.seen;
  const changedSinceSeen = result.problem === "rule" && typeof seen === "string" && seen !== "" && seen !== result.view.record.etag;
  // The application layer's reason may name a person: shown as typed.
  const message = changedSinceSeen
    ? [...ours("The case changed since you opened it. "), ...fromApp(result.message), ...ours(" Here it is now.")]
    : fromApp(result.message);
  await turn.answerCard(
    caseCardFor(result.view, viewerOf(caller), cardContext(deps), { banner: { text: message, style: "attention" }, draft: draftFrom(data) }),
  );
}

/** A case card form that could not be read: the case again with what they typed, saying why (too long, usually). */
export async function refuseUnreadForm(turn: Turn, deps: TeamsDeps, caller: Caller, caseId: string, data: unknown, error: z.ZodError): Promise<void> {
  const opened = await deps.desk.cases.open(caller, caseId);
  if (!opened.ok) return tellRefused(turn, opened);
  const message = tooLongToSave(error, CASE_FORM_BOXES) ?? "Some of what was entered could not be read. Check the form and try again.";
  await turn.answerCard(
    caseCardFor(opened.view, viewerOf(caller), cardContext(deps), { banner: { text: message, style: "attention" }, draft: draftFrom(data) }),
  );
}

/** The submission a card button makes: who, which case, and its key (so a retry is recognised). */
export function submissionOf(turn: Turn, caller: Caller, caseId: string, verb: string, data: unknown): Submission {
  return { caller, caseId, key: submissionKey(turn, verb, data) };
}

/** A case-card verb: its inputs read at the edge, then the application layer, then the card again. */
async function runVerb(turn: Turn, deps: TeamsDeps, name: CaseVerbName, data: unknown): Promise<void> {
  const caller = await callerOrRefuse(turn);
  if (!caller) return;
  const ids = CaseIdData.safeParse(data);
  if (!ids.success) return tell(turn, "Case not found", CASE_NOT_FOUND);
  const definition: CaseVerbDefinition = CASE_VERB_DEFINITIONS[name];
  const input = inputSchema(definition).safeParse(data);
  if (!input.success) return refuseUnreadForm(turn, deps, caller, ids.data.caseId, data, input.error);
  const result = await deps.desk.cases.act(submissionOf(turn, caller, ids.data.caseId, `case.${name}`, data), name, input.data);
  await answerCaseChange(turn, deps, caller, result, data, (c) => fromApp(definition.done(c)));
}

/** Read-only views: refresh (each person's own view), back from the timeline, the timeline, and open from a list. */
async function view(turn: Turn, deps: TeamsDeps, data: unknown, mode: "refresh" | "view" | "timeline" | "open"): Promise<void> {
  const caller = await callerOrRefuse(turn);
  if (!caller) return;
  const ids = CaseIdData.safeParse(data);
  if (!ids.success) return tell(turn, "Case not found", CASE_NOT_FOUND);
  if (mode === "timeline") {
    const found = await deps.desk.cases.timeline(caller, ids.data.caseId);
    if (!found.ok) return tellRefused(turn, found);
    await turn.answerCard(timelineCard(found.c, found.events, caller.roles));
    return;
  }
  const opened = await deps.desk.cases.open(caller, ids.data.caseId);
  if (!opened.ok) return tellRefused(turn, opened);
  const card = caseCardFor(opened.view, viewerOf(caller), cardContext(deps));
  if (mode === "open") {
    await turn.sendCard(card);
    await turn.answerMessage(`Opened ${opened.view.record.value.reference} below.`);
  } else {
    await turn.answerCard(card);
  }
}

export function registerCaseCard(routes: BotRoutes, deps: TeamsDeps): void {
  for (const mode of ["refresh", "view", "open", "timeline"] as const) routes.verb(`case.${mode}`, (turn, data) => view(turn, deps, data, mode));
  for (const name of CASE_VERB_NAMES) routes.verb(`case.${name}`, (turn, data) => runVerb(turn, deps, name, data));
}
