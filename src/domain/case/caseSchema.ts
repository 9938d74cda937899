// The case as stored: pick lists, the case document's schema and its types. A leaf of the domain: the rules
// (deadlines, triage, actions, investigations, Ombudsman) import these types, never the other way round.
import { z } from "zod";
import { isIsoDate } from "../calendar/calendar";
import { idsOf, titleOf } from "./choice";
import { ComplainantUpdateSchema } from "../deadlines/complainantUpdates";
import { InvestigationRequestSchema } from "../investigations/investigationSchema";
import { LearningActionSchema } from "../actions/learningActionSchema";
import { ClinicalAreaSchema, ProfessionSchema, ServiceAreaSchema, SiteCodeSchema, SubjectSchema } from "../reports/ko41a";
import { isValidNhsNumber } from "./nhsNumber";
import { OmbudsmanReferralSchema } from "../ombudsman/ombudsmanSchema";
import { RiskRatingSchema } from "./risk";
import { CaseDocumentSchema } from "../documents/documentSchema";
import { SentEmailSchema } from "../correspondence/sentEmailSchema";
import { LegalHoldSchema, RetentionReviewSchema } from "../deadlines/retentionSchema";

// --- pick lists ----------------------------------------------------------------------------
// Ids are stored and submitted by cards; titles are what people read.

export const CONTACT_TYPES = [
  { id: "enquiry", title: "Enquiry" },
  { id: "concern", title: "Concern" },
  { id: "complaint", title: "Complaint" },
  { id: "compliment", title: "Compliment" },
] as const;

export const RECEIVED_VIA = [
  { id: "phone", title: "Phone" },
  { id: "email", title: "Email" },
  { id: "letter", title: "Letter" },
  { id: "face-to-face", title: "Face to face" },
  { id: "web", title: "Web form" },
  { id: "mp-letter", title: "Letter from an MP" },
  { id: "regulator", title: "From a regulator or Ombudsman" },
] as const;

export const RAISED_BY = [
  { id: "patient", title: "Patient" },
  { id: "family", title: "Family member" },
  { id: "carer", title: "Carer" },
  { id: "representative", title: "Representative or advocate" },
  { id: "mp", title: "MP" },
  { id: "regulator", title: "Regulator or Ombudsman" },
  { id: "staff", title: "Member of staff" },
] as const;

export const CONSENT_STATUSES = [
  { id: "given", title: "Consent given" },
  { id: "not-yet", title: "Consent requested, not received yet" },
  { id: "deceased", title: "Not needed: the patient has died" },
  { id: "child", title: "Not needed: the patient is a child" },
  { id: "lacks-capacity", title: "Not needed: the patient lacks capacity" },
] as const;

export const CASE_STATUSES = [
  { id: "open", title: "Open" },
  { id: "closed", title: "Closed" },
] as const;

export const OUTCOMES = [
  { id: "upheld", title: "Upheld" },
  { id: "partially-upheld", title: "Partially upheld" },
  { id: "not-upheld", title: "Not upheld" },
  { id: "resolved", title: "Resolved" },
  { id: "referred", title: "Referred on" },
  { id: "noted", title: "Noted and passed on" },
] as const;

/** The tiers by name; the case stores the id, the trust's rules give each its working days (ruleTexts.ts labels them). */
export const COMPLEXITY_TIERS = [
  { id: 25, title: "Standard" },
  { id: 40, title: "Complex" },
  { id: 60, title: "Very complex" },
] as const;

/** The trust's incident reporting systems: a possible patient safety incident is reported on one of these. */
export const INCIDENT_SYSTEMS = [
  { id: "lfpse", title: "LFPSE" },
  { id: "datix", title: "Datix" },
  { id: "ulysses", title: "Ulysses" },
  { id: "other", title: "Other" },
] as const;

export const ContactTypeSchema = z.enum(idsOf(CONTACT_TYPES));
export const IncidentSystemSchema = z.enum(idsOf(INCIDENT_SYSTEMS));
export type IncidentSystem = z.infer<typeof IncidentSystemSchema>;
export const incidentSystemTitle = (id: IncidentSystem): string => titleOf(INCIDENT_SYSTEMS, id);

/** An incident system's reference: short, and only characters such systems use (no free text, no patient details). */
export const INCIDENT_REFERENCE_LIMIT = 40;
export const IncidentReferenceTextSchema = z
  .string({ invalid_type_error: "Enter the incident reference", required_error: "Enter the incident reference" })
  .trim()
  .min(1, "Enter the incident reference")
  .max(INCIDENT_REFERENCE_LIMIT, `Shorten the incident reference to ${INCIDENT_REFERENCE_LIMIT} characters or fewer`)
  .regex(/^[A-Za-z0-9 \-/_.]+$/, "Use only letters, digits, spaces and - / _ . in the incident reference");
export const ReceivedViaSchema = z.enum(idsOf(RECEIVED_VIA));
export const RaisedBySchema = z.enum(idsOf(RAISED_BY));
export const ConsentStatusSchema = z.enum(idsOf(CONSENT_STATUSES));
export const CaseStatusSchema = z.enum(idsOf(CASE_STATUSES));
export const OutcomeSchema = z.enum(idsOf(OUTCOMES));

/** The answer to the discussion offered at the start of a complaint (caseActions.ts recordDiscussion). */
export const DISCUSSION_ANSWERS = [
  { id: "accepted", title: "Accepted" },
  { id: "declined", title: "Declined" },
  { id: "no-answer", title: "No answer yet" },
] as const;
export const DiscussionAnswerSchema = z.enum(idsOf(DISCUSSION_ANSWERS));
export type DiscussionAnswer = z.infer<typeof DiscussionAnswerSchema>;
export const discussionAnswerTitle = (id: DiscussionAnswer): string => titleOf(DISCUSSION_ANSWERS, id);
export const ComplexityTierSchema = z.union([z.literal(25), z.literal(40), z.literal(60)]);

export type ContactType = z.infer<typeof ContactTypeSchema>;
export type ReceivedVia = z.infer<typeof ReceivedViaSchema>;
export type RaisedBy = z.infer<typeof RaisedBySchema>;
export type ConsentStatus = z.infer<typeof ConsentStatusSchema>;
export type CaseStatus = z.infer<typeof CaseStatusSchema>;
export type Outcome = z.infer<typeof OutcomeSchema>;
export type ComplexityTier = z.infer<typeof ComplexityTierSchema>;

export const contactTypeTitle = (id: ContactType): string => titleOf(CONTACT_TYPES, id);
export const receivedViaTitle = (id: ReceivedVia): string => titleOf(RECEIVED_VIA, id);
export const raisedByTitle = (id: RaisedBy): string => titleOf(RAISED_BY, id);
export const consentTitle = (id: ConsentStatus): string => titleOf(CONSENT_STATUSES, id);
export const outcomeTitle = (id: Outcome): string => titleOf(OUTCOMES, id);
export const complexityTitle = (id: ComplexityTier): string => titleOf(COMPLEXITY_TIERS, id);

/** KO41a outcomes apply to complaints; concerns and enquiries are resolved or referred; compliments are noted. */
export function outcomesFor(type: ContactType): Outcome[] {
  switch (type) {
    case "complaint":
      return ["upheld", "partially-upheld", "not-upheld"];
    case "concern":
    case "enquiry":
      return ["resolved", "referred"];
    case "compliment":
      return ["noted"];
  }
}

// --- longest texts ---------------------------------------------------------------------------

export const LIMITS = {
  name: 200,
  contactDetails: 1000,
  communicationNeeds: 500,
  place: 200,
  summary: 4000,
  desiredOutcome: 2000,
  learning: 4000,
  choiceList: 2000,
} as const;

// --- the stored case -----------------------------------------------------------------------

const isoDate = z.string().refine(isIsoDate, "Expected a date as yyyy-mm-dd");
const instant = z.string().datetime({ offset: true });

export const PersonRefSchema = z.object({
  aadObjectId: z.string().min(1),
  name: z.string().max(LIMITS.name),
});
export type PersonRef = z.infer<typeof PersonRefSchema>;

export const CaseDeadlinesSchema = z.object({
  acknowledgeBy: isoDate.optional(),
  acknowledgedOn: isoDate.optional(),
  respondBy: isoDate.optional(),
  /** The response date was agreed with the person who raised it. */
  respondByAgreed: z.boolean().optional(),
  /** Six months from receipt (complaints). */
  backstop: isoDate.optional(),
  /** They agreed a response date beyond the backstop. */
  longerPeriodAgreed: z.boolean().optional(),
});
export type CaseDeadlines = z.infer<typeof CaseDeadlinesSchema>;

export const CaseSchema = z.object({
  id: z.string().uuid(),
  trustId: z.string().min(1),
  reference: z.string().min(1),
  type: ContactTypeSchema,
  status: CaseStatusSchema,
  receivedVia: ReceivedViaSchema,
  raisedBy: RaisedBySchema,
  raiser: z.object({ name: z.string().max(LIMITS.name) }).optional(),
  consent: ConsentStatusSchema.optional(),
  patient: z.object({
    /** Left out when the caller did not give it (an anonymous caller). */
    name: z.string().min(1).max(LIMITS.name).optional(),
    nhsNumber: z.string().refine(isValidNhsNumber, "Not a valid NHS number").optional(),
    dateOfBirth: isoDate.optional(),
    contactDetails: z.string().max(LIMITS.contactDetails).optional(),
    communicationNeeds: z.string().max(LIMITS.communicationNeeds).optional(),
  }),
  receivedOn: isoDate,
  eventOn: isoDate.optional(),
  /** When it came to the complainant's notice, if later than the event (reg 12(2)(b)). */
  noticedOn: isoDate.optional(),
  /** Left out at quick capture; recorded when the case's details are completed. */
  division: z.string().min(1).max(LIMITS.place).optional(),
  service: z.string().max(LIMITS.place).optional(),
  ward: z.string().max(LIMITS.place).optional(),
  serviceArea: ServiceAreaSchema.optional(),
  /** The trust's site it happened at (KO41a section 1), by its ODS site code: chosen from the trust's list of sites. */
  site: SiteCodeSchema.optional(),
  subjects: z.array(SubjectSchema),
  professions: z.array(ProfessionSchema),
  /** KO41a section 6: the clinical area of a complaint with Clinical Treatment among its subjects. */
  clinicalArea: ClinicalAreaSchema.optional(),
  summary: z.string().min(1).max(LIMITS.summary),
  desiredOutcome: z.string().max(LIMITS.desiredOutcome).optional(),
  /** Left out until someone assesses the risk: there is no default score. */
  risk: z.object({ consequence: RiskRatingSchema, likelihood: RiskRatingSchema, score: z.number().int().min(1).max(25) }).optional(),
  safeguarding: z.boolean(),
  /** Possibly a patient safety incident: to be reported on the trust's incident system (left out when not). */
  safetyIncident: z.boolean().optional(),
  /** Where the possible incident was reported: a reference on the trust's incident system, kept for the link. */
  incidentReference: z.object({ system: IncidentSystemSchema, reference: IncidentReferenceTextSchema, recordedOn: isoDate, by: PersonRefSchema }).optional(),
  /**
   * An out-of-time complaint considered all the same (SI 2009/309 reg 12(4)): the body is satisfied the complainant
   * had good reason not to complain in time and a fair investigation is still possible. The reason is on the timeline.
   */
  timeLimitWaived: z.object({ on: isoDate, by: PersonRefSchema }).optional(),
  /**
   * The discussion offered at the start of a complaint: England's offer to discuss how it will be handled and how
   * long it will take (SI 2009/309 reg 13(3); declined, the body sets the period and writes, reg 13(4)); Wales'
   * listening discussion (SI 2011/704 as amended in 2025). Its name comes from the trust's nation (nations.ts).
   */
  discussion: z.object({ offeredOn: isoDate, answer: DiscussionAnswerSchema, heldOn: isoDate.optional(), by: PersonRefSchema }).optional(),
  owner: PersonRefSchema.optional(),
  deadlines: CaseDeadlinesSchema,
  /** Triage flags (see triage.ts); plain strings so a newer version's flags survive an older reader. */
  flags: z.array(z.string()),
  complexity: ComplexityTierSchema.optional(),
  /** Set when a concern became a complaint: the day complaint deadlines started. */
  escalatedFromConcernOn: isoDate.optional(),
  outcome: OutcomeSchema.optional(),
  learning: z.string().max(LIMITS.learning).optional(),
  closedOn: isoDate.optional(),
  /** Ids from the signposting directory. */
  signposting: z.array(z.string()),
  createdAt: instant,
  updatedAt: instant,
  createdBy: PersonRefSchema,
  /** The earliest deadline still open, so due work is one indexed query. */
  nextDueOn: isoDate.optional(),
  /** Set when the records retention schedule removed the patient's details (retention.ts). */
  anonymisedOn: isoDate.optional(),
  /** Set when the records retention schedule started deleting the case: nothing more may be added to it. */
  retiringOn: isoDate.optional(),
  /** A legal hold (litigation, an inquiry): the records retention clock is stopped while it is on (retention.ts). */
  legalHold: LegalHoldSchema.optional(),
  /** The managers' records retention review decisions: keep for more years, or destroy (retention.ts). */
  retentionReview: RetentionReviewSchema.optional(),
  /** Requests for input from clinical leads (investigations.ts). */
  investigations: z.array(InvestigationRequestSchema).optional(),
  /** Actions arising from the case (learningActions.ts): tracked until done, even after the case closes. */
  actions: z.array(LearningActionSchema).optional(),
  /** Updates given to the complainant while the complaint is open (complainantUpdates.ts); the next is due from the last contact. */
  updates: z.array(ComplainantUpdateSchema).optional(),
  /** Set once the complainant has gone to the Parliamentary and Health Service Ombudsman (ombudsman.ts). */
  ombudsman: OmbudsmanReferralSchema.optional(),
  /** Documents kept with the case (documents.ts): email attachments, files added, letters made; the content is in the document store. */
  documents: z.array(CaseDocumentSchema).optional(),
  /** Emails sent from the case (correspondence.ts), newest last. */
  correspondence: z.array(SentEmailSchema).optional(),
  /** Manager alerts about this case that a manager has acknowledged (nudges.ts). */
  alertAcknowledgements: z.array(z.object({ alertId: z.string(), reason: z.string(), by: PersonRefSchema, at: instant })).optional(),
});
export type Case = z.infer<typeof CaseSchema>;

/** What a list of cases shows (`my cases`, `due`): read as a projection, not whole documents. */
export const CaseSummarySchema = CaseSchema.pick({
  id: true,
  trustId: true,
  reference: true,
  type: true,
  status: true,
  safeguarding: true,
  deadlines: true,
  nextDueOn: true,
  ombudsman: true,
}).extend({ patient: CaseSchema.shape.patient.pick({ name: true }) });
export type CaseSummary = z.infer<typeof CaseSummarySchema>;

/**
 * What the service report and the KO41a return count (reports.ts, ko41aReturn.ts): read as a projection, so a
 * report reads no free text, patient details or investigation history, however long a case's record grows. Of
 * the patient, only the date of birth is read: the KO41a age band is worked out from it (it is never shown).
 */
export const ReportCaseSchema = CaseSchema.pick({
  id: true,
  reference: true,
  type: true,
  status: true,
  raisedBy: true,
  receivedOn: true,
  closedOn: true,
  escalatedFromConcernOn: true,
  division: true,
  serviceArea: true,
  site: true,
  subjects: true,
  professions: true,
  clinicalArea: true,
  outcome: true,
  deadlines: true,
  owner: true,
  safetyIncident: true,
  incidentReference: true,
  // Dates and ways only (no notes): for complaints with an update overdue.
  updates: true,
}).extend({ patient: CaseSchema.shape.patient.pick({ dateOfBirth: true }) });
export type ReportCase = z.infer<typeof ReportCaseSchema>;
