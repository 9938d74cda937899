// Completing a case later: the case card's "Complete details" opens the details form (prefilled with what the case
// holds); "Save details" records the change through the application layer and shows the case card again.
import { z } from "zod";
import { CASE_NOT_FOUND, DETAILS_CHANGED } from "../../cases";
import { trustSitesOf } from "../../config";
import {
  CLINICAL_TREATMENT,
  contactTypeTitle,
  defaultComplexityText,
  missingDetails,
  NEW_CONTACT_FIELDS,
  siteTitle,
  sitesToChoose,
  type Case,
  type DeadlineRules,
  type OrganisationSite,
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
    site: c.site ?? "",
    subjects: c.subjects.join(","),
    clinicalArea: c.clinicalArea ?? "",
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
  rules: Readonly<DeadlineRules>,
  errors: NewContactErrors = {},
  banner?: Banner,
  sites: readonly OrganisationSite[] = [],
): Record<string, unknown> {
  const summary = problemSummary(errors, "these details can be saved");
  // KO41a section 6 is asked for a complaint about clinical treatment (as recorded, or as just chosen on this form).
  const subjects = [...(values.subjects ?? "").split(","), ...c.subjects].map((id) => id.trim());
  const showClinicalArea = (c.type === "complaint" && subjects.includes(CLINICAL_TREATMENT)) || Boolean(values.clinicalArea) || Boolean(errors.clinicalArea);
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
    choices: { ...choicesFor(rules), sites: sites.map((site) => ({ id: site.code, title: siteTitle(site.code, sites) })) },
    defaultComplexity: defaultComplexityText(rules),
    // The site is asked only of a trust with several (with one, every case is at it): from the trust's list.
    showSite: sitesToChoose(sites) || Boolean(errors.site),
    showClinicalArea,
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
  await turn.answerCard(
    detailsForm(opened.c, opened.version, detailsValues(opened.c), deps.config.rules.deadlines, {}, undefined, trustSitesOf(deps.config, opened.c.trustId)),
  );
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
    return turn.answerCard(
      detailsForm(
        result.c,
        result.version,
        typedValues(data),
        deps.config.rules.deadlines,
        result.errors,
        undefined,
        trustSitesOf(deps.config, result.c.trustId),
      ),
    );
  }
  if (!result.ok && result.problem === "stale") {
    turn.log.info({ verb: "case.saveDetails" }, "Details form sent back: the case changed after it was opened");
    return turn.answerCard(
      detailsForm(
        result.c,
        result.version,
        typedValues(data),
        deps.config.rules.deadlines,
        {},
        { text: DETAILS_CHANGED, style: "warning" },
        trustSitesOf(deps.config, result.c.trustId),
      ),
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
