// Reading cases: one case, its timeline, the caller's own cases, what is due, and search. Every read is
// within the caller's trust and checked against their role.
import {
  addWorkingDays,
  canSeeSafeguardingDetail,
  digestItem,
  formatCaseReference,
  isValidNhsNumber,
  londonDate,
  may,
  normaliseNhsNumber,
  parseCaseReference,
  refusal,
  sortDigest,
  type Caller,
  type Case,
  type CaseEvent,
  type CaseSummary,
  type CaseVerb,
  type DigestItem,
} from "../domain";
import { activityLog } from "../logger";
import { rulesOf, type CaseDeskDeps } from "./deps";
import { CASE_NOT_FOUND, refused, type CaseView, type Result } from "./results";
import { caseViewFor } from "./views";

function allowed(deps: CaseDeskDeps, caller: Caller, verb: CaseVerb, c?: Case): ReturnType<typeof refused> | undefined {
  if (may(caller.roles, verb, c)) return undefined;
  activityLog(deps.log).warn({ verb, ...(c ? { caseId: c.id } : {}) }, "Refused a request the caller's role does not allow");
  return refused("not-allowed", refusal(verb, c, caller.roles));
}

/** One case by its id (a card's button). */
export async function openCase(deps: CaseDeskDeps, caller: Caller, caseId: string): Promise<Result<{ readonly view: CaseView }>> {
  const record = await deps.cases.get(caller.trustId, caseId);
  if (!record) {
    activityLog(deps.log).warn("Case card action for a case not found in the caller's trust");
    return refused("not-found", CASE_NOT_FOUND);
  }
  return allowed(deps, caller, "view-case", record.value) ?? { ok: true, view: await caseViewFor(deps, caller, record) };
}

/** One case by the reference people say and type ("PALS-2026-000123", "pals 2026 123"). */
export async function openByReference(deps: CaseDeskDeps, caller: Caller, text: string): Promise<Result<{ readonly view: CaseView }>> {
  const notAllowed = allowed(deps, caller, "view-case");
  if (notAllowed) return notAllowed;
  const parsed = parseCaseReference(text);
  if (!parsed) return refused("not-found", "Type **case** and a reference, for example **case PALS-2026-000123**.");
  const reference = formatCaseReference(parsed.year, parsed.sequence);
  const record = await deps.cases.findByReference(caller.trustId, reference);
  if (!record) return refused("not-found", `There is no case ${reference}. Check the reference, or type **find** and a name or NHS number to search.`);
  return allowed(deps, caller, "view-case", record.value) ?? { ok: true, view: await caseViewFor(deps, caller, record) };
}

/** The case's timeline, oldest first, with what a change has saved but not yet written to the timeline. */
export async function timeline(
  deps: CaseDeskDeps,
  caller: Caller,
  caseId: string,
): Promise<Result<{ readonly c: Case; readonly events: readonly CaseEvent[] }>> {
  const record = await deps.cases.get(caller.trustId, caseId);
  if (!record) return refused("not-found", CASE_NOT_FOUND);
  const notAllowed = allowed(deps, caller, "view-timeline", record.value);
  if (notAllowed) return notAllowed;
  const stored = await deps.timeline.list(caseId);
  const ids = new Set(stored.map((e) => e.id));
  const pending = record.pending.flatMap((f) => f.events).filter((e) => !ids.has(e.id));
  const events = [...stored, ...pending].sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
  return { ok: true, c: record.value, events };
}

/** `my cases`: the caller's open cases, next deadline first (cases with none last), at most `limit`, and how many in all. */
export async function myCases(
  deps: CaseDeskDeps,
  caller: Caller,
  limit: number,
): Promise<Result<{ readonly cases: readonly CaseSummary[]; readonly total: number }>> {
  return allowed(deps, caller, "list-my-cases") ?? { ok: true, ...(await deps.cases.listOpenByOwner(caller.trustId, caller.actor.aadObjectId, { limit })) };
}

/** The most cases `due` lists: a card longer than this is not read (the total is still given). */
const DUE_LIMIT = 50;

/** `due`: the caller's cases that are overdue or due in the next 2 working days (the morning digest on demand). */
export async function due(
  deps: CaseDeskDeps,
  caller: Caller,
): Promise<Result<{ readonly items: readonly DigestItem[]; readonly total: number; readonly today: string }>> {
  const notAllowed = allowed(deps, caller, "list-my-cases");
  if (notAllowed) return notAllowed;
  const today = londonDate(deps.now());
  const window = rulesOf(deps).nudgeWindowWorkingDays;
  const dueBy = addWorkingDays(today, window);
  const { cases, total } = await deps.cases.listOpenByOwner(caller.trustId, caller.actor.aadObjectId, { limit: DUE_LIMIT, dueBy });
  return { ok: true, items: sortDigest(cases.flatMap((c) => digestItem(c, today, window) ?? [])), total, today };
}

/** What a search was for, with counts only (the words may name a patient). */
export interface CaseQuery {
  readonly reference?: string;
  readonly nhsNumber?: string;
  readonly words: readonly string[];
}

/** Words to search for: letters and digits, two or more characters, at most eight. */
export function searchWords(text: string): string[] {
  return text
    .toLowerCase()
    .split(/\s+/)
    .map((word) => word.replace(/[^\p{L}\p{N}'-]/gu, ""))
    .filter((word) => word.length >= 2)
    .slice(0, 8);
}

/** Reads what was typed after `find`: a reference, a (checked) NHS number, or words. */
export function parseCaseQuery(text: string): CaseQuery | { readonly problem: string } {
  const parsed = parseCaseReference(text);
  if (parsed) return { reference: formatCaseReference(parsed.year, parsed.sequence), words: [] };
  const compact = normaliseNhsNumber(text);
  if (/^\d{10}$/.test(compact)) {
    return isValidNhsNumber(compact) ? { nhsNumber: compact, words: [] } : { problem: "That NHS number is not valid: check the 10 digits and try again." };
  }
  const words = searchWords(text);
  if (words.length === 0) return { problem: "Type **find** and some words, a name or an NHS number, for example **find call bell ward 7**." };
  return { words };
}

/** Cases matching a query (newest first), at most `limit`; a query that could not be read is refused with what to type. */
export async function findCases(
  deps: CaseDeskDeps,
  caller: Caller,
  query: CaseQuery | { readonly problem: string },
  limit: number,
): Promise<Result<{ readonly cases: readonly Case[] }>> {
  const notAllowed = allowed(deps, caller, "search-cases");
  if (notAllowed) return notAllowed;
  if ("problem" in query) return refused("rule", query.problem);
  if (query.reference) {
    const found = await deps.cases.findByReference(caller.trustId, query.reference);
    return { ok: true, cases: found ? [found.value] : [] };
  }
  const seesSafeguardingDetail = canSeeSafeguardingDetail(caller.roles);
  const cases = await deps.cases.search({ trustId: caller.trustId, words: query.words, nhsNumber: query.nhsNumber, seesSafeguardingDetail, limit });
  activityLog(deps.log).info({ results: cases.length, byNhsNumber: query.nhsNumber !== undefined, wordCount: query.words.length }, "Case search");
  return { ok: true, cases };
}
