// Investigation requests: "Ask a clinical lead" on the case card, the lead's answer (or request for more
// time) on the request card, the officer's decision on more time, and replies in the request's thread.
import { z } from "zod";
import type { OpenRequest } from "../../cases";
import { formatPlainDate, may, UPHELD_VIEWS, type Caller, type Case, type InvestigationRequest, type UpheldView } from "../../domain";
import { callerOrRefuse, say, submissionKey, tell, tellRefused } from "../caller";
import { answerCaseChange, CaseIdData, refuseUnreadForm, submissionOf } from "../cases/caseCard";
import type { TeamsDeps } from "../deps";
import { investigationRequestCard, requestRefreshIds, type RequestViewer } from "./investigationCards";
import { tooLongToSave, typedInputs, typedText } from "../invoke";
import { channelOf } from "../alerts/nudges";
import type { BotRoutes, Turn } from "../sdk/turn";
import { fromApp, ours, said, type Message } from "../text";

const text = (max: number) => typedText(max);

const RequestIds = z.object({ caseId: z.string().uuid(), requestId: z.string().uuid() });
const NewRequest = z.object({
  caseId: z.string().uuid(),
  investigationDivision: text(200),
  investigationLead: text(64),
  investigationLeadId: text(64),
  investigationSummary: text(4000),
  investigationQuestions: text(4000),
  investigationDueOn: text(10),
  investigationIncludeNhsNumber: z.preprocess((value) => value === true || value === "true", z.boolean()),
});
const Answer = RequestIds.extend({
  findings: text(4000),
  actionsTaken: text(4000),
  learning: text(4000),
  upheldView: z.enum(UPHELD_VIEWS.map((v) => v.id) as [UpheldView, ...UpheldView[]]),
});
const MoreTime = RequestIds.extend({ newDueOn: text(10), reason: text(1000) });
/** The request card's inputs whose text is kept when an answer or a request for more time is refused. */
const REQUEST_FORM_INPUTS = ["findings", "actionsTaken", "learning", "upheldView", "newDueOn", "reason"] as const;
/** The request card's boxes by input id, as a refusal names them. */
const REQUEST_FORM_BOXES = { findings: "your findings", actionsTaken: "the actions taken", learning: "the learning", reason: "the reason" };

function viewerOf(caller: Caller): RequestViewer {
  return { aadObjectId: caller.actor.aadObjectId, isPalsStaff: may(caller.roles, "view-case") };
}

function cardFor(
  c: Case,
  request: InvestigationRequest,
  caller: Caller | undefined,
  extra: Parameters<typeof investigationRequestCard>[3] = {},
): Record<string, unknown> {
  return investigationRequestCard(c, request, caller ? viewerOf(caller) : undefined, { refreshUserIds: requestRefreshIds(request), ...extra });
}

/** "Ask a clinical lead" on the case card. */
async function request(turn: Turn, deps: TeamsDeps, data: unknown): Promise<void> {
  const caller = await callerOrRefuse(turn);
  if (!caller) return;
  const input = NewRequest.safeParse(data);
  if (!input.success) {
    const caseId = CaseIdData.safeParse(data);
    if (caseId.success) return refuseUnreadForm(turn, deps, caller, caseId.data.caseId, data, input.error);
    return tell(turn, "Case not found", "We couldn't find that case. The card may be out of date: type **case** and the reference to see it again.");
  }
  const form = input.data;
  const result = await deps.desk.investigations.requestInvestigation(
    submissionOf(turn, caller, form.caseId, "investigation.request", data),
    {
      division: form.investigationDivision,
      leadId: form.investigationLeadId || form.investigationLead,
      summary: form.investigationSummary,
      questions: form.investigationQuestions,
      dueOn: form.investigationDueOn || undefined,
      includeNhsNumber: form.investigationIncludeNhsNumber,
    },
    { teamsUserId: caller.teamsUserId },
  );
  if (!result.ok) {
    if (result.problem === "not-allowed" && result.view) return tell(turn, "Not available", fromApp(result.message));
    return answerCaseChange(turn, deps, caller, result, data, () => "");
  }
  const { lead, division, dueOn } = result.request;
  // The lead's name and the typed division stay plain text.
  const where = result.where === "channel" ? said` in the ${division} channel` : said` in ${lead.name}'s chat with PALS Desk`;
  const due = ours(`. It is due ${formatPlainDate(dueOn)}.`);
  const banner = result.sent
    ? [...said`Request sent to ${lead.name}`, ...where, ...due]
    : [...said`Request saved: it will be posted to ${lead.name}`, ...where, ...ours(" as soon as Teams takes it"), ...due];
  await answerCaseChange(turn, deps, caller, { ok: true, alreadyDone: false, view: result.view }, data, () => banner);
}

/** Everyone in the channel sees the request's new state; the shared copy holds no answer text. */
async function updateSharedRequestCard(turn: Turn, c: Case, request: InvestigationRequest): Promise<void> {
  if (turn.incoming.conversationType === "personal") return;
  await turn.updatePressedCard(cardFor(c, request, undefined));
}

type LeadAction = "answer" | "moreTime" | "accept" | "decline";

async function act(turn: Turn, deps: TeamsDeps, data: unknown, action: LeadAction): Promise<void> {
  const caller = await callerOrRefuse(turn);
  if (!caller) return;
  const ids = RequestIds.safeParse(data);
  if (!ids.success) return tell(turn, "Request not found", "We couldn't find that investigation request. The card may be out of date.");
  const draft = typedInputs(data, REQUEST_FORM_INPUTS);
  const s = { caller, caseId: ids.data.caseId, key: submissionKey(turn, `investigation.${action}`, data) };
  const opened = await deps.desk.investigations.openRequest(caller, ids.data.caseId, ids.data.requestId);
  if (!opened.ok) return tellRefused(turn, opened);
  const refuse = (message: Message) =>
    turn.answerCard(cardFor(opened.record.value, opened.request, caller, { banner: { text: message, style: "attention" }, draft }));

  let result: OpenRequest;
  if (action === "answer") {
    const answer = Answer.safeParse(data);
    if (!answer.success)
      return refuse(tooLongToSave(answer.error, REQUEST_FORM_BOXES) ?? "Write your findings and choose whether it should be upheld in your view.");
    const { findings, actionsTaken, learning, upheldView } = answer.data;
    result = await deps.desk.investigations.answer(s, ids.data.requestId, { findings, actions: actionsTaken, learning, upheldView });
  } else if (action === "moreTime") {
    const more = MoreTime.safeParse(data);
    if (!more.success) return refuse(tooLongToSave(more.error, REQUEST_FORM_BOXES) ?? "Choose a new date and give a reason.");
    result = await deps.desk.investigations.askForMoreTime(s, ids.data.requestId, { newDueOn: more.data.newDueOn, reason: more.data.reason });
  } else {
    result = await deps.desk.investigations.decideExtension(s, ids.data.requestId, action === "accept");
  }
  if (!result.ok) {
    if (!result.view) return refuse(fromApp(result.message));
    const latest = result.view.record.value;
    const request = latest.investigations?.find((r) => r.id === ids.data.requestId) ?? opened.request;
    return turn.answerCard(cardFor(latest, request, caller, { banner: { text: fromApp(result.message), style: "attention" }, draft }));
  }
  await updateSharedRequestCard(turn, result.record.value, result.request);
  const banner = {
    answer: "Thank you: your answer is on the case and the PALS officer has been told.",
    moreTime: "Asked for more time: the PALS officer will reply on this card.",
    accept: `More time agreed: now due ${formatPlainDate(result.request.dueOn)}.`,
    decline: `More time declined: still due ${formatPlainDate(result.request.dueOn)}.`,
  }[action];
  await turn.answerCard(cardFor(result.record.value, result.request, caller, { banner: { text: banner, style: "good" } }));
}

async function refresh(turn: Turn, deps: TeamsDeps, data: unknown): Promise<void> {
  const caller = await callerOrRefuse(turn);
  if (!caller) return;
  const ids = RequestIds.safeParse(data);
  if (!ids.success) return tell(turn, "Request not found", "We couldn't find that investigation request. The card may be out of date.");
  const opened = await deps.desk.investigations.openRequest(caller, ids.data.caseId, ids.data.requestId);
  if (!opened.ok) return tellRefused(turn, opened);
  await turn.answerCard(cardFor(opened.record.value, opened.request, caller));
}

/** `set division channel <division>`, in that division's channel. */
async function setDivisionChannel(turn: Turn, deps: TeamsDeps, division: string): Promise<void> {
  const caller = await callerOrRefuse(turn);
  if (!caller) return;
  const result = await deps.desk.directory.setDivisionChannel(caller, division, channelOf(turn));
  if (!result.ok) return result.problem === "not-allowed" ? tell(turn, "Not available", fromApp(result.message)) : say(turn, fromApp(result.message));
  // The division is what was typed: bold markdown only when it is inert, else the message goes as plain text.
  await say(turn, said`Done: investigation requests for **${result.division}** will start a thread in this channel, @mentioning the clinical lead.`);
}

/** The root activity id of a channel thread: Teams writes it into the conversation id. */
function threadRoot(turn: Turn): string | undefined {
  return turn.incoming.conversationType === "channel" ? /;messageid=(\d+|[\w-]+)$/.exec(turn.incoming.conversationId)?.[1] : undefined;
}

/** A reply in a request's thread that @mentions PALS Desk goes on the case timeline. */
async function threadReply(turn: Turn, deps: TeamsDeps): Promise<boolean> {
  const root = threadRoot(turn);
  if (!root) return false;
  const caller = await callerOrRefuse(turn);
  const note = turn.incoming.text.trim();
  const added = caller && note ? await deps.desk.investigations.addThreadReply(caller, { rootActivityId: root, messageId: turn.incoming.id }, note) : undefined;
  if (added) await turn.send(`Added to the timeline of ${added.reference}.`);
  else if (caller) await turn.send("Sorry, I didn't understand that. Type **help** to see what I can do.");
  return true;
}

export function registerInvestigations(routes: BotRoutes, deps: TeamsDeps): void {
  routes.command(/^set division channel\b/i, (turn, rest) => setDivisionChannel(turn, deps, rest));
  routes.verb("investigation.request", (turn, data) => request(turn, deps, data));
  routes.verb("investigation.refresh", (turn, data) => refresh(turn, deps, data));
  routes.verb("investigation.answer", (turn, data) => act(turn, deps, data, "answer"));
  routes.verb("investigation.moreTime", (turn, data) => act(turn, deps, data, "moreTime"));
  routes.verb("investigation.acceptExtension", (turn, data) => act(turn, deps, data, "accept"));
  routes.verb("investigation.declineExtension", (turn, data) => act(turn, deps, data, "decline"));
  // Tried after every command, so "@PALS Desk help" in a request thread still shows help.
  routes.message((turn) => threadReply(turn, deps));
}
