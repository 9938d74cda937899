// A contact as logged: the "Log a contact" form's checks and the new case built from it.
import { z } from "zod";
import { calendarDaysBetween, isIsoDate, londonDate } from "../calendar/calendar";
import { idsOf } from "./choice";
import {
  CaseSchema,
  CONSENT_STATUSES,
  CONTACT_TYPES,
  LIMITS,
  RAISED_BY,
  RECEIVED_VIA,
  type Case,
  type ComplexityTier,
  type ConsentStatus,
  type ContactType,
  type PersonRef,
  type RaisedBy,
  type ReceivedVia,
} from "./caseSchema";
import { computeDeadlines, nextDue } from "../deadlines/deadlines";
import type { Rules } from "../deadlines/rules";
import {
  CLINICAL_TREATMENT,
  type ClinicalArea,
  KO41A_CLINICAL_AREAS,
  KO41A_PROFESSIONS,
  KO41A_SERVICE_AREAS,
  KO41A_SUBJECTS,
  type OrganisationSite,
  type Profession,
  type ServiceArea,
  type Subject,
} from "../reports/ko41a";
import { isValidNhsNumber, normaliseNhsNumber } from "./nhsNumber";
import { isRiskRating, type RiskRating, riskScore } from "./risk";
import { triageFlags } from "./triage";

// --- the "Log a contact" form --------------------------------------------------------------

/** Dates before this are typos (a year typed as 1026), not old cases. */
const EARLIEST_DATE = "1900-01-01";

/** Adaptive Cards submit strings, but some clients omit empty inputs or send numbers and booleans. */
function asText(value: unknown): unknown {
  if (value === undefined || value === null) return "";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return typeof value === "string" ? value.trim() : value;
}

function blankToUndefined(value: unknown): unknown {
  const text = asText(value);
  return text === "" ? undefined : text;
}

const withMessage = (message: string) => ({ errorMap: () => ({ message }) });

function requiredText(max: number, required: string, tooLong: string) {
  return z.preprocess(asText, z.string(withMessage(required)).min(1, required).max(max, tooLong));
}

function optionalText(max: number, tooLong: string) {
  return z.preprocess(blankToUndefined, z.string(withMessage("Enter this as text")).max(max, tooLong).optional());
}

function requiredChoice<T extends [string, ...string[]]>(ids: T, message: string) {
  return z.preprocess(asText, z.enum(ids, withMessage(message)));
}

function optionalChoice<T extends [string, ...string[]]>(ids: T, message: string) {
  return z.preprocess(blankToUndefined, z.enum(ids, withMessage(message)).optional());
}

/** Multi-select ChoiceSets submit "id1,id2"; we keep each id once, in the order chosen. */
function choiceList<T extends [string, ...string[]]>(ids: T, message: string) {
  return z.preprocess(
    (value) => {
      if (Array.isArray(value)) return [...new Set(value.map(asText).filter((p) => p !== ""))];
      const text = asText(value);
      if (typeof text !== "string" || text.length > LIMITS.choiceList) return text;
      return [
        ...new Set(
          text
            .split(",")
            .map((p) => p.trim())
            .filter((p) => p !== ""),
        ),
      ];
    },
    z.array(z.enum(ids, withMessage(message)), withMessage(message)),
  );
}

function optionalDate(message: string) {
  return z.preprocess(
    blankToUndefined,
    z
      .string(withMessage(message))
      .refine((v) => isIsoDate(v) && v >= EARLIEST_DATE, message)
      .optional(),
  );
}

/** Cards submit "1".."5"; a blank means not assessed (never a default score). */
function rating(message: string) {
  return z.preprocess((value) => {
    const text = blankToUndefined(value);
    return typeof text === "string" && /^\d+$/.test(text) ? Number(text) : text;
  }, z.custom<RiskRating>(isRiskRating, message).optional());
}

const yesNo = (message: string) =>
  z.preprocess(
    (value) => {
      const text = asText(value);
      if (text === "true") return true;
      if (text === "false" || text === "") return false;
      return text;
    },
    z.boolean(withMessage(message)),
  );

const complexityField = z.preprocess(
  (value) => {
    const text = blankToUndefined(value);
    return typeof text === "string" && /^\d+$/.test(text) ? Number(text) : text;
  },
  z.union([z.literal(25), z.literal(40), z.literal(60)], withMessage("Choose the complexity from the list: standard, complex or very complex")).optional(),
);

/** A site not in the trust's list (or any site, for a trust without one): the form only offers the trust's own. */
const CHOOSE_SITE = "Choose the site from the list";

const newContactFields = {
  contactType: requiredChoice(idsOf(CONTACT_TYPES), "Choose the type of contact: enquiry, concern, complaint or compliment"),
  receivedVia: requiredChoice(idsOf(RECEIVED_VIA), "Choose how it was received"),
  raisedBy: requiredChoice(idsOf(RAISED_BY), "Choose who raised it"),
  raiserName: optionalText(LIMITS.name, `Shorten the name to ${LIMITS.name} characters or fewer`),
  consent: optionalChoice(idsOf(CONSENT_STATUSES), "Choose a consent option from the list"),
  patientName: optionalText(LIMITS.name, `Shorten the patient's name to ${LIMITS.name} characters or fewer`),
  /** The "name not given" toggle: an anonymous caller. */
  patientNameNotGiven: z.preprocess(
    (value) => {
      const text = asText(value);
      if (text === "true") return true;
      if (text === "false" || text === "") return false;
      return text;
    },
    z.boolean(withMessage("Choose whether the patient's name was given")),
  ),
  nhsNumber: z.preprocess(
    (value) => {
      const text = blankToUndefined(value);
      return typeof text === "string" ? normaliseNhsNumber(text) : text;
    },
    z
      .string(withMessage("That NHS number is not valid: check the 10 digits"))
      .refine(isValidNhsNumber, "That NHS number is not valid: check the 10 digits")
      .optional(),
  ),
  dateOfBirth: optionalDate("Enter a real date of birth"),
  contactDetails: optionalText(LIMITS.contactDetails, `Shorten the contact details to ${LIMITS.contactDetails.toLocaleString("en-GB")} characters or fewer`),
  communicationNeeds: optionalText(LIMITS.communicationNeeds, `Shorten the communication needs to ${LIMITS.communicationNeeds} characters or fewer`),
  /** Blank means today (parseNewContact fills it in). */
  receivedOn: optionalDate("Enter a real date for when it was received"),
  eventOn: optionalDate("Enter a real date for when it happened"),
  noticedOn: optionalDate("Enter a real date for when they first knew of it"),
  division: optionalText(LIMITS.place, `Shorten the division to ${LIMITS.place} characters or fewer`),
  service: optionalText(LIMITS.place, `Shorten the service to ${LIMITS.place} characters or fewer`),
  ward: optionalText(LIMITS.place, `Shorten the ward or department to ${LIMITS.place} characters or fewer`),
  serviceArea: optionalChoice(idsOf(KO41A_SERVICE_AREAS), "Choose a service area from the list"),
  subjects: choiceList(idsOf(KO41A_SUBJECTS), "Choose subjects from the list"),
  professions: choiceList(idsOf(KO41A_PROFESSIONS), "Choose professions from the list"),
  /** KO41a section 6: only with Clinical Treatment among the subjects (crossFieldErrors). */
  clinicalArea: optionalChoice(idsOf(KO41A_CLINICAL_AREAS), "Choose the clinical area from the list"),
  /** A code from the trust's list of sites: checked against that list by parseNewContact (the form offers only those). */
  site: z.preprocess(
    blankToUndefined,
    z
      .string(withMessage(CHOOSE_SITE))
      .max(10, CHOOSE_SITE)
      .regex(/^[A-Za-z0-9]{3,10}$/, CHOOSE_SITE)
      .transform((code) => code.toUpperCase())
      .optional(),
  ),
  summary: requiredText(
    LIMITS.summary,
    "Enter a summary of what they told us",
    `Shorten the summary to ${LIMITS.summary.toLocaleString("en-GB")} characters or fewer`,
  ),
  desiredOutcome: optionalText(LIMITS.desiredOutcome, `Shorten the outcome they want to ${LIMITS.desiredOutcome.toLocaleString("en-GB")} characters or fewer`),
  riskConsequence: rating("Choose a consequence from 1 (negligible) to 5 (catastrophic)"),
  riskLikelihood: rating("Choose a likelihood from 1 (rare) to 5 (almost certain)"),
  safeguarding: yesNo("Choose yes or no for safeguarding"),
  /** Blank (an older card, a form without it) means no. */
  safetyIncident: yesNo("Choose yes or no for a possible patient safety incident"),
  complexity: complexityField,
};

export type NewContactField = keyof typeof newContactFields;
export const NEW_CONTACT_FIELDS = Object.keys(newContactFields) as NewContactField[];

/** A validated contact from the "Log a contact" card: trimmed, typed, optional blanks left out. */
export interface NewContact {
  contactType: ContactType;
  receivedVia: ReceivedVia;
  raisedBy: RaisedBy;
  raiserName?: string;
  /** Blank while not yet asked: the case is flagged "consent needed" until it is recorded. */
  consent?: ConsentStatus;
  /** Left out when the name was not given (an anonymous caller). */
  patientName?: string;
  patientNameNotGiven: boolean;
  /** Ten digits, no spaces. */
  nhsNumber?: string;
  dateOfBirth?: string;
  contactDetails?: string;
  communicationNeeds?: string;
  /** Today when left blank on the form. */
  receivedOn?: string;
  /** When it happened. */
  eventOn?: string;
  /** When it came to the complainant's notice, if later (SI 2009/309 reg 12(2)(b): the time limit runs from the later). */
  noticedOn?: string;
  division?: string;
  service?: string;
  ward?: string;
  serviceArea?: ServiceArea;
  subjects: Subject[];
  professions: Profession[];
  /** KO41a section 6: the clinical area, for a complaint about clinical treatment. */
  clinicalArea?: ClinicalArea;
  /** The trust's site it happened at (its code), from the trust's list. */
  site?: string;
  summary: string;
  desiredOutcome?: string;
  /** Both or neither: left out means the risk is not assessed yet. */
  riskConsequence?: RiskRating;
  riskLikelihood?: RiskRating;
  safeguarding: boolean;
  /** Possibly a patient safety incident, to be reported on the trust's incident system. */
  safetyIncident: boolean;
  complexity?: ComplexityTier;
}

export type NewContactErrors = Partial<Record<NewContactField, string>>;

type FieldValues = { [K in NewContactField]?: z.output<(typeof newContactFields)[K]> };

/** Rules between fields. `today` is only known to parseNewContact, so the schema skips the future-date check. */
function crossFieldErrors(v: FieldValues, today?: string): NewContactErrors {
  const errors: NewContactErrors = {};
  if (v.raisedBy && v.raisedBy !== "patient" && !v.raiserName) errors.raiserName = "Enter the name of the person who raised it";
  if (v.patientNameNotGiven === false && v.patientName === undefined) errors.patientName = 'Enter the patient\'s name, or tick "Name not given"';
  if (v.patientNameNotGiven === true && v.patientName !== undefined) errors.patientName = 'You ticked "Name not given": clear the name, or untick it';
  // A risk is assessed with both ratings or not at all: half an assessment is a slip, not a score.
  if (v.riskConsequence !== undefined && v.riskLikelihood === undefined)
    errors.riskLikelihood = "Choose a likelihood too, or clear the consequence to leave the risk not assessed";
  if (v.riskLikelihood !== undefined && v.riskConsequence === undefined)
    errors.riskConsequence = "Choose a consequence too, or clear the likelihood to leave the risk not assessed";
  // KO41a section 6 breaks down Clinical Treatment only: a clinical area without that subject would be counted nowhere.
  if (v.clinicalArea !== undefined && v.subjects && !v.subjects.includes(CLINICAL_TREATMENT))
    errors.clinicalArea = "Choose Clinical Treatment among the subjects too, or clear the clinical area";
  const receivedOn = v.receivedOn ?? today;
  if (v.eventOn && v.noticedOn && v.noticedOn < v.eventOn) errors.noticedOn = "The date they first knew of it can't be before the date it happened";
  if (receivedOn) {
    if (today && receivedOn > today) errors.receivedOn = "The date received can't be in the future";
    if (v.eventOn && v.eventOn > receivedOn) errors.eventOn = "The date it happened can't be after the date it was received";
    if (v.noticedOn && v.noticedOn > receivedOn) errors.noticedOn = "The date they first knew of it can't be after the date it was received";
    if (v.dateOfBirth && v.dateOfBirth > receivedOn) errors.dateOfBirth = "The date of birth can't be after the date it was received";
  }
  return errors;
}

/** The checked values, with blank optional answers left out rather than stored as undefined. */
function toNewContact(values: FieldValues): NewContact {
  return compact(values as Record<string, unknown>) as unknown as NewContact;
}

/**
 * The "Log a contact" submission as a schema (strings in, NewContact out; unknown keys dropped).
 * It cannot know today's date: use parseNewContact to also refuse dates in the future.
 */
export const NewContactSchema = z
  .object(newContactFields)
  .superRefine((v, ctx) => {
    for (const [field, message] of Object.entries(crossFieldErrors(v))) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [field], message });
  })
  .transform((v) => toNewContact(v));

export type ParseNewContactResult = { ok: true; value: NewContact } | { ok: false; errors: NewContactErrors };

/**
 * Checks a "Log a contact" submission. Every field is checked, so the card can show all the problems at once,
 * one message per field, keyed by the input's id. `today` is the London date (yyyy-mm-dd); `sites`, the trust's
 * list of sites (a site not in it is refused).
 */
export function parseNewContact(raw: unknown, today: string, sites: readonly OrganisationSite[] = []): ParseNewContactResult {
  if (!isIsoDate(today)) throw new Error(`Expected today as yyyy-mm-dd, got ${JSON.stringify(today)}`);
  const source = raw !== null && typeof raw === "object" && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const errors: NewContactErrors = {};
  const values: Record<string, unknown> = {};
  for (const field of NEW_CONTACT_FIELDS) {
    const result = newContactFields[field].safeParse(source[field]);
    if (result.success) values[field] = result.data;
    else errors[field] = result.error.issues[0]?.message ?? "Check this answer";
  }
  for (const [field, message] of Object.entries(crossFieldErrors(values as FieldValues, today)) as [NewContactField, string][]) {
    errors[field] ??= message;
  }
  // The site is one of the trust's, whatever the card sent: the server's list decides, never the client.
  const site = (values as FieldValues).site;
  if (site !== undefined && !sites.some((s) => s.code === site)) errors.site ??= CHOOSE_SITE;
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: toNewContact({ ...(values as FieldValues), receivedOn: (values as FieldValues).receivedOn ?? today }) };
}

// --- a new case ----------------------------------------------------------------------------

export interface NewCaseContext {
  /** A uuid chosen by the caller (so a retried save is idempotent). */
  id: string;
  trustId: string;
  reference: string;
  now: Date;
  by: PersonRef;
  /** The trust's rules, always given (rules.ts). */
  rules: Readonly<Rules>;
}

/** Builds a new open case from a logged contact: deadlines, triage flags and the next due date. */
export function newCase(input: NewContact, ctx: NewCaseContext): Case {
  const rules = ctx.rules.deadlines;
  const complexity = input.contactType === "complaint" ? (input.complexity ?? rules.defaultComplexity) : undefined;
  const stamp = ctx.now.toISOString();
  const receivedOn = input.receivedOn ?? londonDate(ctx.now);
  const draft: Case = {
    id: ctx.id,
    trustId: ctx.trustId,
    reference: ctx.reference,
    type: input.contactType,
    status: "open",
    receivedVia: input.receivedVia,
    raisedBy: input.raisedBy,
    ...(input.raiserName ? { raiser: { name: input.raiserName } } : {}),
    ...(input.consent ? { consent: input.consent } : {}),
    patient: compact({
      name: input.patientNameNotGiven ? undefined : input.patientName,
      nhsNumber: input.nhsNumber,
      dateOfBirth: input.dateOfBirth,
      contactDetails: input.contactDetails,
      communicationNeeds: input.communicationNeeds,
    }),
    receivedOn,
    ...compact({ eventOn: input.eventOn, noticedOn: input.noticedOn, division: input.division }),
    ...compact({ service: input.service, ward: input.ward, serviceArea: input.serviceArea, site: input.site }),
    subjects: [...input.subjects],
    professions: [...input.professions],
    ...compact({ clinicalArea: input.clinicalArea }),
    summary: input.summary,
    ...compact({ desiredOutcome: input.desiredOutcome }),
    ...(input.riskConsequence !== undefined && input.riskLikelihood !== undefined
      ? { risk: { consequence: input.riskConsequence, likelihood: input.riskLikelihood, score: riskScore(input.riskConsequence, input.riskLikelihood) } }
      : {}),
    safeguarding: input.safeguarding,
    ...(input.safetyIncident ? { safetyIncident: true } : {}),
    deadlines: computeDeadlines({ type: input.contactType, receivedOn, complexity }, rules),
    flags: [],
    ...(complexity ? { complexity } : {}),
    signposting: [],
    createdAt: stamp,
    updatedAt: stamp,
    createdBy: { aadObjectId: ctx.by.aadObjectId, name: ctx.by.name },
  };
  draft.flags = triageFlags(draft, rules);
  const due = nextDue(draft, ctx.rules.updates.workingDays);
  if (due) draft.nextDueOn = due;
  return CaseSchema.parse(draft);
}

/** Whole calendar days a case has been open, for "open 12 days" on cards. */
export function daysOpen(c: Pick<Case, "receivedOn" | "closedOn">, today: string): number {
  return calendarDaysBetween(c.receivedOn, c.closedOn ?? today);
}

function compact<T extends Record<string, unknown>>(value: T): T {
  const out = { ...value };
  for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
  return out;
}
