// Letter drafts from the case card ("Letters"), and "Letter sent" on the timeline. Officers, managers and
// admins only; the case is always loaded in the caller's own trust, whatever the card says.
import { randomUUID } from "node:crypto";
import type { Application } from "@microsoft/teams-ai";
import type { TurnContext } from "botbuilder";
import { z } from "zod";
import {
  eventFrom,
  fillLetter,
  formatPlainDate,
  letterDraftRefusal,
  letterTitle,
  letterView,
  LetterKindSchema,
  may,
  recordLetterSent,
  refusal,
  type Case,
  type CaseVerb,
  type LetterKind,
  type Versioned,
} from "../domain";
import { LetterTemplateFileError, LetterTemplates } from "../store/letterTemplates";
import { callerOrRefuse, tell, todayFor } from "./caller";
import { expandCard } from "./cards";
import { caseCardFor } from "./caseCard";
import type { BotDeps } from "./deps";
import type { Caller } from "./identity";
import { answerWithCard, answerWithMessage } from "./invoke";
import { turnLog } from "./turnLog";

const LetterAction = z.object({ caseId: z.string().uuid(), letter: LetterKindSchema });

/** Placeholders the officer still has to fill in, e.g. "[response date]". */
export function gapsIn(text: string): string[] {
  return [...new Set(text.match(/\[[^\]\n]{1,80}\]/g) ?? [])];
}

export interface LetterCardInput {
  readonly caseId: string;
  readonly reference: string;
  readonly letter: LetterKind;
  readonly text: string;
  /** Which template file the draft came from (the trust's own or the shipped default). */
  readonly source: string;
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
    letter: input.letter,
    title: `${letterTitle(input.letter)}: draft`,
    subtitle: input.reference,
    instructions:
      (gaps.length > 0 ? `Fill in ${gaps.length === 1 ? "the gap" : `the ${gaps.length} gaps`} in square brackets (${gaps.join(", ")}) and check every word. ` : "Check every word. ") +
      "Copy the text into the trust's letterhead and send it as usual; PALS Desk doesn't send it. Then press **Letter sent** to record it on the timeline.",
    gapsStyle: gaps.length > 0 ? "warning" : "accent",
    lines,
    source: `From the template ${input.source}.`,
  });
}

async function loadCase(context: TurnContext, deps: BotDeps, caller: Caller, caseId: string, verb: CaseVerb): Promise<Versioned<Case> | undefined> {
  const log = turnLog(context, deps.log);
  const found = await deps.cases.get(caller.tenantId, caseId);
  if (!found) {
    log.warn({ verb }, "Letter action for a case not found in the caller's trust");
    await tell(context, "Case not found", "We couldn't find that case. The card may be out of date: type **case** and the reference to see it again.");
    return undefined;
  }
  if (!may(caller.roles, "view-case", found.value) || !may(caller.roles, verb, found.value)) {
    log.warn({ caseId: found.value.id, verb }, "Refused a letter action the caller's role does not allow");
    await tell(context, "Not available", refusal(may(caller.roles, "view-case", found.value) ? verb : "view-case", found.value, caller.roles));
    return undefined;
  }
  return found;
}

/** The filled draft, or undefined when the case or template stops it (the person has been told). */
async function draft(context: TurnContext, deps: BotDeps, data: unknown): Promise<{ caller: Caller; c: Case; letter: LetterKind; text: string; source: string } | undefined> {
  const caller = await callerOrRefuse(context, deps);
  if (!caller) return undefined;
  const parsed = LetterAction.safeParse(data);
  if (!parsed.success) {
    turnLog(context, deps.log).warn({ verb: "letter.draft" }, "Refused a letter action that could not be read");
    await tell(context, "Not available", "That button could not be read. Open the case again and choose the letter.");
    return undefined;
  }
  const loaded = await loadCase(context, deps, caller, parsed.data.caseId, "draft-letter");
  if (!loaded) return undefined;
  const c = loaded.value;
  const notForThis = letterDraftRefusal(c);
  if (notForThis) {
    await answerWithCard(context, await caseCardFor(deps, caller, loaded, { banner: { text: notForThis, style: "attention" } }));
    return undefined;
  }
  const templates = new LetterTemplates(deps.config.letterTemplatesDir);
  let template: string;
  try {
    template = templates.get(parsed.data.letter);
  } catch (error) {
    if (!(error instanceof LetterTemplateFileError)) throw error;
    turnLog(context, deps.log).error({ letter: parsed.data.letter, err: { message: error.message } }, "Letter template could not be used");
    await tell(context, "Letter template problem", `${error.message} Ask your PALS Desk administrator to fix the file.`);
    return undefined;
  }
  const view = letterView(c, {
    today: todayFor(deps),
    officerName: caller.actor.name,
    trustName: deps.config.trustName,
    phso: deps.signposting.get("phso"),
    events: await deps.timeline.list(c.id),
  });
  const source = templates.fromTrust(parsed.data.letter) ? "your trust's letters folder" : "shipped with PALS Desk";
  return { caller, c, letter: parsed.data.letter, text: fillLetter(template, view), source: `${parsed.data.letter}.md (${source})` };
}

async function draftLetter(context: TurnContext, deps: BotDeps, data: unknown): Promise<void> {
  const result = await draft(context, deps, data);
  if (!result) return;
  turnLog(context, deps.log).info({ caseId: result.c.id, reference: result.c.reference, letter: result.letter, gaps: gapsIn(result.text).length }, "Letter drafted");
  await answerWithCard(context, letterCard({ caseId: result.c.id, reference: result.c.reference, letter: result.letter, text: result.text, source: result.source }));
}

/** The same draft as a chat message, which every Teams client can copy from; personal chats only. */
async function postPlainText(context: TurnContext, deps: BotDeps, data: unknown): Promise<void> {
  if (context.activity.conversation?.conversationType !== "personal") {
    await tell(context, "Only in your personal chat", "Letters are posted as text only in your personal chat with PALS Desk, so nobody else sees them. Open the case there.");
    return;
  }
  const result = await draft(context, deps, data);
  if (!result) return;
  await context.sendActivity({ type: "message", textFormat: "plain", text: result.text });
  turnLog(context, deps.log).info({ caseId: result.c.id, letter: result.letter }, "Letter draft posted as text");
  await answerWithMessage(context, "The draft is below as plain text.");
}

async function letterSent(context: TurnContext, deps: BotDeps, data: unknown): Promise<void> {
  const caller = await callerOrRefuse(context, deps);
  if (!caller) return;
  const parsed = LetterAction.safeParse(data);
  if (!parsed.success) {
    turnLog(context, deps.log).warn({ verb: "letter.sent" }, "Refused a letter action that could not be read");
    await tell(context, "Not available", "That button could not be read. Open the case again and draft the letter.");
    return;
  }
  const loaded = await loadCase(context, deps, caller, parsed.data.caseId, "draft-letter");
  if (!loaded) return;
  const ctx = { actor: caller.actor, now: deps.now() };
  const refused = letterDraftRefusal(loaded.value);
  if (refused) {
    await answerWithCard(context, await caseCardFor(deps, caller, loaded, { banner: { text: refused, style: "attention" } }));
    return;
  }
  const result = recordLetterSent(loaded.value, parsed.data.letter, ctx);
  await deps.timeline.append(eventFrom(result.event, loaded.value, ctx, randomUUID()));
  turnLog(context, deps.log).info({ caseId: loaded.value.id, reference: loaded.value.reference, letter: parsed.data.letter }, "Letter recorded as sent");
  const acknowledgementHint =
    parsed.data.letter === "acknowledgement" && !loaded.value.deadlines.acknowledgedOn ? " Record the acknowledgement date under **Deadlines** too." : "";
  await answerWithCard(
    context,
    await caseCardFor(deps, caller, loaded, {
      banner: { text: `Recorded on the timeline: ${letterTitle(parsed.data.letter).toLowerCase()} sent ${formatPlainDate(todayFor(deps))}.${acknowledgementHint}`, style: "good" },
    }),
  );
}

export function registerLetters(app: Application, deps: BotDeps): void {
  app.adaptiveCards.actionExecute("letter.draft", async (context, _state, data) => (await draftLetter(context, deps, data), ""));
  app.adaptiveCards.actionExecute("letter.text", async (context, _state, data) => (await postPlainText(context, deps, data), ""));
  app.adaptiveCards.actionExecute("letter.sent", async (context, _state, data) => (await letterSent(context, deps, data), ""));
}
