import type { Application } from "@microsoft/teams-ai";
import { CardFactory, type MessagingExtensionAttachment, type MessagingExtensionResult, type TurnContext } from "botbuilder";
import { z } from "zod";
import { entryTitle, formatCaseReference, may, parseCaseReference, type Case, type SignpostEntry } from "../domain";
import { todayFor } from "./caller";
import type { Logger } from "../logger";
import type { BotDeps } from "./deps";
import { identify, type Caller } from "./identity";
import { NeedSchema } from "./signposting";
import { caseShareCard, caseShareData, entryCard, entrySummary } from "./signpostingView";
import { turnLog } from "./turnLog";

/** The search command's id in appPackage/manifest.json (composeExtensions). */
export const SEARCH_COMMAND_ID = "searchDirectory";

/** Teams shows at most 25 results, each at most 28 KB. */
const MAX_RESULTS = 25;
const MAX_RESULT_BYTES = 28 * 1024;
/** Teams gives an invoke 5 s; a slow case search is dropped so the directory results still arrive in time. */
const CASE_SEARCH_BUDGET_MS = 2000;
const CASE_RESULTS = 10;

const QuerySchema = z.object({
  text: NeedSchema,
  skip: z.coerce.number().int().min(0).max(500).catch(0),
  count: z.coerce.number().int().min(1).max(MAX_RESULTS).catch(MAX_RESULTS),
});

function entryResult(entry: SignpostEntry): MessagingExtensionAttachment {
  return {
    ...CardFactory.adaptiveCard(entryCard(entry)),
    preview: CardFactory.thumbnailCard(entryTitle(entry), entrySummary(entry, 120)),
  };
}

/** A case as anyone in the chat may see it: no patient name, NHS number or summary, in the card or the preview. */
function caseResult(c: Case, today: string): MessagingExtensionAttachment {
  const data = caseShareData(c, today);
  return {
    ...CardFactory.adaptiveCard(caseShareCard(c, today)),
    preview: CardFactory.thumbnailCard(data.reference, `${data.typeTitle} · ${data.statusTitle} · Next deadline: ${data.dueText}`),
  };
}

function searchWords(text: string): string[] {
  return text
    .toLowerCase()
    .split(/\s+/)
    .map((word) => word.replace(/[^\p{L}\p{N}'-]/gu, ""))
    .filter((word) => word.length >= 2)
    .slice(0, 8);
}

type CaseSearch = { readonly cases: Case[]; readonly byReference: boolean; readonly timedOut: boolean; readonly failed: boolean };

/** Cases for staff who may search them: by reference, else by words; never longer than the budget. */
async function findCases(deps: BotDeps, log: Logger, caller: Caller, text: string): Promise<CaseSearch> {
  const none: CaseSearch = { cases: [], byReference: false, timedOut: false, failed: false };
  if (text === "" || !may(caller.roles, "search-cases")) return none;
  const reference = parseCaseReference(text);
  const words = reference ? [] : searchWords(text);
  if (!reference && words.length === 0) return none;
  const work: Promise<Case[]> = reference
    ? deps.cases.findByReference(caller.tenantId, formatCaseReference(reference.year, reference.sequence)).then((found) => (found ? [found.value] : []))
    : deps.cases.search({ tenantId: caller.tenantId, words, limit: CASE_RESULTS });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), CASE_SEARCH_BUDGET_MS);
  });
  try {
    const outcome = await Promise.race([work, timeout]);
    if (outcome === "timeout") {
      work.catch(() => undefined); // settles later; nothing waits for it
      return { ...none, byReference: reference !== undefined, timedOut: true };
    }
    return { cases: outcome, byReference: reference !== undefined, timedOut: false, failed: false };
  } catch (error) {
    // The directory results still go back; the person can search cases again.
    log.warn({ err: { name: (error as Error).name, message: (error as Error).message } }, "Case search for the message extension failed");
    return { ...none, byReference: reference !== undefined, failed: true };
  } finally {
    clearTimeout(timer);
  }
}

async function search(context: TurnContext, deps: BotDeps, query: { count: number; skip: number; parameters: Record<string, unknown> }): Promise<MessagingExtensionResult> {
  const log = turnLog(context, deps.log);
  const identified = identify(context, deps.config);
  if (!identified.ok) {
    log.warn({ activityType: context.activity.type }, "Refused a message extension search from an unidentified user or tenant");
    return { type: "message", text: identified.refusal };
  }
  const caller = identified.caller;
  const { text, skip, count } = QuerySchema.parse({ text: query.parameters.query, skip: query.skip, count: query.count });

  const entries = text === "" ? deps.signposting.featured(MAX_RESULTS) : deps.signposting.search(text, MAX_RESULTS).matches.map((m) => m.entry);
  const found = await findCases(deps, log, caller, text);
  const today = todayFor(deps);
  const caseResults = found.cases.map((c) => caseResult(c, today));
  const entryResults = entries.map(entryResult);
  // A reference is an exact ask: the case first. Words: the directory first, then cases.
  const all = found.byReference ? [...caseResults, ...entryResults] : [...entryResults, ...caseResults];
  const fitting = all.filter((attachment) => Buffer.byteLength(JSON.stringify(attachment)) <= MAX_RESULT_BYTES);
  const page = fitting.slice(skip, skip + Math.min(count, MAX_RESULTS));

  // Counts and ids only: the query may name a patient.
  log.info(
    {
      directoryResults: entries.length,
      caseResults: found.cases.length,
      caseSearchTimedOut: found.timedOut,
      caseSearchFailed: found.failed,
      tooLarge: all.length - fitting.length,
      returned: page.length,
      emptyQuery: text === "",
    },
    "Message extension search",
  );
  return { type: "result", attachmentLayout: "list", attachments: page };
}

/** The search message extension: signposting entries for anyone in the trust, and cases for PALS staff. */
export function registerMessageExtension(app: Application, deps: BotDeps): void {
  app.messageExtensions.query(SEARCH_COMMAND_ID, async (context, _state, query) => search(context, deps, query));
}
