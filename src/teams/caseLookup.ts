import type { Application } from "@microsoft/teams-ai";
import type { TurnContext } from "botbuilder";
import {
  formatCaseReference,
  isValidNhsNumber,
  may,
  normaliseNhsNumber,
  parseCaseReference,
  refusal,
  type Case,
  type CaseVerb,
} from "../domain";
import { callerOrRefuse, tell, todayFor } from "./caller";
import { caseCardFor } from "./caseCard";
import { caseListCard } from "./caseView";
import { normaliseCommandText } from "./commands";
import { cardMessage } from "./cards";
import type { BotDeps } from "./deps";
import type { Caller } from "./identity";
import { turnLog } from "./turnLog";

/** More than this and a list card gets too long to read (and to send). */
const LIST_LIMIT = 25;


async function allowed(context: TurnContext, deps: BotDeps, verb: CaseVerb): Promise<Caller | undefined> {
  const caller = await callerOrRefuse(context, deps);
  if (!caller) return undefined;
  if (!may(caller.roles, verb)) {
    turnLog(context, deps.log).warn({ verb }, "Refused a command the caller's role does not allow");
    await tell(context, "Not available", refusal(verb, undefined, caller.roles));
    return undefined;
  }
  return caller;
}

/** Open cases by the next deadline first; cases with no deadline last. */
export function byNextDeadline(a: Case, b: Case): number {
  return (a.nextDueOn ?? "9999-12-31").localeCompare(b.nextDueOn ?? "9999-12-31") || a.reference.localeCompare(b.reference);
}

async function myCases(context: TurnContext, deps: BotDeps): Promise<void> {
  const caller = await allowed(context, deps, "list-my-cases");
  if (!caller) return;
  const cases = (await deps.cases.listOpenByOwner(caller.tenantId, caller.actor.aadObjectId)).sort(byNextDeadline);
  if (cases.length === 0) {
    await context.sendActivity("You have no open cases. Type **new** to log a contact.");
    return;
  }
  const shown = cases.slice(0, LIST_LIMIT);
  const more = cases.length > shown.length ? ` Showing the first ${shown.length}.` : "";
  await context.sendActivity(
    cardMessage(
      caseListCard(shown, {
        title: "My open cases",
        intro: `${cases.length} open case${cases.length === 1 ? "" : "s"}, next deadline first.${more}`,
        today: todayFor(deps),
        roles: caller.roles,
      }),
    ),
  );
}

async function showCase(context: TurnContext, deps: BotDeps, text: string): Promise<void> {
  const caller = await allowed(context, deps, "view-case");
  if (!caller) return;
  const parsed = parseCaseReference(text);
  if (!parsed) {
    await context.sendActivity("Type **case** and a reference, for example **case PALS-2026-000123**.");
    return;
  }
  const reference = formatCaseReference(parsed.year, parsed.sequence);
  const found = await deps.cases.findByReference(caller.tenantId, reference);
  if (!found) {
    await context.sendActivity(`There is no case ${reference}. Check the reference, or type **find** and a name or NHS number to search.`);
    return;
  }
  await context.sendActivity(cardMessage(await caseCardFor(deps, caller, found)));
}

async function find(context: TurnContext, deps: BotDeps, text: string): Promise<void> {
  const caller = await allowed(context, deps, "search-cases");
  if (!caller) return;
  const reference = parseCaseReference(text);
  if (reference) return showCase(context, deps, text);
  const compact = normaliseNhsNumber(text);
  const nhsNumber = /^\d{10}$/.test(compact) ? compact : undefined;
  if (nhsNumber && !isValidNhsNumber(nhsNumber)) {
    await context.sendActivity("That NHS number is not valid: check the 10 digits and try again.");
    return;
  }
  const words = nhsNumber
    ? []
    : text
        .toLowerCase()
        .split(/\s+/)
        .map((word) => word.replace(/[^\p{L}\p{N}'-]/gu, ""))
        .filter((word) => word.length >= 2)
        .slice(0, 8);
  if (!nhsNumber && words.length === 0) {
    await context.sendActivity("Type **find** and some words, a name or an NHS number, for example **find call bell ward 7**.");
    return;
  }
  const cases = await deps.cases.search({ tenantId: caller.tenantId, words, nhsNumber, limit: LIST_LIMIT + 1 });
  turnLog(context, deps.log).info({ results: cases.length, byNhsNumber: nhsNumber !== undefined, wordCount: words.length }, "Case search");
  if (cases.length === 0) {
    await context.sendActivity("No cases match. Try fewer words, or search by NHS number.");
    return;
  }
  const shown = cases.slice(0, LIST_LIMIT);
  await context.sendActivity(
    cardMessage(
      caseListCard(shown, {
        title: "Cases found",
        intro: cases.length > LIST_LIMIT ? `More than ${LIST_LIMIT} cases match; the newest are shown. Add words to narrow it down.` : `${cases.length} case${cases.length === 1 ? "" : "s"} match, newest first.`,
        today: todayFor(deps),
        roles: caller.roles,
      }),
    ),
  );
}

export function registerCaseLookup(app: Application, deps: BotDeps): void {
  app.message(
    async (context) => /^(my cases|mine|my open cases)$/i.test(normaliseCommandText(context.activity.text)),
    async (context) => myCases(context, deps),
  );
  app.message(
    async (context) => /^case\b/i.test(normaliseCommandText(context.activity.text)),
    async (context) => showCase(context, deps, normaliseCommandText(context.activity.text).replace(/^case\b/i, "")),
  );
  app.message(
    async (context) => /^(find|search)\b/i.test(normaliseCommandText(context.activity.text)),
    async (context) => find(context, deps, normaliseCommandText(context.activity.text).replace(/^(find|search)\b/i, "").trim()),
  );
}
