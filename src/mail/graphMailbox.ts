// The trust's shared mailbox(es) read through Microsoft Graph (production): a delta query per mailbox's inbox is the
// one way mail is read; change notifications (a subscription per mailbox) only say when to read it, and a timer
// reads it anyway, so a lost notification delays an email by at most POLL seconds and loses nothing.
//
// Where each mailbox has got to (its delta link, its subscription) is one small document in the MailboxStateStore,
// written conditionally: the delta link moves only after every email of a sync was received, and two instances
// never create two subscriptions (the first to claim the document creates it; the other uses theirs).
import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import type { TokenCredential } from "@azure/identity";
import { ResponseType } from "@microsoft/microsoft-graph-client";
import { z } from "zod";
import { EMAIL_LIMITS, type ParsedEmail } from "../domain/inbox/email";
import type { IncomingEmail, MailboxSource, MailboxState, MailboxStateStore } from "../domain/ports";
import { graphErrorCode, isTokenError, readBounded, RequestCounter, retryAfterSeconds, TenantClients } from "../entra/graphClient";
import { errorFacts, type Logger } from "../logger";

/** Outlook message subscriptions live at most 10,080 minutes (7 days); ours ask for a little less. */
export const SUBSCRIPTION_MINUTES = 10_000;
/** A subscription is renewed at the first poll less than this before it expires. */
export const RENEW_WITHIN_MS = 24 * 60 * 60_000;
/**
 * The first sync of a mailbox (no delta link yet) reads only email received this long before it. The mailbox's
 * history was worked before PALS Desk came, outside it: importing it would flood the triage channel with months of
 * settled email. An hour covers what arrived while an administrator was switching PALS Desk on (consent, settings,
 * the first start), and is short enough that nobody is surprised by what appears.
 */
export const FIRST_SYNC_WINDOW_MS = 60 * 60_000;
/**
 * When Graph no longer knows a saved delta link (410 Gone: the sync state expired after a long outage), the sync
 * starts again from this long ago. `receive` is idempotent, so an email given twice is kept once.
 */
export const RESYNC_WINDOW_MS = 7 * 24 * 60 * 60_000;
/** A throttled or failing request is tried at most this many times in one sync. */
export const MAX_TRIES = 4;
/** Graph asking for a longer wait than this ends the sync: the next poll or notification tries again. */
export const MAX_RETRY_AFTER_MS = 120_000;
/** Exponential backoff (with jitter) when Graph gives no Retry-After. */
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;
/** Messages a delta page asks for (Graph's default is 10): fewer requests after an outage. */
export const DELTA_PAGE_SIZE = 50;
/** Pages one sync reads at most (50,000 messages): a bound on a runaway sync, far beyond any real backlog. */
const MAX_PAGES = 1_000;
/** Time limits on one request: a delta page, and a message's MIME (up to EMAIL_LIMITS.rawBytes). */
const JSON_TIMEOUT_MS = 60_000;
const MIME_TIMEOUT_MS = 5 * 60_000;
/** Graph's answers other than MIME are small; an error's body is read only for its code. */
const MAX_JSON_BYTES = 10 * 1024 * 1024;
/** How long a claim to create a subscription stands (Graph's handshake takes at most 10 s). */
export const CLAIM_MS = 2 * 60_000;
const CLAIM_PREFIX = "creating:";
/** Conditional writes tried at most this many times when other writers keep winning. */
const MAX_WRITE_TRIES = 5;
/** stop() waits this long for syncs in flight. */
export const STOP_GRACE_MS = 10_000;
/** Graph's limits on what it sends us: a validation token, notifications a request. */
export const MAX_VALIDATION_TOKEN_CHARS = 1_000;
export const MAX_NOTIFICATIONS = 100;
/** Graph's limit on a subscription's clientState. */
const MAX_CLIENT_STATE_CHARS = 128;
/** Graph message ids given recently, per mailbox: a message listed again (its read state changed) is not fetched again. */
const GIVEN_REMEMBERED = 2_000;
/** A notification for a subscription this instance does not know makes it re-read the state at most this often. */
const REFRESH_KNOWN_MS = 30_000;

export interface GraphMailboxOptions {
  readonly mailboxes: readonly { readonly trustId: string; readonly address: string; readonly tenantId: string }[];
  /** The bot's identity in a tenant (credentials.ts botCredential): app-only tokens for Graph (Mail.Read). */
  readonly credentialFor: (tenantId: string) => TokenCredential;
  readonly state: MailboxStateStore;
  /** MIME to a ParsedEmail (src/mail/parseEmail.ts). */
  readonly parse: (raw: Buffer, options: { receivedAt?: Date; now: Date }) => Promise<ParsedEmail>;
  /** Public https URL of POST /api/mail/notifications; without it there are no subscriptions, only polling. */
  readonly notificationUrl?: string;
  /** The secret sent when subscribing and checked on every notification (1 to 128 characters; required with notificationUrl). */
  readonly clientState: string;
  /** The delta poll (and subscription check) interval. */
  readonly pollSeconds: number;
  readonly log: Logger;
  readonly now?: () => Date;
  /** Tests: waits without real time. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Tests only: another Graph (an https address) and the transport that reaches it. */
  readonly graphBaseUrl?: string;
  readonly fetch?: typeof fetch;
  /** Tests only: a smaller bound than EMAIL_LIMITS.rawBytes. */
  readonly maxRawBytes?: number;
}

/** What a Graph request that failed says: its status (0: no answer) and Graph's error code, never its words. */
export class GraphFailure extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string | undefined,
    readonly retryAfterMs: number | undefined,
  ) {
    super(`Microsoft Graph answered ${statusCode || "nothing"}${code ? ` (${code})` : ""}`);
    this.name = "GraphFailure";
  }
}

/** Thrown when PALS Desk is stopping: the sync ends without moving the delta link. */
class Stopped extends Error {
  constructor() {
    super("Stopped");
    this.name = "Stopped";
  }
}

/**
 * An email PALS Desk could not read as MIME (too large to fetch, or a parser failure), made from what the delta
 * listing said of it, so it is still listed for the team with its received time. Its Message-ID is the one Graph
 * gave, else one made from a hash of the mailbox and Graph's id (the same message always gets the same one).
 */
export function unreadableEmail(
  reason: NonNullable<ParsedEmail["unreadable"]>,
  facts: { readonly mailbox: string; readonly graphId: string; readonly internetMessageId?: string | null; readonly receivedDateTime?: string | null },
  now: Date,
): ParsedEmail {
  const given = facts.internetMessageId?.trim();
  const messageId =
    given && given.length <= EMAIL_LIMITS.messageId + 2 && !/[\s\0]/.test(given)
      ? given
      : `<${createHash("sha256").update(`${facts.mailbox}\n${facts.graphId}`).digest("hex").slice(0, 40)}@graph.pals-desk.invalid>`;
  const received = facts.receivedDateTime ? Date.parse(facts.receivedDateTime) : Number.NaN;
  return {
    messageId,
    to: [],
    subject: "",
    receivedAt: new Date(Number.isFinite(received) ? received : now.getTime()).toISOString(),
    text: "",
    textCut: false,
    references: [],
    attachments: [],
    unreadable: reason,
  };
}

const DeltaItemSchema = z.object({
  id: z.string().min(1).max(1_000),
  receivedDateTime: z.string().max(100).nullish().catch(undefined),
  internetMessageId: z.string().nullish().catch(undefined),
  "@removed": z.unknown().optional(),
});
type DeltaItem = z.infer<typeof DeltaItemSchema>;

const DeltaPageSchema = z.object({
  value: z.array(z.unknown()).max(10_000),
  "@odata.nextLink": z.string().max(20_000).optional(),
  "@odata.deltaLink": z.string().max(20_000).optional(),
});

const SubscriptionSchema = z.object({ id: z.string().min(1).max(200), expirationDateTime: z.string().datetime({ offset: true }) });

const NotificationSchema = z.object({
  subscriptionId: z.string().min(1).max(200),
  clientState: z.string().max(1_000).nullish(),
  changeType: z.string().max(50).optional(),
  lifecycleEvent: z.string().max(50).optional(),
});
const NotificationsSchema = z.object({ value: z.array(NotificationSchema).min(1).max(MAX_NOTIFICATIONS) });

const LIFECYCLE_EVENTS = new Set(["reauthorizationRequired", "missed", "subscriptionRemoved"]);

interface Slot {
  /** Its position in the options: what the logs name it by. */
  readonly index: number;
  readonly trustId: string;
  /** Lower case: the state document's key and what `receive` is told. */
  readonly address: string;
  readonly tenantId: string;
  running?: Promise<number>;
  queued?: Promise<number>;
  subscribing?: Promise<void>;
  subscribeAgain?: Promise<void>;
  subscriptionId?: string;
  /** Graph ids given recently (insertion order: the oldest first). */
  readonly given: Set<string>;
}

type Read = { readonly state: MailboxState; readonly etag?: string };

/** The mailboxes of the trusts, read through Microsoft Graph: delta sync, change notifications, a poll. */
export class GraphMailbox implements MailboxSource {
  private readonly slots: readonly Slot[];
  private readonly counter = new RequestCounter();
  private readonly clients: TenantClients;
  /** Subscription ids this instance knows (from the state store), and their mailbox. */
  private readonly known = new Map<string, Slot>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly now: () => Date;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly graphOrigin: string;
  private readonly clientStateDigest: Buffer;
  private receive?: (incoming: IncomingEmail) => Promise<void>;
  private timer?: NodeJS.Timeout;
  private polling?: Promise<void>;
  private stopped = false;
  private stopping = new AbortController();
  private refreshingKnown?: Promise<void>;
  private lastKnownRefresh = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: GraphMailboxOptions) {
    this.clients = new TenantClients(options, () => [this.counter]);
    // Without a notification URL there are no subscriptions, and every notification is refused: no secret needed.
    if (options.notificationUrl && (options.clientState.length === 0 || options.clientState.length > MAX_CLIENT_STATE_CHARS))
      throw new Error(`The mailbox clientState must be 1 to ${MAX_CLIENT_STATE_CHARS} characters (Microsoft Graph's limit)`);
    if (!(options.pollSeconds > 0)) throw new Error("The mailbox poll interval must be a positive number of seconds");
    const addresses = options.mailboxes.map((mailbox) => mailbox.address.trim().toLowerCase());
    if (new Set(addresses).size !== addresses.length) throw new Error("A shared mailbox is configured twice");
    this.slots = options.mailboxes.map((mailbox, index) => ({
      index,
      trustId: mailbox.trustId,
      address: addresses[index],
      tenantId: mailbox.tenantId.toLowerCase(),
      given: new Set<string>(),
    }));
    this.now = options.now ?? (() => new Date());
    this.sleep = options.sleep ?? ((ms) => delay(ms, undefined, { signal: this.stopping.signal }));
    this.graphOrigin = new URL(options.graphBaseUrl ?? "https://graph.microsoft.com/").origin;
    this.clientStateDigest = digest(options.clientState);
  }

  /** Graph requests sent so far (every try of a retried request counts), for the bench and the docs. */
  get requests(): number {
    return this.counter.count;
  }

  /** Starts watching: a catch-up and the subscriptions in the background, then a poll every `pollSeconds`. */
  async start(receive: (incoming: IncomingEmail) => Promise<void>): Promise<void> {
    if (this.receive) throw new Error("The Graph mailbox is already started");
    this.receive = receive;
    this.stopped = false;
    this.stopping = new AbortController();
    this.options.log.info(
      { mailboxes: this.slots.length, subscriptions: !!this.options.notificationUrl },
      "Reading the shared mailboxes through Microsoft Graph",
    );
    this.track(this.poll());
    this.timer = setInterval(() => this.track(this.poll()), this.options.pollSeconds * 1000);
    this.timer.unref();
  }

  /** A delta sync of every mailbox now; resolves with how many emails were given to `receive`. */
  async catchUp(): Promise<number> {
    if (!this.receive) throw new Error("Start the Graph mailbox before catching up");
    const counts = await Promise.all(
      this.slots.map((slot) => {
        const run = this.requestSync(slot);
        this.track(run);
        return run;
      }),
    );
    return counts.reduce((sum, count) => sum + count, 0);
  }

  /** Stops the poll and waits (up to STOP_GRACE_MS) for work in flight; requests still running then are abandoned. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.stopped = true;
    let timer: NodeJS.Timeout | undefined;
    const settled = await Promise.race([
      this.idle().then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), STOP_GRACE_MS))),
    ]);
    clearTimeout(timer);
    if (!settled) this.options.log.warn("Stopped reading the shared mailboxes with a sync still running: it will be read again");
    this.stopping.abort();
    this.receive = undefined;
  }

  /** Resolves when no sync, subscription or poll work is in flight (stop, and tests). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /**
   * POST /api/mail/notifications: Graph's validation handshake, change notifications and lifecycle notifications.
   * Synchronous and quick (Graph wants an answer within 3 seconds): syncs run in the background. A notification
   * says only that a mailbox may have new email; what it names is not trusted, only read about through the delta.
   */
  handleNotification(request: { query: Record<string, unknown>; body: unknown }): { status: number; contentType: string; body: string } {
    const token = request.query.validationToken;
    if (token !== undefined) {
      if (typeof token !== "string" || token.length > MAX_VALIDATION_TOKEN_CHARS) {
        this.options.log.warn({ tokenChars: typeof token === "string" ? token.length : undefined }, "Refused a malformed subscription validation request");
        return { status: 400, contentType: "text/plain", body: "" };
      }
      this.options.log.info("Answered Microsoft Graph's subscription validation request");
      return { status: 200, contentType: "text/plain", body: token };
    }
    const parsed = NotificationsSchema.safeParse(request.body);
    if (!parsed.success) {
      this.options.log.warn("Refused a mail notification that is not Microsoft Graph's shape");
      return { status: 400, contentType: "text/plain", body: "" };
    }
    let wrongClientState = 0;
    const unknownSubscriptions = new Set<string>();
    const sync = new Set<Slot>();
    const resubscribe = new Set<Slot>();
    for (const notification of parsed.data.value) {
      if (!this.isOurClientState(notification.clientState)) {
        wrongClientState += 1;
        continue;
      }
      const slot = this.known.get(notification.subscriptionId);
      if (!slot) {
        unknownSubscriptions.add(notification.subscriptionId);
        continue;
      }
      if (notification.lifecycleEvent) {
        if (!LIFECYCLE_EVENTS.has(notification.lifecycleEvent)) continue;
        this.options.log.info(
          { mailbox: slot.index, lifecycleEvent: notification.lifecycleEvent },
          "Microsoft Graph sent a subscription lifecycle notification",
        );
        if (notification.lifecycleEvent !== "missed") resubscribe.add(slot);
        sync.add(slot);
      } else if (notification.changeType === "created") {
        sync.add(slot);
      }
    }
    if (wrongClientState > 0) this.options.log.warn({ notifications: wrongClientState }, "Ignored mail notifications with the wrong clientState");
    if (unknownSubscriptions.size > 0) {
      this.options.log.warn({ subscriptions: unknownSubscriptions.size }, "Ignored mail notifications for a subscription PALS Desk does not know");
      // Another instance may have just created it: read the state again (not often), and sync a mailbox it turns out to be.
      this.track(
        this.refreshKnown().then(() => {
          for (const id of unknownSubscriptions) {
            const slot = this.known.get(id);
            if (slot && this.receive && !this.stopped) this.track(this.requestSync(slot));
          }
        }),
      );
    }
    if (this.receive && !this.stopped) {
      for (const slot of resubscribe) this.track(this.ensureSubscription(slot, true));
      for (const slot of sync) this.track(this.requestSync(slot));
    }
    return { status: 202, contentType: "text/plain", body: "" };
  }

  // ---- the poll ----

  /** Each mailbox: its subscription checked (renewed or made), and a delta sync. One poll at a time. */
  private poll(): Promise<void> {
    if (this.polling) return this.polling;
    this.polling = Promise.all(this.slots.map((slot) => Promise.all([this.ensureSubscription(slot, false), this.requestSync(slot)])))
      .then(() => undefined)
      .finally(() => (this.polling = undefined));
    return this.polling;
  }

  /** Work in flight (stop and idle wait for it); it never rejects, and nobody else awaits it. */
  private track(work: Promise<unknown>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work)).catch(() => undefined);
  }

  // ---- delta sync ----

  /** A delta sync of one mailbox; one at a time per mailbox: a sync asked for while one runs runs once after it. Never rejects. */
  private requestSync(slot: Slot): Promise<number> {
    if (slot.queued) return slot.queued;
    if (slot.running) {
      slot.queued = slot.running.then(() => {
        slot.queued = undefined;
        return this.requestSync(slot);
      });
      return slot.queued;
    }
    const run = this.deltaSync(slot).finally(() => {
      if (slot.running === run) slot.running = undefined;
    });
    slot.running = run;
    return run;
  }

  private async deltaSync(slot: Slot): Promise<number> {
    const receive = this.receive;
    if (!receive || this.stopped) return 0;
    let given = 0;
    try {
      const read = await this.options.state.read(slot.address);
      this.learn(slot, read.state);
      const saved = read.state.deltaLink;
      let url: string;
      if (saved && this.isGraphLink(saved)) url = saved;
      else {
        if (saved) this.options.log.warn({ mailbox: slot.index }, "The saved delta link is not Microsoft Graph's: reading recent email again");
        url = this.firstDeltaPath(slot, FIRST_SYNC_WINDOW_MS);
      }
      const seen = new Set<string>();
      for (let pages = 0; ; pages += 1) {
        if (pages >= MAX_PAGES) throw new Error("A mailbox delta sync went on for too many pages");
        let page: z.infer<typeof DeltaPageSchema>;
        try {
          page = DeltaPageSchema.parse(await this.json(slot, "GET", url, undefined, `odata.maxpagesize=${DELTA_PAGE_SIZE}`));
        } catch (error) {
          if (error instanceof GraphFailure && error.statusCode === 410 && url === saved) {
            // The sync state expired (a long outage): start again from a week back; receive keeps each email once.
            this.options.log.warn(
              { mailbox: slot.index, status: 410, code: error.code },
              "Microsoft Graph no longer knows the saved delta link: reading the last week again",
            );
            url = this.firstDeltaPath(slot, RESYNC_WINDOW_MS);
            continue;
          }
          throw error;
        }
        for (const entry of page.value) {
          const item = DeltaItemSchema.safeParse(entry);
          if (!item.success) {
            this.options.log.warn({ mailbox: slot.index }, "Skipped a delta entry without a message id");
            continue;
          }
          const message = item.data;
          if (message["@removed"] !== undefined || seen.has(message.id)) continue;
          seen.add(message.id);
          // Listed again (its read state changed, or another sync of this instance gave it): given already.
          if (slot.given.has(message.id)) continue;
          const email = await this.fetchEmail(slot, message);
          if (!email) continue;
          if (this.stopped) throw new Stopped();
          await receive({ trustId: slot.trustId, mailbox: slot.address, email });
          given += 1;
          this.remember(slot, message.id);
        }
        const next = page["@odata.nextLink"];
        const deltaLink = page["@odata.deltaLink"];
        if (next) {
          if (!this.isGraphLink(next)) throw new Error("Microsoft Graph gave a next link to another host");
          url = next;
          continue;
        }
        if (!deltaLink || !this.isGraphLink(deltaLink)) throw new Error("Microsoft Graph ended a delta sync without a delta link");
        // Every email of the sync was received: the delta link moves on (unless another instance moved it first).
        await this.update(slot, read, (state) => (state.deltaLink === saved ? { ...state, deltaLink } : undefined));
        if (given > 0) this.options.log.info({ mailbox: slot.index, emails: given }, "Read new email from the shared mailbox");
        return given;
      }
    } catch (error) {
      if (error instanceof Stopped || this.stopping.signal.aborted) {
        this.options.log.info({ mailbox: slot.index, emails: given }, "A mailbox sync was stopped: the rest is read after the restart");
        return given;
      }
      const status = error instanceof GraphFailure ? error.statusCode : undefined;
      this.options.log.error(
        { mailbox: slot.index, status, err: errorFacts(error), emails: given },
        "Could not read the shared mailbox through Microsoft Graph; it is read again at the next poll or notification",
      );
      return given;
    }
  }

  /** The first delta request of a mailbox: new messages only, received since `windowMs` ago, the three fields we use. */
  private firstDeltaPath(slot: Slot, windowMs: number): string {
    const since = new Date(this.now().getTime() - windowMs).toISOString().replace(/\.\d{3}Z$/, "Z");
    return (
      `/users/${encodeURIComponent(slot.address)}/mailFolders('inbox')/messages/delta` +
      `?changeType=created&$select=id,receivedDateTime,internetMessageId&$filter=${encodeURIComponent(`receivedDateTime ge ${since}`)}`
    );
  }

  /** A message's MIME, parsed; undefined when it was deleted before it could be read. */
  private async fetchEmail(slot: Slot, message: DeltaItem): Promise<ParsedEmail | undefined> {
    const facts = { mailbox: slot.address, graphId: message.id, internetMessageId: message.internetMessageId, receivedDateTime: message.receivedDateTime };
    let response: Response;
    try {
      response = await this.send(slot, "GET", `/users/${encodeURIComponent(slot.address)}/messages/${encodeURIComponent(message.id)}/$value`, {
        timeoutMs: MIME_TIMEOUT_MS,
      });
    } catch (error) {
      if (error instanceof GraphFailure && error.statusCode === 404) {
        this.options.log.info({ mailbox: slot.index, graphMessageId: message.id }, "An email was deleted or moved before PALS Desk read it");
        return undefined;
      }
      throw error;
    }
    const now = this.now();
    const raw = await readBounded(response, this.options.maxRawBytes ?? EMAIL_LIMITS.rawBytes);
    if (!raw) {
      this.options.log.warn({ mailbox: slot.index, graphMessageId: message.id }, "An email is larger than PALS Desk reads: kept as unreadable (too large)");
      return unreadableEmail("too-large", facts, now);
    }
    const received = message.receivedDateTime ? new Date(message.receivedDateTime) : undefined;
    try {
      return await this.options.parse(raw, { receivedAt: received && Number.isFinite(received.getTime()) ? received : undefined, now });
    } catch (error) {
      this.options.log.warn(
        { mailbox: slot.index, graphMessageId: message.id, err: errorFacts(error) },
        "An email could not be read as MIME: kept as unreadable",
      );
      return unreadableEmail("malformed", facts, now);
    }
  }

  private remember(slot: Slot, graphId: string): void {
    slot.given.add(graphId);
    if (slot.given.size > GIVEN_REMEMBERED) slot.given.delete(slot.given.values().next().value!);
  }

  // ---- subscriptions ----

  /** Makes sure the mailbox's subscription exists and has more than a day left (`force`: renew it anyway). Never rejects. */
  private ensureSubscription(slot: Slot, force: boolean): Promise<void> {
    if (!this.options.notificationUrl) return Promise.resolve();
    if (slot.subscribing) {
      // One at a time per mailbox; a forced renewal asked for meanwhile runs after it.
      if (!force) return slot.subscribing;
      slot.subscribeAgain ??= slot.subscribing.then(() => {
        slot.subscribeAgain = undefined;
        return this.ensureSubscription(slot, true);
      });
      return slot.subscribeAgain;
    }
    const work = this.subscribe(slot, force)
      .catch((error: unknown) => {
        if (error instanceof Stopped || this.stopping.signal.aborted) return;
        this.options.log.error(
          { mailbox: slot.index, status: error instanceof GraphFailure ? error.statusCode : undefined, err: errorFacts(error) },
          "Could not create or renew the mailbox's Microsoft Graph subscription; trying again at the next poll (email is still read by the poll)",
        );
      })
      .finally(() => {
        if (slot.subscribing === work) slot.subscribing = undefined;
      });
    slot.subscribing = work;
    return work;
  }

  private async subscribe(slot: Slot, force: boolean): Promise<void> {
    if (this.stopped) return;
    const read = await this.options.state.read(slot.address);
    this.learn(slot, read.state);
    const current = read.state.subscription;
    const now = this.now().getTime();
    if (current?.id.startsWith(CLAIM_PREFIX)) {
      // Another instance is creating it right now; a claim left by an instance that stopped half-way runs out.
      if (Date.parse(current.expiresAt) > now) return;
    } else if (current) {
      if (!force && Date.parse(current.expiresAt) - now > RENEW_WITHIN_MS) return;
      try {
        const renewed = SubscriptionSchema.parse(
          await this.json(slot, "PATCH", `/subscriptions/${encodeURIComponent(current.id)}`, { expirationDateTime: this.expiry() }),
        );
        await this.update(slot, read, (state) =>
          state.subscription?.id === current.id ? { ...state, subscription: { id: current.id, expiresAt: renewed.expirationDateTime } } : undefined,
        );
        this.options.log.info(
          { mailbox: slot.index, subscriptionId: current.id, expiresAt: renewed.expirationDateTime },
          "Renewed the mailbox's Microsoft Graph subscription",
        );
        return;
      } catch (error) {
        if (!(error instanceof GraphFailure && error.statusCode === 404)) throw error;
        this.options.log.warn({ mailbox: slot.index, subscriptionId: current.id }, "The mailbox's Microsoft Graph subscription is gone: creating a new one");
      }
    }
    // Claim the document first, so that two instances never both create one.
    const claim = { id: `${CLAIM_PREFIX}${randomUUID()}`, expiresAt: new Date(now + CLAIM_MS).toISOString() };
    const claimed = await this.update(slot, read, (state) => (state.subscription?.id === current?.id ? { ...state, subscription: claim } : undefined));
    if (claimed?.subscription?.id !== claim.id) return; // another instance claimed or made one first: theirs is used
    let created: z.infer<typeof SubscriptionSchema>;
    try {
      created = SubscriptionSchema.parse(
        await this.json(slot, "POST", "/subscriptions", {
          changeType: "created",
          notificationUrl: this.options.notificationUrl,
          lifecycleNotificationUrl: this.options.notificationUrl,
          resource: `users/${slot.address}/mailFolders('inbox')/messages`,
          expirationDateTime: this.expiry(),
          clientState: this.options.clientState,
        }),
      );
    } catch (error) {
      // Give the claim up, so the next poll tries again at once.
      await this.update(slot, undefined, (state) => (state.subscription?.id === claim.id ? withoutSubscription(state) : undefined));
      throw error;
    }
    // Known at once: Graph may notify before the state is written.
    this.known.set(created.id, slot);
    const subscription = { id: created.id, expiresAt: created.expirationDateTime };
    const written = await this.update(slot, undefined, (state) => (state.subscription?.id === claim.id ? { ...state, subscription } : undefined));
    if (written?.subscription?.id !== created.id) {
      // Our claim ran out and another instance made one meanwhile: ours goes, so only one notifies.
      this.known.delete(created.id);
      await this.json(slot, "DELETE", `/subscriptions/${encodeURIComponent(created.id)}`).catch(() => undefined);
      return;
    }
    this.options.log.info(
      { mailbox: slot.index, subscriptionId: created.id, expiresAt: created.expirationDateTime },
      "Created the mailbox's Microsoft Graph subscription",
    );
  }

  private expiry(): string {
    return new Date(this.now().getTime() + SUBSCRIPTION_MINUTES * 60_000).toISOString();
  }

  // ---- the state documents ----

  /** Remembers the mailbox's subscription id, so its notifications are recognised. */
  private learn(slot: Slot, state: MailboxState): void {
    const id = state.subscription?.id;
    if (id && id.startsWith(CLAIM_PREFIX)) return;
    if (slot.subscriptionId && slot.subscriptionId !== id) this.known.delete(slot.subscriptionId);
    slot.subscriptionId = id;
    if (id) this.known.set(id, slot);
  }

  /**
   * A conditional write of the mailbox's document: `change` gets the state as last read and returns the state to
   * write, or undefined to keep what is there (another instance did it first). A lost write reads again and asks
   * `change` again. Resolves with the state as it now is (undefined when other writers kept winning).
   */
  private async update(slot: Slot, known: Read | undefined, change: (state: MailboxState) => MailboxState | undefined): Promise<MailboxState | undefined> {
    let current = known ?? (await this.options.state.read(slot.address));
    for (let tries = 0; tries < MAX_WRITE_TRIES; tries += 1) {
      const next = change(current.state);
      if (!next) {
        this.learn(slot, current.state);
        return current.state;
      }
      if (await this.options.state.write(slot.address, next, current.etag)) {
        this.learn(slot, next);
        return next;
      }
      current = await this.options.state.read(slot.address);
    }
    this.options.log.warn({ mailbox: slot.index }, "Could not save the mailbox's state: other writers kept winning");
    return undefined;
  }

  /** After a notification for an unknown subscription: every mailbox's state read again, at most every 30 seconds. */
  private refreshKnown(): Promise<void> {
    const now = Date.now();
    if (this.refreshingKnown || now - this.lastKnownRefresh < REFRESH_KNOWN_MS) return this.refreshingKnown ?? Promise.resolve();
    this.lastKnownRefresh = now;
    this.refreshingKnown = Promise.all(
      this.slots.map(async (slot) => {
        const { state } = await this.options.state.read(slot.address);
        this.learn(slot, state);
      }),
    )
      .then(() => undefined)
      .catch((error: unknown) => this.options.log.warn({ err: errorFacts(error) }, "Could not read the mailboxes' state"))
      .finally(() => (this.refreshingKnown = undefined));
    return this.refreshingKnown;
  }

  // ---- Graph requests ----

  private isOurClientState(given: string | null | undefined): boolean {
    return this.options.clientState.length > 0 && typeof given === "string" && timingSafeEqual(digest(given), this.clientStateDigest);
  }

  /** Only links to Graph itself are followed (the token goes with them). */
  private isGraphLink(link: string): boolean {
    try {
      return new URL(link).origin === this.graphOrigin;
    } catch {
      return false;
    }
  }

  private async json(slot: Slot, method: "GET" | "POST" | "PATCH" | "DELETE", path: string, body?: unknown, prefer?: string): Promise<unknown> {
    const response = await this.send(slot, method, path, { body, prefer, timeoutMs: JSON_TIMEOUT_MS });
    const raw = await readBounded(response, MAX_JSON_BYTES);
    if (!raw) throw new GraphFailure(response.status, "ResponseTooLarge", undefined);
    return raw.length === 0 ? undefined : (JSON.parse(raw.toString("utf8")) as unknown);
  }

  /**
   * One Graph request, tried again on throttling (429) and outages (502, 503, 504, no answer): as long as Graph's
   * Retry-After says (up to MAX_RETRY_AFTER_MS), else exponential backoff with jitter; MAX_TRIES in all.
   */
  private async send(
    slot: Slot,
    method: "GET" | "POST" | "PATCH" | "DELETE",
    path: string,
    options: { body?: unknown; prefer?: string; timeoutMs: number },
  ): Promise<Response> {
    const client = this.clients.for(slot.tenantId);
    for (let attempt = 1; ; attempt += 1) {
      if (this.stopping.signal.aborted) throw new Stopped();
      let request = client
        .api(path)
        .responseType(ResponseType.RAW)
        .option("signal", AbortSignal.any([this.stopping.signal, AbortSignal.timeout(options.timeoutMs)]));
      if (options.prefer) request = request.header("Prefer", options.prefer);
      let failure: GraphFailure;
      try {
        const response = (await (method === "GET"
          ? request.get()
          : method === "POST"
            ? request.post(options.body)
            : method === "PATCH"
              ? request.patch(options.body)
              : request.delete())) as Response;
        if (response.ok) return response;
        failure = await failureOf(response, this.now().getTime());
      } catch (error) {
        if (this.stopping.signal.aborted) throw error;
        const { statusCode, code } = (error ?? {}) as { statusCode?: unknown; code?: unknown };
        // No answer (the network, a time limit): worth another try. A token failure is not (the next poll tries).
        const noAnswer = (typeof statusCode !== "number" || statusCode <= 0) && !isTokenError(code);
        if (!noAnswer) throw error;
        failure = new GraphFailure(0, typeof code === "string" && /^[\w.]{1,80}$/.test(code) ? code : undefined, undefined);
      }
      const wait = this.retryWait(failure, attempt);
      if (wait === undefined) throw failure;
      this.options.log.warn(
        { mailbox: slot.index, status: failure.statusCode || undefined, code: failure.code, attempt, waitMs: Math.round(wait) },
        "Microsoft Graph is throttling or unavailable: trying again after a wait",
      );
      await this.sleep(wait);
    }
  }

  private retryWait(failure: GraphFailure, attempt: number): number | undefined {
    if (attempt >= MAX_TRIES) return undefined;
    if (![0, 429, 502, 503, 504].includes(failure.statusCode)) return undefined;
    if (failure.retryAfterMs !== undefined && failure.retryAfterMs > 0) {
      return failure.retryAfterMs <= MAX_RETRY_AFTER_MS ? failure.retryAfterMs : undefined;
    }
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

function withoutSubscription(state: MailboxState): MailboxState {
  const { subscription: _subscription, ...rest } = state;
  return rest;
}

/** A failed answer's status, Graph's error code and Retry-After (the body is read only for the code, bounded). */
async function failureOf(response: Response, now: number): Promise<GraphFailure> {
  const code = await graphErrorCode(response);
  const seconds = retryAfterSeconds(response, now);
  return new GraphFailure(response.status, code, response.headers.get("retry-after") ? seconds * 1000 : undefined);
}
