// Cases the complainant took to the Parliamentary and Health Service Ombudsman (PHSO). The referral lives on
// the case document; the PHSO's deadline for the trust joins the case's deadlines (nextDueOn), even once the
// case is closed, because that is when the Ombudsman usually gets involved.
import type { Case } from "../case/caseSchema";
import { formatPlainDate, isIsoDate, londonDate } from "../calendar/calendar";
import type { ActionContext, ActionResult } from "../case/change";
import { nextDue } from "../deadlines/deadlines";
import { CaseRuleError } from "../case/errors";
import { ombudsmanStageTitle, OmbudsmanStageSchema, PHSO_REFERENCE_LIMIT, type OmbudsmanReferral } from "./ombudsmanSchema";

export interface OmbudsmanInput {
  readonly referredOn: string;
  readonly reference: string;
  readonly stage: string;
  /** Blank for none. */
  readonly responseDueOn?: string;
  /** Stage "decided": the day of the Ombudsman's final decision; blank keeps the day recorded before, else today. */
  readonly decidedOn?: string;
}

/** Records or updates the PHSO referral; allowed on closed cases. The PHSO's date joins nextDueOn. */
export function recordOmbudsman(current: Case, input: OmbudsmanInput, ctx: ActionContext): ActionResult {
  const today = londonDate(ctx.now);
  const referredOn = trimmed(input.referredOn);
  if (!isIsoDate(referredOn)) throw new CaseRuleError("Enter the date the complainant went to the Ombudsman as a real date.");
  if (referredOn > today) throw new CaseRuleError("The referral date can't be in the future.");
  if (referredOn < current.receivedOn) {
    throw new CaseRuleError(`The referral can't be before the case was received (${formatPlainDate(current.receivedOn)}). Check the date.`);
  }
  const reference = trimmed(input.reference);
  if (reference === "") throw new CaseRuleError("Enter the Ombudsman's reference for the case.");
  if (reference.length > PHSO_REFERENCE_LIMIT) throw new CaseRuleError(`Shorten the Ombudsman's reference to ${PHSO_REFERENCE_LIMIT} characters or fewer.`);
  const stage = OmbudsmanStageSchema.safeParse(trimmed(input.stage));
  if (!stage.success) throw new CaseRuleError("Choose the Ombudsman's stage: assessment, investigation or decided.");
  const due = trimmed(input.responseDueOn);
  if (due !== "" && !isIsoDate(due)) throw new CaseRuleError("Enter the Ombudsman's response date as a real date, or leave it blank.");
  if (due !== "" && due < referredOn) throw new CaseRuleError("The Ombudsman's response date can't be before the referral date.");

  // Only read at the decided stage (the form's box stays on the card whatever the stage).
  const decided = stage.data === "decided" ? trimmed(input.decidedOn) : "";
  if (decided !== "" && !isIsoDate(decided)) throw new CaseRuleError("Enter the date of the Ombudsman's decision as a real date, or leave it blank.");
  if (decided !== "" && decided > today) throw new CaseRuleError("The Ombudsman's decision date can't be in the future.");
  if (decided !== "" && decided < referredOn) throw new CaseRuleError("The Ombudsman's decision date can't be before the referral date.");

  const referral: OmbudsmanReferral = { referredOn, reference, stage: stage.data };
  // Once the Ombudsman has decided there is nothing left to send them.
  if (due !== "" && stage.data !== "decided") referral.responseDueOn = due;
  // The end of the Ombudsman's process, from which records retention counts (retention.ts): as entered, else as
  // recorded before, else today (the day PALS Desk is told).
  const before = current.ombudsman;
  if (stage.data === "decided") referral.decidedOn = decided || (before?.stage === "decided" ? before.decidedOn : undefined) || today;

  const unchanged = before && JSON.stringify(before) === JSON.stringify(referral);
  if (unchanged) throw new CaseRuleError("The Ombudsman details are already recorded like that.");
  const flags = current.flags.includes("regulator-involved") ? current.flags : [...current.flags, "regulator-involved"];
  const updated: Case = { ...current, ombudsman: referral, flags, updatedAt: ctx.now.toISOString() };
  const next = nextDue(updated, ctx.rules.updates.workingDays);
  if (next) updated.nextDueOn = next;
  else delete updated.nextDueOn;

  const dueText = referral.responseDueOn
    ? `; the Ombudsman's response due ${formatPlainDate(referral.responseDueOn)}`
    : referral.decidedOn
      ? `; decided on ${formatPlainDate(referral.decidedOn)}`
      : "";
  // The summary carries no typed text (the PHSO reference goes in the detail).
  const summary = !before
    ? `Referred to the Ombudsman on ${formatPlainDate(referredOn)}, ${ombudsmanStageTitle(stage.data).toLowerCase()} stage${dueText}`
    : before.stage !== stage.data
      ? `Ombudsman stage changed from ${ombudsmanStageTitle(before.stage).toLowerCase()} to ${ombudsmanStageTitle(stage.data).toLowerCase()}${dueText}`
      : `Ombudsman details updated${dueText}`;
  return {
    updated,
    event: {
      kind: "ombudsman-updated",
      summary,
      detail: `Ombudsman's reference: ${reference}`,
      changes: [{ field: "ombudsman", before: before ? { ...before } : undefined, after: { ...referral } }],
    },
  };
}

function trimmed(value: unknown): string {
  return typeof value === "string" ? value.trim() : "";
}
