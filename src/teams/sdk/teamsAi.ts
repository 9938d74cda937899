// The Turn and BotRoutes of turn.ts over botbuilder 4.23 and @microsoft/teams-ai 1.7.
import { Application, type TeamsAdapter } from "@microsoft/teams-ai";
import {
  ActivityTypes,
  CardFactory,
  INVOKE_RESPONSE_KEY,
  MessageFactory,
  type Activity,
  type FileConsentCardResponse,
  type MessagingExtensionAttachment,
  type MessagingExtensionResult,
  type TurnContext,
} from "botbuilder";
import type { Request, Response } from "restify";
import { z } from "zod";
import { activityLog, errorFacts, runWithLog, type Logger } from "../../logger";
import { capturingSdkConsole, outsideSdkCapture, reportSdkConsole } from "./sdkConsole";
import type { ConversationAddress } from "../../domain";
import { connectorWithoutRetries, referenceFor } from "./proactive";
import {
  normaliseCommandText,
  type BotRoutes,
  type FileConsentAnswer,
  type Identified,
  type Incoming,
  type IncomingFile,
  type MessageActionRequest,
  type SearchAnswer,
  type SearchQuery,
  type TaskAnswer,
  type Turn,
} from "./turn";

const ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive";
/** Teams shows message extension results of at most 28 KB each. */
const MAX_RESULT_BYTES = 28 * 1024;

export interface TeamsBotOptions {
  readonly botAppId: string;
  readonly log: Logger;
  /** Who sent the activity, with their roles; called once per turn. */
  readonly identify: (incoming: Incoming) => Promise<Identified>;
  /** Runs before any route; false ends the turn (the person has been told why). */
  readonly beforeTurn: (turn: Turn) => Promise<boolean>;
  /** A card with a title and a line of text, for errors. */
  readonly noticeCard: (title: string, text: string) => object;
  /** Answers a message no command or handler took. */
  readonly notUnderstood: (turn: Turn) => Promise<void>;
  /** Answers a card button whose verb no feature knows (an old or forged card). */
  readonly unknownVerb: (turn: Turn) => Promise<void>;
  /** Cosmos DB unreachable or throttled: tells the person the store is down rather than "something went wrong". */
  readonly isStoreUnavailable: (error: unknown) => boolean;
}

function incomingOf(activity: Activity): Incoming {
  const channelData = (activity.channelData ?? {}) as {
    channel?: { id?: string; name?: string };
    team?: { id?: string; name?: string };
    tenant?: { id?: string };
  };
  return {
    type: activity.type,
    id: activity.id,
    text: typeof activity.text === "string" ? activity.text : "",
    value: activity.value,
    replyToId: activity.replyToId,
    conversationId: activity.conversation?.id ?? "",
    conversationType: activity.conversation?.conversationType ?? "",
    tenantId: activity.conversation?.tenantId ?? channelData.tenant?.id,
    serviceUrl: activity.serviceUrl,
    channelId: activity.channelId,
    botId: activity.recipient?.id,
    from: { id: activity.from?.id, aadObjectId: activity.from?.aadObjectId, name: activity.from?.name },
    channel: { channelId: channelData.channel?.id, channelName: channelData.channel?.name, teamId: channelData.team?.id, teamName: channelData.team?.name },
    action: (activity as { action?: string }).action,
    invokeName: activity.type === ActivityTypes.Invoke ? activity.name : undefined,
    botMembership: membershipOf(activity),
    timestamp: activity.timestamp ? new Date(activity.timestamp).toISOString() : undefined,
    files: filesOf(activity),
  };
}

const FILE_DOWNLOAD_INFO = "application/vnd.microsoft.teams.file.download.info";
const FileInfo = z.object({
  name: z.string().min(1).max(500),
  content: z.object({ downloadUrl: z.string().url().max(4000), fileType: z.string().max(20).optional() }),
});
const FILE_TYPES: Readonly<Record<string, string>> = {
  pdf: "application/pdf",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  doc: "application/msword",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  txt: "text/plain",
};

/** Files sent to the bot (Teams' file download info attachments), checked and bounded; others are ignored. */
function filesOf(activity: Activity): IncomingFile[] | undefined {
  const files = (activity.attachments ?? [])
    .filter((a) => a.contentType === FILE_DOWNLOAD_INFO)
    .slice(0, 10)
    .flatMap((a) => {
      const parsed = FileInfo.safeParse(a);
      if (!parsed.success) return [];
      const type = (parsed.data.content.fileType ?? "").toLowerCase();
      return [{ name: parsed.data.name, contentType: FILE_TYPES[type] ?? "application/octet-stream", downloadUrl: parsed.data.content.downloadUrl }];
    });
  return files.length > 0 ? files : undefined;
}

/** Largest file fetched from Teams (the case keeps files up to this). */
const MAX_FILE_BYTES = 25 * 1024 * 1024;
const FILE_FETCH_MS = 30_000;

/**
 * Only Teams' own file store (SharePoint and OneDrive, https) is fetched from: the address comes in the activity,
 * which the Bot Framework token vouches for. In local mode (no bot credentials) loopback addresses are allowed too.
 */
function fetchableFile(url: string, localMode: boolean): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === "https:" && /(^|\.)sharepoint\.com$/i.test(parsed.hostname)) return true;
  return localMode && parsed.protocol === "http:" && (parsed.hostname === "127.0.0.1" || parsed.hostname === "localhost");
}

function membershipOf(activity: Activity): Incoming["botMembership"] {
  if (activity.type !== ActivityTypes.ConversationUpdate) return undefined;
  const botId = activity.recipient?.id;
  if ((activity.membersAdded ?? []).some((member) => member.id === botId)) return "added";
  if ((activity.membersRemoved ?? []).some((member) => member.id === botId)) return "removed";
  return undefined;
}

const cardActivity = (card: object): Partial<Activity> => MessageFactory.attachment({ contentType: ADAPTIVE_CARD, content: card });

const TURN = Symbol("palsDeskTurn");

/** The bot: routes registered by features, run by teams-ai over the adapter. */
export class TeamsBot implements BotRoutes {
  private readonly app: Application;
  private readonly commands: { pattern: RegExp; handler: (turn: Turn, rest: string) => Promise<void> }[] = [];
  private readonly messageHandlers: ((turn: Turn) => Promise<boolean>)[] = [];
  private fileHandler?: (turn: Turn) => Promise<void>;
  private finished = false;

  constructor(
    private readonly adapter: TeamsAdapter,
    private readonly options: TeamsBotOptions,
  ) {
    this.app = new Application({ adapter, botAppId: options.botAppId, removeRecipientMention: true, startTypingTimer: false, longRunningMessages: false });
    adapter.onTurnError = (context, error) => this.onError(context, error);
    this.app.turn("beforeTurn", async (context) => {
      const turn = await this.turnOf(context);
      return this.options.beforeTurn(turn);
    });
  }

  command(pattern: RegExp, handler: (turn: Turn, rest: string) => Promise<void>): void {
    this.commands.push({ pattern, handler });
  }

  message(handler: (turn: Turn) => Promise<boolean>): void {
    this.messageHandlers.push(handler);
  }

  files(handler: (turn: Turn) => Promise<void>): void {
    this.fileHandler = handler;
  }

  verb(verb: string, handler: (turn: Turn, data: unknown) => Promise<void>): void {
    this.app.adaptiveCards.actionExecute(verb, async (context, _state, data) => {
      await handler(await this.turnOf(context), data);
      return "";
    });
  }

  search(commandId: string, handler: (turn: Turn, query: SearchQuery) => Promise<SearchAnswer>): void {
    this.app.messageExtensions.query(commandId, async (context, _state, query) => {
      const turn = await this.turnOf(context);
      const answer = await handler(turn, { parameters: query.parameters, skip: query.skip, count: query.count });
      return searchResult(turn, answer);
    });
  }

  messageAction(
    commandId: string,
    handlers: {
      readonly fetch: (turn: Turn, request: MessageActionRequest) => Promise<TaskAnswer>;
      readonly submit: (turn: Turn, request: MessageActionRequest) => Promise<TaskAnswer>;
    },
  ): void {
    const requestOf = (context: TurnContext): MessageActionRequest => {
      const value = (context.activity.value ?? {}) as Record<string, unknown>;
      return { commandContext: value.commandContext, messagePayload: value.messagePayload, data: value.data };
    };
    // Answered here in the dialog's own shape; teams-ai then sends nothing of its own.
    this.app.messageExtensions.fetchTask(commandId, async (context) => {
      await answerTask(context, await handlers.fetch(await this.turnOf(context), requestOf(context)));
      return "";
    });
    this.app.messageExtensions.submitAction(commandId, async (context) => {
      await answerTask(context, await handlers.submit(await this.turnOf(context), requestOf(context)));
      return "";
    });
  }

  fileConsent(handlers: {
    accept: (turn: Turn, answer: FileConsentAnswer) => Promise<void>;
    decline: (turn: Turn, answer: FileConsentAnswer) => Promise<void>;
  }): void {
    const answerOf = (response: FileConsentCardResponse | undefined): FileConsentAnswer => ({ context: response?.context, upload: response?.uploadInfo });
    this.app.fileConsentAccept(async (context, _state, response) => handlers.accept(await this.turnOf(context), answerOf(response)));
    this.app.fileConsentDecline(async (context, _state, response) => handlers.decline(await this.turnOf(context), answerOf(response)));
  }

  installed(handler: (turn: Turn) => Promise<void>): void {
    this.app.conversationUpdate("membersAdded", async (context) => {
      const turn = await this.turnOf(context);
      if (turn.incoming.botMembership === "added") await handler(turn);
    });
  }

  uninstalled(handler: (turn: Turn) => Promise<void>): void {
    this.app.activity(ActivityTypes.InstallationUpdate, async (context) => {
      const action = (context.activity as { action?: string }).action;
      if (action === "remove" || action === "remove-upgrade") await handler(await this.turnOf(context));
    });
    this.app.conversationUpdate("membersRemoved", async (context) => {
      const turn = await this.turnOf(context);
      if (turn.incoming.botMembership === "removed") await handler(turn);
    });
  }

  /** Call once every feature has registered: adds the routes for what none of them took. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.app.activity(ActivityTypes.Message, async (context) => this.onMessage(await this.turnOf(context)));
    this.app.adaptiveCards.actionExecute(/.*/, async (context) => {
      await this.options.unknownVerb(await this.turnOf(context));
      return "";
    });
  }

  /** Handles one POST /api/messages; every line logged while handling it goes to `log`. */
  async process(req: Request, res: Response, log: Logger): Promise<void> {
    this.finish();
    await runWithLog(log, async () => {
      const printed = await capturingSdkConsole(() =>
        this.adapter.process(req, res, (context) => outsideSdkCapture(async () => void (await this.app.run(context)))),
      );
      reportSdkConsole(printed, res.statusCode, log);
    });
  }

  private async onMessage(turn: Turn): Promise<void> {
    if (turn.incoming.files && this.fileHandler) return this.fileHandler(turn);
    const text = normaliseCommandText(turn.incoming.text);
    for (const { pattern, handler } of this.commands) {
      const match = pattern.exec(text);
      if (match && match.index === 0) return handler(turn, text.slice(match[0].length).trim());
    }
    for (const handler of this.messageHandlers) if (await handler(turn)) return;
    await this.options.notUnderstood(turn);
  }

  private async onError(context: TurnContext, error: unknown): Promise<void> {
    // Names and codes only: an SDK or store error message can quote a document.
    activityLog(this.options.log).error(
      { err: errorFacts(error), activityId: context.activity.id, activityType: context.activity.type },
      "Unhandled error while handling an activity",
    );
    const storeDown = this.options.isStoreUnavailable(error);
    const title = storeDown ? "PALS Desk can't reach its case store right now" : "Sorry, something went wrong on our side";
    // A change may have been saved before the failure: pressing again is safe, it is never done twice.
    const text =
      "What you asked may not have been done. Please try again in a minute: nothing is done twice. If it keeps happening, tell your PALS Desk admin.";
    if (context.activity.type === ActivityTypes.Message) {
      await context.sendActivity(`**${title}.** ${text}`).catch(() => undefined);
    } else if (context.activity.type === ActivityTypes.Invoke && !context.turnState.get(INVOKE_RESPONSE_KEY)) {
      // Each invoke is answered in its own shape, or Teams shows only its own generic error.
      const name = context.activity.name;
      const answer =
        name === "composeExtension/query"
          ? context.sendActivity({
              type: ActivityTypes.InvokeResponse,
              value: { status: 200, body: { composeExtension: { type: "message", text: `${title}. ${text}` } } },
            })
          : name === "composeExtension/fetchTask" || name === "composeExtension/submitAction"
            ? answerTask(context, { kind: "message", text: `${title}. ${text}` })
            : answerWithCard(context, this.options.noticeCard(title, text));
      await answer.catch(() => undefined);
    }
  }

  /** The Turn for a context, made once per activity (identity and roles resolved once). */
  private async turnOf(context: TurnContext): Promise<Turn> {
    const made = context.turnState.get(TURN) as Turn | undefined;
    if (made) return made;
    const incoming = incomingOf(context.activity);
    const turn = new ContextTurn(context, incoming, await this.options.identify(incoming), activityLog(this.options.log), this.options.botAppId);
    context.turnState.set(TURN, turn);
    return turn;
  }
}

function searchResult(turn: Pick<Turn, "log">, answer: SearchAnswer): MessagingExtensionResult {
  if (answer.kind === "message") return { type: "message", text: answer.text };
  const attachments: MessagingExtensionAttachment[] = answer.results.map((result) => ({
    ...CardFactory.adaptiveCard(result.card),
    preview: CardFactory.thumbnailCard(result.preview.title, result.preview.text),
  }));
  const fitting = attachments.filter((attachment) => Buffer.byteLength(JSON.stringify(attachment)) <= MAX_RESULT_BYTES);
  if (fitting.length < attachments.length)
    turn.log.warn({ tooLarge: attachments.length - fitting.length }, "Search results over Teams' 28 KB limit were left out");
  return { type: "result", attachmentLayout: "list", attachments: fitting };
}

/** Answers an Action.Execute invoke ourselves: teams-ai would otherwise copy a card with a `refresh` into the shared message. */
async function answerWithCard(context: TurnContext, card: object): Promise<void> {
  await context.sendActivity({
    type: ActivityTypes.InvokeResponse,
    value: { status: 200, body: { statusCode: 200, type: "application/vnd.microsoft.card.adaptive", value: card } },
  });
}

/** Answers a message action's invoke: a card (a "continue" task) or a line of text (a "message" task) in its dialog. */
async function answerTask(context: TurnContext, answer: TaskAnswer): Promise<void> {
  const body =
    answer.kind === "card"
      ? { task: { type: "continue", value: { title: answer.title, card: CardFactory.adaptiveCard(answer.card) } } }
      : { task: { type: "message", value: answer.text } };
  await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 200, body } });
}

class ContextTurn implements Turn {
  constructor(
    private readonly context: TurnContext,
    readonly incoming: Incoming,
    readonly identified: Identified,
    readonly log: Logger,
    private readonly botAppId: string,
  ) {}

  async send(markdown: string): Promise<void> {
    await this.context.sendActivity(markdown);
  }

  async sendPlainText(text: string): Promise<void> {
    await this.context.sendActivity({ type: ActivityTypes.Message, textFormat: "plain", text });
  }

  async sendCard(card: object): Promise<void> {
    await this.context.sendActivity(cardActivity(card));
  }

  async sendCards(cards: readonly object[], intro: string): Promise<void> {
    await this.context.sendActivity(
      MessageFactory.list(
        cards.map((card) => CardFactory.adaptiveCard(card)),
        intro,
      ),
    );
  }

  async sendFile(attachment: Parameters<Turn["sendFile"]>[0], text?: string): Promise<void> {
    await this.context.sendActivity({ type: ActivityTypes.Message, ...(text ? { text } : {}), attachments: [{ ...attachment }] });
  }

  async answerCard(card: object): Promise<void> {
    await answerWithCard(this.context, card);
  }

  async answerMessage(text: string): Promise<void> {
    await this.context.sendActivity({
      type: ActivityTypes.InvokeResponse,
      value: { status: 200, body: { statusCode: 200, type: "application/vnd.microsoft.activity.message", value: text } },
    });
  }

  async answerSearch(answer: SearchAnswer): Promise<void> {
    await this.context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 200, body: { composeExtension: searchResult(this, answer) } } });
  }

  async answerTask(answer: TaskAnswer): Promise<void> {
    await answerTask(this.context, answer);
  }

  async sendCardTo(address: ConversationAddress, card: object): Promise<boolean> {
    const adapter = this.context.adapter as TeamsAdapter;
    const tenantId = this.incoming.tenantId ?? "";
    let failure: unknown;
    try {
      // Failures are caught inside, so they come back here rather than to the adapter's turn error handler.
      await adapter.continueConversationAsync(this.botAppId, referenceFor(address, tenantId), async (context) => {
        try {
          // Within the invoke's 5 s: one try, no in-process retries; the person is told to try again.
          connectorWithoutRetries(context, adapter);
          await context.sendActivity(cardActivity(card));
        } catch (error) {
          failure = error;
        }
      });
    } catch (error) {
      failure = error;
    }
    if (failure === undefined) return true;
    this.log.warn({ err: errorFacts(failure), conversationType: address.conversationType }, "Could not post a card in another conversation");
    return false;
  }

  async downloadFile(file: IncomingFile): Promise<{ ok: true; content: Buffer } | { ok: false; tooLarge?: boolean }> {
    if (!fetchableFile(file.downloadUrl, this.botAppId === "")) {
      this.log.warn("A file address that is not Teams' own file store was refused");
      return { ok: false };
    }
    try {
      const response = await fetch(file.downloadUrl, { signal: AbortSignal.timeout(FILE_FETCH_MS), redirect: "error" });
      if (!response.ok || !response.body) {
        this.log.warn({ status: response.status }, "A file sent to PALS Desk could not be fetched");
        return { ok: false };
      }
      const declared = Number(response.headers.get("content-length") ?? "0");
      if (declared > MAX_FILE_BYTES) return { ok: false, tooLarge: true };
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        size += chunk.length;
        if (size > MAX_FILE_BYTES) return { ok: false, tooLarge: true };
        chunks.push(Buffer.from(chunk));
      }
      return { ok: true, content: Buffer.concat(chunks) };
    } catch (error) {
      this.log.warn({ err: errorFacts(error) }, "A file sent to PALS Desk could not be fetched");
      return { ok: false };
    }
  }

  async updatePressedCard(card: object): Promise<boolean> {
    const id = this.incoming.replyToId;
    if (!id) return false;
    try {
      await this.context.updateActivity({ ...cardActivity(card), id });
      return true;
    } catch (error) {
      this.log.warn({ err: errorFacts(error) }, "Could not update the card for everyone in the conversation");
      return false;
    }
  }
}
