import { z } from "zod";
import { idsOf, titleOf } from "../case/choice";

// KO41a is NHS England's annual written-complaints return; coding cases the same way makes the return a query.
// Ids are stored in case documents and submitted by cards: never rename one, add a new id instead.

export const KO41A_SUBJECTS = [
  { id: "clinical-treatment", title: "Clinical Treatment" },
  { id: "communications", title: "Communications" },
  { id: "values-and-behaviours", title: "Values and Behaviours (staff)" },
  { id: "patient-care", title: "Patient Care" },
  { id: "appointments", title: "Appointments" },
  { id: "waiting-times", title: "Waiting Times" },
  { id: "admissions-discharges-transfers", title: "Admissions, Discharges and Transfers" },
  { id: "access-to-treatment-or-drugs", title: "Access to Treatment or Drugs" },
  { id: "privacy-dignity-wellbeing", title: "Privacy, Dignity and Wellbeing" },
  { id: "trust-administration", title: "Trust Administration" },
  { id: "facilities-services", title: "Facilities Services" },
  { id: "consent", title: "Consent" },
  { id: "end-of-life-care", title: "End of Life Care" },
  { id: "prescribing-errors", title: "Prescribing Errors" },
  { id: "restraint", title: "Restraint" },
  { id: "other", title: "Other" },
] as const;

export const KO41A_PROFESSIONS = [
  { id: "medical", title: "Medical" },
  { id: "nursing", title: "Nursing" },
  { id: "midwifery", title: "Midwifery" },
  { id: "health-visiting", title: "Health Visiting" },
  { id: "scientific-therapeutic-technical", title: "Scientific, Therapeutic and Technical" },
  { id: "allied-health", title: "Allied Health" },
  { id: "ambulance", title: "Ambulance" },
  { id: "other", title: "Other" },
] as const;

export const KO41A_SERVICE_AREAS = [
  { id: "inpatient", title: "Inpatient" },
  { id: "outpatient", title: "Outpatient" },
  { id: "a-and-e", title: "A&E" },
  { id: "maternity", title: "Maternity" },
  { id: "mental-health", title: "Mental Health" },
  { id: "community", title: "Community" },
  { id: "ambulance", title: "Ambulance" },
  { id: "other", title: "Other" },
] as const;

export const SubjectSchema = z.enum(idsOf(KO41A_SUBJECTS));
export const ProfessionSchema = z.enum(idsOf(KO41A_PROFESSIONS));
export const ServiceAreaSchema = z.enum(idsOf(KO41A_SERVICE_AREAS));

export type Subject = z.infer<typeof SubjectSchema>;
export type Profession = z.infer<typeof ProfessionSchema>;
export type ServiceArea = z.infer<typeof ServiceAreaSchema>;

export const subjectTitle = (id: Subject): string => titleOf(KO41A_SUBJECTS, id);
export const professionTitle = (id: Profession): string => titleOf(KO41A_PROFESSIONS, id);
export const serviceAreaTitle = (id: ServiceArea): string => titleOf(KO41A_SERVICE_AREAS, id);

// --- the rest of the return ------------------------------------------------------------------
// NHS England's KO41a (hospital and community health services written complaints) has eight sections (NHS Digital,
// "KO41a NHS hospital and community health services written complaints: guidelines"): 1 organisation and site,
// 2 summary (brought forward, new, upheld, partially upheld, not upheld, resolved, carried forward), 3 age of
// patient, 4 status of complainant, 5 service area, 6 subject area of clinical treatment (sub-categories), 7 subject
// area, 8 profession. The details (sections 3 to 8) are for new complaints only. The guidance names these sections;
// the categories within sections 3, 4 and 6 are in its "KO41a complaints data items lookup and validations" file,
// which we could not read: the lists below are our best reading and MUST be checked against the current lookup file
// (docs/user-guide.md says so too). Age bands and complainant status are worked out from what a case already holds
// each time the return is made, so correcting a list here re-counts every complaint with nothing typed again.

/**
 * Section 3, age of the patient on the day the complaint was received, in whole years. The bands are cut finer
 * than either band set we have seen for KO41 returns (0-15 / 16-64 and 0-17 / 18-64) so the counts add up into
 * whichever the current lookup file uses. Check them against it.
 */
export const KO41A_AGE_BANDS = [
  { id: "0-15", title: "0 to 15", min: 0, max: 15 },
  { id: "16-17", title: "16 and 17", min: 16, max: 17 },
  { id: "18-64", title: "18 to 64", min: 18, max: 64 },
  { id: "65-74", title: "65 to 74", min: 65, max: 74 },
  { id: "75-84", title: "75 to 84", min: 75, max: 84 },
  { id: "85+", title: "85 and over", min: 85, max: Number.POSITIVE_INFINITY },
] as const;
export type Ko41aAgeBand = (typeof KO41A_AGE_BANDS)[number]["id"] | "not-known";
/** No date of birth recorded (an anonymous caller, a detail not completed yet): the return's "age unknown". */
export const AGE_NOT_KNOWN = { id: "not-known", title: "Age unknown" } as const;

/**
 * Whole years between a date of birth and a day (both yyyy-mm-dd): a birthday on that day counts. Someone born on
 * 29 February turns a year older on 1 March in other years, as in English law.
 */
export function ageOn(dateOfBirth: string, day: string): number {
  const years = Number(day.slice(0, 4)) - Number(dateOfBirth.slice(0, 4));
  return day.slice(5) >= dateOfBirth.slice(5) ? years : years - 1;
}

/** The age band of a patient on the day a complaint was received; "not-known" without a date of birth (or a wrong one). */
export function ageBandOf(dateOfBirth: string | undefined, receivedOn: string): Ko41aAgeBand {
  if (dateOfBirth === undefined || dateOfBirth > receivedOn) return AGE_NOT_KNOWN.id;
  const age = ageOn(dateOfBirth, receivedOn);
  return KO41A_AGE_BANDS.find((band) => age >= band.min && age <= band.max)?.id ?? AGE_NOT_KNOWN.id;
}

/**
 * Section 4, status of the complainant: the patient, or someone on the patient's behalf (KO41a counts complaints
 * "made by, or on behalf of, patients"). Worked out from who raised it, which every case records. Check the
 * categories against the current lookup file.
 */
export const KO41A_COMPLAINANT_STATUSES = [
  { id: "patient", title: "Patient" },
  { id: "on-behalf", title: "Someone on behalf of the patient" },
] as const;
export type ComplainantStatus = (typeof KO41A_COMPLAINANT_STATUSES)[number]["id"];

/** "patient" when the patient raised it; anyone else (family, carer, representative, MP, staff) raised it on their behalf. */
export function complainantStatusOf(raisedBy: string): ComplainantStatus {
  return raisedBy === "patient" ? "patient" : "on-behalf";
}

/**
 * Section 6, the subject area of clinical treatment broken down by clinical area: recorded for a complaint with
 * Clinical Treatment among its subjects ("if the complaint has a clinical aspect to it, otherwise leave it blank").
 * Our best reading of the sub-categories: check them against the current lookup file. Ids are stored: never rename
 * one, add a new id instead.
 */
export const KO41A_CLINICAL_AREAS = [
  { id: "accident-and-emergency", title: "Accident and Emergency" },
  { id: "cancer-services", title: "Cancer services (oncology)" },
  { id: "cardiology", title: "Cardiology" },
  { id: "care-of-the-elderly", title: "Care of the elderly" },
  { id: "community-services", title: "Community services" },
  { id: "diagnostics", title: "Diagnostics (radiology, pathology)" },
  { id: "general-medicine", title: "General medicine" },
  { id: "general-surgery", title: "General surgery" },
  { id: "gynaecology", title: "Gynaecology" },
  { id: "learning-disabilities", title: "Learning disabilities" },
  { id: "maternity", title: "Maternity" },
  { id: "mental-health", title: "Mental health" },
  { id: "ophthalmology", title: "Ophthalmology" },
  { id: "orthopaedics-and-trauma", title: "Orthopaedics and trauma" },
  { id: "paediatrics", title: "Paediatrics" },
  { id: "other", title: "Other" },
] as const;
export const ClinicalAreaSchema = z.enum(idsOf(KO41A_CLINICAL_AREAS));
export type ClinicalArea = z.infer<typeof ClinicalAreaSchema>;
export const clinicalAreaTitle = (id: ClinicalArea): string => titleOf(KO41A_CLINICAL_AREAS, id);

/** The subject that section 6 breaks down: only a complaint with it has a clinical area. */
export const CLINICAL_TREATMENT: Subject = "clinical-treatment";

// --- sites (section 1) -------------------------------------------------------------------------

/**
 * One of the trust's sites as the KO41a return names them: its ODS site code (what the return is keyed by) and
 * a name people know it by. From the trust's configuration (the trusts file's "sites", else TRUST_SITES).
 */
export interface OrganisationSite {
  readonly code: string;
  readonly name: string;
}

/** ODS site codes are letters and digits (RXX01, RXXAB): 3 to 10 of them, kept in capitals. */
export const SiteCodeSchema = z
  .string({ invalid_type_error: "a site code such as RXX01" })
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9]{3,10}$/, "a site code of 3 to 10 letters and digits, such as its ODS code RXX01");

/** A site's name: plain words only (it is shown on cards and in files), so no markdown or formula can hide in it. */
export const SiteNameSchema = z
  .string({ invalid_type_error: "a site name such as Royal Infirmary" })
  .trim()
  .min(1, "a site name such as Royal Infirmary")
  .max(120, "a site name of at most 120 characters")
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} '’&,.()/-]*$/u, "a site name of letters, digits, spaces and ' & , . ( ) / - only, starting with a letter or digit");

export const OrganisationSiteSchema = z.object({ code: SiteCodeSchema, name: SiteNameSchema });

/** At most this many sites per trust: a community trust has dozens; the choice list stays usable. */
export const MAX_SITES = 200;

/** A trust's list of sites: each code once. */
export const SiteListSchema = z
  .array(OrganisationSiteSchema)
  .max(MAX_SITES, `at most ${MAX_SITES} sites`)
  .superRefine((sites, ctx) => {
    const seen = new Set<string>();
    sites.forEach((site, index) => {
      if (seen.has(site.code)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [index, "code"], message: `site ${site.code} is listed twice` });
      seen.add(site.code);
    });
  });

/**
 * TRUST_SITES, the sites of a deployment without a trusts file: "RXX01=Royal Infirmary; RXX02=General Hospital".
 * Empty or unset: no sites (the return then has one site, the trust).
 */
export function parseSiteSetting(text: string | undefined): { ok: true; sites: readonly OrganisationSite[] } | { ok: false; problem: string } {
  const entries = (text ?? "")
    .split(";")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  const pairs = entries.map((entry) => {
    const at = entry.indexOf("=");
    return at < 0 ? { code: entry, name: "" } : { code: entry.slice(0, at), name: entry.slice(at + 1) };
  });
  const parsed = SiteListSchema.safeParse(pairs);
  if (parsed.success) return { ok: true, sites: parsed.data };
  const issue = parsed.error.issues[0];
  const index = typeof issue?.path[0] === "number" ? issue.path[0] : undefined;
  const where = index === undefined ? "" : `entry ${index + 1} ("${entries[index]?.slice(0, 60) ?? ""}"): `;
  return { ok: false, problem: `${where}${issue?.message ?? "a list such as RXX01=Royal Infirmary; RXX02=General Hospital"}` };
}

/** "RXX01 Royal Infirmary"; a code no longer in the trust's list shows as the code alone. */
export function siteTitle(code: string, sites: readonly OrganisationSite[]): string {
  const site = sites.find((s) => s.code === code);
  return site ? `${site.code} ${site.name}` : code;
}

/** Whether the forms offer a site: only with two or more (with one, every case is at it). */
export function sitesToChoose(sites: readonly OrganisationSite[]): boolean {
  return sites.length >= 2;
}
