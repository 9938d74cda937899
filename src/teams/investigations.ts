import { randomUUID } from "node:crypto";
import type { Application } from "@microsoft/teams-ai";
import { TurnContext } from "botbuilder";
import type { ConnectorClient } from "botframework-connector";
import { z } from "zod";
import {
  answerInvestigation,
  askForMoreTime,
  CaseChangedError,
  CaseRuleError,
  decideExtension,
  eventFrom,
  findInvestigation,
  formatPlainDate,
  may,
  recordDelivery,
  refusal,
  requestInvestigation,
  UPHELD_VIEWS,
  type ActionContext,
  type ActionResult,
  type Case,
  type ConversationAddress,
  type InvestigationRequest,
  type OutboxItem,
  type UpheldView,
  type Versioned,
} from "../domain";
import { callerOrRefuse, tell } from "./caller";
import { caseCardFor, draftFrom } from "./caseCard";
import { normaliseCommandText } from "./commands";
import { cardMessage } from "./cards";
import type { BotDeps } from "./deps";
import { rolesOf, type Caller } from "./identity";
import { investigationRequestCard, type RequestViewer } from "./investigationCards";
import { answerWithCard, typedInputs } from "./invoke";
import { turnLog } from "./turnLog";

/** Card inputs are strings; anything else is treated as empty. */
const text = (max: number) => z.preprocess((value) => (typeof value === "string" ? value.trim() : ""), z.string().max(max));
const EntraId = /^[0-9a-fA-F-]{8,64}$/;

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

function viewerOf(caller: Caller): RequestViewer {
  return { aadObjectId: caller.actor.aadObjectId, isPalsStaff: may(caller.roles, "view-case") };
}

/** The people whose card view refreshes automatically: the lead and the officer who asked. */
function refreshIds(request: InvestigationRequest): string[] {
  return [request.lead.teamsUserId, request.requestedBy.teamsUserId].filter((id): id is string => !!id);
}

function cardFor(c: Case, request: InvestigationRequest, caller: Caller | undefined, extra: Parameters<typeof investigationRequestCard>[3] = {}): Record<string, unknown> {
  return investigationRequestCard(c, request, caller ? viewerOf(caller) : undefined, { refreshUserIds: refreshIds(request), ...extra });
}

/** Creates a new thread in a channel: the turn's connector client works in local mode and with credentials alike. */
async function startChannelThread(context: TurnContext, channel: ConversationAddress, card: Record<string, unknown>): Promise<{ conversationId: string; activityId?: string }> {
  const client = context.turnState.get(context.adapter.ConnectorClientKey) as ConnectorClient;
  const created = await client.conversations.createConversation({
    isGroup: true,
    bot: { id: context.activity.recipient.id, name: context.activity.recipient.name ?? "PALS Desk" },
    channelData: { channel: { id: channel.conversationId } },
    activity: cardMessage(card) as never,
  } as never);
  return { conversationId: created.id ?? channel.conversationId, activityId: created.activityId };
}

async function sendToPersonalChat(context: TurnContext, deps: BotDeps, address: ConversationAddress, tenantId: string, card: Record<string, unknown>): Promise<string | undefined> {
  let activityId: string | undefined;
  await (context.adapter as unknown as { continueConversationAsync(appId: string, reference: object, logic: (ctx: TurnContext) => Promise<void>): Promise<void> }).continueConversationAsync(
    deps.config.bot?.appId ?? "",
    {
      channelId: address.channelId,
      serviceUrl: address.serviceUrl,
      bot: { id: address.botId ?? context.activity.recipient.id, name: "PALS Desk" },
      conversation: { id: address.conversationId, conversationType: "personal", tenantId, isGroup: false, name: "" },
    },
    async (proactive) => {
      activityId = (await proactive.sendActivity(cardMessage(card)))?.id;
    },
  );
  return activityId;
}

function queued(c: Case, id: string, target: OutboxItem["target"], payload: OutboxItem["payload"], now: Date): OutboxItem {
  return { id, tenantId: c.tenantId, target, payload, state: "pending", attempts: 0, nextAttemptAt: now.toISOString(), createdAt: now.toISOString() };
}

/** Applies a change to the case under its etag, records it on the timeline, and files it for reminders. */
async function saveChange(deps: BotDeps, caller: Caller, caseId: string, change: (c: Case) => ActionResult, ctx: ActionContext): Promise<Versioned<Case>> {
  let result: ActionResult | undefined;
  const saved = await deps.cases.update(caller.tenantId, caseId, (fresh) => {
    result = change(fresh);
    return result.updated;
  });
  await deps.timeline.append(eventFrom(result!.event, saved.value, ctx, randomUUID()));
  await deps.caseSaved(saved.value);
  return saved;
}

/** "Ask a clinical lead" on the case card. */
async function request(context: TurnContext, deps: BotDeps, data: unknown): Promise<void> {
  const log = turnLog(context, deps.log);
  const caller = await callerOrRefuse(context, deps);
  if (!caller) return;
  const input = NewRequest.safeParse(data);
  const found = input.success ? await deps.cases.get(caller.tenantId, input.data.caseId) : undefined;
  if (!input.success || !found) {
    await tell(context, "Case not found", "We couldn't find that case. The card may be out of date: type **case** and the reference to see it again.");
    return;
  }
  if (!may(caller.roles, "request-investigation", found.value)) {
    log.warn({ caseId: found.value.id }, "Refused an investigation request the caller's role does not allow");
    await tell(context, "Not available", refusal("request-investigation", found.value, caller.roles));
    return;
  }
  const draft = draftFrom(data);
  const refuse = async (message: string) =>
    answerWithCard(context, await caseCardFor(deps, caller, found, { banner: { text: message, style: "attention" }, draft }));

  const leadId = (input.data.investigationLeadId || input.data.investigationLead).toLowerCase();
  if (!EntraId.test(leadId)) return refuse("Choose the clinical lead from the list, or enter their Entra ID object id.");
  const lead = await deps.people.get(caller.tenantId, leadId);
  if (!lead) return refuse("PALS Desk doesn't know that person yet. Ask them to open PALS Desk in Teams once, then try again.");
  if (deps.config.roles.lead.length > 0 && !rolesOf(deps.config, lead.aadObjectId).has("lead")) {
    return refuse(`${lead.name} is not set up as a clinical lead in PALS Desk. Ask an admin to add them, or choose another lead.`);
  }
  const division = input.data.investigationDivision;
  if (!division) return refuse("Enter the division.");
  // Decide where it goes before saving anything: a request nobody can receive is no request.
  const channel = await deps.channels.divisionChannel(caller.tenantId, division);
  const personal = channel ? undefined : await deps.people.personalConversation(caller.tenantId, lead.aadObjectId);
  if (!channel && !personal) {
    return refuse(`There is no channel for ${division} and ${lead.name} hasn't opened PALS Desk yet. Ask someone to type "@PALS Desk set division channel ${division}" in that division's channel, or ask ${lead.name} to open PALS Desk.`);
  }

  const now = deps.now();
  const ctx: ActionContext = { actor: caller.actor, now };
  const requestId = randomUUID();
  let saved: Versioned<Case>;
  try {
    saved = await saveChange(
      deps,
      caller,
      found.value.id,
      (c) =>
        requestInvestigation(
          c,
          {
            id: requestId,
            division,
            lead: { aadObjectId: lead.aadObjectId, name: lead.name, teamsUserId: lead.teamsUserId },
            summary: input.data.investigationSummary,
            questions: input.data.investigationQuestions,
            includeNhsNumber: input.data.investigationIncludeNhsNumber,
            dueOn: input.data.investigationDueOn || undefined,
            requesterTeamsUserId: caller.teamsUserId,
          },
          ctx,
        ),
      ctx,
    );
  } catch (error) {
    if (error instanceof CaseRuleError || error instanceof CaseChangedError) return refuse(error.message);
    throw error;
  }
  const card = cardFor(saved.value, findInvestigation(saved.value, requestId), undefined);
  let delivery: NonNullable<InvestigationRequest["delivery"]>;
  if (channel) {
    const thread = await startChannelThread(context, channel, card);
    delivery = { kind: "channel-thread", conversationId: thread.conversationId, activityId: thread.activityId, serviceUrl: channel.serviceUrl, channelId: channel.channelId };
    if (thread.activityId) await deps.channels.rememberThread(caller.tenantId, thread.activityId, { caseId: saved.value.id, requestId });
  } else {
    const activityId = await sendToPersonalChat(context, deps, personal!, caller.tenantId, card);
    delivery = { kind: "personal", conversationId: personal!.conversationId, activityId, serviceUrl: personal!.serviceUrl, channelId: personal!.channelId };
  }
  const withDelivery = await deps.cases.update(caller.tenantId, saved.value.id, (c) => recordDelivery(c, requestId, delivery, now));
  log.info({ caseId: saved.value.id, reference: saved.value.reference, investigationId: requestId, delivery: delivery.kind }, "Investigation request sent");
  const where = channel ? `in the ${division} channel` : `in ${lead.name}'s chat with PALS Desk`;
  await answerWithCard(context, await caseCardFor(deps, caller, withDelivery, { banner: { text: `Request sent to ${lead.name} ${where}. It is due ${formatPlainDate(findInvestigation(withDelivery.value, requestId).dueOn)}.`, style: "good" } }));
}

/** Loads a request of the caller's trust; only its lead and PALS staff may see it. */
async function loadRequest(context: TurnContext, deps: BotDeps, caller: Caller, data: unknown): Promise<{ c: Case; request: InvestigationRequest } | undefined> {
  const ids = RequestIds.safeParse(data);
  const found = ids.success ? await deps.cases.get(caller.tenantId, ids.data.caseId) : undefined;
  const request = found ? (found.value.investigations ?? []).find((r) => r.id === ids.data!.requestId) : undefined;
  if (!found || !request) {
    turnLog(context, deps.log).warn("Investigation action for a request not found in the caller's trust");
    await tell(context, "Request not found", "We couldn't find that investigation request. The card may be out of date.");
    return undefined;
  }
  if (request.lead.aadObjectId !== caller.actor.aadObjectId && !may(caller.roles, "view-case", found.value)) {
    turnLog(context, deps.log).warn({ caseId: found.value.id, investigationId: request.id }, "Refused an investigation request to someone it is not addressed to");
    await tell(context, "Not available", `This request is addressed to ${request.lead.name}. Only they and the PALS team can open it.`);
    return undefined;
  }
  return { c: found.value, request };
}

/** Everyone in the channel sees the request's new state; the shared copy holds no answer text. */
async function updateSharedRequestCard(context: TurnContext, c: Case, request: InvestigationRequest): Promise<void> {
  if (context.activity.conversation?.conversationType === "personal" || !context.activity.replyToId) return;
  const update = cardMessage(cardFor(c, request, undefined));
  update.id = context.activity.replyToId;
  await context.updateActivity(update).catch(() => undefined);
}

type LeadAction = "answer" | "moreTime" | "accept" | "decline";

async function act(context: TurnContext, deps: BotDeps, data: unknown, action: LeadAction): Promise<void> {
  const log = turnLog(context, deps.log);
  const caller = await callerOrRefuse(context, deps);
  if (!caller) return;
  const loaded = await loadRequest(context, deps, caller, data);
  if (!loaded) return;
  const { c, request } = loaded;
  const draft = typedInputs(data, REQUEST_FORM_INPUTS);
  if ((action === "accept" || action === "decline") && !may(caller.roles, "decide-extension", c)) {
    log.warn({ caseId: c.id, investigationId: request.id }, "Refused an extension decision the caller's role does not allow");
    await answerWithCard(context, cardFor(c, request, caller, { banner: { text: refusal("decide-extension", c, caller.roles), style: "attention" } }));
    return;
  }
  if ((action === "answer" || action === "moreTime") && request.lead.aadObjectId !== caller.actor.aadObjectId) {
    log.warn({ caseId: c.id, investigationId: request.id, action }, "Refused an answer from someone the request is not addressed to");
    await answerWithCard(context, cardFor(c, request, caller, { banner: { text: `This request is addressed to ${request.lead.name}; only they can answer it.`, style: "attention" } }));
    return;
  }
  const now = deps.now();
  const ctx: ActionContext = { actor: caller.actor, now };
  let change: (fresh: Case) => ActionResult;
  if (action === "answer") {
    const answer = Answer.safeParse(data);
    if (!answer.success) {
      await answerWithCard(context, cardFor(c, request, caller, { banner: { text: "Write your findings and choose whether it should be upheld in your view.", style: "attention" }, draft }));
      return;
    }
    change = (fresh) => answerInvestigation(fresh, request.id, { findings: answer.data.findings, actions: answer.data.actionsTaken, learning: answer.data.learning, upheldView: answer.data.upheldView }, ctx);
  } else if (action === "moreTime") {
    const more = MoreTime.safeParse(data);
    if (!more.success) {
      await answerWithCard(context, cardFor(c, request, caller, { banner: { text: "Choose a new date and give a reason.", style: "attention" }, draft }));
      return;
    }
    change = (fresh) => askForMoreTime(fresh, request.id, { newDueOn: more.data.newDueOn, reason: more.data.reason }, ctx);
  } else {
    change = (fresh) => decideExtension(fresh, request.id, action === "accept", ctx);
  }

  let saved: Versioned<Case>;
  try {
    saved = await saveChange(deps, caller, c.id, change, ctx);
  } catch (error) {
    if (!(error instanceof CaseRuleError) && !(error instanceof CaseChangedError)) throw error;
    const latest = (await deps.cases.get(caller.tenantId, c.id))?.value ?? c;
    await answerWithCard(context, cardFor(latest, findInvestigation(latest, request.id), caller, { banner: { text: error.message, style: "attention" }, draft }));
    return;
  }
  const updated = findInvestigation(saved.value, request.id);
  // The case owner hears about an answer or a request for more time in their own chat.
  const owner = saved.value.owner ?? request.requestedBy;
  const about = { caseId: c.id, reference: c.reference, requestId: request.id };
  if (action === "answer") {
    await deps.outbox.enqueue(queued(saved.value, `investigation:${request.id}:answer`, { kind: "person", aadObjectId: owner.aadObjectId }, { kind: "investigation-answer", ...about }, now));
  } else if (action === "moreTime" && updated.extension) {
    await deps.outbox.enqueue(queued(saved.value, `investigation:${request.id}:extension:${updated.extension.newDueOn}`, { kind: "person", aadObjectId: owner.aadObjectId }, { kind: "investigation-extension", ...about }, now));
  }
  await deps.caseSaved(saved.value);
  log.info({ caseId: c.id, investigationId: request.id, action }, "Investigation request updated");
  await updateSharedRequestCard(context, saved.value, updated);
  const banner = {
    answer: "Thank you: your answer is on the case and the PALS officer has been told.",
    moreTime: "Asked for more time: the PALS officer will reply on this card.",
    accept: `More time agreed: now due ${formatPlainDate(updated.dueOn)}.`,
    decline: `More time declined: still due ${formatPlainDate(updated.dueOn)}.`,
  }[action];
  await answerWithCard(context, cardFor(saved.value, updated, caller, { banner: { text: banner, style: "good" } }));
}

async function refresh(context: TurnContext, deps: BotDeps, data: unknown): Promise<void> {
  const caller = await callerOrRefuse(context, deps);
  if (!caller) return;
  const loaded = await loadRequest(context, deps, caller, data);
  if (loaded) await answerWithCard(context, cardFor(loaded.c, loaded.request, caller));
}

/** `set division channel <division>`, in that division's channel. */
async function setDivisionChannel(context: TurnContext, deps: BotDeps, division: string): Promise<void> {
  const caller = await callerOrRefuse(context, deps);
  if (!caller) return;
  if (!may(caller.roles, "request-investigation")) {
    await tell(context, "Not available", "Only PALS officers and managers can set division channels.");
    return;
  }
  const activity = context.activity;
  if (activity.conversation?.conversationType !== "channel") {
    await context.sendActivity("Type **set division channel** and the division's name in that division's channel (with an @mention of PALS Desk), not in a chat.");
    return;
  }
  const name = division.trim().slice(0, 200);
  if (!name) {
    await context.sendActivity("Add the division's name, for example **set division channel Medicine**.");
    return;
  }
  const channelData = (activity.channelData ?? {}) as { channel?: { id?: string; name?: string }; team?: { id?: string } };
  const channelId = channelData.channel?.id ?? activity.conversation.id.split(";")[0];
  await deps.channels.setDivisionChannel(
    caller.tenantId,
    name,
    { conversationId: channelId, serviceUrl: activity.serviceUrl, channelId: activity.channelId, botId: activity.recipient?.id, conversationType: "channel", name: channelData.channel?.name, ...(channelData.team?.id ? { teamId: channelData.team.id } : {}) },
    { aadObjectId: caller.actor.aadObjectId, name: caller.actor.name, teamsUserId: caller.teamsUserId },
  );
  turnLog(context, deps.log).info({ channel: channelId }, "Division channel set");
  await context.sendActivity(`Done: investigation requests for **${name}** will start a thread in this channel, @mentioning the clinical lead.`);
}

/** The root activity id of a channel thread: Teams writes it into the conversation id. */
function threadRoot(context: TurnContext): string | undefined {
  const id = context.activity.conversation?.id ?? "";
  return context.activity.conversation?.conversationType === "channel" ? /;messageid=(\d+|[\w-]+)$/.exec(id)?.[1] : undefined;
}

/** A reply in a request's thread that @mentions PALS Desk goes on the case timeline. */
async function followUp(context: TurnContext, deps: BotDeps): Promise<boolean> {
  const root = threadRoot(context);
  const caller = root ? await callerOrRefuse(context, deps) : undefined;
  const about = caller && root ? await deps.channels.thread(caller.tenantId, root) : undefined;
  if (!caller || !about) return false;
  const note = TurnContext.removeRecipientMention(context.activity)?.trim() ?? "";
  if (!note) return false;
  const found = await deps.cases.get(caller.tenantId, about.caseId);
  if (!found) return false;
  const request = (found.value.investigations ?? []).find((r) => r.id === about.requestId);
  await deps.timeline.append(
    eventFrom(
      { kind: "investigation-follow-up", summary: `${caller.actor.name} added to the investigation thread${request ? ` (${request.lead.name}'s request)` : ""}`, detail: note.slice(0, 4000) },
      found.value,
      { actor: caller.actor, now: deps.now() },
      randomUUID(),
    ),
  );
  turnLog(context, deps.log).info({ caseId: found.value.id, investigationId: about.requestId }, "Investigation thread reply added to the timeline");
  await context.sendActivity(`Added to the timeline of ${found.value.reference}.`);
  return true;
}

export function registerInvestigations(app: Application, deps: BotDeps): void {
  app.message(
    async (context) => /^set division channel\b/i.test(normaliseCommandText(context.activity.text)),
    async (context) => setDivisionChannel(context, deps, normaliseCommandText(context.activity.text).replace(/^set division channel\b/i, "")),
  );
  app.adaptiveCards.actionExecute("investigation.request", async (context, _state, data) => (await request(context, deps, data), ""));
  app.adaptiveCards.actionExecute("investigation.refresh", async (context, _state, data) => (await refresh(context, deps, data), ""));
  app.adaptiveCards.actionExecute("investigation.answer", async (context, _state, data) => (await act(context, deps, data, "answer"), ""));
  app.adaptiveCards.actionExecute("investigation.moreTime", async (context, _state, data) => (await act(context, deps, data, "moreTime"), ""));
  app.adaptiveCards.actionExecute("investigation.acceptExtension", async (context, _state, data) => (await act(context, deps, data, "accept"), ""));
  app.adaptiveCards.actionExecute("investigation.declineExtension", async (context, _state, data) => (await act(context, deps, data, "decline"), ""));
}

/** Registered after the commands, before the catch-all: thread replies that are not commands. */
export function registerInvestigationThreads(app: Application, deps: BotDeps): void {
  app.message(
    async (context) => threadRoot(context) !== undefined,
    async (context) => {
      if (!(await followUp(context, deps))) {
        await context.sendActivity("Sorry, I didn't understand that. Type **help** to see what I can do.");
      }
    },
  );
}
