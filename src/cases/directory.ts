// Who and where: people PALS Desk has met, the managers' alerts channel, division channels, teams.
import { may, mayManageAlerts, type Caller, type ConversationAddress } from "../domain";
import { activityLog, errorFacts } from "../logger";
import type { CaseDeskDeps } from "./deps";
import { refused, type Result } from "./results";

export type ChannelAddress = ConversationAddress & { readonly teamId?: string };

/** Keeps the staff directory current (names, how to reach people); a failure never holds up the person. */
export async function rememberPerson(deps: CaseDeskDeps, caller: Caller, personalChat?: ConversationAddress): Promise<void> {
  try {
    await deps.people.remember(
      caller.trustId,
      { aadObjectId: caller.actor.aadObjectId, name: caller.actor.name, teamsUserId: caller.teamsUserId },
      personalChat,
    );
  } catch (error) {
    activityLog(deps.log).warn({ err: errorFacts(error) }, "Could not record the person in the staff directory");
  }
}

/** Where PALS Desk can write to the caller privately (their personal chat with it); undefined until they have opened one. */
export async function personalChat(deps: CaseDeskDeps, caller: Caller): Promise<ConversationAddress | undefined> {
  return deps.people.personalConversation(caller.trustId, caller.actor.aadObjectId);
}

const setter = (caller: Caller) => ({ aadObjectId: caller.actor.aadObjectId, name: caller.actor.name, teamsUserId: caller.teamsUserId });

/** `set alerts channel`, by a manager in the managers' channel (undefined: typed in a chat, not a channel). */
export async function setAlertsChannel(deps: CaseDeskDeps, caller: Caller, channel: ChannelAddress | undefined): Promise<Result<object>> {
  if (!mayManageAlerts(caller.roles)) return refused("not-allowed", "Only a PALS manager can choose the alerts channel.");
  if (!channel) return refused("rule", "Type **set alerts channel** in the managers' channel of your team (with an @mention of PALS Desk), not in a chat.");
  await deps.channels.setAlertsChannel(caller.trustId, channel, setter(caller));
  activityLog(deps.log).info({ channel: channel.conversationId }, "Alerts channel set");
  return { ok: true };
}

/** `set safety channel`, by a manager in the patient-safety channel: possible patient safety incidents are posted there too. */
export async function setSafetyChannel(deps: CaseDeskDeps, caller: Caller, channel: ChannelAddress | undefined): Promise<Result<object>> {
  if (!mayManageAlerts(caller.roles)) return refused("not-allowed", "Only a PALS manager can choose the patient-safety channel.");
  if (!channel)
    return refused("rule", "Type **set safety channel** in the patient-safety channel of your team (with an @mention of PALS Desk), not in a chat.");
  await deps.channels.setSafetyChannel(caller.trustId, channel, setter(caller));
  activityLog(deps.log).info({ channel: channel.conversationId }, "Patient-safety channel set");
  return { ok: true };
}

/** `set division channel <division>`, in that division's channel (undefined: typed in a chat, not a channel). */
export async function setDivisionChannel(
  deps: CaseDeskDeps,
  caller: Caller,
  division: string,
  channel: ChannelAddress | undefined,
): Promise<Result<{ readonly division: string }>> {
  if (!may(caller.roles, "request-investigation")) return refused("not-allowed", "Only PALS officers and managers can set division channels.");
  if (!channel)
    return refused("rule", "Type **set division channel** and the division's name in that division's channel (with an @mention of PALS Desk), not in a chat.");
  const name = division.trim().slice(0, 200);
  if (!name) return refused("rule", "Add the division's name, for example **set division channel Medicine**.");
  await deps.channels.setDivisionChannel(caller.trustId, name, channel, setter(caller));
  activityLog(deps.log).info({ channel: channel.conversationId }, "Division channel set");
  return { ok: true, division: name };
}

/** The bot was added to a team: remember its General channel. */
export async function teamInstalled(deps: CaseDeskDeps, trustId: string, teamId: string, general: ConversationAddress): Promise<void> {
  await deps.channels.rememberTeam(trustId, teamId, general);
}

/** Uninstalled or removed: forget the addresses so nothing is sent there any more. */
export async function uninstalled(deps: CaseDeskDeps, caller: Caller, teamId: string | undefined): Promise<void> {
  if (teamId) await deps.channels.forgetTeam(caller.trustId, teamId);
  else await deps.people.forgetPersonalConversation(caller.trustId, caller.actor.aadObjectId);
  activityLog(deps.log).info({ scope: teamId ? "team" : "personal" }, "PALS Desk uninstalled; stored conversation removed");
}

export async function teamRemoved(deps: CaseDeskDeps, trustId: string, teamId: string): Promise<void> {
  await deps.channels.forgetTeam(trustId, teamId);
}

/** `set inbox channel`, by a manager in the PALS team's private channel: each new email's triage card is posted there. */
export async function setInboxChannel(deps: CaseDeskDeps, caller: Caller, channel: ChannelAddress | undefined): Promise<Result<object>> {
  if (!mayManageAlerts(caller.roles)) return refused("not-allowed", "Only a PALS manager can choose the inbox channel.");
  if (!channel)
    return refused("rule", "Type **set inbox channel** in the PALS team's private channel for the inbox (with an @mention of PALS Desk), not in a chat.");
  await deps.channels.setChannelFor(caller.trustId, "inbox", channel, setter(caller));
  activityLog(deps.log).info({ channel: channel.conversationId }, "Inbox channel set");
  return { ok: true };
}
