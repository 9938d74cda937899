// `you said we did [period] [division]` (or `yswd`): themes raised and the actions completed for them, in words a
// trust can publish, with the CSV behind a button. Managers and admins only (the application layer checks again).
import { parseYouSaidWeDid } from "../reports/commands";
import { trustNameOf } from "../../config";
import { formatPlainDate, isEmptySummary, LOOKING_AT_THIS, periodTitle, YouSaidWeDidRequestSchema, type YouSaidWeDid } from "../../domain";
import { say, tell, tellRefused, todayFor } from "../caller";
import { expandCard } from "../cards";
import type { TeamsDeps } from "../deps";
import { sendFile } from "../reports/files";
import { manager } from "../reports/reports";
import type { BotRoutes, Turn } from "../sdk/turn";
import { fromApp, said } from "../text";

/** Actions shown on the card at most, and their words in all: the card stays well under Teams' 80 KB; the CSV has every one. */
export const CARD_ACTION_LIMIT = 30;
const CARD_TEXT_BUDGET = 40_000;

export interface YouSaidWeDidCardOptions {
  readonly today: string;
  readonly trustName?: string;
}

const times = (n: number) => (n === 1 ? "once" : n === 2 ? "twice" : `${n} times`);

/** The card: each theme with how often it was raised, and under it what was done (or that we are looking at it). */
export function youSaidWeDidCard(summary: YouSaidWeDid, options: YouSaidWeDidCardOptions): Record<string, unknown> {
  let shown = 0;
  let words = 0;
  const themes = summary.themes.map((t) => {
    const actions = [];
    for (const a of t.actions) {
      const size = a.description.length + a.evidence.length;
      if (shown >= CARD_ACTION_LIMIT || words + size > CARD_TEXT_BUDGET) break;
      shown += 1;
      words += size;
      actions.push({ description: a.description, evidence: a.evidence, place: `${a.division} · ${a.month}` });
    }
    return {
      heading: `You said: ${t.title}`,
      raised: t.raised > 0 ? `Raised ${times(t.raised)} in concerns and complaints in this period.` : "Raised before this period.",
      looking: t.actions.length === 0 ? LOOKING_AT_THIS : "",
      actions,
    };
  });
  const notes = [
    ...(shown < summary.done ? [`Showing ${shown} of the ${summary.done} actions completed: choose Download as CSV for them all.`] : []),
    ...(summary.cut ? ["There were too many cases with actions to read them all: some completed actions may be missing. Choose a shorter period."] : []),
  ];
  return expandCard("youSaidWeDid", {
    title: "You said, we did",
    subtitle: [periodTitle(summary.period), summary.division, options.trustName].filter(Boolean).join(" · "),
    intro: "What people raised with us in concerns and complaints (by KO41a subject), and what we changed as a result. No patient details: ready to share.",
    facts: [
      { title: "Concerns and complaints received", value: String(summary.received) },
      { title: "Actions completed", value: String(summary.done) },
    ],
    themes,
    note: notes.join(" "),
    footer: `Worked out on ${formatPlainDate(options.today)}. Action texts are shown as written, with any names, NHS numbers and case references removed: read them before you publish. The CSV file comes in your personal chat.`,
    request: { from: summary.period.from, to: summary.period.to, ...(summary.division ? { division: summary.division } : {}) },
  });
}

async function youSaidWeDidCommand(turn: Turn, deps: TeamsDeps, rest: string): Promise<void> {
  const caller = await manager(turn, "you said we did");
  if (!caller) return;
  const command = parseYouSaidWeDid(rest, todayFor(deps));
  if (command.kind === "problem") return turn.send(command.message);
  const result = await deps.desk.reports.youSaidWeDid(caller, command.period, command.division);
  if (!result.ok) return tellRefused(turn, result, "Division not found");
  const { summary } = result;
  turn.log.info(
    { from: summary.period.from, to: summary.period.to, byDivision: summary.division !== undefined, themes: summary.themes.length, actions: summary.done },
    "You said, we did shown",
  );
  if (isEmptySummary(summary)) {
    const where = summary.division ? said` in ${summary.division}` : [];
    return say(turn, [
      ...said`Nothing to show for ${periodTitle(summary.period)}`,
      ...where,
      ...said`: no concerns or complaints were received and no actions were completed. Try a longer period, for example **you said we did last 12 months**.`,
    ]);
  }
  await turn.sendCard(youSaidWeDidCard(summary, { today: result.today, trustName: trustNameOf(deps.config, caller.trustId) }));
}

/** "Download as CSV": the request comes back from the card, so it is checked again (dates, division, role). */
async function fileAction(turn: Turn, deps: TeamsDeps, data: unknown): Promise<void> {
  const caller = await manager(turn, "yswd.file");
  if (!caller) return;
  const parsed = YouSaidWeDidRequestSchema.safeParse(data);
  if (!parsed.success) return tell(turn, "Not available", "That button could not be read. Type **you said we did** to start again.");
  const delivery = await sendFile(turn, deps, caller, { kind: "you-said-we-did", ...parsed.data });
  if (delivery.ok) await turn.answerMessage(delivery.text);
  // The reason may repeat the division the card sent back.
  else await tell(turn, delivery.title, fromApp(delivery.text));
}

export function registerYouSaidWeDid(routes: BotRoutes, deps: TeamsDeps): void {
  routes.command(/^(?:you said,? we did|yswd)\b/i, (turn, rest) => youSaidWeDidCommand(turn, deps, rest));
  routes.verb("yswd.file", (turn, data) => fileAction(turn, deps, data));
}
