// What a case still lacks after quick capture: plain labels, in the order the details form asks for them.
// A compliment needs little; a complaint needs what its letters and the KO41a return use.
import type { Case, ContactType } from "./caseSchema";
import { needsConsent } from "./triage";
import { CLINICAL_TREATMENT } from "../reports/ko41a";

/** What cards, letters and exports show for a patient whose name was not given (an anonymous caller). */
export const NAME_NOT_GIVEN = "Not given";

/** The details that matter for each type of contact (beyond what quick capture always asks). */
type Detail =
  | "consent"
  | "nhsNumber"
  | "dateOfBirth"
  | "contactDetails"
  | "eventOn"
  | "division"
  | "serviceArea"
  | "subjects"
  | "clinicalArea"
  | "professions"
  | "desiredOutcome"
  | "risk";

/** In form order; the labels are what the case card's "Still to record" line and the digest say. */
const DETAILS: readonly { readonly id: Detail; readonly label: string }[] = [
  { id: "consent", label: "Consent" },
  { id: "nhsNumber", label: "NHS number" },
  { id: "dateOfBirth", label: "Date of birth" },
  { id: "contactDetails", label: "Contact details" },
  { id: "eventOn", label: "Date it happened" },
  { id: "division", label: "Where it happened" },
  { id: "serviceArea", label: "KO41a service area" },
  { id: "subjects", label: "KO41a subjects" },
  { id: "clinicalArea", label: "KO41a clinical area" },
  { id: "professions", label: "KO41a staff groups" },
  { id: "desiredOutcome", label: "What they want to happen" },
  { id: "risk", label: "Risk assessment" },
];

const NEEDED: Readonly<Record<ContactType, ReadonlySet<Detail>>> = {
  // A compliment is passed to the team praised: where it happened is all it needs.
  compliment: new Set<Detail>(["division"]),
  // An enquiry is answered: a way to answer it.
  enquiry: new Set<Detail>(["contactDetails"]),
  concern: new Set<Detail>(["consent", "nhsNumber", "dateOfBirth", "contactDetails", "division", "subjects", "risk"]),
  complaint: new Set<Detail>([
    "consent",
    "nhsNumber",
    "dateOfBirth",
    "contactDetails",
    "eventOn",
    "division",
    "serviceArea",
    "subjects",
    "clinicalArea",
    "professions",
    "desiredOutcome",
    "risk",
  ]),
};

function has(c: Case, detail: Detail): boolean {
  switch (detail) {
    case "consent":
      return !needsConsent(c) || c.consent !== undefined;
    case "nhsNumber":
      return c.patient.nhsNumber !== undefined;
    case "dateOfBirth":
      return c.patient.dateOfBirth !== undefined;
    case "contactDetails":
      return c.patient.contactDetails !== undefined;
    case "eventOn":
      return c.eventOn !== undefined;
    case "division":
      return c.division !== undefined;
    case "serviceArea":
      return c.serviceArea !== undefined;
    case "subjects":
      return c.subjects.length > 0;
    case "clinicalArea":
      // KO41a section 6: asked only of a complaint about clinical treatment.
      return !c.subjects.includes(CLINICAL_TREATMENT) || c.clinicalArea !== undefined;
    case "professions":
      return c.professions.length > 0;
    case "desiredOutcome":
      return c.desiredOutcome !== undefined;
    case "risk":
      return c.risk !== undefined;
  }
}

/** Details about the patient that an anonymous caller (no name given) is not expected to have given. */
const ABOUT_A_NAMED_PATIENT: ReadonlySet<Detail> = new Set<Detail>(["nhsNumber", "dateOfBirth"]);

/**
 * What is still to record on a case, as plain labels in form order ("NHS number", "KO41a subjects", "Risk
 * assessment"...); empty when nothing is missing. An anonymised case has nothing more to record.
 */
export function missingDetails(c: Case): readonly string[] {
  if (c.anonymisedOn) return [];
  const needed = NEEDED[c.type] ?? new Set<Detail>();
  return DETAILS.filter(({ id }) => needed.has(id) && !(c.patient.name === undefined && ABOUT_A_NAMED_PATIENT.has(id)) && !has(c, id)).map((d) => d.label);
}
