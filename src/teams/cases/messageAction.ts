// "Log as a PALS contact" on any Teams message (a message action: an email sent to the PALS channel, a chat from a
// ward): a small dialog shows what will be filled in, then the quick-capture form, filled in from the message, is
// posted in the officer's own chat with PALS Desk (never in the channel: it holds patient details). Logging it keeps
// the original text and link on the case's timeline (src/domain/case/messageSource.ts).
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { contactPrefill, formatPlainDate, may, messageSourceFromPayload, MessageSourceSchema, refusal, type Caller, type MessageSource } from "../../domain";
import { todayFor } from "../caller";
import { expandCard } from "../cards";
import type { TeamsDeps } from "../deps";
import { blankForm, contactForm } from "./logContact";
import type { BotRoutes, MessageActionRequest, TaskAnswer, Turn } from "../sdk/turn";

/** The message action's id in appPackage/manifest.json (composeExtensions). */
export const LOG_MESSAGE_COMMAND_ID = "logMessageAsContact";

/** The dialog shows the start of the summary; the form has all of it. */
const PREVIEW_LIMIT = 500;

const NO_PERSONAL_CHAT =
  "PALS Desk can't write to you yet. Open PALS Desk once in a chat first: in Teams choose Apps, find PALS Desk, open it and send it any message, such as help. Then choose Log as a PALS contact on this message again.";

const FetchSchema = z.object({ commandContext: z.literal("message"), messagePayload: z.unknown() });
/** The dialog card's button sends back the message as the dialog showed it (checked again: card data can be forged). */
const SubmitSchema = z.object({ data: z.object({ messageSource: MessageSourceSchema }) });

const message = (text: string): TaskAnswer => ({ kind: "message", text });

/** The officer, when they may log contacts; otherwise the plain refusal the dialog shows. */
function loggerOf(turn: Turn): { caller: Caller } | { refused: TaskAnswer } {
  if (!turn.identified.ok) {
    turn.log.warn({ invoke: turn.incoming.invokeName }, "Refused a message action from an unidentified user or tenant");
    return { refused: message(turn.identified.refusal) };
  }
  const { caller } = turn.identified;
  if (!may(caller.roles, "log-contact")) {
    turn.log.info({ invoke: turn.incoming.invokeName }, "Refused a message action: the person's role does not log contacts");
    return { refused: message(refusal("log-contact", undefined, caller.roles).replace(/\*\*/g, "")) };
  }
  return { caller };
}

function clipped(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/** The dialog: what the form will hold, and the button that posts it in the officer's chat. */
export function messageContactCard(source: MessageSource): Record<string, unknown> {
  const prefill = contactPrefill(source);
  const card = expandCard("messageContact", {
    receivedText: formatPlainDate(prefill.receivedOn),
    routeText: source.viaEmail ? "Email (sent to the channel's email address)" : "Not filled in: choose it on the form",
    summaryPreview: clipped(source.text, PREVIEW_LIMIT),
    keptText: `The message's full text${source.link ? " and a link back to it" : ""} will be kept on the case's timeline.`,
  });
  for (const action of (card.actions ?? []) as Record<string, unknown>[]) {
    if (action.type === "Action.Submit") action.data = { ...(action.data as object), messageSource: { ...source } };
  }
  return card;
}

async function openDialog(turn: Turn, deps: TeamsDeps, request: MessageActionRequest): Promise<TaskAnswer> {
  const who = loggerOf(turn);
  if ("refused" in who) return who.refused;
  const parsed = FetchSchema.safeParse(request);
  if (!parsed.success) return message("Choose Log as a PALS contact from a message's More actions (...) menu.");
  const result = messageSourceFromPayload(parsed.data.messagePayload, deps.now());
  if (!result.ok) {
    turn.log.info({ problem: result.problem }, "A message action found nothing to log");
    return message(
      result.problem === "no-text"
        ? "This message has no text PALS Desk can use. To log it anyway, type new in your chat with PALS Desk."
        : "PALS Desk couldn't read this message. To log it anyway, type new in your chat with PALS Desk.",
    );
  }
  // Checked now, so nobody fills anything in for a form that can't be delivered.
  if (!(await deps.desk.directory.personalChat(who.caller))) return message(NO_PERSONAL_CHAT);
  // Facts only: the message is patient data.
  turn.log.info(
    { viaEmail: result.source.viaEmail, hasLink: result.source.link !== undefined, textLength: result.source.text.length },
    "Message action opened",
  );
  return { kind: "card", title: "Log as a PALS contact", card: messageContactCard(result.source) };
}

async function postForm(turn: Turn, deps: TeamsDeps, request: MessageActionRequest): Promise<TaskAnswer> {
  const who = loggerOf(turn);
  if ("refused" in who) return who.refused;
  const parsed = SubmitSchema.safeParse(request);
  if (!parsed.success) {
    turn.log.warn("A message action was submitted without the message it was opened on");
    return message("Something in this dialog was not as PALS Desk sent it. Close it and choose Log as a PALS contact on the message again.");
  }
  const source = parsed.data.data.messageSource;
  const address = await deps.desk.directory.personalChat(who.caller);
  if (!address) return message(NO_PERSONAL_CHAT);
  const form = contactForm(randomUUID(), { ...blankForm(todayFor(deps)), ...contactPrefill(source) }, deps.config.rules.deadlines, {}, source);
  if (!(await turn.sendCardTo(address, form))) {
    return message(
      "PALS Desk couldn't put the form in your chat just now. Try again in a minute; if it keeps happening, open PALS Desk in a chat and type new.",
    );
  }
  turn.log.info({ viaEmail: source.viaEmail }, "Contact form from a message posted in the person's chat");
  // Said in the dialog (a "message" task, which Teams and the Agents Playground both show): the officer is in the
  // channel, not in the chat where the form went. An empty answer would close it silently in Teams, but the
  // Playground reports that as an invalid response.
  return message("The form is in your chat with PALS Desk, filled in from this message. Check it there and press Log contact.");
}

export function registerMessageAction(routes: BotRoutes, deps: TeamsDeps): void {
  routes.messageAction(LOG_MESSAGE_COMMAND_ID, {
    fetch: (turn, request) => openDialog(turn, deps, request),
    submit: (turn, request) => postForm(turn, deps, request),
  });
}
