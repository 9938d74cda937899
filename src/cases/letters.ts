// Letter drafts from a case: the trust's template filled from the case. Nothing is sent; "Letter sent" is
// recorded on the timeline as a case change (caseActions.ts).
import {
  fillLetter,
  letterDraftRefusal,
  letterView,
  londonDate,
  may,
  NATIONAL_BODIES,
  refusal,
  type Caller,
  type CaseRecord,
  type LetterKind,
} from "../domain";
import { activityLog } from "../logger";
import { rulesOf, type CaseDeskDeps } from "./deps";
import { CASE_NOT_FOUND, refused, type Result } from "./results";
import { caseViewFor } from "./views";

export type LetterDraft = Result<{ readonly record: CaseRecord; readonly text: string; readonly source: string }>;

export async function draftLetter(deps: CaseDeskDeps, caller: Caller, caseId: string, letter: LetterKind, officerName: string): Promise<LetterDraft> {
  const log = activityLog(deps.log);
  const record = await deps.cases.get(caller.trustId, caseId);
  if (!record) {
    log.warn({ verb: "draft-letter" }, "Letter action for a case not found in the caller's trust");
    return refused("not-found", CASE_NOT_FOUND);
  }
  const c = record.value;
  if (!may(caller.roles, "view-case", c) || !may(caller.roles, "draft-letter", c)) {
    log.warn({ caseId, verb: "draft-letter" }, "Refused a letter action the caller's role does not allow");
    return refused("not-allowed", refusal(may(caller.roles, "view-case", c) ? "draft-letter" : "view-case", c, caller.roles));
  }
  const notForThis = letterDraftRefusal(c);
  if (notForThis) return refused("rule", notForThis, await caseViewFor(deps, caller, record));
  const template = deps.letters.template(letter);
  if (!template.ok) {
    log.error({ letter }, "Letter template could not be used");
    return refused("rule", `${template.problem} Ask your PALS Desk administrator to fix the file.`);
  }
  const view = letterView(c, {
    today: londonDate(deps.now()),
    officerName,
    trustName: deps.trustNameOf?.(c.trustId),
    ombudsman: deps.signposting.get(NATIONAL_BODIES[rulesOf(deps).nation].ombudsman.id),
    events: await deps.timeline.list(c.id),
    rules: rulesOf(deps),
  });
  log.info({ caseId, reference: c.reference, letter }, "Letter drafted");
  return { ok: true, record, text: fillLetter(template.text, view), source: `${letter}.md (${template.source})` };
}
