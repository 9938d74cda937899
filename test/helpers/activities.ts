import { randomUUID } from "node:crypto";

/** A trust's Teams tenant and people, shaped as Teams sends them. */
export const TENANT_ID = "72f988bf-0000-4000-8000-0000000000aa";
export const OTHER_TENANT_ID = "0b0b0b0b-0000-4000-8000-0000000000bb";
export const BOT = { id: "28:00000000-0000-4000-8000-00000000b07d", name: "PALS Desk" };

export interface TeamsUser {
  readonly id: string;
  readonly name: string;
  readonly aadObjectId: string;
}

export const OFFICER: TeamsUser = { id: "29:1officer", name: "Olivia Officer", aadObjectId: "00000000-0000-4000-8000-0000000000a1" };
export const MANAGER: TeamsUser = { id: "29:1manager", name: "Maya Manager", aadObjectId: "00000000-0000-4000-8000-0000000000a2" };
export const LEAD: TeamsUser = { id: "29:1lead", name: "Dr Liam Lead", aadObjectId: "00000000-0000-4000-8000-0000000000a3" };
export const ADMIN: TeamsUser = { id: "29:1admin", name: "Ade Admin", aadObjectId: "00000000-0000-4000-8000-0000000000a5" };
export const VOLUNTEER: TeamsUser = { id: "29:1volunteer", name: "Vic Volunteer", aadObjectId: "00000000-0000-4000-8000-0000000000a4" };

export const TEAM = { id: "19:team-pals@thread.tacv2", name: "Patient Experience", aadGroupId: "00000000-0000-4000-8000-0000000000c1" };
export const CHANNEL = { id: "19:channel-medicine@thread.tacv2", name: "Medicine division" };

export interface ActivityOptions {
  readonly serviceUrl: string;
  readonly from?: TeamsUser;
  readonly tenantId?: string;
  /** A channel message's or team install's team and channel (TEAM and CHANNEL when left out). */
  readonly team?: { readonly id: string; readonly name: string; readonly aadGroupId?: string };
  readonly channel?: { readonly id: string; readonly name: string };
}

function personalConversationId(user: TeamsUser): string {
  return `a:1personal-${user.aadObjectId}`;
}

function base(options: ActivityOptions) {
  const from = options.from ?? OFFICER;
  const tenantId = options.tenantId ?? TENANT_ID;
  return {
    id: randomUUID(),
    timestamp: new Date().toISOString(),
    localTimestamp: new Date().toISOString(),
    localTimezone: "Europe/London",
    serviceUrl: options.serviceUrl,
    channelId: "msteams",
    from: { id: from.id, name: from.name, aadObjectId: from.aadObjectId },
    recipient: { id: BOT.id, name: BOT.name },
    locale: "en-GB",
    entities: [{ type: "clientInfo", locale: "en-GB", country: "GB", platform: "Web", timezone: "Europe/London" }],
    channelData: { tenant: { id: tenantId } },
    conversation: { conversationType: "personal", tenantId, id: personalConversationId(from) },
  };
}

/** A message typed in the bot's personal chat. */
export function personalMessage(text: string, options: ActivityOptions) {
  return { ...base(options), type: "message", textFormat: "plain", text };
}

/** A channel message that @mentions the bot, as Teams delivers it (text with <at>, a mention entity). */
export function channelMessage(text: string, options: ActivityOptions & { threadId?: string }) {
  const b = base(options);
  const tenantId = options.tenantId ?? TENANT_ID;
  const mentionText = `<at>${BOT.name}</at>`;
  const threadId = options.threadId ?? String(Date.now());
  const team = options.team ?? TEAM;
  const channel = options.channel ?? CHANNEL;
  return {
    ...b,
    type: "message",
    textFormat: "plain",
    text: `${mentionText} ${text}`,
    entities: [...b.entities, { type: "mention", text: mentionText, mentioned: { id: BOT.id, name: BOT.name } }],
    conversation: { isGroup: true, conversationType: "channel", tenantId, id: `${channel.id};messageid=${threadId}` },
    channelData: {
      teamsChannelId: channel.id,
      teamsTeamId: team.id,
      channel: { id: channel.id, name: channel.name },
      team: { id: team.id, name: team.name, aadGroupId: team.aadGroupId },
      tenant: { id: tenantId },
    },
  };
}

/** The bot installed for a user (personal scope), as Teams announces it. */
export function personalInstall(options: ActivityOptions) {
  return { ...base(options), type: "conversationUpdate", membersAdded: [{ id: BOT.id }] };
}

/** The bot added to a team: Teams posts the update in the team's General channel. */
export function teamInstall(options: ActivityOptions) {
  const b = base(options);
  const tenantId = options.tenantId ?? TENANT_ID;
  return {
    ...b,
    type: "conversationUpdate",
    membersAdded: [{ id: BOT.id }],
    conversation: { isGroup: true, conversationType: "channel", tenantId, id: (options.team ?? TEAM).id },
    channelData: {
      eventType: "teamMemberAdded",
      team: { id: (options.team ?? TEAM).id, name: (options.team ?? TEAM).name, aadGroupId: (options.team ?? TEAM).aadGroupId },
      tenant: { id: tenantId },
    },
  };
}

/** An Adaptive Card Action.Execute pressed by the user (an `adaptiveCard/action` invoke). */
export function cardAction(verb: string, data: Record<string, unknown>, options: ActivityOptions & { replyToId?: string }) {
  return {
    ...base(options),
    type: "invoke",
    name: "adaptiveCard/action",
    replyToId: options.replyToId ?? randomUUID(),
    value: { action: { type: "Action.Execute", verb, data }, trigger: "manual" },
  };
}

/** A search-based message extension query, shaped as Teams sends it. */
export function messageExtensionQuery(query: string | undefined, options: ActivityOptions & { skip?: number; count?: number }) {
  const { text: _text, textFormat: _format, ...base } = personalMessage("", options);
  const parameters = query === undefined ? [{ name: "initialRun", value: "true" }] : [{ name: "query", value: query }];
  return {
    ...base,
    type: "invoke",
    name: "composeExtension/query",
    value: { commandId: "searchDirectory", parameters, queryOptions: { skip: options.skip ?? 0, count: options.count ?? 25 } },
  };
}
