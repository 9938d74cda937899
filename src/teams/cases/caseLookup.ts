// `my cases`, `case <reference>` and `find <words or NHS number>`.
import { parseCaseQuery } from "../../cases";
import { callerOrRefuse, cardContext, say, tellRefused, todayFor, viewerOf } from "../caller";
import { caseCardFor, caseListCard } from "./caseView";
import type { TeamsDeps } from "../deps";
import type { BotRoutes, Turn } from "../sdk/turn";
import { fromApp } from "../text";

/** More than this and a list card gets too long to read (and to send). */
const LIST_LIMIT = 25;

async function myCases(turn: Turn, deps: TeamsDeps): Promise<void> {
  const caller = await callerOrRefuse(turn);
  if (!caller) return;
  const result = await deps.desk.cases.mine(caller, LIST_LIMIT);
  if (!result.ok) return tellRefused(turn, result);
  const { cases, total } = result;
  if (cases.length === 0) {
    await turn.send("You have no open cases. Type **new** to log a contact.");
    return;
  }
  const more = total > cases.length ? ` Showing the ${cases.length} due soonest; type **due** for what needs doing now.` : "";
  await turn.sendCard(
    caseListCard(cases, {
      title: "My open cases",
      intro: `${total} open case${total === 1 ? "" : "s"}, next deadline first.${more}`,
      today: todayFor(deps),
      roles: caller.roles,
    }),
  );
}

async function showCase(turn: Turn, deps: TeamsDeps, text: string): Promise<void> {
  const caller = await callerOrRefuse(turn);
  if (!caller) return;
  const result = await deps.desk.cases.openByReference(caller, text);
  if (!result.ok) {
    // The application layer's words repeat the (checked) reference; shown as typed if ever they hold more.
    if (result.problem === "not-found") await say(turn, fromApp(result.message));
    else await tellRefused(turn, result);
    return;
  }
  await turn.sendCard(caseCardFor(result.view, viewerOf(caller), cardContext(deps)));
}

async function find(turn: Turn, deps: TeamsDeps, text: string): Promise<void> {
  const caller = await callerOrRefuse(turn);
  if (!caller) return;
  const query = parseCaseQuery(text);
  if ("reference" in query && query.reference) return showCase(turn, deps, text);
  const result = await deps.desk.cases.find(caller, query, LIST_LIMIT + 1);
  if (!result.ok) {
    if (result.problem === "rule") await say(turn, fromApp(result.message));
    else await tellRefused(turn, result);
    return;
  }
  const { cases } = result;
  if (cases.length === 0) {
    await turn.send("No cases match. Try fewer words, or search by NHS number.");
    return;
  }
  await turn.sendCard(
    caseListCard(cases.slice(0, LIST_LIMIT), {
      title: "Cases found",
      intro:
        cases.length > LIST_LIMIT
          ? `More than ${LIST_LIMIT} cases match; the newest are shown. Add words to narrow it down.`
          : `${cases.length} case${cases.length === 1 ? "" : "s"} match, newest first.`,
      today: todayFor(deps),
      roles: caller.roles,
    }),
  );
}

export function registerCaseLookup(routes: BotRoutes, deps: TeamsDeps): void {
  routes.command(/^(my cases|mine|my open cases)$/i, (turn) => myCases(turn, deps));
  routes.command(/^case\b/i, (turn, rest) => showCase(turn, deps, rest));
  routes.command(/^(find|search)\b/i, (turn, rest) => find(turn, deps, rest));
}
