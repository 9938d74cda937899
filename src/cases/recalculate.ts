// "Recalculate deadlines" on the case card: a case keeps the deadlines worked out when it was logged, so a
// change to the trust's rules moves only new cases; this applies the current rules to one case, on purpose,
// and the timeline records the old and new dates.
import { recalculateDeadlines as recalculateDeadlinesRule } from "../domain";
import { actOnCase, stepOf, type CaseChangeResult, type Submission } from "./caseActions";
import type { CaseDeskDeps } from "./deps";

export const recalculateDeadlines = (deps: CaseDeskDeps, s: Submission): Promise<CaseChangeResult> =>
  actOnCase(deps, s, "recalculate-deadlines", (c, ctx) => stepOf(recalculateDeadlinesRule(c, ctx)));
