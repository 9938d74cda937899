import WebSocket from "ws";
import { z } from "zod";

/** A message as the Playground streams it to its web page (WS /_ws_conversation/v1/conversations/stream). */
export interface PlaygroundMessage {
  readonly messageId: string;
  readonly timestamp: number;
  readonly from: { readonly id: string };
  readonly text?: string;
  readonly attachments: readonly { readonly contentType: string; readonly content: any }[];
  readonly postConversationId?: string;
}

export interface StreamEvent {
  readonly action: string;
  readonly actionConversationId: string;
  readonly message?: PlaygroundMessage;
}

const StreamEventSchema = z.object({ action: z.string(), actionConversationId: z.string().default(""), message: z.any().optional() }).passthrough();

const UserSchema = z.object({ id: z.string(), name: z.string(), aadObjectId: z.string() }).passthrough();
/** GET /_internal/v1/config: the pretend tenant from .m365agentsplayground.yml. */
export const PlaygroundConfigSchema = z.object({
  config: z.object({
    tenantId: z.string(),
    bot: z.object({ id: z.string(), name: z.string() }),
    currentUser: UserSchema,
    users: z.array(UserSchema),
    personalChat: z.object({ id: z.string() }),
    groupChats: z.array(z.object({ id: z.string(), name: z.string() })),
    teams: z.array(z.object({ id: z.string(), name: z.string(), channels: z.array(z.object({ id: z.string(), name: z.string() })) })),
  }),
});
export type PlaygroundConfig = z.infer<typeof PlaygroundConfigSchema>["config"];
export type PlaygroundUser = z.infer<typeof UserSchema>;

export interface Channel {
  readonly id: string;
  readonly name: string;
}

/** What an invoke (card button, message-extension search) answered. */
export interface InvokeAnswer {
  readonly type?: string;
  readonly value?: any;
  readonly composeExtension?: any;
}

/**
 * Drives the Microsoft 365 Agents Playground through the HTTP + WebSocket API its own web page uses,
 * so the journeys run headless (no browser) against the real Playground and the real bot.
 */
export class PlaygroundClient {
  readonly events: StreamEvent[] = [];
  private waiters: (() => void)[] = [];

  private constructor(
    readonly url: string,
    readonly config: PlaygroundConfig,
    private readonly socket: WebSocket,
  ) {
    socket.on("message", (data) => {
      const parsed = StreamEventSchema.safeParse(JSON.parse(String(data)));
      if (!parsed.success) return;
      this.events.push(parsed.data as StreamEvent);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static async connect(url: string): Promise<PlaygroundClient> {
    // The page's first call: the Playground waits here until the bot's endpoint answers.
    const config = PlaygroundConfigSchema.parse(await (await fetch(`${url}/_internal/v1/config`)).json()).config;
    const socket = new WebSocket(`${url.replace(/^http/, "ws")}/_ws_conversation/v1/conversations/stream`);
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    return new PlaygroundClient(url, config, socket);
  }

  close(): void {
    this.socket.close();
  }

  user(name: string): PlaygroundUser {
    const user = [this.config.currentUser, ...this.config.users].find((u) => u.name === name);
    if (!user) throw new Error(`No user called ${name} in .m365agentsplayground.yml`);
    return user;
  }

  channel(name: string): Channel {
    const channel = this.config.teams.flatMap((team) => team.channels).find((c) => c.name === name);
    if (!channel) throw new Error(`No channel called ${name} in .m365agentsplayground.yml`);
    return channel;
  }

  /** The bot's messages seen so far (created or updated), in order. */
  botMessages(conversationId?: string): { conversationId: string; message: PlaygroundMessage }[] {
    return this.events
      .filter((e) => e.message && e.message.from.id === this.config.bot.id && (e.action === "createMessage" || e.action === "updateMessage"))
      .filter((e) => conversationId === undefined || e.actionConversationId === conversationId || e.actionConversationId.startsWith(`${conversationId};`))
      .map((e) => ({ conversationId: e.actionConversationId, message: e.message! }));
  }

  /** The first bot message after `mark` (an events index) that matches, and where it is; or fails naming `what`. */
  async waitForBotMessage(
    what: string,
    match: (m: PlaygroundMessage) => boolean,
    options: { mark?: number; conversationId?: string; timeoutMs?: number } = {},
  ): Promise<{ conversationId: string; message: PlaygroundMessage }> {
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    for (;;) {
      const found = this.events
        .slice(options.mark ?? 0)
        .find(
          (e) =>
            e.message &&
            e.message.from.id === this.config.bot.id &&
            (options.conversationId === undefined || e.actionConversationId.split(";")[0] === options.conversationId) &&
            match(e.message),
        );
      // A channel post lives in its own conversation (channel;messageid=...): invokes must name that one.
      if (found) return { conversationId: found.message!.postConversationId ?? found.actionConversationId, message: found.message! };
      const left = deadline - Date.now();
      if (left <= 0) {
        const seen = this.botMessages()
          .slice(-5)
          .map((m) => `${m.conversationId}: ${summarise(m.message)}`);
        throw new Error(`Timed out waiting for ${what}. Last bot messages:\n  ${seen.join("\n  ") || "(none)"}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** A mark for waitForBotMessage: only what arrives after now. */
  mark(): number {
    return this.events.length;
  }

  /** The person at the keyboard types a message (a channel post @mentions the bot, as Teams requires). */
  async say(conversationId: string, text: string, options: { mentionBot?: boolean } = {}): Promise<{ messageId: string; postConversationId?: string }> {
    const mention = `<at>${this.config.bot.name}</at>`;
    const body = options.mentionBot
      ? {
          from: { id: this.config.currentUser.id },
          text: `${mention} ${text}`,
          textFormat: "plain",
          mentions: [{ mentioned: { id: this.config.bot.id }, text: mention }],
        }
      : { from: { id: this.config.currentUser.id }, text, textFormat: "plain" };
    return (await this.post(`/_conversation/v1/conversations/${encodeURIComponent(conversationId)}/messages`, body)) as {
      messageId: string;
      postConversationId?: string;
    };
  }

  /** Someone else speaks: a raw activity through POST /_internal/v1/customActivities (any `from`). */
  async sayAs(user: PlaygroundUser, conversationId: string, text: string, options: { mentionBot?: boolean; channel?: Channel } = {}): Promise<void> {
    const mention = `<at>${this.config.bot.name}</at>`;
    await this.sendAs(user, conversationId, {
      type: "message",
      textFormat: "plain",
      text: options.mentionBot ? `${mention} ${text}` : text,
      entities: options.mentionBot ? [{ type: "mention", text: mention, mentioned: { id: this.config.bot.id, name: this.config.bot.name } }] : [],
      channelData: this.channelData(options.channel),
    });
  }

  /**
   * Someone else presses an Action.Execute button: the raw `adaptiveCard/action` invoke Teams sends, through
   * POST /_internal/v1/customActivities. The Playground does not hand back the invoke's answer: what the
   * others see of it (an updated card, a message) arrives on the stream.
   */
  async executeAs(
    user: PlaygroundUser,
    conversationId: string,
    messageId: string,
    action: { title?: string; verb: string; data: Record<string, unknown> },
    options: { channel?: Channel } = {},
  ): Promise<void> {
    await this.sendAs(user, conversationId, {
      type: "invoke",
      name: "adaptiveCard/action",
      replyToId: messageId,
      value: { action: { type: "Action.Execute", title: action.title, verb: action.verb, data: action.data } },
      channelData: this.channelData(options.channel),
    });
  }

  /** Teams' channelData: the tenant, and in a channel the channel and its team. */
  private channelData(channel: Channel | undefined): Record<string, unknown> {
    const team = this.config.teams[0];
    return { tenant: { id: this.config.tenantId }, ...(channel ? { channel, team: { id: team.id, name: team.name } } : {}) };
  }

  /** A raw activity from `user` in a conversation, on the Playground's template for it (ids, service URL, tenant). */
  private async sendAs(user: PlaygroundUser, conversationId: string, activity: Record<string, unknown>): Promise<void> {
    const response = await fetch(`${this.url}/_internal/v1/customActivities/template?conversationId=${encodeURIComponent(conversationId)}`);
    if (!response.ok) throw new Error(`The Playground has no activity template for ${conversationId}: ${response.status} ${await response.text()}`);
    const template = (await response.json()) as Record<string, unknown>;
    await this.post("/_internal/v1/customActivities", { ...template, ...activity, from: { id: user.id, name: user.name, aadObjectId: user.aadObjectId } });
  }

  /** Presses an Action.Execute button on a card, as `from`, with the card's inputs as the client sends them. */
  async execute(
    conversationId: string,
    messageId: string,
    action: { title?: string; verb: string; data: Record<string, unknown> },
    fromId = this.config.currentUser.id,
  ): Promise<InvokeAnswer> {
    return (await this.post("/_conversation/v1/invoke", {
      name: "adaptiveCard/action",
      from: { id: fromId },
      conversation: { id: conversationId },
      replyToId: messageId,
      value: { action: { type: "Action.Execute", title: action.title, verb: action.verb, data: action.data } },
    })) as InvokeAnswer;
  }

  /** A search-based message extension query, as the page's "Search Command" panel sends it. */
  async searchMessageExtension(conversationId: string, commandId: string, parameterName: string, text: string): Promise<InvokeAnswer> {
    return (await this.post("/_conversation/v1/invoke", {
      name: "composeExtension/query",
      from: { id: this.config.currentUser.id },
      conversation: { id: conversationId },
      value: { commandId, parameters: [{ name: parameterName, value: text }], queryOptions: { skip: 0, count: 25 } },
    })) as InvokeAnswer;
  }

  private async post(path: string, body: unknown): Promise<unknown> {
    const response = await fetch(`${this.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const text = await response.text();
    if (!response.ok) throw new Error(`POST ${path} answered ${response.status}: ${text.slice(0, 500)}`);
    return text ? JSON.parse(text) : undefined;
  }
}

function summarise(message: PlaygroundMessage): string {
  const card = message.attachments[0]?.content;
  const first = card?.body?.find?.((element: any) => typeof element.text === "string")?.text;
  return (message.text ?? first ?? "(card)").slice(0, 120);
}
