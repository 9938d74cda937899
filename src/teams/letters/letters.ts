// Letter drafts from the case card ("Draft a letter"), and "Letter sent" on the timeline. Officers, managers and
// admins only; the case is always loaded in the caller's own trust, whatever the card says.
import { z } from "zod";
import { formatPlainDate, gapsIn, letterTitle, LetterKindSchema, may, type LetterKind } from "../../domain";
import { callerOrRefuse, cardContext, inPersonalChat, tell, tellRefused, todayFor } from "../caller";
import { expandCard, newSubmission } from "../cards";
import { answerCaseChange, submissionOf } from "../cases/caseCard";
import type { TeamsDeps } from "../deps";
import type { BotRoutes, Turn } from "../sdk/turn";
import { cardRuns, fromApp, ours, said } from "../text";

const LetterAction = z.object({ caseId: z.string().uuid(), letter: LetterKindSchema });

export interface LetterCardInput {
  readonly caseId: string;
  readonly reference: string;
  readonly letter: LetterKind;
  readonly text: string;
  /** Which template file the draft came from (the trust's own or the shipped default). */
  readonly source: string;
  /** The viewer may email it (a shared mailbox is set up and their role sends emails). */
  readonly canEmail?: boolean;
}

/** The draft as plain text runs, one per line (never markdown: the case's words are shown as typed). */
export function letterCard(input: LetterCardInput): Record<string, unknown> {
  const lines: { text: string; spacing: string }[] = [];
  let gap = false;
  for (const line of input.text.replace(/\r\n?/g, "\n").split("\n")) {
    if (line.trim() === "") {
      gap = lines.length > 0;
      continue;
    }
    lines.push({ text: line, spacing: gap ? "Medium" : "None" });
    gap = false;
  }
  const gaps = gapsIn(input.text);
  return expandCard("letter", {
    caseId: input.caseId,
    submission: newSubmission(),
    letter: input.letter,
    title: `${letterTitle(input.letter)}: draft`,
    subtitle: input.reference,
    // The gaps are taken from the filled letter, so they may hold what was typed: plain text runs.
    instructions: cardRuns([
      ...(gaps.length > 0
        ? [
            ...ours(`Fill in ${gaps.length === 1 ? "the gap" : `the ${gaps.length} gaps`} in square brackets (`),
            ...said`${gaps.join(", ")}`,
            ...ours(") and check every word. "),
          ]
        : ours("Check every word. ")),
      ...ours(
        "Press **Email it** to see it as it would go (on the trust's letterhead, from the PALS shared mailbox) before sending it. To post it instead, copy the text into the letterhead, send it as usual, then press **Letter sent** to record it on the timeline.",
      ),
    ]),
    gapsStyle: gaps.length > 0 ? "warning" : "accent",
    lines,
    source: `From the template ${input.source}.`,
    canEmail: input.canEmail === true,
  });
}

/** The filled draft, or undefined when the case or template stops it (the person has been told). */
async function draft(
  turn: Turn,
  deps: TeamsDeps,
  data: unknown,
): Promise<{ caseId: string; reference: string; letter: LetterKind; text: string; source: string; canEmail: boolean } | undefined> {
  const caller = await callerOrRefuse(turn);
  if (!caller) return undefined;
  const parsed = LetterAction.safeParse(data);
  if (!parsed.success) {
    turn.log.warn({ verb: "letter.draft" }, "Refused a letter action that could not be read");
    await tell(turn, "Not available", "That button could not be read. Open the case again and choose the letter.");
    return undefined;
  }
  const result = await deps.desk.cases.draftLetter(caller, parsed.data.caseId, parsed.data.letter, caller.actor.name);
  if (!result.ok) {
    if (result.view) await answerCaseChange(turn, deps, caller, result, data, () => "");
    else if (result.problem === "rule") await tell(turn, "Letter template problem", fromApp(result.message));
    else await tellRefused(turn, result);
    return undefined;
  }
  const c = result.record.value;
  const canEmail = cardContext(deps).emailFor(c.trustId) && may(caller.roles, "send-email", c) && !c.anonymisedOn;
  return { caseId: c.id, reference: c.reference, letter: parsed.data.letter, text: result.text, source: result.source, canEmail };
}

async function draftLetter(turn: Turn, deps: TeamsDeps, data: unknown): Promise<void> {
  const result = await draft(turn, deps, data);
  if (!result) return;
  await turn.answerCard(letterCard(result));
}

/** The same draft as a chat message, which every Teams client can copy from; personal chats only. */
async function postPlainText(turn: Turn, deps: TeamsDeps, data: unknown): Promise<void> {
  if (!inPersonalChat(turn)) {
    await tell(
      turn,
      "Only in your personal chat",
      "Letters are posted as text only in your personal chat with PALS Desk, so nobody else sees them. Open the case there.",
    );
    return;
  }
  const result = await draft(turn, deps, data);
  if (!result) return;
  await turn.sendPlainText(result.text);
  turn.log.info({ caseId: result.caseId, letter: result.letter }, "Letter draft posted as text");
  await turn.answerMessage("The draft is below as plain text.");
}

async function letterSent(turn: Turn, deps: TeamsDeps, data: unknown): Promise<void> {
  const caller = await callerOrRefuse(turn);
  if (!caller) return;
  const parsed = LetterAction.safeParse(data);
  if (!parsed.success) {
    turn.log.warn({ verb: "letter.sent" }, "Refused a letter action that could not be read");
    await tell(turn, "Not available", "That button could not be read. Open the case again and draft the letter.");
    return;
  }
  const { caseId, letter } = parsed.data;
  const result = await deps.desk.cases.recordLetterSent(submissionOf(turn, caller, caseId, "letter.sent", data), letter);
  if (!result.ok && result.problem === "not-allowed") return tellRefused(turn, result);
  await answerCaseChange(turn, deps, caller, result, data, (c) => {
    const acknowledgementHint =
      letter === "acknowledgement" && !c.deadlines.acknowledgedOn ? " Record the date it went with **Record acknowledgement** too." : "";
    return `Recorded on the timeline: ${letterTitle(letter).toLowerCase()} sent ${formatPlainDate(todayFor(deps))}.${acknowledgementHint}`;
  });
}

export function registerLetters(routes: BotRoutes, deps: TeamsDeps): void {
  routes.verb("letter.draft", (turn, data) => draftLetter(turn, deps, data));
  routes.verb("letter.text", (turn, data) => postPlainText(turn, deps, data));
  routes.verb("letter.sent", (turn, data) => letterSent(turn, deps, data));
}
