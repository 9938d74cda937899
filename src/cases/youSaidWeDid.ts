// "You said, we did" for a period and division: two bounded reads (the report's projection for the themes raised,
// one query for the actions done), counted by the domain. Read-only. The managers' check is the caller's
// (reports.ts), which also builds the CSV from here.
import { divisionsIn, matchDivision, periodTitle, youSaidWeDid as summarise, type ReportPeriod, type YouSaidWeDid } from "../domain";
import type { CaseDeskDeps } from "./deps";
import { refused, type Result } from "./results";

/**
 * The most cases read for completed actions. Each carries its actions (a few KB), so 500 stays a few MB at
 * worst; a trust completing actions on more cases than this in one period is told the list may be incomplete.
 */
export const ACTIONS_READ_LIMIT = 500;

/** The summary, or a refusal naming the divisions cases use when the one asked for is not among them. */
export async function readYouSaidWeDid(
  deps: Pick<CaseDeskDeps, "cases">,
  trustId: string,
  period: ReportPeriod,
  division?: string,
): Promise<Result<{ readonly summary: YouSaidWeDid }>> {
  const [raised, withActions] = await Promise.all([
    deps.cases.listForReport(trustId, period.from, period.to),
    deps.cases.listWithActionsDoneSince(trustId, period.from, ACTIONS_READ_LIMIT),
  ]);
  let matched: string | undefined;
  if (division !== undefined) {
    const known = divisionsIn(raised, withActions);
    matched = matchDivision(division, known);
    if (matched === undefined) {
      const listed = known.length > 0 ? ` Divisions on cases then: ${known.join(", ")}.` : "";
      return refused(
        "not-found",
        `No concerns, complaints or actions from ${periodTitle(period)} name the division "${division.trim()}".${listed} Check the spelling, or leave the division out for the whole trust.`,
      );
    }
  }
  return { ok: true, summary: summarise(raised, withActions, period, { division: matched, cut: withActions.length >= ACTIONS_READ_LIMIT }) };
}
