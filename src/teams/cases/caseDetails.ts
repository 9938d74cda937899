// Completing a case later: the case card's "Complete details" opens the details form (prefilled with what the case
// holds); "Save details" records the change through the application layer and shows the case card again.
import { z } from "zod";
import { CASE_NOT_FOUND, DETAILS_CHANGED } from "../../cases";
import {
  contactTypeTitle,
  defaultComplexityText,
  DEFAULT_DEADLINE_RULES,
  missingDetails,
  NEW_CONTACT_FIELDS,
  type Case,
  type DeadlineRules,
  type NewContactErrors,
} from "../../domain";
import { callerOrRefuse, tell, tellRefused } from "../caller";
import { expandCard, newSubmission } from "../cards";
import { answerCaseChange, CaseIdData, submissionOf } from "./caseCard";
import { bannerData, type Banner } from "./caseView";
import type { TeamsDeps } from "../deps";
import { choicesFor, problemSummary, typedValues } from "./logContact";
import type { BotRoutes, Turn } from "../sdk/turn";
import { said } from "../text";

/** The version of the case the form was drawn from (its etag), sent back so a change made meanwhile is not overwritten. */
const Seen = z.object({ seen: z.string().max(200).optional() });

/** The case's details as the form's inputs hold them: strings, blank when not recorded. */
export function detailsValues(c: Case): Record<string, string> {
  return {
    receivedVia: c.receivedVia,
    raisedBy: c.raisedBy,
    raiserName: c.raiser?.name ?? "",
    consent: c.consent ?? "",
    patientName: c.patient.name ?? "",
    patientNameNotGiven: c.patient.name === undefined ? "true" : "false",
    nhsNumber: c.patient.nhsNumber ?? "",
    dateOfBirth: c.patient.dateOfBirth ?? "",
    contactDetails: c.patient.contactDetails ?? "",
    communicationNeeds: c.patient.communicationNeeds ?? "",
    receivedOn: c.receivedOn,
    eventOn: c.eventOn ?? "",
    noticedOn: c.noticedOn ?? "",
    division: c.division ?? "",
    service: c.service ?? "",
    ward: c.ward ?? "",
    serviceArea: c.serviceArea ?? "",
    subjects: c.subjects.join(","),
    professions: c.professions.join(","),
    summary: c.summary,
    desiredOutcome: c.desiredOutcome ?? "",
    riskConsequence: c.risk ? String(c.risk.consequence) : "",
    riskLikelihood: c.risk ? String(c.risk.likelihood) : "",
    safeguarding: c.safeguarding ? "true" : "false",
    safetyIncident: c.safetyIncident ? "true" : "false",
    complexity: c.complexity ? String(c.complexity) : "",
  };
}

/** The details form for a case: `values` as typed (or as recorded), each problem next to its field. */
export function detailsForm(
  c: Case,
  version: string,
  values: Readonly<Record<string, string>>,
  errors: NewContactErrors = {},
  banner?: Banner,
  rules: Readonly<DeadlineRules> = DEFAULT_DEADLINE_RULES,
): Record<string, unknown> {
  const summary = problemSummary(errors, "these details can be saved");
  const shown: Banner | undefined = banner ?? (summary ? { text: summary, style: "attention" } : undefined);
  return expandCard("caseDetails", {
    caseId: c.id,
    version,
    submission: newSubmission(),
    heading: `Details of ${contactTypeTitle(c.type).toLowerCase()} ${c.reference}`,
    banner: bannerData(shown ?? { text: "", style: "accent" }),
    missingText: missingDetails(c).join(", "),
    isComplaint: c.type === "complaint",
    values: Object.fromEntries(NEW_CONTACT_FIELDS.map((field) => [field, values[field] ?? ""])),
    errors: Object.fromEntries(NEW_CONTACT_FIELDS.map((field) => [field, errors[field] ?? ""])),
    choices: choicesFor(rules),
    defaultComplexity: defaultComplexityText(rules),
  });
}

async function open(turn: Turn, deps: TeamsDeps, data: unknown): Promise<void> {
  const caller = await callerOrRefuse(turn);
  if (!caller) return;
  const ids = CaseIdData.safeParse(data);
  if (!ids.success) return tell(turn, "Case not found", CASE_NOT_FOUND);
  const opened = await deps.desk.cases.openDetails(caller, ids.data.caseId);
  if (!opened.ok) {
    turn.log.warn({ verb: "case.details", problem: opened.problem }, "Details form refused");
    return tellRefused(turn, opened);
  }
  await turn.answerCard(detailsForm(opened.c, opened.version, detailsValues(opened.c), {}, undefined, deps.config.rules.deadlines));
}

async function save(turn: Turn, deps: TeamsDeps, data: unknown): Promise<void> {
  const caller = await callerOrRefuse(turn);
  if (!caller) return;
  const ids = CaseIdData.safeParse(data);
  if (!ids.success) return tell(turn, "Case not found", CASE_NOT_FOUND);
  const seen = Seen.safeParse(data);
  const version = seen.success && seen.data.seen ? seen.data.seen : undefined;
  const result = await deps.desk.cases.saveDetails(submissionOf(turn, caller, ids.data.caseId, "case.saveDetails", data), version, data);
  if (!result.ok && result.problem === "invalid") {
    turn.log.info({ fields: Object.keys(result.errors) }, "Details form returned for corrections");
    return turn.answerCard(detailsForm(result.c, result.version, typedValues(data), result.errors, undefined, deps.config.rules.deadlines));
  }
  if (!result.ok && result.problem === "stale") {
    turn.log.info({ verb: "case.saveDetails" }, "Details form sent back: the case changed after it was opened");
    return turn.answerCard(
      detailsForm(result.c, result.version, typedValues(data), {}, { text: DETAILS_CHANGED, style: "warning" }, deps.config.rules.deadlines),
    );
  }
  if (!result.ok) turn.log.warn({ verb: "case.saveDetails", problem: result.problem }, "Details not saved");
  const changed = result.ok ? result.changed : [];
  await answerCaseChange(turn, deps, caller, result, {}, () => (changed.length > 0 ? said`Details saved: ${changed.join(", ")}.` : "Details saved."));
}

export function registerCaseDetails(routes: BotRoutes, deps: TeamsDeps): void {
  routes.verb("case.details", (turn, data) => open(turn, deps, data));
  routes.verb("case.saveDetails", (turn, data) => save(turn, deps, data));
}
