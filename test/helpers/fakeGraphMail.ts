import { randomBytes, randomUUID } from "node:crypto";
import type http from "node:http";
import type { MailboxState, MailboxStateStore } from "../../src/domain/ports";
import { FakeEntra, GRAPH_BASE, type GraphRouteRequest, type ScriptedAnswer } from "./fakeEntra";

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

/**
 * Microsoft Graph mail on loopback, with the token service of FakeEntra (every request must carry a token it
 * issued): shared mailboxes with messages, `messages/delta` of the inbox (paging, delta and skip tokens, $select,
 * changeType, a $filter on receivedDateTime), a message's MIME (`$value`), and change-notification subscriptions
 * with the validation handshake, renewal and the notifications Graph POSTs to the subscriber.
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
    const mailbox: FakeMailbox = { address: key, userId: randomUUID(), messages: new Map(), events: [], tokenGeneration: 0 };
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
