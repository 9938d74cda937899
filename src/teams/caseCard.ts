// The case card's buttons: parse the card's data (zod), call the application layer, render the answer.
import { z } from "zod";
import { CASE_NOT_FOUND, type CaseChangeResult, type CaseDesk, type Submission } from "../cases";
import { type Caller, type Case, type CaseRecord } from "../domain";
import { callerOrRefuse, cardContext, submissionKey, tell, tellRefused, viewerOf } from "./caller";
import { caseCard, caseCardFor, timelineCard } from "./caseView";
import type { TeamsDeps } from "./deps";
import { tooLongToSave, typedInputs, typedText } from "./invoke";
import type { BotRoutes, Turn } from "./sdk/turn";
import { fromApp, ours, said, type Message } from "./text";

/** The case a card button is about (checked against the caller's trust and role later). */
export const CaseIdData = z.object({ caseId: z.string().uuid() });

/** The case rules say how much to cut up to twice the limit. */
const text = (max: number) => typedText(max, 2);
const yesNo = z.preprocess((value) => value === true || value === "true", z.boolean());

interface CaseAction<Input> {
  readonly verb: string;
  readonly input: z.ZodType<Input, z.ZodTypeDef, unknown>;
  readonly run: (cases: CaseDesk["cases"], submission: Submission, input: Input) => Promise<CaseChangeResult>;
  readonly done: (updated: Case) => Message;
}

function action<Input>(definition: CaseAction<Input>): CaseAction<Input> {
  return definition;
}

const ACTIONS = [
  action({ verb: "case.takeOwnership", input: z.object({}), run: (cases, s) => cases.takeOwnership(s), done: () => "You now own this case." }),
  action({
    verb: "case.assign",
    input: z.object({ assignTo: text(100) }),
    run: (cases, s, input) => cases.assign(s, input.assignTo),
    done: (c) => said`Assigned to ${c.owner?.name ?? "someone"}.`,
  }),
  action({ verb: "case.addNote", input: z.object({ note: text(4000) }), run: (cases, s, input) => cases.addNote(s, input.note), done: () => "Note added to the timeline." }),
  action({
    verb: "case.acknowledge",
    input: z.object({ acknowledgedOn: text(10) }),
    run: (cases, s, input) => cases.recordAcknowledgement(s, input.acknowledgedOn),
    done: () => "Acknowledgement recorded.",
  }),
  action({
    verb: "case.changeResponseDate",
    input: z.object({ newResponseDate: text(10), responseDateReason: text(1000), agreedWithComplainant: yesNo, longerPeriodAgreed: yesNo }),
    run: (cases, s, input) =>
      cases.changeResponseDate(s, {
        newDate: input.newResponseDate,
        reason: input.responseDateReason,
        agreedWithComplainant: input.agreedWithComplainant,
        longerPeriodAgreed: input.longerPeriodAgreed,
      }),
    done: () => "Response date changed.",
  }),
  action({ verb: "case.escalate", input: z.object({}), run: (cases, s) => cases.escalate(s), done: () => "Escalated to a formal complaint. Complaint deadlines start today." }),
  action({
    verb: "case.recordSignposting",
    input: z.object({ organisations: text(2000) }),
    run: (cases, s, input) => cases.recordSignposting(s, input.organisations.split(",")),
    done: () => "Signposting recorded.",
  }),
  action({
    verb: "case.close",
    input: z.object({ outcome: text(50), learning: text(4000) }),
    run: (cases, s, input) => cases.close(s, { outcome: input.outcome, learning: input.learning }),
    done: () => "Case closed.",
  }),
  action({
    verb: "case.recordIncidentReference",
    // Checked again (system from the list, 1 to 40 letters, digits, spaces and -/_.) by the rule in src/domain.
    input: z.object({ incidentSystem: text(20), incidentReference: text(40) }),
    run: (cases, s, input) => cases.recordIncidentReference(s, { system: input.incidentSystem, reference: input.incidentReference }),
    done: (c) => said`Incident reference recorded: ${c.incidentReference?.reference ?? ""}.`,
  }),
  action({
    verb: "case.recordUpdateGiven",
    // Checked again (a way from the list, a real date neither future nor before receipt, at most 500 characters) by the rule.
    input: z.object({ updateHow: text(30), updateOn: text(10), updateNote: text(500) }),
    run: (cases, s, input) => cases.recordUpdateGiven(s, { how: input.updateHow, on: input.updateOn, note: input.updateNote }),
    done: () => "Update to the complainant recorded.",
  }),
  action({ verb: "case.reopen", input: z.object({ reopenReason: text(1000) }), run: (cases, s, input) => cases.reopen(s, input.reopenReason), done: () => "Case reopened." }),
] as const;

/** The case card's action-form inputs whose text is kept when an action is refused. */
const CASE_FORM_INPUTS = [
  "note",
  "acknowledgedOn",
  "newResponseDate",
  "responseDateReason",
  "agreedWithComplainant",
  "longerPeriodAgreed",
  "learning",
  "reopenReason",
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
  "incidentSystem",
  "incidentReference",
  "updateHow",
  "updateOn",
  "updateNote",
] as const;

/** The case card's boxes by input id, as a refusal names them. */
export const CASE_FORM_BOXES: Readonly<Record<string, string>> = {
  note: "the note",
  responseDateReason: "the reason",
  learning: "the learning",
  reopenReason: "the reason",
  assignTo: "the person",
  outcome: "the outcome",
  investigationDivision: "the division",
  investigationSummary: "the summary for the lead",
  investigationQuestions: "the questions",
  phsoReference: "the PHSO reference",
  incidentReference: "the incident reference",
  updateNote: "the note about the update",
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
export async function answerCaseChange(turn: Turn, deps: TeamsDeps, caller: Caller, result: CaseChangeResult, data: unknown, done: (c: Case) => Message): Promise<void> {
  if (result.ok) {
    await updateSharedCaseCard(turn, deps, result.view.record);
    await turn.answerCard(caseCardFor(result.view, viewerOf(caller), cardContext(deps), { banner: { text: done(result.view.record.value), style: "good" } }));
    return;
  }
  if (!result.view) return tellRefused(turn, result);
  const seen = (data as { seen?: unknown } | undefined)?.seen;
  const changedSinceSeen = result.problem === "rule" && typeof seen === "string" && seen !== "" && seen !== result.view.record.etag;
  // The application layer's reason may name a person: shown as typed.
  const message = changedSinceSeen ? [...ours("The case changed since you opened it. "), ...fromApp(result.message), ...ours(" Here it is now.")] : fromApp(result.message);
  await turn.answerCard(caseCardFor(result.view, viewerOf(caller), cardContext(deps), { banner: { text: message, style: "attention" }, draft: draftFrom(data) }));
}

/** A case card form that could not be read: the case again with what they typed, saying why (too long, usually). */
export async function refuseUnreadForm(turn: Turn, deps: TeamsDeps, caller: Caller, caseId: string, data: unknown, error: z.ZodError): Promise<void> {
  const opened = await deps.desk.cases.open(caller, caseId);
  if (!opened.ok) return tellRefused(turn, opened);
  const message = tooLongToSave(error, CASE_FORM_BOXES) ?? "Some of what was entered could not be read. Check the form and try again.";
  await turn.answerCard(caseCardFor(opened.view, viewerOf(caller), cardContext(deps), { banner: { text: message, style: "attention" }, draft: draftFrom(data) }));
}

/** The submission a card button makes: who, which case, and its key (so a retry is recognised). */
export function submissionOf(turn: Turn, caller: Caller, caseId: string, verb: string, data: unknown): Submission {
  return { caller, caseId, key: submissionKey(turn, verb, data) };
}

async function runAction<Input>(turn: Turn, deps: TeamsDeps, definition: CaseAction<Input>, data: unknown): Promise<void> {
  const caller = await callerOrRefuse(turn);
  if (!caller) return;
  const ids = CaseIdData.safeParse(data);
  if (!ids.success) return tell(turn, "Case not found", CASE_NOT_FOUND);
  const input = definition.input.safeParse(data);
  if (!input.success) return refuseUnreadForm(turn, deps, caller, ids.data.caseId, data, input.error);
  const result = await definition.run(deps.desk.cases, submissionOf(turn, caller, ids.data.caseId, definition.verb, data), input.data);
  await answerCaseChange(turn, deps, caller, result, data, definition.done);
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
  for (const definition of ACTIONS) routes.verb(definition.verb, (turn, data) => runAction(turn, deps, definition as CaseAction<unknown>, data));
}
