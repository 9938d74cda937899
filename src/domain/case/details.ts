// Completing a case later: the details form (the quick-capture fields and the rest) checked as the Log a contact
// form is, and the rule that records them. The timeline entry names the fields changed, never their values:
// it is shown to people who may not see the details themselves.
import { isIsoDate } from "../calendar/calendar";
import type { Case, CaseDeadlines } from "./caseSchema";
import { parseNewContact, type NewContact, type NewContactErrors } from "./case";
import { type OrganisationSite, sitesToChoose } from "../reports/ko41a";
import type { ActionContext, ActionResult } from "./change";
import { DEFAULT_DEADLINE_RULES, computeDeadlines, nextDue } from "../deadlines/deadlines";
import { CaseRuleError } from "./errors";
import { riskScore } from "./risk";
import { CASE_FLAGS, triageFlags } from "./triage";

/** What the details form holds: the Log a contact fields, less the type (a concern becomes a complaint by escalating it). */
export type CaseDetails = Omit<NewContact, "contactType"> & { readonly receivedOn: string };

export type ParseCaseDetailsResult = { ok: true; value: CaseDetails } | { ok: false; errors: NewContactErrors };

/**
 * Checks a details form for a case, with the Log a contact form's checks and messages. A date received is
 * needed here (the form shows the one recorded), and a risk once assessed can be changed but not removed. A site
 * must be one of the trust's `sites`.
 */
export function parseCaseDetails(raw: unknown, c: Case, today: string, sites: readonly OrganisationSite[] = []): ParseCaseDetailsResult {
  const source = raw !== null && typeof raw === "object" && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const parsed = parseNewContact({ ...source, contactType: c.type }, today, sites);
  const errors: NewContactErrors = parsed.ok ? {} : { ...parsed.errors };
  const blank = (value: unknown) => value === undefined || value === null || (typeof value === "string" && value.trim() === "");
  if (blank(source.receivedOn)) errors.receivedOn ??= "Enter the date it was received";
  if (c.risk && blank(source.riskConsequence) && blank(source.riskLikelihood)) {
    errors.riskConsequence ??= "Choose a consequence and a likelihood: a risk once assessed can be changed, not removed";
  }
  if (Object.keys(errors).length > 0 || !parsed.ok) return { ok: false, errors };
  const { contactType: _type, ...details } = parsed.value;
  // The form offers a site only when the trust has several: otherwise the one recorded stays as it is.
  const site = details.site ?? (sitesToChoose(sites) ? undefined : c.site);
  return { ok: true, value: { ...details, ...(site ? { site } : {}), receivedOn: parsed.value.receivedOn! } };
}

/** The details form's fields as the timeline names them, in form order. */
const FIELD_LABELS: readonly { readonly label: string; readonly of: (c: Case) => unknown }[] = [
  { label: "How it came in", of: (c) => c.receivedVia },
  { label: "Who raised it", of: (c) => c.raisedBy },
  { label: "Name of the person raising it", of: (c) => c.raiser?.name },
  { label: "Consent", of: (c) => c.consent },
  { label: "Patient's name", of: (c) => c.patient.name },
  { label: "NHS number", of: (c) => c.patient.nhsNumber },
  { label: "Date of birth", of: (c) => c.patient.dateOfBirth },
  { label: "Contact details", of: (c) => c.patient.contactDetails },
  { label: "Communication needs", of: (c) => c.patient.communicationNeeds },
  { label: "Date received", of: (c) => c.receivedOn },
  { label: "Date it happened", of: (c) => c.eventOn },
  { label: "Date they first knew of it", of: (c) => c.noticedOn },
  { label: "Division", of: (c) => c.division },
  { label: "Service", of: (c) => c.service },
  { label: "Ward or department", of: (c) => c.ward },
  { label: "Site", of: (c) => c.site },
  { label: "KO41a service area", of: (c) => c.serviceArea },
  { label: "KO41a subjects", of: (c) => c.subjects },
  { label: "KO41a clinical area", of: (c) => c.clinicalArea },
  { label: "KO41a staff groups", of: (c) => c.professions },
  { label: "Summary", of: (c) => c.summary },
  { label: "What they want to happen", of: (c) => c.desiredOutcome },
  { label: "Risk assessment", of: (c) => c.risk },
  { label: "Safeguarding", of: (c) => c.safeguarding },
  { label: "Possible patient safety incident", of: (c) => c.safetyIncident ?? false },
  { label: "Complaint complexity", of: (c) => c.complexity },
];

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The labels of the fields that differ between two versions of a case, in form order. */
export function changedDetailLabels(before: Case, after: Case): string[] {
  return FIELD_LABELS.filter((f) => !same(f.of(before), f.of(after))).map((f) => f.label);
}

/** Sets a key when there is a value and removes it when there is not, so stored cases hold no undefined values. */
function put<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value === undefined) delete target[key];
  else target[key] = value;
}

const KNOWN_FLAGS: ReadonlySet<string> = new Set(CASE_FLAGS.map((f) => f.id));

/**
 * Records the details left out at capture, or corrects them. Deadlines are worked out again when the date
 * received or a complaint's complexity changes (an agreed response date and a sent acknowledgement stay);
 * triage flags again from the new facts, so a high risk or safeguarding set now alerts the managers.
 */
export function completeDetails(current: Case, details: CaseDetails, ctx: ActionContext): ActionResult & { readonly changed: readonly string[] } {
  if (current.anonymisedOn) throw new CaseRuleError("This case's details were removed under the records retention schedule, so they can't be completed.");
  if (!isIsoDate(details.receivedOn)) throw new CaseRuleError("Enter the date it was received as a real date.");
  const rules = ctx.rules.deadlines;
  const next: Case = {
    ...current,
    receivedVia: details.receivedVia,
    raisedBy: details.raisedBy,
    patient: { ...current.patient },
    receivedOn: details.receivedOn,
    subjects: [...details.subjects],
    professions: [...details.professions],
    summary: details.summary,
    safeguarding: details.safeguarding,
    deadlines: { ...current.deadlines },
    updatedAt: ctx.now.toISOString(),
  };
  put(next, "raiser", details.raiserName ? { name: details.raiserName } : undefined);
  put(next, "consent", details.consent);
  put(next.patient, "name", details.patientNameNotGiven ? undefined : details.patientName);
  put(next.patient, "nhsNumber", details.nhsNumber);
  put(next.patient, "dateOfBirth", details.dateOfBirth);
  put(next.patient, "contactDetails", details.contactDetails);
  put(next.patient, "communicationNeeds", details.communicationNeeds);
  put(next, "eventOn", details.eventOn);
  put(next, "noticedOn", details.noticedOn);
  put(next, "division", details.division);
  put(next, "service", details.service);
  put(next, "ward", details.ward);
  put(next, "serviceArea", details.serviceArea);
  put(next, "site", details.site);
  put(next, "clinicalArea", details.clinicalArea);
  put(next, "desiredOutcome", details.desiredOutcome);
  put(next, "safetyIncident", details.safetyIncident ? true : undefined);
  put(
    next,
    "risk",
    details.riskConsequence !== undefined && details.riskLikelihood !== undefined
      ? { consequence: details.riskConsequence, likelihood: details.riskLikelihood, score: riskScore(details.riskConsequence, details.riskLikelihood) }
      : undefined,
  );
  if (current.type === "complaint") next.complexity = details.complexity ?? current.complexity ?? rules.defaultComplexity;

  if (next.receivedOn !== current.receivedOn || next.complexity !== current.complexity) next.deadlines = deadlinesAgain(current, next, rules);
  // Flags a later version added are kept; the ones triage decides are decided again from the new facts.
  next.flags = [...triageFlags(next, rules), ...current.flags.filter((f) => !KNOWN_FLAGS.has(f))];
  put(next, "nextDueOn", nextDue(next, ctx.rules.updates.workingDays));

  const changed = changedDetailLabels(current, next);
  if (changed.length === 0) throw new CaseRuleError("Nothing was changed, so there was nothing to save.");
  // Completed when every changed field was empty before; updated when a recorded value was corrected.
  const wasEmpty = (label: string) => {
    const value = FIELD_LABELS.find((f) => f.label === label)!.of(current);
    return value === undefined || (Array.isArray(value) && value.length === 0);
  };
  const verb = changed.every(wasEmpty) ? "Details completed" : "Details updated";
  return {
    updated: next,
    changed,
    event: { kind: "details-updated", summary: `${verb}: ${changed.join(", ")}`, changes: changed.map((field) => ({ field })) },
  };
}

/** The deadlines worked out from the corrected date received or complexity, keeping what has been sent or agreed. */
function deadlinesAgain(current: Case, next: Case, rules: typeof DEFAULT_DEADLINE_RULES): CaseDeadlines {
  // For a concern that became a complaint, the complaint clock started on the escalation day.
  const start = next.escalatedFromConcernOn ?? next.receivedOn;
  const computed = computeDeadlines({ type: next.type, receivedOn: start, complexity: next.complexity }, rules);
  const kept = current.deadlines;
  const deadlines: CaseDeadlines = { ...computed };
  if (kept.acknowledgedOn) deadlines.acknowledgedOn = kept.acknowledgedOn;
  if (kept.respondByAgreed && kept.respondBy) {
    deadlines.respondBy = kept.respondBy;
    deadlines.respondByAgreed = true;
  }
  if (kept.longerPeriodAgreed) deadlines.longerPeriodAgreed = true;
  return deadlines;
}
