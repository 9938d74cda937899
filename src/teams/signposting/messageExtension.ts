import { z } from "zod";
import { parseCaseQuery, searchWords } from "../../cases";
import { entryTitle, may, parseCaseReference, type Caller, type Case, type SignpostEntry } from "../../domain";
import { errorFacts } from "../../logger";
import { todayFor } from "../caller";
import type { TeamsDeps } from "../deps";
import type { BotRoutes, SearchAnswer, SearchQuery, SearchResult, Turn } from "../sdk/turn";
import { NeedSchema } from "./signposting";
import { caseShareCard, caseShareData, entryCard, entrySummary } from "./signpostingView";

/** The search command's id in appPackage/manifest.json (composeExtensions). */
export const SEARCH_COMMAND_ID = "searchDirectory";

/** Teams shows at most 25 results. */
const MAX_RESULTS = 25;
/** Teams gives an invoke 5 s; a slow case search is dropped so the directory results still arrive in time. */
const CASE_SEARCH_BUDGET_MS = 2000;
const CASE_RESULTS = 10;

const QuerySchema = z.object({
  text: NeedSchema,
  skip: z.coerce.number().int().min(0).max(500).catch(0),
  count: z.coerce.number().int().min(1).max(MAX_RESULTS).catch(MAX_RESULTS),
});

function entryResult(entry: SignpostEntry): SearchResult {
  return { card: entryCard(entry), preview: { title: entryTitle(entry), text: entrySummary(entry, 120) } };
}

/** A case as anyone in the chat may see it: no patient name, NHS number or summary, in the card or the preview. */
function caseResult(c: Case, today: string): SearchResult {
  const data = caseShareData(c, today);
  return {
    card: caseShareCard(c, today),
    preview: { title: data.reference, text: `${data.typeTitle} · ${data.statusTitle} · Next deadline: ${data.dueText}` },
  };
}

type CaseSearch = { readonly cases: readonly Case[]; readonly byReference: boolean; readonly timedOut: boolean; readonly failed: boolean };

/** Cases for staff who may search them: by reference, else by words; never longer than the budget. */
async function findCases(turn: Turn, deps: TeamsDeps, caller: Caller, text: string): Promise<CaseSearch> {
  const none: CaseSearch = { cases: [], byReference: false, timedOut: false, failed: false };
  if (text === "" || !may(caller.roles, "search-cases")) return none;
  const byReference = parseCaseReference(text) !== undefined;
  const query = byReference ? parseCaseQuery(text) : { words: searchWords(text) };
  if ("problem" in query || (!byReference && query.words.length === 0)) return none;
  const work = deps.desk.cases.find(caller, query, CASE_RESULTS).then((result) => (result.ok ? result.cases : []));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), CASE_SEARCH_BUDGET_MS);
  });
  try {
    const outcome = await Promise.race([work, timeout]);
    if (outcome === "timeout") {
      work.catch(() => undefined); // settles later; nothing waits for it
      return { ...none, byReference, timedOut: true };
    }
    return { cases: outcome, byReference, timedOut: false, failed: false };
  } catch (error) {
    // The directory results still go back; the person can search cases again.
    turn.log.warn({ err: errorFacts(error) }, "Case search for the message extension failed");
    return { ...none, byReference, failed: true };
  } finally {
    clearTimeout(timer);
  }
}

async function search(turn: Turn, deps: TeamsDeps, query: SearchQuery): Promise<SearchAnswer> {
  // Someone of a shared tenant in no trust still gets the directory, never a case.
  if (!turn.identified.ok && turn.identified.reason !== "no-trust") {
    turn.log.warn({ activityType: turn.incoming.type }, "Refused a message extension search from an unidentified user or tenant");
    return { kind: "message", text: turn.identified.refusal };
  }
  const caller = turn.identified.ok ? turn.identified.caller : undefined;
  const { text, skip, count } = QuerySchema.parse({ text: query.parameters.query, skip: query.skip, count: query.count });

  const entries = text === "" ? deps.signposting.featured(MAX_RESULTS) : deps.signposting.search(text, MAX_RESULTS).matches.map((m) => m.entry);
  const found = caller ? await findCases(turn, deps, caller, text) : { cases: [], byReference: false, timedOut: false, failed: false };
  const today = todayFor(deps);
  const caseResults = found.cases.map((c) => caseResult(c, today));
  const entryResults = entries.map(entryResult);
  // A reference is an exact ask: the case first. Words: the directory first, then cases.
  const all = found.byReference ? [...caseResults, ...entryResults] : [...entryResults, ...caseResults];
  const page = all.slice(skip, skip + Math.min(count, MAX_RESULTS));

  // Counts and ids only: the query may name a patient.
  turn.log.info(
    {
      directoryResults: entries.length,
      caseResults: found.cases.length,
      caseSearchTimedOut: found.timedOut,
      caseSearchFailed: found.failed,
      returned: page.length,
      emptyQuery: text === "",
    },
    "Message extension search",
  );
  return { kind: "results", results: page };
}

/** The search message extension: signposting entries for anyone in the trust, and cases for PALS staff. */
export function registerMessageExtension(routes: BotRoutes, deps: TeamsDeps): void {
  routes.search(SEARCH_COMMAND_ID, (turn, query) => search(turn, deps, query));
}
