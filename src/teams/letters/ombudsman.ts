// The case card's "Ombudsman" section: record the PHSO referral (officers, managers, admins) and export the
// case file for the Ombudsman (managers and admins, in their personal chat).
import { z } from "zod";
import { CASE_NOT_FOUND } from "../../cases";
import { PHSO_REFERENCE_LIMIT } from "../../domain";
import { callerOrRefuse, tell, tellRefused } from "../caller";
import { answerCaseChange, CaseIdData, refuseUnreadForm, submissionOf } from "../cases/caseCard";
import type { TeamsDeps } from "../deps";
import { sendFile } from "../reports/files";
import { typedText } from "../invoke";
import type { BotRoutes, Turn } from "../sdk/turn";

const text = (max: number) => typedText(max);

const RecordInput = z.object({
  caseId: z.string().uuid(),
  phsoReferredOn: text(20),
  // The rule says how much to cut up to four times its limit; past that, the edge says the limit.
  phsoReference: typedText(PHSO_REFERENCE_LIMIT, 4),
  phsoStage: text(30),
  phsoResponseDueOn: text(20),
  // Left out by cards drawn before it was asked for.
  phsoDecidedOn: text(20).optional(),
});

async function recordReferral(turn: Turn, deps: TeamsDeps, data: unknown): Promise<void> {
  const caller = await callerOrRefuse(turn);
  if (!caller) return;
  const input = RecordInput.safeParse(data);
  if (!input.success) {
    turn.log.warn({ verb: "ombudsman.record" }, "Ombudsman action that could not be read");
    const ids = CaseIdData.safeParse(data);
    return ids.success ? refuseUnreadForm(turn, deps, caller, ids.data.caseId, data, input.error) : tell(turn, "Case not found", CASE_NOT_FOUND);
  }
  const { caseId, phsoReferredOn, phsoReference, phsoStage, phsoResponseDueOn, phsoDecidedOn } = input.data;
  const result = await deps.desk.cases.recordOmbudsman(submissionOf(turn, caller, caseId, "ombudsman.record", data), {
    referredOn: phsoReferredOn,
    reference: phsoReference,
    stage: phsoStage,
    responseDueOn: phsoResponseDueOn,
    decidedOn: phsoDecidedOn,
  });
  if (!result.ok && result.problem === "not-allowed") return tellRefused(turn, result);
  await answerCaseChange(turn, deps, caller, result, data, () => "Ombudsman details saved.");
}

async function exportCaseFile(turn: Turn, deps: TeamsDeps, data: unknown): Promise<void> {
  const caller = await callerOrRefuse(turn);
  if (!caller) return;
  const input = CaseIdData.safeParse(data);
  if (!input.success) {
    turn.log.warn({ verb: "ombudsman.exportFile" }, "Case file export that could not be read");
    return tell(turn, "Case not found", "We couldn't find that case. Type **export case** and the reference.");
  }
  const delivery = await sendFile(turn, deps, caller, { kind: "case-file", caseId: input.data.caseId });
  if (delivery.ok) await turn.answerMessage(delivery.text);
  else await tell(turn, delivery.title, delivery.text);
}

export function registerOmbudsman(routes: BotRoutes, deps: TeamsDeps): void {
  routes.verb("ombudsman.record", (turn, data) => recordReferral(turn, deps, data));
  routes.verb("ombudsman.exportFile", (turn, data) => exportCaseFile(turn, deps, data));
}
