// `due`, `set alerts channel`, and managers acknowledging or taking over an alert from its card.
import { z } from "zod";
import type { ChannelAddress } from "../../cases";
import { ALERT_REASONS, workingDaysText, type AlertReason } from "../../domain";
import { callerOrRefuse, say, submissionKey, tell, tellRefused } from "../caller";
import { newSubmission } from "../cards";
import type { TeamsDeps } from "../deps";
import { alertCard, digestCard } from "./nudgeCards";
import type { BotRoutes, Turn } from "../sdk/turn";
import { fromApp, said } from "../text";

const AlertAction = z.object({
  caseId: z.string().uuid(),
  reason: z.enum(ALERT_REASONS.map((r) => r.id) as [AlertReason, ...AlertReason[]]),
  requestId: z.union([z.string().uuid(), z.literal("")]).optional(),
});

/** `due`: the morning digest on demand. */
async function due(turn: Turn, deps: TeamsDeps): Promise<void> {
  const caller = await callerOrRefuse(turn);
  if (!caller) return;
  const result = await deps.desk.cases.due(caller);
  if (!result.ok) return tellRefused(turn, result);
  if (result.items.length === 0) {
    const window = workingDaysText(deps.config.rules.nudgeWindowWorkingDays);
    await turn.send(`Nothing of yours is due in the next ${window} or overdue. Type **my cases** to see all your open cases.`);
    return;
  }
  // The list stops at the soonest ones; say so when there are more.
  const title = result.total > result.items.length ? `Your deadlines: the ${result.items.length} soonest of ${result.total}` : "Your deadlines";
  await turn.sendCard(digestCard(result.items, result.today, deps.config.rules.nudgeWindowWorkingDays, title));
}

/** The channel a message was posted in, as an address to post to later; undefined outside a channel. */
export function channelOf(turn: Turn): ChannelAddress | undefined {
  const { incoming } = turn;
  if (incoming.conversationType !== "channel") return undefined;
  const channelId = incoming.channel.channelId ?? incoming.conversationId.split(";")[0];
  return {
    conversationId: channelId,
    serviceUrl: incoming.serviceUrl,
    channelId: incoming.channelId,
    botId: incoming.botId,
    conversationType: "channel",
    name: incoming.channel.channelName,
    ...(incoming.channel.teamId ? { teamId: incoming.channel.teamId } : {}),
  };
}

/** `set alerts channel`, by a manager in the managers' channel. */
async function setAlertsChannel(turn: Turn, deps: TeamsDeps): Promise<void> {
  const caller = await callerOrRefuse(turn);
  if (!caller) return;
  const result = await deps.desk.directory.setAlertsChannel(caller, channelOf(turn));
  if (!result.ok) return result.problem === "not-allowed" ? tell(turn, "Not available", fromApp(result.message)) : say(turn, fromApp(result.message));
  // The display name is shown as typed: plain text unless it is inert in markdown.
  await say(
    turn,
    said`Done: manager alerts (overdue deadlines, high risk, safeguarding, MP or Ombudsman involvement, repeat contacts, escalations) will be posted in this channel. Set by ${caller.actor.name}.`,
  );
}

/** `set safety channel`, by a manager in the patient-safety channel: possible patient safety incidents are posted there too. */
async function setSafetyChannel(turn: Turn, deps: TeamsDeps): Promise<void> {
  const caller = await callerOrRefuse(turn);
  if (!caller) return;
  const result = await deps.desk.directory.setSafetyChannel(caller, channelOf(turn));
  if (!result.ok) return result.problem === "not-allowed" ? tell(turn, "Not available", fromApp(result.message)) : say(turn, fromApp(result.message));
  await say(
    turn,
    said`Done: possible patient safety incidents will also be posted in this channel (the managers' alerts channel still gets them). Set by ${caller.actor.name}.`,
  );
}

async function alertAction(turn: Turn, deps: TeamsDeps, data: unknown, takeOver: boolean): Promise<void> {
  const caller = await callerOrRefuse(turn);
  if (!caller) return;
  const parsed = AlertAction.safeParse(data);
  if (!parsed.success) {
    turn.log.warn({ verb: takeOver ? "alert.takeOver" : "alert.acknowledge" }, "Alert action that could not be read");
    return tell(turn, "Alert not found", "We couldn't find that alert. The card may be out of date.");
  }
  const { caseId, reason, requestId } = parsed.data;
  const verb = takeOver ? "alert.takeOver" : "alert.acknowledge";
  const result = await deps.desk.alerts.acknowledge(
    { caller, key: submissionKey(turn, verb, data) },
    { caseId, reason, requestId: requestId || undefined },
    takeOver,
  );
  if (!result.ok) return tellRefused(turn, result, "Alert not found");
  const submission = newSubmission();
  const card = alertCard(result.alert, result.record?.value, { submission });
  // Everyone in the channel sees who acknowledged it: the alert card holds no user-specific content.
  await turn.updatePressedCard(card);
  // Only the person who pressed sees why taking over was not needed.
  await turn.answerCard(result.note ? alertCard(result.alert, result.record?.value, { submission, note: result.note }) : card);
}

export function registerNudges(routes: BotRoutes, deps: TeamsDeps): void {
  routes.command(/^(due|what'?s due|deadlines)$/i, (turn) => due(turn, deps));
  routes.command(/^set alerts? channel$/i, (turn) => setAlertsChannel(turn, deps));
  routes.command(/^set (patient[- ])?safety channel$/i, (turn) => setSafetyChannel(turn, deps));
  routes.verb("alert.acknowledge", (turn, data) => alertAction(turn, deps, data, false));
  routes.verb("alert.takeOver", (turn, data) => alertAction(turn, deps, data, true));
}
