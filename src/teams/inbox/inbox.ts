// The PALS inbox in Teams: `inbox`, `set inbox channel`, and the triage card's buttons (log as contact, add to a
// case, not a case, I'll take it). Each press is checked against the presser's role and the email as it now is;
// the card is then redrawn for everyone in the channel.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { NotACaseReasonSchema, type Caller, type InboxEmail } from "../../domain";
import { callerOrRefuse, inPersonalChat, say, tell, tellRefused, todayFor } from "../caller";
import type { Result } from "../../cases/results";
import type { TeamsDeps } from "../deps";
import { blankForm, contactForm } from "../cases/logContact";
import { channelOf } from "../alerts/nudges";
import { inboxListCard, triageCard } from "./inboxCards";
import type { BotRoutes, Turn } from "../sdk/turn";
import { fromApp, said } from "../text";

const EmailAction = z.object({ emailId: z.string().min(1).max(100) });
const AddAction = EmailAction.extend({ reference: z.string().max(40) });
const NotACaseAction = EmailAction.extend({ reason: NotACaseReasonSchema });

const NO_PERSONAL_CHAT =
  "PALS Desk can't write to you yet. Open PALS Desk once in a chat first: in Teams choose Apps, find PALS Desk, open it and send it any message, such as help. Then press Log as contact again.";

async function emailAction<T extends z.ZodTypeAny>(turn: Turn, schema: T, data: unknown): Promise<{ caller: Caller; input: z.infer<T> } | undefined> {
  const caller = await callerOrRefuse(turn);
  if (!caller) return undefined;
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    turn.log.warn({ verb: turn.incoming.invokeName }, "An inbox button's data could not be read");
    await tell(turn, "Not done", "This card is out of date. Type **inbox** to see the emails still to deal with.");
    return undefined;
  }
  return { caller, input: parsed.data as z.infer<T> };
}

/** Redraws the triage card for everyone: in place when pressed on it, else the inbox channel's copy is updated later. */
async function showEveryone(turn: Turn, deps: TeamsDeps, caller: Caller, email: InboxEmail, note?: string): Promise<void> {
  const card = triageCard(email);
  if (email.card && turn.incoming.replyToId === email.card.activityId && (await turn.updatePressedCard(card))) {
    // The shared card is redrawn for everyone; what is only for the presser goes beside it, not into it (the
    // presser's own copy would race the shared one's update).
    if (note) await turn.answerMessage(note);
    else await turn.answerCard(card);
    return;
  }
  if (!email.card || turn.incoming.replyToId !== email.card.activityId) await deps.desk.inbox.refreshTriageCard(caller, email.id);
  await turn.answerCard(note ? triageCard(email, { note }) : card);
}

/** A refusal shown on the card, redrawn as the email now stands (someone else may have dealt with it). */
async function refusedOnCard(turn: Turn, deps: TeamsDeps, caller: Caller, emailId: string, message: string, problem: string): Promise<void> {
  const now = await deps.desk.inbox.openEmail(caller, emailId);
  if (!now.ok || problem === "not-allowed" || problem === "not-found")
    return tellRefused(turn, { ok: false, problem: problem as "rule", message }, "Email not found");
  await turn.answerCard(triageCard(now.email, { note: message }));
}

/** A button that changes the email where it stands (take, not a case, add to a case): done, then redrawn for everyone. */
async function triage<T extends typeof EmailAction>(
  turn: Turn,
  deps: TeamsDeps,
  data: unknown,
  schema: T,
  act: (caller: Caller, input: z.infer<T>) => Promise<Result<{ readonly email: InboxEmail }>>,
): Promise<void> {
  const got = await emailAction(turn, schema, data);
  if (!got) return;
  const result = await act(got.caller, got.input);
  if (!result.ok) return refusedOnCard(turn, deps, got.caller, got.input.emailId, result.message, result.problem);
  await showEveryone(turn, deps, got.caller, result.email);
}

/** "Log as contact": the quick-capture form, filled in from the email, in the presser's own chat (it will hold patient details). */
async function logAsContact(turn: Turn, deps: TeamsDeps, data: unknown): Promise<void> {
  const got = await emailAction(turn, EmailAction, data);
  if (!got) return;
  const { caller, input } = got;
  const result = await deps.desk.inbox.contactPrefill(caller, input.emailId);
  if (!result.ok) return refusedOnCard(turn, deps, caller, input.emailId, result.message, result.problem);
  const form = withEmail(contactForm(randomUUID(), { ...blankForm(todayFor(deps)), ...result.values }, deps.config.rules.deadlines), input.emailId);
  if (inPersonalChat(turn)) {
    // Pressed on a card from `inbox`: the channel's card says who is dealing with it too.
    await deps.desk.inbox.refreshTriageCard(caller, input.emailId);
    await turn.answerCard(form);
    return;
  }
  const address = await deps.desk.directory.personalChat(caller);
  if (!address || !(await turn.sendCardTo(address, form))) {
    return refusedOnCard(
      turn,
      deps,
      caller,
      input.emailId,
      address ? "PALS Desk couldn't put the form in your chat just now. Try again in a minute." : NO_PERSONAL_CHAT,
      "rule",
    );
  }
  turn.log.info({ emailId: input.emailId }, "Contact form from an inbox email posted in the person's chat");
  await showEveryone(
    turn,
    deps,
    caller,
    result.email,
    "The form is in your chat with PALS Desk, filled in from this email. Check it there and press Log contact.",
  );
}

/** The form's Log contact button names the email it was filled from (the server reads the email itself). */
function withEmail(card: Record<string, unknown>, emailId: string): Record<string, unknown> {
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== "object") return;
    const n = node as Record<string, unknown>;
    if (n.type === "Action.Execute" && n.verb === "contact.submit") n.data = { ...(n.data as object | undefined), fromEmail: emailId };
    Object.values(n).forEach(visit);
  };
  visit(card);
  return card;
}

async function openEmail(turn: Turn, deps: TeamsDeps, data: unknown): Promise<void> {
  const got = await emailAction(turn, EmailAction, data);
  if (!got) return;
  const result = await deps.desk.inbox.openEmail(got.caller, got.input.emailId);
  if (!result.ok) return tellRefused(turn, result, "Email not found");
  await turn.answerCard(triageCard(result.email));
}

async function listInbox(turn: Turn, deps: TeamsDeps): Promise<void> {
  const caller = await callerOrRefuse(turn);
  if (!caller) return;
  const result = await deps.desk.inbox.listInbox(caller);
  if (!result.ok) return tellRefused(turn, result);
  await turn.sendCard(inboxListCard(result.emails, result.total, result.today));
}

/** `set inbox channel`, by a manager in the PALS team's (private) inbox channel. */
async function setInboxChannel(turn: Turn, deps: TeamsDeps): Promise<void> {
  const caller = await callerOrRefuse(turn);
  if (!caller) return;
  const result = await deps.desk.directory.setInboxChannel(caller, channelOf(turn));
  if (!result.ok) return result.problem === "not-allowed" ? tell(turn, "Not available", fromApp(result.message)) : say(turn, fromApp(result.message));
  await say(
    turn,
    said`Done: each new email to the PALS inbox will get a card in this channel, to log, add to a case or set aside. Keep this a private channel of the PALS team: the cards show what the email says. Set by ${caller.actor.name}.`,
  );
}

export function registerInbox(routes: BotRoutes, deps: TeamsDeps): void {
  routes.command(/^(inbox|emails?)$/i, (turn) => listInbox(turn, deps));
  routes.command(/^set inbox channel$/i, (turn) => setInboxChannel(turn, deps));
  routes.verb("inbox.open", (turn, data) => openEmail(turn, deps, data));
  routes.verb("inbox.log", (turn, data) => logAsContact(turn, deps, data));
  routes.verb("inbox.add", (turn, data) =>
    triage(turn, deps, data, AddAction, (caller, input) => deps.desk.inbox.addToCase(caller, input.emailId, input.reference)),
  );
  routes.verb("inbox.notACase", (turn, data) =>
    triage(turn, deps, data, NotACaseAction, (caller, input) => deps.desk.inbox.notACase(caller, input.emailId, input.reason)),
  );
  routes.verb("inbox.take", (turn, data) => triage(turn, deps, data, EmailAction, (caller, input) => deps.desk.inbox.take(caller, input.emailId)));
}
