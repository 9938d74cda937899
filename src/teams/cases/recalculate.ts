// "Recalculate deadlines" (the case card's overflow menu): applies the trust's current rules to one case's
// deadlines and shows the case again. The case id comes from the card, so the application layer checks it.
import { CASE_NOT_FOUND } from "../../cases";
import { formatPlainDate, type Case } from "../../domain";
import { callerOrRefuse, tell } from "../caller";
import { answerCaseChange, CaseIdData, submissionOf } from "./caseCard";
import type { TeamsDeps } from "../deps";
import type { BotRoutes, Turn } from "../sdk/turn";

export const RECALCULATE_VERB = "case.recalculateDeadlines";

/** What the banner says once done: the new response date, which is what people plan by. */
export function recalculatedText(c: Case): string {
  const respond = c.deadlines.respondBy ? ` Respond by ${formatPlainDate(c.deadlines.respondBy)}.` : "";
  return `Deadlines recalculated under the current rules; the old and new dates are on the timeline.${respond}`;
}

async function recalculate(turn: Turn, deps: TeamsDeps, data: unknown): Promise<void> {
  const caller = await callerOrRefuse(turn);
  if (!caller) return;
  const ids = CaseIdData.safeParse(data);
  if (!ids.success) return tell(turn, "Case not found", CASE_NOT_FOUND);
  const result = await deps.desk.cases.recalculateDeadlines(submissionOf(turn, caller, ids.data.caseId, RECALCULATE_VERB, data));
  await answerCaseChange(turn, deps, caller, result, data, recalculatedText);
}

export function registerRecalculate(routes: BotRoutes, deps: TeamsDeps): void {
  routes.verb(RECALCULATE_VERB, (turn, data) => recalculate(turn, deps, data));
}
