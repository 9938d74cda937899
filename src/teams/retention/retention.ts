// Records retention review: `retention review` (managers and admins) lists the closed files due for review; each
// file's "Keep for more years" (with the reason) or "Destroy" (confirmed) records the decision once, and destroying
// then removes the records as the trust's settings say. The card's inputs are read here (zod, bounded); the role is
// the caller's own (never the card's), and a case id from the card is only looked for in the caller's trust.
import { z } from "zod";
import type { RetentionDecisionResult } from "../../cases";
import { formatPlainDate, RETENTION_REASON_LIMIT, type Caller } from "../../domain";
import { callerOrRefuse, submissionKey, tell, tellRefused } from "../caller";
import type { TeamsDeps } from "../deps";
import { tooLongToSave, typedText } from "../invoke";
import type { BotRoutes, Turn } from "../sdk/turn";
import { fromApp, ours, type Message } from "../text";
import { destroyedWords, keepInputIds, retentionReviewCard, type RetentionReviewCardOptions } from "./retentionCards";

const FILE_NOT_FOUND = "We couldn't find that file. The card may be out of date: type **retention review** to see the files due.";

const CaseIdOf = z.object({ caseId: z.string().uuid() });

/** A file's keep form, by the input ids the card gave it: years as the card's choice (1 to 10), the reason cut at twice its limit (the rule checks again). */
function keepSchema(caseId: string) {
  const ids = keepInputIds(caseId);
  return z.object({ [ids.years]: typedText(2), [ids.reason]: typedText(RETENTION_REASON_LIMIT, 2) });
}

/** The list as it now is, drawn with what happened (or why not). */
async function listCard(
  deps: TeamsDeps,
  caller: Caller,
  extra: Pick<RetentionReviewCardOptions, "banner" | "drafts">,
): Promise<Record<string, unknown> | undefined> {
  const list = await deps.desk.retention.review(caller);
  if (!list.ok) return undefined;
  return retentionReviewCard({ files: list.files, total: list.total, years: list.years, action: list.action, ...extra });
}

/** `retention review`. */
async function review(turn: Turn, deps: TeamsDeps): Promise<void> {
  const caller = await callerOrRefuse(turn);
  if (!caller) return;
  const list = await deps.desk.retention.review(caller);
  if (!list.ok) return tellRefused(turn, list);
  if (list.files.length === 0) {
    await turn.send("No closed files are due for records retention review. PALS Desk tells the managers' channel when files come due.");
    return;
  }
  await turn.sendCard(retentionReviewCard({ files: list.files, total: list.total, years: list.years, action: list.action }));
}

/** Answers a decision: the list again with what was done, or why not (with what was typed kept). */
async function answer(
  turn: Turn,
  deps: TeamsDeps,
  caller: Caller,
  caseId: string,
  result: RetentionDecisionResult,
  done: (result: Extract<RetentionDecisionResult, { ok: true }>) => Message,
  draft?: { keepYears?: string; keepReason?: string },
): Promise<void> {
  if (!result.ok && (result.problem === "not-allowed" || result.problem === "not-found")) return tellRefused(turn, result, "File not found");
  const banner = result.ok ? { text: done(result), style: "good" as const } : { text: fromApp(result.message), style: "attention" as const };
  const card = await listCard(deps, caller, { banner, drafts: !result.ok && draft ? { [caseId]: draft } : undefined });
  if (card) await turn.answerCard(card);
  else await tell(turn, result.ok ? "Done" : "Not done", banner.text);
}

/** "Save: keep" on a file. */
async function keep(turn: Turn, deps: TeamsDeps, data: unknown): Promise<void> {
  const caller = await callerOrRefuse(turn);
  if (!caller) return;
  const ids = CaseIdOf.safeParse(data);
  if (!ids.success) return tell(turn, "File not found", FILE_NOT_FOUND);
  const { caseId } = ids.data;
  const names = keepInputIds(caseId);
  const input = keepSchema(caseId).safeParse(data);
  if (!input.success) {
    turn.log.warn({ verb: "retention.keep" }, "Retention keep decision that could not be read");
    const text = tooLongToSave(input.error, { [names.reason]: "the reason" }) ?? "Some of what was entered could not be read. Check the form and try again.";
    const card = await listCard(deps, caller, { banner: { text, style: "attention" } });
    return card ? turn.answerCard(card) : tell(turn, "Not done", text);
  }
  const years = String(input.data[names.years] ?? "");
  const reason = String(input.data[names.reason] ?? "");
  const result = await deps.desk.retention.keep({ caller, caseId, key: submissionKey(turn, "retention.keep", data) }, { years, reason });
  await answer(
    turn,
    deps,
    caller,
    caseId,
    result,
    (r) =>
      r.alreadyDone
        ? `Already saved: ${r.reference} is kept.`
        : `Kept ${r.reference}${r.keepUntil ? `: its next review is on ${formatPlainDate(r.keepUntil)}` : ""}. The reason is on its timeline.`,
    { keepYears: years, keepReason: reason },
  );
}

/** "Confirm: destroy" on a file. */
async function destroy(turn: Turn, deps: TeamsDeps, data: unknown): Promise<void> {
  const caller = await callerOrRefuse(turn);
  if (!caller) return;
  const ids = CaseIdOf.safeParse(data);
  if (!ids.success) return tell(turn, "File not found", FILE_NOT_FOUND);
  const { caseId } = ids.data;
  const result = await deps.desk.retention.destroy({ caller, caseId, key: submissionKey(turn, "retention.destroy", data) });
  await answer(turn, deps, caller, caseId, result, (r) =>
    r.destroyed === "applied"
      ? ours(`${r.alreadyDone ? "Already done: " : ""}${r.reference} destroyed: ${destroyedWords(deps.config.retention.action)}.`)
      : ours(
          `Your decision to destroy ${r.reference} is recorded, but its records could not all be removed just now. PALS Desk finishes it in the next morning round; nothing more is needed from you.`,
        ),
  );
}

export function registerRetention(routes: BotRoutes, deps: TeamsDeps): void {
  routes.command(/^(retention review|records retention review|records review|retention)$/i, (turn) => review(turn, deps));
  routes.verb("retention.keep", (turn, data) => keep(turn, deps, data));
  routes.verb("retention.destroy", (turn, data) => destroy(turn, deps, data));
}
