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
