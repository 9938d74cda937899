// The Ombudsman (PHSO) referral as stored on a case (a leaf: the rules in ombudsman.ts import it).
import { z } from "zod";
import { isIsoDate } from "../calendar/calendar";
import { idsOf, titleOf } from "../case/choice";

export const OMBUDSMAN_STAGES = [
  { id: "assessment", title: "Assessment" },
  { id: "investigation", title: "Investigation" },
  { id: "decided", title: "Decided" },
] as const;

export const OmbudsmanStageSchema = z.enum(idsOf(OMBUDSMAN_STAGES));
export type OmbudsmanStage = z.infer<typeof OmbudsmanStageSchema>;
export const ombudsmanStageTitle = (id: OmbudsmanStage): string => titleOf(OMBUDSMAN_STAGES, id);

/** Longest PHSO reference we keep (theirs look like "C-2026-012345"). */
export const PHSO_REFERENCE_LIMIT = 50;

const isoDate = z.string().refine(isIsoDate, "Expected a date as yyyy-mm-dd");

export const OmbudsmanReferralSchema = z.object({
  referredOn: isoDate,
  reference: z.string().min(1).max(PHSO_REFERENCE_LIMIT),
  stage: OmbudsmanStageSchema,
  /** What the PHSO asked of the trust (information, comments on a draft, an action plan) is due by then. */
  responseDueOn: isoDate.optional(),
  /**
   * Stage "decided": the day of the Ombudsman's final decision, when its process ended. The records retention clock
   * counts from it when it is later than the case's closure (left out on referrals recorded before it was asked for).
   */
  decidedOn: isoDate.optional(),
});
export type OmbudsmanReferral = z.infer<typeof OmbudsmanReferralSchema>;
