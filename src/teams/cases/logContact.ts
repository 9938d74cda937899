import { randomUUID } from "node:crypto";
import { z } from "zod";
import {
  complexityTierChoices,
  CONSENT_STATUSES,
  defaultComplexityText,
  CONTACT_TYPES,
  KO41A_CLINICAL_AREAS,
  KO41A_PROFESSIONS,
  KO41A_SERVICE_AREAS,
  KO41A_SUBJECTS,
  may,
  NEW_CONTACT_FIELDS,
  RAISED_BY,
  RECEIVED_VIA,
  refusal,
  RISK_CONSEQUENCES,
  RISK_LIKELIHOODS,
  messageSourceOf,
  type MessageSource,
  type NewContactErrors,
  type NewContactField,
  type DeadlineRules,
} from "../../domain";
import { callerOrRefuse, cardContext, tell, tellRefused, todayFor, viewerOf } from "../caller";
import { expandCard } from "../cards";
import { caseCardFor } from "./caseView";
import type { TeamsDeps } from "../deps";
import type { BotRoutes, Turn } from "../sdk/turn";

const asChoices = (list: readonly { id: string | number; title: string }[]) => list.map((c) => ({ id: String(c.id), title: c.title }));

const CHOICES = {
  contactTypes: asChoices(CONTACT_TYPES),
  receivedVia: asChoices(RECEIVED_VIA),
  raisedBy: asChoices(RAISED_BY),
  consent: asChoices(CONSENT_STATUSES),
  serviceAreas: asChoices(KO41A_SERVICE_AREAS),
  subjects: asChoices(KO41A_SUBJECTS),
  professions: asChoices(KO41A_PROFESSIONS),
  clinicalAreas: asChoices(KO41A_CLINICAL_AREAS),
  consequences: RISK_CONSEQUENCES.map((c) => ({ id: String(c.id), title: `${c.id} ${c.title}` })),
  likelihoods: RISK_LIKELIHOODS.map((c) => ({ id: String(c.id), title: `${c.id} ${c.title}` })),
};

/** The forms' pick lists, with the complexity tiers' working days from the trust's rules. */
export function choicesFor(rules: Readonly<DeadlineRules>): typeof CHOICES & { complexities: ReturnType<typeof complexityTierChoices> } {
  return { ...CHOICES, complexities: complexityTierChoices(rules) };
}

/** Longest value echoed back into the form: a forged megabyte of text must not make the card too big to send. */
const ECHO_LIMIT = 4000;

const FormId = z.object({ formId: z.string().uuid() });

/** The form's inputs by id, as the error banner names them (in form order). */
const FIELD_NAMES: Readonly<Record<NewContactField, string>> = {
  contactType: "the type of contact",
  receivedVia: "how it came in",
  raisedBy: "who raised it",
  raiserName: "their name",
  consent: "the patient's consent",
  patientName: "the patient's name",
  patientNameNotGiven: "name not given",
  summary: "the summary",
  nhsNumber: "the NHS number",
  dateOfBirth: "the date of birth",
  contactDetails: "the contact details",
  communicationNeeds: "the communication needs",
  receivedOn: "the date received",
  eventOn: "the date it happened",
  noticedOn: "the date they first knew of it",
  division: "the division",
  service: "the service",
  ward: "the ward or department",
  serviceArea: "the KO41a service area",
  site: "the site",
  subjects: "the KO41a subjects",
  clinicalArea: "the KO41a clinical area",
  professions: "the staff groups",
  desiredOutcome: "what they want to happen",
  riskConsequence: "the risk consequence",
  riskLikelihood: "the risk likelihood",
  safeguarding: "safeguarding",
  safetyIncident: "possible patient safety incident",
  complexity: "the complaint complexity",
};

/** Quick capture's inputs: always shown. The rest sit under "More details", shown when one holds a value or a problem. */
const QUICK_FIELDS: ReadonlySet<NewContactField> = new Set<NewContactField>([
  "contactType",
  "receivedVia",
  "raisedBy",
  "raiserName",
  "consent",
  "patientName",
  "patientNameNotGiven",
  "summary",
]);

/** Values that mean "nothing entered" for the More details inputs (the blank form's own). */
const UNTOUCHED: Readonly<Partial<Record<NewContactField, string>>> = { safeguarding: "false", safetyIncident: "false" };

function andList(words: readonly string[]): string {
  return words.length <= 1 ? words.join("") : `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}

/** "One thing needs fixing ...: the NHS number." naming each field with a problem, in form order. */
export function problemSummary(errors: NewContactErrors, before = "this contact can be logged"): string {
  const fields = (Object.keys(FIELD_NAMES) as NewContactField[]).filter((field) => errors[field]);
  if (fields.length === 0) return "";
  const count = fields.length === 1 ? "One thing needs" : `${fields.length} things need`;
  return `${count} fixing before ${before}: ${andList(fields.map((f) => FIELD_NAMES[f]))}. See the message${fields.length === 1 ? "" : "s"} in red.`;
}

/** Whether the More details section starts open: something in it was typed, given (a prefilled form) or needs fixing. */
function showMoreDetails(values: Readonly<Record<string, string>>, errors: NewContactErrors): boolean {
  return (
    NEW_CONTACT_FIELDS.some((field) => {
      if (QUICK_FIELDS.has(field) || field === "receivedOn") return false;
      const value = values[field] ?? "";
      return Boolean(errors[field]) || (value.trim() !== "" && value !== UNTOUCHED[field]);
    }) || Boolean(errors.receivedOn)
  );
}

/**
 * The "Log a contact" form, filled with what was typed and each problem next to its field: quick capture first,
 * everything else under "More details" (Action.ToggleVisibility), open when it holds something.
 */
export function contactForm(
  formId: string,
  values: Readonly<Record<string, string>>,
  rules: Readonly<DeadlineRules>,
  errors: NewContactErrors = {},
  source?: MessageSource,
): Record<string, unknown> {
  const problemCount = Object.values(errors).filter(Boolean).length;
  const card = expandCard("logContact", {
    formId,
    values: Object.fromEntries(NEW_CONTACT_FIELDS.map((field) => [field, values[field] ?? ""])),
    errors: Object.fromEntries(NEW_CONTACT_FIELDS.map((field) => [field, errors[field] ?? ""])),
    problemCount,
    problemSummary: problemSummary(errors),
    showMore: showMoreDetails(values, errors),
    choices: choicesFor(rules),
    defaultComplexity: defaultComplexityText(rules),
  });
  return source ? withMessageSourceData(card, source) : card;
}

/** A form prefilled from a Teams message carries the message (text, link) back on submit, for the case's timeline. */
function withMessageSourceData(card: Record<string, unknown>, source: MessageSource): Record<string, unknown> {
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== "object") return;
    const n = node as Record<string, unknown>;
    if (n.type === "Action.Execute" && n.verb === "contact.submit") n.data = { ...(n.data as object | undefined), messageSource: { ...source } };
    Object.values(n).forEach(visit);
  };
  visit(card);
  return card;
}

export function blankForm(today: string): Record<string, string> {
  // No risk ratings: a risk is not assessed until someone assesses it.
  return { receivedOn: today, safeguarding: "false", safetyIncident: "false", patientNameNotGiven: "false" };
}

/** The submitted values that belong to the form, as strings, for showing the form again. */
export function typedValues(data: unknown): Record<string, string> {
  const values: Record<string, string> = {};
  if (data && typeof data === "object") {
    for (const field of NEW_CONTACT_FIELDS) {
      const value = (data as Record<string, unknown>)[field];
      if (typeof value === "string") values[field] = value.slice(0, ECHO_LIMIT);
    }
  }
  return values;
}

async function openForm(turn: Turn, deps: TeamsDeps): Promise<boolean> {
  const caller = await callerOrRefuse(turn);
  if (!caller) return false;
  if (!may(caller.roles, "log-contact")) {
    await tell(turn, "Not available", refusal("log-contact", undefined, caller.roles));
    return false;
  }
  await turn.sendCard(contactForm(randomUUID(), blankForm(todayFor(deps)), deps.config.rules.deadlines));
  return true;
}

async function submit(turn: Turn, deps: TeamsDeps, data: unknown): Promise<void> {
  const caller = await callerOrRefuse(turn);
  if (!caller) return;
  const form = FormId.safeParse(data);
  if (!form.success) turn.log.warn("Contact form submitted without a valid form id; treating it as a new form");
  const formId = form.success ? form.data.formId : randomUUID();
  const result = await deps.desk.contacts.logContact(caller, formId, data);
  if (!result.ok) {
    if (result.problem === "invalid") {
      turn.log.info({ fields: Object.keys(result.errors) }, "Contact form returned for corrections");
      await turn.answerCard(contactForm(formId, typedValues(data), deps.config.rules.deadlines, result.errors, messageSourceOf(data)));
      return;
    }
    turn.log.warn({ verb: "contact.submit" }, "Refused a contact submission the caller's role does not allow");
    await tellRefused(turn, result);
    return;
  }
  const { reference } = result.view.record.value;
  const banner = {
    text: result.alreadyLogged ? `This contact was already logged as ${reference}.` : `Logged as ${reference}. The deadlines below are in working days.`,
    style: "good" as const,
  };
  await turn.answerCard(caseCardFor(result.view, viewerOf(caller), cardContext(deps), { banner }));
}

export function registerLogContact(routes: BotRoutes, deps: TeamsDeps): void {
  routes.command(/^(new|new contact|log|log a contact|log contact)$/i, async (turn) => void (await openForm(turn, deps)));
  // The welcome card's button: the form arrives as a new message and the welcome card stays as it is.
  routes.verb("contact.new", async (turn) => {
    if (await openForm(turn, deps)) await turn.answerMessage("A new contact form is below.");
  });
  routes.verb("contact.submit", (turn, data) => submit(turn, deps, data));
}
