import { z } from "zod";
import { NEED_MAX_LENGTH } from "../../domain";
import { visitorOrRefuse } from "../caller";
import type { TeamsDeps } from "../deps";
import type { BotRoutes, Turn } from "../sdk/turn";
import { CRISIS_BANNER, directoryCard, entryCard } from "./signpostingView";

/** Enough to choose from in a chat; the message extension shows more. */
const CHAT_RESULTS = 5;

/** What the person typed after `signpost`: one line, capped. */
export const NeedSchema = z
  .string()
  .catch("")
  .transform((text) => text.replace(/\s+/g, " ").trim().slice(0, NEED_MAX_LENGTH));

async function signpost(turn: Turn, deps: TeamsDeps, rawNeed: string): Promise<void> {
  // The directory is public information, for anyone in a tenant PALS Desk serves.
  if (!(await visitorOrRefuse(turn))) return;
  const need = NeedSchema.parse(rawNeed);
  if (need === "") {
    turn.log.info({ entries: deps.signposting.entries.length }, "Signposting directory shown");
    await turn.sendCard(directoryCard(deps.signposting));
    return;
  }
  const { crisis, matches } = deps.signposting.search(need, CHAT_RESULTS);
  // Ids and counts only: the need itself may describe a patient.
  turn.log.info({ results: matches.length, crisis, ids: matches.map((m) => m.entry.id), wordCount: need.split(" ").length }, "Signposting search");
  if (matches.length === 0) {
    await turn.send("Nothing in the directory matches that. Try other words, or type **signpost** on its own to see every organisation.");
    return;
  }
  const cards = matches.map((m, i) => entryCard(m.entry, { banner: crisis && i === 0 ? CRISIS_BANNER : undefined }));
  const intro = crisis
    ? "Someone may be at risk, so crisis support comes first."
    : `${matches.length === 1 ? "The best match" : `The ${matches.length} best matches`}, most relevant first. To record it on a case, use the case card's **Signpost** button.`;
  await turn.sendCards(cards, intro);
}

/** `signpost <need>`: the best organisations for a need; `signpost` alone: the whole directory. */
export function registerSignposting(routes: BotRoutes, deps: TeamsDeps): void {
  routes.command(/^signpost(?:ing)?\b/i, (turn, rest) => signpost(turn, deps, rest));
}
