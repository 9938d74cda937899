import { randomBytes, randomUUID } from "node:crypto";
import http from "node:http";
import type { MailboxState, MailboxStateStore } from "../../src/domain/ports";
import { FakeEntra, GRAPH_BASE, type GraphRouteRequest, type ScriptedAnswer } from "./fakeEntra";
import { closeNow, listenOnLoopback } from "./ports";

/** Outlook message subscriptions live at most 10,080 minutes. */
export const MAX_SUBSCRIPTION_MINUTES = 10_080;
/** Graph's page size for a message delta when the request does not say (Prefer: odata.maxpagesize). */
export const DEFAULT_PAGE_SIZE = 10;

export interface FakeMessage {
  /** Graph's opaque id (base64-like, with `=` and `-`, as Graph's are). */
  readonly id: string;
  readonly address: string;
  readonly receivedDateTime: string;
  readonly internetMessageId?: string;
  readonly raw: Buffer;
  deleted: boolean;
}

export interface FakeSubscription {
  readonly id: string;
  readonly address: string;
  readonly resource: string;
  readonly changeType: string;
  readonly notificationUrl: string;
  readonly lifecycleNotificationUrl?: string;
  readonly clientState?: string;
  expirationDateTime: string;
  deleted: boolean;
}

export interface SentNotification {
  readonly url: string;
  readonly subscriptionId: string;
  readonly kind: "created" | "lifecycle";
  /** The notification endpoint's answer (0: no answer). */
  readonly status: number;
}

export interface Validation {
  readonly url: string;
  readonly ok: boolean;
  readonly status: number;
}

/** A change in a mailbox's inbox, in order: what a delta reads. */
interface MailboxEvent {
  readonly seq: number;
  readonly kind: "created" | "updated" | "deleted";
  readonly messageId: string;
}

interface FakeMailbox {
  readonly address: string;
  /** The user's object id, as Graph puts it in a notification's resource. */
  readonly userId: string;
  readonly messages: Map<string, FakeMessage>;
  readonly events: MailboxEvent[];
  /** Delta tokens made before this are refused (410): the sync state expired. */
  tokenGeneration: number;
  /** Messages PALS Desk makes (drafts) and sends (sent items), by Graph id. */
  readonly outgoing: Map<string, FakeOutgoing>;
}

/** What a delta or skip token carries: Graph's own are opaque, and carry the first request's options as these do. */
interface DeltaToken {
  readonly m: string;
  readonly g: number;
  /** Events after this sequence number... */
  readonly after: number;
  /** ...up to this one (a skip token: the round's snapshot), and how many of the round's items are already given. */
  readonly upto?: number;
  readonly offset?: number;
  readonly since?: string;
  readonly select?: string[];
  readonly changeType?: string;
}

const encodeToken = (token: DeltaToken) => Buffer.from(JSON.stringify(token)).toString("base64url");
function decodeToken(text: string): DeltaToken | undefined {
  try {
    return JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as DeltaToken;
  } catch {
    return undefined;
  }
}

/** The https host of the upload URLs the fake gives (Graph's are on outlook.office.com): carried to the fake's upload server. */
export const UPLOAD_HOST = "https://outlook.entra.test";
/** Graph's limit on a request's body (a message with its attachments, an attachment's JSON). */
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;
/** An upload session's PUTs: each a multiple of 320 KiB (but the last), at most 4 MB; a file at most 150 MB. */
export const UPLOAD_UNIT_BYTES = 320 * 1024;
export const MAX_UPLOAD_PUT_BYTES = 4 * 1024 * 1024;
export const MAX_UPLOAD_BYTES = 150 * 1024 * 1024;
/** PidTagMessageFlags bits: read, submitted (accepted for sending), unsent (a draft). */
export const MF_READ = 0x1;
export const MF_SUBMITTED = 0x4;
export const MF_UNSENT = 0x8;

export interface FakeAttachment {
  readonly id: string;
  readonly name: string;
  readonly contentType: string;
  readonly content: Buffer;
  /** How it came: in the create request, a POST of its own, or an upload session (with its PUTs). */
  readonly via: "create" | "post" | "upload";
  readonly puts: number;
}

/** A message PALS Desk makes in a mailbox: a draft in Drafts, then (sent) in Sent Items with a new id, as Graph moves it. */
export interface FakeOutgoing {
  id: string;
  readonly address: string;
  folder: "drafts" | "sentitems";
  readonly createdDateTime: string;
  readonly subject: string;
  readonly body: { readonly contentType: string; readonly content: string };
  readonly toRecipients: readonly { readonly emailAddress: { readonly address: string; readonly name?: string } }[];
  readonly internetMessageId: string;
  /** Single-value extended properties by id, as given (a named property's name is case-sensitive). */
  readonly extendedProperties: Map<string, string>;
  readonly attachments: FakeAttachment[];
  /** PidTagMessageFlags. */
  flags: number;
}

/** An email that left a mailbox: what its recipient gets. One per accepted send (a second send of one draft is a second email). */
export interface SentMail {
  readonly address: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly internetMessageId: string;
  readonly inReplyTo?: string;
  readonly references?: string;
  /** The value of the PalsDeskSendId extended property, if the message had one. */
  readonly sendMarker?: string;
  readonly attachments: readonly {
    readonly name: string;
    readonly contentType: string;
    readonly content: Buffer;
    readonly via: FakeAttachment["via"];
    readonly puts: number;
  }[];
}

export interface UploadSessionState {
  readonly id: string;
  readonly address: string;
  readonly messageId: string;
  readonly name: string;
  readonly contentType: string;
  readonly size: number;
  readonly token: string;
  readonly chunks: Buffer[];
  received: number;
  puts: number;
  expired: boolean;
}

/** A route's answer; status 0: the connection is dropped without one. */
interface Answer {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

const ITEM_NOT_FOUND: Answer = { status: 404, body: { error: { code: "ErrorItemNotFound", message: "The specified object was not found in the store." } } };
const INVALID_FILTER: Answer = {
  status: 400,
  body: { error: { code: "ErrorInvalidUrlQueryFilter", message: "The query filter contains one or more invalid nodes." } },
};

/** An extended property id in a canonical form: "String 0x1042" and "string 0x1042" alike; a named property's name kept as is. */
function propertyKey(id: string): string {
  const tag = /^(\w+)\s+0x([0-9a-f]{1,4})$/i.exec(id.trim());
  if (tag) return `${tag[1].toLowerCase()} 0x${parseInt(tag[2], 16).toString(16)}`;
  const named = /^(\w+)\s+\{([0-9a-f-]{36})\}\s+(Name|Id)\s+(.+)$/i.exec(id.trim());
  if (named) return `${named[1].toLowerCase()} {${named[2].toLowerCase()}} ${named[3].toLowerCase()} ${named[4]}`;
  return id;
}

/** How Graph writes an extended property's id back (a tag in lower case hex without leading zeros). */
function propertyIdAsGraphWrites(id: string): string {
  const tag = /^(\w+)\s+0x([0-9a-f]{1,4})$/i.exec(id.trim());
  return tag ? `${tag[1][0].toUpperCase()}${tag[1].slice(1).toLowerCase()} 0x${parseInt(tag[2], 16).toString(16)}` : id;
}

/**
 * Microsoft Graph mail on loopback, with the token service of FakeEntra (every request must carry a token it
 * issued): shared mailboxes with messages, `messages/delta` of the inbox (paging, delta and skip tokens, $select,
 * changeType, a $filter on receivedDateTime), a message's MIME (`$value`), and change-notification subscriptions
 * with the validation handshake, renewal and the notifications Graph POSTs to the subscriber.
 * And what PALS Desk sends: drafts (create with extended properties and attachments), the mailbox's or a folder's
 * messages filtered by an extended property (any other $filter is Graph's 400), a message's PidTagMessageFlags by
 * $expand, attachments (POST, list), upload sessions whose URL is on the fake's own upload server (ordered PUTs of
 * 320 KiB multiples but the last, at most 4 MB, no Authorization header), and send (the draft moves to Sent Items;
 * `sent` is what recipients got). `failMailAfter` does a request's work and then loses its answer.
 */
export class FakeGraphMail extends FakeEntra {
  readonly mailboxes = new Map<string, FakeMailbox>();
  readonly subscriptions = new Map<string, FakeSubscription>();
  readonly notificationsSent: SentNotification[] = [];
  readonly validations: Validation[] = [];
  /** Every delta request's query and the page size it asked for. */
  readonly deltaRequests: { readonly query: URLSearchParams; readonly pageSize: number }[] = [];
  /** Notifications not sent while `notifications` is "drop" (a notification Graph lost). */
  readonly droppedNotifications: { readonly subscriptionId: string; readonly body: unknown }[] = [];
  /** "send": every delivered message is notified to each active subscription; "drop": none is (Graph lost them). */
  notifications: "send" | "drop" = "send";
  /** $value answers without Content-Length (chunked), so a reader must count what it reads. */
  chunkedValues = false;
  /** How long the subscriber has to answer the validation request (Graph: 10 seconds). */
  validationTimeoutMs = 10_000;
  /** Graph's clock (tests move it with the code's). */
  now: () => Date = () => new Date();
  private seq = 0;
  private readonly routeFailures: { readonly match: RegExp; readonly answer: ScriptedAnswer }[] = [];
  /** Every email sent from a mailbox, in order (a duplicate send shows as two entries). */
  readonly sent: SentMail[] = [];
  /** Every PUT to an upload URL: its Content-Range, its size, and the answer. */
  readonly uploadRequests: { readonly range: string; readonly bytes: number; readonly status: number; readonly authorization: boolean }[] = [];
  readonly uploadSessions = new Map<string, UploadSessionState>();
  /** Mailboxes the app may not touch (outside its Exchange RBAC scope): every request for them answers 403. */
  readonly deniedMailboxes = new Set<string>();
  /**
   * When true, a sent draft stays in Drafts, still saying isDraft: true, with only PidTagMessageFlags telling it was
   * accepted (mfSubmitted), until `moveSubmitted()`: the moment between Exchange accepting a send and moving it.
   */
  submittedLinger = false;
  private readonly afterFailures: { readonly match: RegExp; readonly answer: ScriptedAnswer }[] = [];
  private readonly uploadServer = http.createServer((req, res) => void this.handleUpload(req, res));
  private uploadBase = "";
  /** The transport FakeEntra gives (Graph and login hosts to loopback), for the upload host to be added to it. */
  private readonly entraFetch = (this as FakeEntra).fetch;
  /** For the Graph client and the upload PUTs: fetch, with the fake hosts (login, Graph, upload URLs) carried to loopback. */
  override readonly fetch: typeof fetch = (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    return url.startsWith(`${UPLOAD_HOST}/`) ? fetch(this.uploadBase + url.slice(UPLOAD_HOST.length), init) : this.entraFetch(input, init);
  };

  override async start(): Promise<this> {
    await super.start();
    this.uploadBase = await listenOnLoopback(this.uploadServer);
    return this;
  }

  override async stop(): Promise<void> {
    await closeNow(this.uploadServer);
    await super.stop();
  }

  /**
   * The next Graph requests (or upload PUTs) whose method and path match are carried out, then answered with these
   * instead of their own answer (status 0: the connection is dropped): Graph did the work, the caller never learnt it.
   */
  failMailAfter(match: RegExp, ...answers: ScriptedAnswer[]): void {
    this.afterFailures.push(...answers.map((answer) => ({ match, answer })));
  }

  /** The messages PALS Desk made in a mailbox (drafts and sent items). */
  outgoingOf(address: string): FakeOutgoing[] {
    return [...this.addMailbox(address).outgoing.values()];
  }

  /** Drafts still in a mailbox's Drafts folder, not sent. */
  draftsOf(address: string): FakeOutgoing[] {
    return this.outgoingOf(address).filter((message) => message.folder === "drafts" && (message.flags & MF_SUBMITTED) === 0);
  }

  /** Exchange finishes what it accepted: lingering submitted messages move to Sent Items (with a new id, as Graph's do). */
  moveSubmitted(): void {
    for (const mailbox of this.mailboxes.values()) {
      for (const message of [...mailbox.outgoing.values()])
        if (message.folder === "drafts" && (message.flags & MF_SUBMITTED) !== 0) this.moveToSent(mailbox, message);
    }
  }

  override reset(): void {
    super.reset();
    this.mailboxes.clear();
    this.subscriptions.clear();
    this.notificationsSent.length = 0;
    this.validations.length = 0;
    this.deltaRequests.length = 0;
    this.droppedNotifications.length = 0;
    this.routeFailures.length = 0;
    this.notifications = "send";
    this.chunkedValues = false;
    this.now = () => new Date();
    this.sent.length = 0;
    this.uploadRequests.length = 0;
    this.uploadSessions.clear();
    this.afterFailures.length = 0;
    this.deniedMailboxes.clear();
    this.submittedLinger = false;
  }

  /** The next Graph requests whose method and path (`GET /v1.0/...`) match answer with these, in order. */
  failMail(match: RegExp, ...answers: ScriptedAnswer[]): void {
    this.routeFailures.push(...answers.map((answer) => ({ match, answer })));
  }

  /** Graph requests made so far whose method and path (`GET /v1.0/...`, decoded) match. */
  callsTo(match: RegExp): number {
    return this.graphCalls.filter((call) => match.test(`${call.method} ${decodeURIComponent(call.path)}`)).length;
  }

  addMailbox(address: string): FakeMailbox {
    const key = address.toLowerCase();
    const made = this.mailboxes.get(key);
    if (made) return made;
    const mailbox: FakeMailbox = { address: key, userId: randomUUID(), messages: new Map(), events: [], tokenGeneration: 0, outgoing: new Map() };
    this.mailboxes.set(key, mailbox);
    return mailbox;
  }

  /**
   * A message arrives in the mailbox's inbox: its Message-ID is read from the raw headers, and each active
   * subscription on the inbox is notified (unless `notifications` is "drop" or `notify` is false).
   */
  async deliver(address: string, rawMime: Buffer | string, options: { receivedAt?: Date; notify?: boolean } = {}): Promise<FakeMessage> {
    const mailbox = this.addMailbox(address);
    const raw = Buffer.isBuffer(rawMime) ? rawMime : Buffer.from(rawMime, "utf8");
    const header = /^Message-ID:[ \t]*(<[^>\r\n]*>)/im.exec(raw.subarray(0, 64 * 1024).toString("latin1"));
    const message: FakeMessage = {
      id: `AAMkAGI2${randomBytes(24).toString("base64url")}-AAA=`,
      address: mailbox.address,
      receivedDateTime: (options.receivedAt ?? this.now()).toISOString().replace(/\.\d{3}Z$/, "Z"),
      internetMessageId: header?.[1],
      raw,
      deleted: false,
    };
    mailbox.messages.set(message.id, message);
    mailbox.events.push({ seq: ++this.seq, kind: "created", messageId: message.id });
    if (options.notify !== false) {
      for (const subscription of this.activeSubscriptions(mailbox.address)) {
        const body = {
          value: [
            {
              subscriptionId: subscription.id,
              subscriptionExpirationDateTime: subscription.expirationDateTime,
              changeType: "created",
              resource: `Users/${mailbox.userId}/Messages/${message.id}`,
              resourceData: { "@odata.type": "#Microsoft.Graph.Message", "@odata.id": `Users/${mailbox.userId}/Messages/${message.id}`, id: message.id },
              clientState: subscription.clientState ?? null,
              tenantId: "72f988bf-0000-4000-8000-0000000000aa",
            },
          ],
        };
        if (this.notifications === "drop") this.droppedNotifications.push({ subscriptionId: subscription.id, body });
        else await this.notify(subscription.notificationUrl, subscription.id, "created", body);
      }
    }
    return message;
  }

  /** The message's read state changes: Graph lists it again in the next delta, even one for created messages. */
  markRead(address: string, id: string): void {
    this.addMailbox(address).events.push({ seq: ++this.seq, kind: "updated", messageId: id });
  }

  /** The message is deleted (or moved out of the inbox): a delta lists it as @removed; its $value is 404. */
  remove(address: string, id: string): void {
    const mailbox = this.addMailbox(address);
    const message = mailbox.messages.get(id);
    if (message) message.deleted = true;
    mailbox.events.push({ seq: ++this.seq, kind: "deleted", messageId: id });
  }

  /** Graph forgets the mailbox's sync states: a saved delta link answers 410 Gone. */
  expireDeltaTokens(address: string): void {
    this.addMailbox(address).tokenGeneration += 1;
  }

  /** Graph removes the subscription by itself (a renewal then answers 404). */
  dropSubscription(id: string): void {
    const subscription = this.subscriptions.get(id);
    if (subscription) subscription.deleted = true;
  }

  /** A lifecycle notification, as Graph sends one to the lifecycleNotificationUrl. */
  async sendLifecycle(id: string, lifecycleEvent: "reauthorizationRequired" | "missed" | "subscriptionRemoved", clientState?: string): Promise<number> {
    const subscription = this.subscriptions.get(id);
    if (!subscription) throw new Error(`no subscription ${id}`);
    const body = {
      value: [
        {
          subscriptionId: id,
          subscriptionExpirationDateTime: subscription.expirationDateTime,
          tenantId: "72f988bf-0000-4000-8000-0000000000aa",
          clientState: clientState ?? subscription.clientState ?? null,
          lifecycleEvent,
        },
      ],
    };
    return this.notify(subscription.lifecycleNotificationUrl ?? subscription.notificationUrl, id, "lifecycle", body);
  }

  /** Sends any body to a URL as Graph sends notifications (for forged or malformed ones). */
  async post(url: string, body: unknown): Promise<number> {
    return this.notify(url, "", "created", body);
  }

  /** Subscriptions Graph still has and that have not expired (by Graph's clock). */
  activeSubscriptions(address?: string): FakeSubscription[] {
    return [...this.subscriptions.values()].filter(
      (subscription) =>
        !subscription.deleted && Date.parse(subscription.expirationDateTime) > this.now().getTime() && (!address || subscription.address === address),
    );
  }

  private async notify(url: string, subscriptionId: string, kind: SentNotification["kind"], body: unknown): Promise<number> {
    let status: number;
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json; charset=utf-8" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(3_000),
      });
      await response.arrayBuffer();
      status = response.status;
    } catch {
      status = 0;
    }
    this.notificationsSent.push({ url, subscriptionId, kind, status });
    return status;
  }

  /** Graph's validation handshake: a POST with ?validationToken=..., to be answered 200 text/plain with the token, in time. */
  private async validate(url: string): Promise<boolean> {
    const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`;
    let status = 0;
    let ok: boolean;
    try {
      const target = new URL(url);
      target.searchParams.set("validationToken", token);
      const response = await fetch(target, {
        method: "POST",
        headers: { "content-type": "text/plain; charset=utf-8" },
        body: "",
        signal: AbortSignal.timeout(this.validationTimeoutMs),
      });
      status = response.status;
      const text = await response.text();
      ok = status === 200 && /^text\/plain\b/i.test(response.headers.get("content-type") ?? "") && text === token;
    } catch {
      ok = false;
    }
    this.validations.push({ url, ok, status });
    return ok;
  }

  private mailboxOf(user: string): FakeMailbox | undefined {
    const key = decodeURIComponent(user).toLowerCase();
    return this.mailboxes.get(key) ?? [...this.mailboxes.values()].find((mailbox) => mailbox.userId === key);
  }

  protected override async graphRoute(request: GraphRouteRequest, res: http.ServerResponse): Promise<boolean> {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
      res.end(body === undefined ? undefined : JSON.stringify(body));
      return true;
    };
    const route = `${request.method} ${decodeURIComponent(request.path)}`;
    const scripted = this.routeFailures.findIndex((failure) => failure.match.test(route));
    if (scripted >= 0) {
      const [{ answer }] = this.routeFailures.splice(scripted, 1);
      return send(answer.status, answer.body ?? { error: { code: "Scripted", message: `scripted ${answer.status}` } }, answer.headers);
    }
    const mailRoute =
      /^\/v1\.0\/subscriptions(\/|$)/.test(request.path) || /^\/v1\.0\/users\/[^/]+\/(mailFolders|messages)/i.test(decodeURIComponent(request.path));
    if (!mailRoute) return false;
    if (!request.authorized) return send(401, { error: { code: "InvalidAuthenticationToken", message: "Access token is empty or invalid." } });
    const query = new URL(request.url, "http://graph").searchParams;
    const path = decodeURIComponent(request.path);
    const user = /^\/v1\.0\/users\/([^/]+)\//.exec(path)?.[1];
    if (user && this.deniedMailboxes.has(decodeURIComponent(user).toLowerCase()))
      return send(403, { error: { code: "ErrorAccessDenied", message: "Access is denied. Check credentials and try again." } });
    const outgoing = this.outgoingRoute(request.method, path, query, request.body);
    if (outgoing) return this.answer(route, outgoing, res);

    if (request.method === "POST" && path === "/v1.0/subscriptions") return this.createSubscription(request.body, send);
    const one = /^\/v1\.0\/subscriptions\/([^/]+)$/.exec(path);
    if (one && (request.method === "PATCH" || request.method === "DELETE" || request.method === "GET")) {
      const subscription = this.subscriptions.get(one[1]);
      if (!subscription || subscription.deleted || Date.parse(subscription.expirationDateTime) <= this.now().getTime())
        return send(404, { error: { code: "ResourceNotFound", message: "The object was not found." } });
      if (request.method === "DELETE") {
        subscription.deleted = true;
        res.writeHead(204).end();
        return true;
      }
      if (request.method === "PATCH") {
        const body = parseJson(request.body) as { expirationDateTime?: unknown };
        const problem = this.expiryProblem(body.expirationDateTime);
        if (problem) return send(400, { error: { code: "ExtensionError", message: problem } });
        subscription.expirationDateTime = new Date(String(body.expirationDateTime)).toISOString();
      }
      return send(200, this.subscriptionJson(subscription));
    }

    const delta = /^\/v1\.0\/users\/([^/]+)\/mailFolders\('inbox'\)\/messages\/delta$/i.exec(path);
    if (delta && request.method === "GET") {
      const mailbox = this.mailboxOf(delta[1]);
      if (!mailbox) return send(404, { error: { code: "ErrorInvalidUser", message: "The requested user is invalid." } });
      return this.deltaPage(mailbox, query, request, send);
    }
    const value = /^\/v1\.0\/users\/([^/]+)\/messages\/([^/]+)\/\$value$/.exec(path);
    if (value && request.method === "GET") {
      const message = this.mailboxOf(value[1])?.messages.get(value[2]);
      if (!message || message.deleted) return send(404, { error: { code: "ErrorItemNotFound", message: "The specified object was not found in the store." } });
      if (this.chunkedValues) {
        res.writeHead(200, { "content-type": "text/plain" });
        for (let i = 0; i < message.raw.length; i += 16 * 1024) res.write(message.raw.subarray(i, i + 16 * 1024));
        res.end();
      } else {
        res.writeHead(200, { "content-type": "text/plain", "content-length": String(message.raw.length) });
        res.end(message.raw);
      }
      return true;
    }
    return send(400, { error: { code: "BadRequest", message: "Resource not found for the segment." } });
  }

  // ---- What PALS Desk sends: drafts, attachments, upload sessions, send ----

  /** Writes a route's answer, unless a `failMailAfter` answer replaces it (the work is done either way). */
  private answer(route: string, answer: Answer, res: http.ServerResponse): boolean {
    const after = this.afterFailures.findIndex((failure) => failure.match.test(route));
    const given = after >= 0 ? this.afterFailures.splice(after, 1)[0].answer : undefined;
    const final: Answer = given
      ? {
          status: given.status,
          body: given.body ?? (given.status ? { error: { code: "Scripted", message: `scripted ${given.status}` } } : undefined),
          headers: given.headers,
        }
      : answer;
    if (final.status === 0) {
      res.destroy();
      return true;
    }
    res.writeHead(final.status, { ...(final.body !== undefined ? { "content-type": "application/json; charset=utf-8" } : {}), ...final.headers });
    res.end(final.body === undefined ? undefined : JSON.stringify(final.body));
    return true;
  }

  /** The routes of outgoing mail, or undefined for a path that is not one of them. */
  private outgoingRoute(method: string, path: string, query: URLSearchParams, body: string): Answer | undefined {
    const route = /^\/v1\.0\/users\/([^/]+)\/(.+)$/.exec(path);
    if (!route) return undefined;
    const rest = route[2];
    const list = /^(?:mailFolders\('(drafts|sentitems)'\)\/)?messages$/i.exec(rest);
    const one = /^messages\/([^/]+)$/.exec(rest);
    const attachments = /^messages\/([^/]+)\/attachments$/.exec(rest);
    const session = /^messages\/([^/]+)\/attachments\/createUploadSession$/.exec(rest);
    const send = /^messages\/([^/]+)\/send$/.exec(rest);
    if (!list && !one && !attachments && !session && !send) return undefined;
    const mailbox = this.mailboxOf(route[1]);
    if (!mailbox) return { status: 404, body: { error: { code: "ErrorInvalidUser", message: "The requested user is invalid." } } };
    if (method === "POST" && Buffer.byteLength(body) > MAX_REQUEST_BYTES)
      return { status: 413, body: { error: { code: "RequestBodyTooLarge", message: "The maximum request length supported is 4MB." } } };
    if (list && method === "GET") return this.listOutgoing(mailbox, list[1]?.toLowerCase() as FakeOutgoing["folder"] | undefined, query);
    if (list && method === "POST" && !list[1]) return this.createDraft(mailbox, body);
    const message = mailbox.outgoing.get((one ?? attachments ?? session ?? send)![1]);
    if (!message) return ITEM_NOT_FOUND;
    if (one && method === "GET") return { status: 200, body: this.outgoingJson(message, selectOf(query), undefined) };
    if (attachments && method === "GET") {
      const select = selectOf(query);
      return {
        status: 200,
        body: {
          value: message.attachments.map((attachment) => {
            // Exchange's size is its own (the stored attachment's), not the content's length.
            const all: Record<string, unknown> = {
              name: attachment.name,
              contentType: attachment.contentType,
              size: attachment.content.length + 160 + 2 * attachment.name.length,
              isInline: false,
            };
            return { "@odata.type": "#microsoft.graph.fileAttachment", id: attachment.id, ...pick(all, select) };
          }),
        },
      };
    }
    const notDraft: Answer = { status: 400, body: { error: { code: "ErrorInvalidOperation", message: "The item is not a draft." } } };
    const isOpenDraft = message.folder === "drafts" && (message.flags & MF_SUBMITTED) === 0;
    if (attachments && method === "POST") {
      if (!isOpenDraft) return notDraft;
      const made = fileAttachmentOf(parseJson(body), "post");
      if ("status" in made) return made;
      message.attachments.push(made);
      return {
        status: 201,
        body: {
          "@odata.type": "#microsoft.graph.fileAttachment",
          id: made.id,
          name: made.name,
          contentType: made.contentType,
          size: made.content.length,
          isInline: false,
        },
      };
    }
    if (session && method === "POST") {
      if (!isOpenDraft) return notDraft;
      const given = parseJson(body) as Record<string, unknown>;
      const item = (given.AttachmentItem ?? given.attachmentItem) as Record<string, unknown> | undefined;
      const size = Number(item?.size);
      if (
        !item ||
        item.attachmentType !== "file" ||
        typeof item.name !== "string" ||
        !item.name ||
        !Number.isSafeInteger(size) ||
        size <= 0 ||
        size > MAX_UPLOAD_BYTES
      )
        return {
          status: 400,
          body: { error: { code: "ErrorInvalidRequest", message: "AttachmentItem needs attachmentType file, a name and a size up to 150 MB." } },
        };
      const state: UploadSessionState = {
        id: randomBytes(18).toString("base64url"),
        address: mailbox.address,
        messageId: message.id,
        name: item.name,
        contentType: typeof item.contentType === "string" ? item.contentType : "application/octet-stream",
        size,
        token: randomBytes(24).toString("base64url"),
        chunks: [],
        received: 0,
        puts: 0,
        expired: false,
      };
      this.uploadSessions.set(state.id, state);
      return {
        status: 201,
        body: {
          "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.uploadSession",
          uploadUrl: `${UPLOAD_HOST}/api/v2.0/Users('${mailbox.userId}')/Messages('${encodeURIComponent(message.id)}')/AttachmentSessions('${state.id}')?authtoken=${state.token}`,
          expirationDateTime: new Date(this.now().getTime() + 15 * 60_000).toISOString(),
          nextExpectedRanges: ["0-"],
        },
      };
    }
    if (send && method === "POST") {
      // A message already accepted for sending is sent again: a second email (what the tests must never see).
      if (message.folder !== "drafts") return ITEM_NOT_FOUND;
      if (message.toRecipients.length === 0)
        return { status: 400, body: { error: { code: "ErrorInvalidRecipients", message: "At least one recipient isn't valid." } } };
      message.flags = (message.flags & ~MF_UNSENT) | MF_SUBMITTED;
      this.sent.push({
        address: mailbox.address,
        to: message.toRecipients.map((recipient) => recipient.emailAddress.address),
        subject: message.subject,
        text: message.body.content,
        internetMessageId: message.internetMessageId,
        inReplyTo: propertyOf(message, "String 0x1042"),
        references: propertyOf(message, "String 0x1039"),
        sendMarker: [...message.extendedProperties].find(([id]) => / Name PalsDeskSendId$/.test(id))?.[1],
        attachments: message.attachments.map((attachment) => ({
          name: attachment.name,
          contentType: attachment.contentType,
          content: attachment.content,
          via: attachment.via,
          puts: attachment.puts,
        })),
      });
      if (!this.submittedLinger) this.moveToSent(mailbox, message);
      return { status: 202 };
    }
    return { status: 405, body: { error: { code: "ErrorInvalidRequest", message: "The OData request is not supported." } } };
  }

  /** Messages of a folder (or the whole mailbox): the one $filter PALS Desk uses, $select, $top, $expand of one extended property. */
  private listOutgoing(mailbox: FakeMailbox, folder: FakeOutgoing["folder"] | undefined, query: URLSearchParams): Answer {
    let matches: (message: FakeOutgoing) => boolean = () => true;
    const filter = query.get("$filter");
    if (filter !== null) {
      const parsed = /^singleValueExtendedProperties\/Any\(ep: ep\/id eq '([^']+)' and ep\/value eq '([^']*)'\)$/.exec(filter);
      if (!parsed) return INVALID_FILTER;
      const key = propertyKey(parsed[1]);
      // The property's value is compared case-insensitively (as Graph's reference says).
      const value = parsed[2].toLowerCase();
      matches = (message) => [...message.extendedProperties].some(([id, given]) => propertyKey(id) === key && given.toLowerCase() === value);
    }
    let expandKey: string | undefined;
    const expand = query.get("$expand");
    if (expand !== null) {
      const parsed = /^singleValueExtendedProperties\(\$filter=id eq '([^']+)'\)$/.exec(expand);
      if (!parsed) return { status: 400, body: { error: { code: "BadRequest", message: "Parsing OData Select and Expand failed." } } };
      expandKey = propertyKey(parsed[1]);
    }
    const top = Number(query.get("$top") ?? DEFAULT_PAGE_SIZE);
    if (!Number.isInteger(top) || top < 1 || top > 1000) return { status: 400, body: { error: { code: "BadRequest", message: "Invalid $top." } } };
    const select = selectOf(query);
    const value = [...mailbox.outgoing.values()]
      .filter((message) => (!folder || message.folder === folder) && matches(message))
      .slice(0, top)
      .map((message) => this.outgoingJson(message, select, expandKey));
    return { status: 200, body: { "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('x')/messages", value } };
  }

  private createDraft(mailbox: FakeMailbox, raw: string): Answer {
    const body = parseJson(raw) as Record<string, unknown>;
    const invalid = (code: string, message: string): Answer => ({ status: 400, body: { error: { code, message } } });
    const content = body.body as { contentType?: unknown; content?: unknown } | undefined;
    if (content !== undefined && (typeof content.content !== "string" || !/^(text|html)$/i.test(String(content.contentType))))
      return invalid("ErrorInvalidRequest", "body needs contentType text or html and content.");
    const recipients = Array.isArray(body.toRecipients) ? (body.toRecipients as { emailAddress?: { address?: unknown; name?: unknown } }[]) : [];
    if (
      recipients.some(
        (recipient) => typeof recipient.emailAddress?.address !== "string" || !/^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$/.test(recipient.emailAddress.address),
      )
    )
      return invalid("ErrorInvalidRecipients", "At least one recipient isn't valid.");
    if (body.internetMessageId !== undefined && (typeof body.internetMessageId !== "string" || !/^<[^<>\s]+@[^<>\s]+>$/.test(body.internetMessageId)))
      return invalid("ErrorInvalidInternetMessageId", "The internet message id is not valid.");
    const headers = Array.isArray(body.internetMessageHeaders) ? (body.internetMessageHeaders as { name?: unknown }[]) : [];
    const standard = headers.find((header) => typeof header.name !== "string" || !/^x-/i.test(header.name));
    if (standard) return invalid("InvalidInternetMessageHeader", `The internet message header name '${String(standard.name)}' should start with 'x-' or 'X-'.`);
    const properties = new Map<string, string>();
    for (const property of Array.isArray(body.singleValueExtendedProperties)
      ? (body.singleValueExtendedProperties as { id?: unknown; value?: unknown }[])
      : []) {
      if (typeof property.id !== "string" || typeof property.value !== "string" || propertyKey(property.id) === property.id)
        return invalid("ErrorInvalidProperty", "The extended property id is not valid.");
      properties.set(property.id, property.value);
    }
    const attachments: FakeAttachment[] = [];
    for (const given of Array.isArray(body.attachments) ? body.attachments : []) {
      const made = fileAttachmentOf(given, "create");
      if ("status" in made) return made;
      attachments.push(made);
    }
    const message: FakeOutgoing = {
      id: newMessageId(),
      address: mailbox.address,
      folder: "drafts",
      createdDateTime: this.now()
        .toISOString()
        .replace(/\.\d{3}Z$/, "Z"),
      subject: typeof body.subject === "string" ? body.subject : "",
      body: { contentType: String(content?.contentType ?? "text"), content: String(content?.content ?? "") },
      toRecipients: recipients.map((recipient) => ({
        emailAddress: {
          address: String(recipient.emailAddress!.address),
          ...(typeof recipient.emailAddress!.name === "string" ? { name: recipient.emailAddress!.name } : {}),
        },
      })),
      internetMessageId: typeof body.internetMessageId === "string" ? body.internetMessageId : `<${randomBytes(12).toString("hex")}@fake.prod.outlook.com>`,
      extendedProperties: properties,
      attachments,
      flags: MF_READ | MF_UNSENT,
    };
    mailbox.outgoing.set(message.id, message);
    return {
      status: 201,
      body: { "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('x')/messages/$entity", ...this.outgoingJson(message, undefined, undefined) },
    };
  }

  private outgoingJson(message: FakeOutgoing, select: readonly string[] | undefined, expandKey: string | undefined): Record<string, unknown> {
    const all: Record<string, unknown> = {
      createdDateTime: message.createdDateTime,
      subject: message.subject,
      // While a submitted message lingers in Drafts it still says isDraft: true (only its flags tell).
      isDraft: message.folder === "drafts",
      internetMessageId: message.internetMessageId,
      parentFolderId: message.folder === "drafts" ? "AQMkAGI2-drafts" : "AQMkAGI2-sentitems",
      hasAttachments: message.attachments.length > 0,
      body: message.body,
      toRecipients: message.toRecipients,
    };
    const expanded: { id: string; value: string }[] = [];
    if (expandKey === propertyKey("Integer 0x0E07")) expanded.push({ id: propertyIdAsGraphWrites("Integer 0x0E07"), value: String(message.flags) });
    else if (expandKey)
      for (const [id, value] of message.extendedProperties) if (propertyKey(id) === expandKey) expanded.push({ id: propertyIdAsGraphWrites(id), value });
    return {
      "@odata.type": "#microsoft.graph.message",
      "@odata.etag": `W/"${message.id.slice(-8)}"`,
      id: message.id,
      ...pick(all, select),
      ...(expanded.length > 0 ? { singleValueExtendedProperties: expanded } : {}),
    };
  }

  private moveToSent(mailbox: FakeMailbox, message: FakeOutgoing): void {
    mailbox.outgoing.delete(message.id);
    message.id = newMessageId();
    message.folder = "sentitems";
    message.flags = MF_READ;
    mailbox.outgoing.set(message.id, message);
  }

  /** An upload session's PUTs (on the fake's upload server: no Graph token, the URL's own authtoken). */
  private async handleUpload(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? "/", "http://upload");
    const path = decodeURIComponent(url.pathname);
    const route = `${req.method ?? "GET"} ${path}`;
    const range = String(req.headers["content-range"] ?? "");
    const reply = (answer: Answer): void => {
      this.uploadRequests.push({ range, bytes: body.length, status: answer.status, authorization: req.headers.authorization !== undefined });
      this.answer(route, answer, res);
    };
    const scripted = this.routeFailures.findIndex((failure) => failure.match.test(route));
    if (scripted >= 0) {
      const [{ answer }] = this.routeFailures.splice(scripted, 1);
      return reply({
        status: answer.status,
        body: answer.body ?? { error: { code: "Scripted", message: `scripted ${answer.status}` } },
        headers: answer.headers,
      });
    }
    const invalid = (status: number, code: string, message: string) => reply({ status, body: { error: { code, message } } });
    const session = this.uploadSessions.get(/AttachmentSessions\('([^']+)'\)$/.exec(path)?.[1] ?? "");
    if (req.method !== "PUT" || !session || session.expired) return reply(ITEM_NOT_FOUND);
    if (url.searchParams.get("authtoken") !== session.token) return invalid(401, "InvalidAuthenticationToken", "The upload URL's token is not valid.");
    if (req.headers.authorization !== undefined) return invalid(400, "InvalidRequest", "An upload URL is pre-authenticated: send no Authorization header.");
    if (!/^application\/octet-stream\b/i.test(String(req.headers["content-type"] ?? "")))
      return invalid(400, "InvalidRequest", "Content-Type must be application/octet-stream.");
    const parsed = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(range);
    if (!parsed) return invalid(400, "InvalidContentRange", "Content-Range must be bytes {start}-{end}/{total}.");
    const [start, end, total] = parsed.slice(1).map(Number);
    if (total !== session.size || end < start || end >= total || body.length !== end - start + 1)
      return invalid(400, "InvalidContentRange", "The Content-Range does not match the session or the body.");
    if (start !== session.received)
      return reply({
        status: 416,
        body: { error: { code: "InvalidRange", message: "Bytes must be uploaded in order." }, nextExpectedRanges: [`${session.received}`] },
      });
    if (body.length > MAX_UPLOAD_PUT_BYTES) return invalid(400, "InvalidContentRange", "Upload at most 4 MB a request.");
    if (end + 1 < total && body.length % UPLOAD_UNIT_BYTES !== 0)
      return invalid(400, "InvalidContentRange", "Every range but the last must be a multiple of 320 KiB.");
    session.chunks.push(body);
    session.received = end + 1;
    session.puts += 1;
    if (session.received < session.size)
      return reply({
        status: 200,
        body: { expirationDateTime: new Date(this.now().getTime() + 15 * 60_000).toISOString(), nextExpectedRanges: [`${session.received}`] },
      });
    this.uploadSessions.delete(session.id);
    const message = this.mailboxes.get(session.address)?.outgoing.get(session.messageId);
    if (!message || message.folder !== "drafts" || (message.flags & MF_SUBMITTED) !== 0) return reply(ITEM_NOT_FOUND);
    const attachment: FakeAttachment = {
      id: randomBytes(18).toString("base64url"),
      name: session.name,
      contentType: session.contentType,
      content: Buffer.concat(session.chunks),
      via: "upload",
      puts: session.puts,
    };
    message.attachments.push(attachment);
    return reply({
      status: 201,
      headers: { location: `${UPLOAD_HOST}/api/v2.0/Users('x')/Messages('${encodeURIComponent(message.id)}')/Attachments('${attachment.id}')` },
    });
  }

  private expiryProblem(given: unknown): string | undefined {
    const at = typeof given === "string" ? Date.parse(given) : Number.NaN;
    if (!Number.isFinite(at)) return "expirationDateTime is required and must be a date and time.";
    const now = this.now().getTime();
    if (at <= now) return "Subscription expiration must be in the future.";
    if (at > now + MAX_SUBSCRIPTION_MINUTES * 60_000) return `Subscription expiration can only be ${MAX_SUBSCRIPTION_MINUTES} minutes in the future.`;
    return undefined;
  }

  private async createSubscription(raw: string, send: (status: number, body: unknown) => boolean): Promise<boolean> {
    const body = parseJson(raw) as Record<string, unknown>;
    const invalid = (message: string) => send(400, { error: { code: "InvalidRequest", message } });
    const resource = typeof body.resource === "string" ? body.resource : "";
    const match = /^\/?users\/([^/]+)\/mailFolders\(('|%27)inbox('|%27)\)\/messages$/i.exec(resource);
    const mailbox = match ? this.mailboxOf(match[1]) : undefined;
    if (!mailbox) return invalid("Resource is not supported or the mailbox does not exist.");
    if (typeof body.changeType !== "string" || !body.changeType.split(",").every((type) => ["created", "updated", "deleted"].includes(type)))
      return invalid("changeType must be created, updated or deleted.");
    const expiry = this.expiryProblem(body.expirationDateTime);
    if (expiry) return send(400, { error: { code: "ExtensionError", message: expiry } });
    if (body.clientState !== undefined && (typeof body.clientState !== "string" || body.clientState.length > 128))
      return invalid("clientState must be at most 128 characters.");
    for (const key of ["notificationUrl", "lifecycleNotificationUrl"] as const) {
      const url = body[key];
      if (url === undefined && key === "lifecycleNotificationUrl") continue;
      let parsed: URL | undefined;
      try {
        parsed = new URL(String(url));
      } catch {
        parsed = undefined;
      }
      // Graph wants https; the tests' endpoint is plain http on loopback.
      if (!parsed || !(parsed.protocol === "https:" || parsed.hostname === "127.0.0.1")) return invalid(`${key} must be an https URL.`);
    }
    const urls = [body.notificationUrl, body.lifecycleNotificationUrl].filter((url): url is string => typeof url === "string");
    for (const url of urls) {
      if (!(await this.validate(url))) {
        return invalid("Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.");
      }
    }
    const subscription: FakeSubscription = {
      id: randomUUID(),
      address: mailbox.address,
      resource,
      changeType: body.changeType,
      notificationUrl: String(body.notificationUrl),
      lifecycleNotificationUrl: typeof body.lifecycleNotificationUrl === "string" ? body.lifecycleNotificationUrl : undefined,
      clientState: typeof body.clientState === "string" ? body.clientState : undefined,
      expirationDateTime: new Date(String(body.expirationDateTime)).toISOString(),
      deleted: false,
    };
    this.subscriptions.set(subscription.id, subscription);
    return send(201, this.subscriptionJson(subscription));
  }

  private subscriptionJson(subscription: FakeSubscription): Record<string, unknown> {
    return {
      "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#subscriptions/$entity",
      id: subscription.id,
      resource: subscription.resource,
      applicationId: this.appId,
      changeType: subscription.changeType,
      clientState: subscription.clientState ?? null,
      notificationUrl: subscription.notificationUrl,
      notificationQueryOptions: null,
      lifecycleNotificationUrl: subscription.lifecycleNotificationUrl ?? null,
      expirationDateTime: subscription.expirationDateTime,
      creatorId: randomUUID(),
      includeResourceData: false,
      latestSupportedTlsVersion: "v1_2",
      encryptionCertificate: null,
      encryptionCertificateId: null,
      notificationUrlAppId: null,
    };
  }

  /**
   * One page of a message delta. The first request takes a snapshot of the inbox's events so far (up to `upto`);
   * skip tokens page through it; the last page's delta token starts the next round after it, so a later call lists
   * only what changed since. Options of the first request ride in the tokens, as Graph's do.
   */
  private deltaPage(mailbox: FakeMailbox, query: URLSearchParams, request: GraphRouteRequest, send: (status: number, body: unknown) => boolean): boolean {
    const tokenText = query.get("$deltatoken") ?? query.get("$skiptoken");
    let token: DeltaToken;
    if (tokenText) {
      const decoded = decodeToken(tokenText);
      if (!decoded || decoded.m !== mailbox.address) return send(400, { error: { code: "BadRequest", message: "The sync state is invalid." } });
      if (decoded.g !== mailbox.tokenGeneration) return send(410, { error: { code: "SyncStateNotFound", message: "The sync state was not found." } });
      token = decoded;
    } else {
      const filter = query.get("$filter");
      let since: string | undefined;
      if (filter) {
        const match = /^receivedDateTime (ge|gt) (\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z)$/.exec(filter);
        if (!match) return send(400, { error: { code: "ErrorInvalidUrlQueryFilter", message: "The query filter contains one or more invalid nodes." } });
        since = match[1] === "ge" ? match[2] : new Date(Date.parse(match[2]) + 1).toISOString();
        if (!Number.isFinite(Date.parse(since))) return send(400, { error: { code: "ErrorInvalidUrlQueryFilter", message: "Invalid date." } });
      }
      const select = query.get("$select")?.split(",").filter(Boolean);
      token = { m: mailbox.address, g: mailbox.tokenGeneration, after: 0, since, select, changeType: query.get("changeType") ?? undefined };
    }
    const upto = token.upto ?? this.seq;
    // Each message's latest event in the round, in the order of those events.
    const latest = new Map<string, MailboxEvent>();
    for (const event of mailbox.events) if (event.seq > token.after && event.seq <= upto) latest.set(event.messageId, event);
    const items = [...latest.values()]
      .sort((a, b) => a.seq - b.seq)
      .flatMap((event) => {
        const message = mailbox.messages.get(event.messageId)!;
        if (event.kind === "deleted") return [{ "@odata.type": "#microsoft.graph.message", id: message.id, "@removed": { reason: "deleted" } }];
        // A created message is filtered; a read-state change is listed anyway (as Graph's note on message delta says).
        if (event.kind === "created" && token.since && Date.parse(message.receivedDateTime) < Date.parse(token.since)) return [];
        if (event.kind === "created" && token.changeType && token.changeType !== "created") return [];
        return [this.messageJson(message, token.select)];
      });
    const pageSize = Number(/odata\.maxpagesize=(\d+)/.exec(String(request.headers.prefer ?? ""))?.[1] ?? DEFAULT_PAGE_SIZE);
    this.deltaRequests.push({ query, pageSize });
    const offset = token.offset ?? 0;
    const page = items.slice(offset, offset + pageSize);
    const base = `${GRAPH_BASE}v1.0/users/${encodeURIComponent(mailbox.address)}/mailFolders('inbox')/messages/delta`;
    const more = offset + pageSize < items.length;
    return send(200, {
      "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(message)",
      ...(more
        ? { "@odata.nextLink": `${base}?$skiptoken=${encodeToken({ ...token, upto, offset: offset + pageSize })}` }
        : {
            "@odata.deltaLink": `${base}?$deltatoken=${encodeToken({ m: token.m, g: token.g, after: upto, select: token.select, changeType: token.changeType })}`,
          }),
      value: page,
    });
  }

  private messageJson(message: FakeMessage, select: readonly string[] | undefined): Record<string, unknown> {
    const all: Record<string, unknown> = {
      receivedDateTime: message.receivedDateTime,
      internetMessageId: message.internetMessageId ?? null,
      subject: "(the subject: never selected by PALS Desk)",
      isRead: false,
      bodyPreview: "(the body preview: never selected by PALS Desk)",
    };
    const fields = select ? Object.fromEntries(Object.entries(all).filter(([key]) => select.includes(key))) : all;
    return { "@odata.type": "#microsoft.graph.message", "@odata.etag": `W/"${message.id.slice(-8)}"`, id: message.id, ...fields };
  }
}

/** A Graph message id (base64-like, with `=` and `-`, as Graph's are). */
function newMessageId(): string {
  return `AAMkAGI2${randomBytes(24).toString("base64url")}-AAA=`;
}

function selectOf(query: URLSearchParams): string[] | undefined {
  return query.get("$select")?.split(",").filter(Boolean);
}

function pick(all: Record<string, unknown>, select: readonly string[] | undefined): Record<string, unknown> {
  return select ? Object.fromEntries(Object.entries(all).filter(([key]) => select.includes(key))) : all;
}

function propertyOf(message: FakeOutgoing, id: string): string | undefined {
  return [...message.extendedProperties].find(([given]) => propertyKey(given) === propertyKey(id))?.[1];
}

/** A #microsoft.graph.fileAttachment as Graph takes it (name, contentType, base64 contentBytes), or Graph's 400. */
function fileAttachmentOf(given: unknown, via: FakeAttachment["via"]): FakeAttachment | Answer {
  const item = (given ?? {}) as Record<string, unknown>;
  if (item["@odata.type"] !== "#microsoft.graph.fileAttachment" || typeof item.name !== "string" || !item.name || typeof item.contentBytes !== "string")
    return { status: 400, body: { error: { code: "ErrorInvalidRequest", message: "A file attachment needs @odata.type, name and contentBytes." } } };
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(item.contentBytes))
    return { status: 400, body: { error: { code: "ErrorInvalidRequest", message: "contentBytes is not base64." } } };
  return {
    id: randomBytes(18).toString("base64url"),
    name: item.name,
    contentType: typeof item.contentType === "string" ? item.contentType : "application/octet-stream",
    content: Buffer.from(item.contentBytes, "base64"),
    via,
    puts: 0,
  };
}

function parseJson(raw: string): unknown {
  try {
    return raw ? (JSON.parse(raw) as unknown) : {};
  } catch {
    return {};
  }
}

/** The mailbox state store in memory, with etags like Cosmos DB's: a write with a stale etag is refused. */
export class MemoryMailboxStateStore implements MailboxStateStore {
  readonly documents = new Map<string, { state: MailboxState; etag: string }>();
  writes = 0;
  lostWrites = 0;

  async read(mailbox: string): Promise<{ state: MailboxState; etag?: string }> {
    await new Promise((resolve) => setImmediate(resolve)); // as a store's round trip: other work runs meanwhile
    const document = this.documents.get(mailbox);
    return document ? { state: structuredClone(document.state), etag: document.etag } : { state: {} };
  }

  async write(mailbox: string, state: MailboxState, etag: string | undefined): Promise<boolean> {
    await new Promise((resolve) => setImmediate(resolve));
    if (this.documents.get(mailbox)?.etag !== etag) {
      this.lostWrites += 1;
      return false;
    }
    this.writes += 1;
    this.documents.set(mailbox, { state: structuredClone(state), etag: `"${randomUUID()}"` });
    return true;
  }

  state(mailbox: string): MailboxState {
    return this.documents.get(mailbox)?.state ?? {};
  }
}
