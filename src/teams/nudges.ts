import { randomUUID } from "node:crypto";
import type { Application } from "@microsoft/teams-ai";
import type { TurnContext } from "botbuilder";
import { z } from "zod";
import {
  alertOutboxId,
  ALERT_REASONS,
  CaseRuleError,
  digestItem,
  eventFrom,
  may,
  mayManageAlerts,
  refusal,
  sortDigest,
  takeOwnership,
  type AlertReason,
} from "../domain";
import { callerOrRefuse, tell, todayFor } from "./caller";
import { normaliseCommandText } from "./commands";
import { cardMessage } from "./cards";
import type { BotDeps } from "./deps";
import { answerWithCard } from "./invoke";
import { alertCard, digestCard } from "./nudgeCards";
import { turnLog } from "./turnLog";

const AlertAction = z.object({
  caseId: z.string().uuid(),
  reason: z.enum(ALERT_REASONS.map((r) => r.id) as [AlertReason, ...AlertReason[]]),
});


/** `due`: the morning digest on demand. */
async function due(context: TurnContext, deps: BotDeps): Promise<void> {
  const caller = await callerOrRefuse(context, deps);
  if (!caller) return;
  if (!may(caller.roles, "list-my-cases")) {
    await tell(context, "Not available", refusal("list-my-cases", undefined, caller.roles));
    return;
  }
  const today = todayFor(deps);
  const items = (await deps.cases.listOpenByOwner(caller.tenantId, caller.actor.aadObjectId)).flatMap((c) => digestItem(c, today) ?? []);
  if (items.length === 0) {
    await context.sendActivity("Nothing of yours is due in the next 2 working days or overdue. Type **my cases** to see all your open cases.");
    return;
  }
  await context.sendActivity(cardMessage(digestCard(sortDigest(items), today, "Your deadlines")));
}

/** `set alerts channel`, by a manager in the managers' channel. */
async function setAlertsChannel(context: TurnContext, deps: BotDeps): Promise<void> {
  const caller = await callerOrRefuse(context, deps);
  if (!caller) return;
  if (!mayManageAlerts(caller.roles)) {
    await tell(context, "Not available", "Only a PALS manager can choose the alerts channel.");
    return;
  }
  const activity = context.activity;
  const channelData = (activity.channelData ?? {}) as { channel?: { id?: string; name?: string }; team?: { id?: string } };
  if (activity.conversation?.conversationType !== "channel") {
    await context.sendActivity("Type **set alerts channel** in the managers' channel of your team (with an @mention of PALS Desk), not in a chat.");
    return;
  }
  const channelId = channelData.channel?.id ?? activity.conversation.id.split(";")[0];
  await deps.channels.setAlertsChannel(
    caller.tenantId,
    {
      conversationId: channelId,
      serviceUrl: activity.serviceUrl,
      channelId: activity.channelId,
      botId: activity.recipient?.id,
      conversationType: "channel",
      name: channelData.channel?.name,
      ...(channelData.team?.id ? { teamId: channelData.team.id } : {}),
    },
    { aadObjectId: caller.actor.aadObjectId, name: caller.actor.name, teamsUserId: caller.teamsUserId },
  );
  turnLog(context, deps.log).info({ channel: channelId }, "Alerts channel set");
  await context.sendActivity(`Done: manager alerts (overdue deadlines, high risk, safeguarding, MP or Ombudsman involvement, repeat contacts, escalations) will be posted in this channel. Set by ${caller.actor.name}.`);
}

async function alertAction(context: TurnContext, deps: BotDeps, data: unknown, takeOver: boolean): Promise<void> {
  const log = turnLog(context, deps.log);
  const caller = await callerOrRefuse(context, deps);
  if (!caller) return;
  const parsed = AlertAction.safeParse(data);
  const item = parsed.success ? await deps.outbox.get(caller.tenantId, alertOutboxId(parsed.data.caseId, parsed.data.reason)) : undefined;
  if (!parsed.success || !item || item.value.payload.kind !== "alert") {
    log.warn({ verb: takeOver ? "alert.takeOver" : "alert.acknowledge" }, "Alert action for an alert not found in the caller's trust");
    await tell(context, "Alert not found", "We couldn't find that alert. The card may be out of date.");
    return;
  }
  if (!mayManageAlerts(caller.roles)) {
    log.warn({ caseId: parsed.data.caseId }, "Refused an alert action: the caller is not a manager");
    await tell(context, "Not available", "Only PALS managers can acknowledge or take over alerts.");
    return;
  }
  const now = deps.now();
  const ctx = { actor: caller.actor, now };
  let banner = "";
  if (takeOver) {
    try {
      let result: ReturnType<typeof takeOwnership> | undefined;
      const saved = await deps.cases.update(caller.tenantId, parsed.data.caseId, (c) => {
        result = takeOwnership(c, ctx);
        return result.updated;
      });
      await deps.timeline.append(eventFrom(result!.event, saved.value, ctx, randomUUID()));
      await deps.caseSaved(saved.value);
    } catch (error) {
      if (!(error instanceof CaseRuleError)) throw error;
      banner = error.message;
    }
  }
  let alert = item.value;
  if (!alert.acknowledged) {
    alert = { ...alert, acknowledged: { by: caller.actor, at: now.toISOString() } };
    if (await deps.outbox.save(alert, item.etag)) {
      const c = (await deps.cases.get(caller.tenantId, parsed.data.caseId))?.value;
      if (c) {
        await deps.timeline.append(
          eventFrom({ kind: "alert-acknowledged", summary: `Manager alert acknowledged: ${ALERT_REASONS.find((r) => r.id === parsed.data.reason)!.title}` }, c, ctx, randomUUID()),
        );
      }
    } else {
      alert = (await deps.outbox.get(caller.tenantId, alert.id))?.value ?? alert;
    }
  }
  log.info({ caseId: parsed.data.caseId, reason: parsed.data.reason, takeOver }, "Alert acknowledged");
  const c = (await deps.cases.get(caller.tenantId, parsed.data.caseId))?.value;
  const card = alertCard(alert, c);
  // Everyone in the channel sees who acknowledged it: the alert card holds no user-specific content.
  if (context.activity.replyToId) {
    const update = cardMessage(card);
    update.id = context.activity.replyToId;
    await context.updateActivity(update).catch(() => undefined);
  }
  await answerWithCard(context, banner ? { ...card, body: [{ type: "TextBlock", text: banner, wrap: true, color: "Attention" }, ...(card.body as object[])] } : card);
}

export function registerNudges(app: Application, deps: BotDeps): void {
  app.message(
    async (context) => /^(due|what'?s due|deadlines)$/i.test(normaliseCommandText(context.activity.text)),
    async (context) => due(context, deps),
  );
  app.message(
    async (context) => /^set alerts? channel$/i.test(normaliseCommandText(context.activity.text)),
    async (context) => setAlertsChannel(context, deps),
  );
  app.adaptiveCards.actionExecute("alert.acknowledge", async (context, _state, data) => (await alertAction(context, deps, data, false), ""));
  app.adaptiveCards.actionExecute("alert.takeOver", async (context, _state, data) => (await alertAction(context, deps, data, true), ""));
}
