import type { Application } from "@microsoft/teams-ai";
import { CardFactory, MessageFactory, type TurnContext } from "botbuilder";
import { z } from "zod";
import { NEED_MAX_LENGTH } from "../domain";
import { callerOrRefuse } from "./caller";
import { normaliseCommandText } from "./commands";
import type { BotDeps } from "./deps";
import { CRISIS_BANNER, directoryCard, entryCard } from "./signpostingView";
import { turnLog } from "./turnLog";

/** Enough to choose from in a chat; the message extension shows more. */
const CHAT_RESULTS = 5;

const COMMAND = /^signpost(?:ing)?\b/i;

/** What the person typed after `signpost`: one line, capped. */
export const NeedSchema = z
  .string()
  .catch("")
  .transform((text) => text.replace(/\s+/g, " ").trim().slice(0, NEED_MAX_LENGTH));

async function signpost(context: TurnContext, deps: BotDeps, rawNeed: string): Promise<void> {
  // The directory is public information, but only for the trust's own staff.
  const caller = await callerOrRefuse(context, deps);
  if (!caller) return;
  const log = turnLog(context, deps.log);
  const need = NeedSchema.parse(rawNeed);
  if (need === "") {
    log.info({ entries: deps.signposting.entries.length }, "Signposting directory shown");
    await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(directoryCard(deps.signposting))));
    return;
  }
  const { crisis, matches } = deps.signposting.search(need, CHAT_RESULTS);
  // Ids and counts only: the need itself may describe a patient.
  log.info({ results: matches.length, crisis, ids: matches.map((m) => m.entry.id), wordCount: need.split(" ").length }, "Signposting search");
  if (matches.length === 0) {
    await context.sendActivity("Nothing in the directory matches that. Try other words, or type **signpost** on its own to see every organisation.");
    return;
  }
  const cards = matches.map((m, i) => CardFactory.adaptiveCard(entryCard(m.entry, { banner: crisis && i === 0 ? CRISIS_BANNER : undefined })));
  const intro = crisis
    ? "Someone may be at risk, so crisis support comes first."
    : `${matches.length === 1 ? "The best match" : `The ${matches.length} best matches`}, most relevant first. To record it on a case, use the case card's **Signpost** button.`;
  await context.sendActivity(MessageFactory.list(cards, intro));
}

/** `signpost <need>`: the best organisations for a need; `signpost` alone: the whole directory. */
export function registerSignposting(app: Application, deps: BotDeps): void {
  app.message(
    async (context) => COMMAND.test(normaliseCommandText(context.activity.text)),
    async (context) => signpost(context, deps, normaliseCommandText(context.activity.text).replace(COMMAND, "")),
  );
}
