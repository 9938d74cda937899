// The national bodies a complainant is sent to depend on where the trust is: England's and Wales' are different
// organisations under different laws. The rules file chooses the nation (rules.ts); everything that names an
// Ombudsman, complaints advocacy or the discussion offered at the start reads it from here, never a fixed name.

export const NATIONS = ["england", "wales"] as const;
export type Nation = (typeof NATIONS)[number];

export interface NationalBodies {
  /** "in England": how the explainer says where its rules apply. */
  readonly where: string;
  /** The Ombudsman of last resort for NHS complaints, and its id in the signposting directory. */
  readonly ombudsman: { readonly id: string; readonly name: string; readonly shortName: string };
  /** Free, independent complaints advocacy, and its id in the signposting directory. */
  readonly advocacy: { readonly id: string; readonly name: string; readonly letterText: string };
  /** The Ombudsman for complaints about adult social care, when it is not the NHS one (England's LGSCO). */
  readonly socialCareOmbudsmanId?: string;
  /** The conversation offered at the start of a complaint, and the law that asks for it. */
  readonly discussion: { readonly name: string; readonly law: string };
}

export const NATIONAL_BODIES: Readonly<Record<Nation, NationalBodies>> = Object.freeze({
  england: {
    where: "in England",
    // Health Service Commissioners Act 1993.
    ombudsman: { id: "phso", name: "Parliamentary and Health Service Ombudsman", shortName: "PHSO" },
    advocacy: {
      id: "nhs-complaints-advocacy",
      name: "NHS Complaints Advocacy",
      letterText: "You can get free, independent help to make your complaint from the NHS Complaints Advocacy service in your area.",
    },
    socialCareOmbudsmanId: "lgsco",
    // SI 2009/309 reg 13(3): offered when acknowledging; reg 13(4): declined, the body sets the period and writes.
    discussion: { name: "Offer to discuss", law: "SI 2009/309 reg 13(3)-(4)" },
  },
  wales: {
    where: "in Wales",
    // Public Services Ombudsman (Wales) Act 2019: NHS and social care complaints in Wales alike, so no LGSCO.
    ombudsman: { id: "psow", name: "Public Services Ombudsman for Wales", shortName: "PSOW" },
    // Health and Social Care (Quality and Engagement) (Wales) Act 2020: Llais gives complaints advocacy from 1 April 2023.
    advocacy: {
      id: "llais",
      name: "Llais",
      letterText: "You can get free, independent help to raise your concern from Llais, the independent voice body for health and social care in Wales.",
    },
    // SI 2011/704 as amended by the 2025 "Listening to People" amendment, in force 1 April 2026.
    discussion: { name: "Listening discussion", law: "SI 2011/704 as amended in 2025 (Listening to People)" },
  },
});
