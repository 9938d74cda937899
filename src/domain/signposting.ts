import type { Choice } from "./choice";

/**
 * The national organisations a PALS officer signposts to (DESIGN.md). Ids are stored on cases, so they
 * never change; the full directory with contact routes and local services is data the trust edits.
 */
export const NATIONAL_ORGANISATIONS = [
  { id: "nhs-complaints-advocacy", title: "NHS Complaints Advocacy" },
  { id: "phso", title: "Parliamentary and Health Service Ombudsman (PHSO)" },
  { id: "lgsco", title: "Local Government and Social Care Ombudsman" },
  { id: "icb-complaints", title: "Integrated care board (ICB) complaints team" },
  { id: "cqc", title: "Care Quality Commission (CQC)" },
  { id: "healthwatch", title: "Healthwatch" },
  { id: "citizens-advice", title: "Citizens Advice" },
  { id: "avma", title: "Action against Medical Accidents (AvMA)" },
  { id: "imha", title: "Independent Mental Health Advocacy (IMHA)" },
  { id: "samaritans", title: "Samaritans (116 123)" },
] as const satisfies readonly Choice[];

export function organisationTitle(id: string): string {
  return NATIONAL_ORGANISATIONS.find((organisation) => organisation.id === id)?.title ?? id;
}
