// Completing a case later: open its details form, and record what was left out at quick capture (or correct it)
// as one change of the case (changes.ts), with a timeline entry naming the fields changed.
import { CaseRuleError, completeDetails, londonDate, may, parseCaseDetails, refusal, type Caller, type Case, type NewContactErrors } from "../domain";
import { activityLog } from "../logger";
import { actOnCase, type CaseChangeResult, type Submission } from "./caseActions";
import { sitesOf, type CaseDeskDeps } from "./deps";
import { CASE_NOT_FOUND, refused, type Result } from "./results";

/** Said when the case changed after the details form was opened: the form comes back with what was typed. */
export const DETAILS_CHANGED =
  "Someone changed this case after you opened this form, so nothing was saved. Check the details below (what you typed is kept) and save again.";

/** The details form's reason for refusing: the messages by field, or the case having changed since the form was opened. */
class DetailsNotSaved extends CaseRuleError {
  constructor(
    message: string,
    readonly errors?: NewContactErrors,
  ) {
    super(message);
  }
}

export type OpenDetailsResult = Result<{ readonly c: Case; readonly version: string }>;

/** The case, for its details form: only for someone who may complete its details, in its trust. */
export async function openDetails(deps: CaseDeskDeps, caller: Caller, caseId: string): Promise<OpenDetailsResult> {
  const record = await deps.cases.get(caller.trustId, caseId);
  if (!record) return refused("not-found", CASE_NOT_FOUND);
  if (!may(caller.roles, "view-case", record.value)) return refused("not-allowed", refusal("view-case", record.value, caller.roles));
  if (!may(caller.roles, "complete-details", record.value)) {
    activityLog(deps.log).warn({ caseId }, "Refused the details form: the caller's role does not allow it");
    return refused("not-allowed", refusal("complete-details", record.value, caller.roles));
  }
  return { ok: true, c: record.value, version: record.etag };
}

export type SaveDetailsResult =
  | (CaseChangeResult & { readonly ok: true; readonly changed: readonly string[] })
  | { readonly ok: false; readonly problem: "invalid"; readonly errors: NewContactErrors; readonly c: Case; readonly version: string }
  | { readonly ok: false; readonly problem: "stale"; readonly c: Case; readonly version: string }
  | (CaseChangeResult & { readonly ok: false });

/**
 * Saves the details form. `seen` is the version of the case the form was drawn from: if the case changed since,
 * nothing is saved and the form comes back, so no one's change is overwritten unseen.
 */
export async function saveDetails(deps: CaseDeskDeps, s: Submission, seen: string | undefined, submitted: unknown): Promise<SaveDetailsResult> {
  let changed: readonly string[] = [];
  let notSaved: { error: DetailsNotSaved; c: Case; version: string } | undefined;
  const result = await actOnCase(deps, s, "complete-details", (current, ctx, record) => {
    try {
      if (seen !== undefined && seen !== record.etag) throw new DetailsNotSaved(DETAILS_CHANGED);
      const parsed = parseCaseDetails(submitted, current, londonDate(ctx.now), sitesOf(deps, current.trustId));
      if (!parsed.ok) throw new DetailsNotSaved("Some details need fixing.", parsed.errors);
      const done = completeDetails(current, parsed.value, ctx);
      changed = done.changed;
      return { updated: done.updated, events: [done.event] };
    } catch (error) {
      if (error instanceof DetailsNotSaved) notSaved = { error, c: current, version: record.etag };
      throw error;
    }
  });
  if (result.ok) return { ...result, changed };
  if (notSaved && result.problem === "rule") {
    const { error, c, version } = notSaved;
    return error.errors ? { ok: false, problem: "invalid", errors: error.errors, c, version: seen ?? version } : { ok: false, problem: "stale", c, version };
  }
  return result;
}
