// What a Teams feature sees of the Bot Framework: plain data in, plain actions out. This file imports no
// SDK; teamsAi.ts implements it over botbuilder and teams-ai, so moving to Teams SDK v2 or the Microsoft 365
// Agents SDK means rewriting this folder only.
import type { Caller, ConversationAddress } from "../../domain";
import type { Logger } from "../../logger";

/** Who sent an activity: the person acting in their trust, or why they can't be served. */
export type Identified =
  | {
      readonly ok: true;
      readonly caller: Caller;
      /** Some roles could not be checked (Entra ID groups unreadable): the caller has only those confirmed. */ readonly rolesUnchecked?: true;
      /** In no trust: here only to answer what a case addressed to them (identity.ts ADDRESSED_VERBS); nothing of theirs is kept. */
      readonly addressedOnly?: true;
    }
  | {
      readonly ok: false;
      readonly refusal: string;
      /** Another organisation (ALLOWED_TENANT_IDS), no usable identity, or no role confirmed while groups could not be read. */
      readonly reason: "tenant-not-served" | "unidentified" | "roles-unchecked" | "no-trust";
    };

/** The team and channel a channel message came from (Teams' channelData). */
export interface ChannelInfo {
  readonly channelId?: string;
  readonly channelName?: string;
  readonly teamId?: string;
  readonly teamName?: string;
}

/** The activity being handled, reduced to what features use. */
export interface Incoming {
  readonly type: string;
  readonly id?: string;
  /** The text without the bot's @mention ("" when none). */
  readonly text: string;
  readonly value?: unknown;
  /** The message the pressed card is in. */
  readonly replyToId?: string;
  readonly conversationId: string;
  /** "personal", "channel" or "groupChat". */
  readonly conversationType: string;
  readonly tenantId?: string;
  readonly serviceUrl: string;
  readonly channelId: string;
  readonly botId?: string;
  readonly from: { readonly id?: string; readonly aadObjectId?: string; readonly name?: string };
  readonly channel: ChannelInfo;
  /** installationUpdate: "add", "remove", ... */
  readonly action?: string;
  /** An invoke's name ("adaptiveCard/action", "composeExtension/query", ...). */
  readonly invokeName?: string;
  /** A conversationUpdate that adds or removes this bot (not another member). */
  readonly botMembership?: "added" | "removed";
  readonly timestamp?: string;
  /** Files sent to the bot in its personal chat (Teams' file download info: a short-lived pre-authenticated address). */
  readonly files?: readonly IncomingFile[];
}

/** A file someone sent the bot: its name as sent, its type, and where Teams lets the bot fetch it. */
export interface IncomingFile {
  readonly name: string;
  readonly contentType: string;
  readonly downloadUrl: string;
}

/** A file attachment Teams shows in a chat: a consent card before upload, a file card after. */
export interface FileAttachment {
  readonly contentType: "application/vnd.microsoft.teams.card.file.consent" | "application/vnd.microsoft.teams.card.file.info";
  readonly name: string;
  readonly contentUrl?: string;
  readonly content: object;
}

/** One turn: the activity, who sent it, and the ways to answer. Nothing here is Bot Framework-specific. */
export interface Turn {
  readonly incoming: Incoming;
  readonly identified: Identified;
  /** This turn's logger: every line carries the activity's request id. */
  readonly log: Logger;
  /** A message in the conversation (Teams markdown: for our own words only, never typed text). */
  send(markdown: string): Promise<void>;
  /** A message shown exactly as written (typed text, letters). */
  sendPlainText(text: string): Promise<void>;
  sendCard(card: object): Promise<void>;
  /** Several cards as one list message under a line of text. */
  sendCards(cards: readonly object[], intro: string): Promise<void>;
  sendFile(attachment: FileAttachment, text?: string): Promise<void>;
  /** Answers a card button (Action.Execute) with the card to show in place of the pressed one, for this person. */
  answerCard(card: object): Promise<void>;
  /** Answers a card button with a short message beside the card, leaving the card as it is. */
  answerMessage(text: string): Promise<void>;
  /** Answers a message extension search (used where the search route did not run, e.g. a refusal). */
  answerSearch(answer: SearchAnswer): Promise<void>;
  /** Replaces the message the pressed card is in, for everyone in the conversation; false when it could not. */
  updatePressedCard(card: object): Promise<boolean>;
  /** Answers a message action's dialog (used where the message action route did not run, e.g. a refusal). */
  answerTask(answer: TaskAnswer): Promise<void>;
  /** Posts a card in another conversation PALS Desk has an address for (a person's personal chat); false when Teams refused it. */
  sendCardTo(address: ConversationAddress, card: object): Promise<boolean>;
  /** Fetches a file sent in this turn (at most 25 MB, from Teams' own file store only). */
  downloadFile(file: IncomingFile): Promise<{ readonly ok: true; readonly content: Buffer } | { readonly ok: false; readonly tooLarge?: boolean }>;
}

/** A message action (`composeExtension/fetchTask` or `/submitAction`) as Teams sent it (unchecked: the feature validates it). */
export interface MessageActionRequest {
  /** "message" when started from a message's "..." menu. */
  readonly commandContext: unknown;
  /** The message it was started on (Graph's chatMessage shape). */
  readonly messagePayload: unknown;
  /** On submit: the dialog card's inputs and its button's data. */
  readonly data: unknown;
}

/** What a message action's dialog (task module) shows next: a card, or a line of plain text. */
export type TaskAnswer = { readonly kind: "card"; readonly title: string; readonly card: object } | { readonly kind: "message"; readonly text: string };

/** A message extension search as Teams sent it (unchecked: the feature validates it). */
export interface SearchQuery {
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly skip: unknown;
  readonly count: unknown;
}

/** One search result: the card inserted into the chat, and its preview in the results list. */
export interface SearchResult {
  readonly card: object;
  readonly preview: { readonly title: string; readonly text: string };
}

export type SearchAnswer = { readonly kind: "results"; readonly results: readonly SearchResult[] } | { readonly kind: "message"; readonly text: string };

/** The person's answer on a file consent card, with the upload address Teams gives when they accept. */
export interface FileConsentAnswer {
  readonly context: unknown;
  readonly upload?: {
    readonly uploadUrl?: string;
    readonly contentUrl?: string;
    readonly name?: string;
    readonly uniqueId?: string;
    readonly fileType?: string;
  };
}

/** How features plug into the bot: typed commands, card buttons, searches, files and installs. */
export interface BotRoutes {
  /** A typed command: `pattern` is tried on the text as typed (trimmed, spaces folded, no trailing full stop); `rest` is what follows the match. First registered wins. */
  command(pattern: RegExp, handler: (turn: Turn, rest: string) => Promise<void>): void;
  /** A message no command took; returns true when it handled it (e.g. a reply in an investigation thread). */
  message(handler: (turn: Turn) => Promise<boolean>): void;
  /** A message carrying files: tried before the commands (its text names the case, it is not a command). */
  files(handler: (turn: Turn) => Promise<void>): void;
  /** A card button (Action.Execute) by its verb; the handler answers with answerCard or answerMessage. */
  verb(verb: string, handler: (turn: Turn, data: unknown) => Promise<void>): void;
  /** A search message extension command. */
  search(commandId: string, handler: (turn: Turn, query: SearchQuery) => Promise<SearchAnswer>): void;
  /** A message action command (`context: ["message"]`): `fetch` opens its dialog, `submit` gets the dialog's card submitted. */
  messageAction(
    commandId: string,
    handlers: {
      readonly fetch: (turn: Turn, request: MessageActionRequest) => Promise<TaskAnswer>;
      readonly submit: (turn: Turn, request: MessageActionRequest) => Promise<TaskAnswer>;
    },
  ): void;
  fileConsent(handlers: {
    readonly accept: (turn: Turn, answer: FileConsentAnswer) => Promise<void>;
    readonly decline: (turn: Turn, answer: FileConsentAnswer) => Promise<void>;
  }): void;
  /** The bot was added to a personal chat, group chat or team. */
  installed(handler: (turn: Turn) => Promise<void>): void;
  /** The bot was removed (uninstalled, or removed from a team). */
  uninstalled(handler: (turn: Turn) => Promise<void>): void;
}

/** Text as the person typed it, without surrounding spaces, runs of spaces or a trailing full stop. */
export function normaliseCommandText(text: string | undefined): string {
  return (text ?? "")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/[.!?]+$/, "");
}
