import {
  ConversationRateLimiter,
  MAX_DELIVERY_ATTEMPTS,
  retryDelayMs,
  type ConversationAddress,
  type Delivered,
  type OutboxItem,
  type OutboxStore,
  type PendingOutboxItem,
} from "../domain";
import { errorFacts, type Logger } from "../logger";

/**
 * The result of one try at sending: where it landed, or the HTTP status the Bot Connector answered with,
 * or that there was nothing left to send (what the message was about is gone).
 */
export type DeliveryResult =
  | { readonly ok: true; readonly delivered?: Delivered }
  | { readonly ok: false; readonly status: number; readonly retryAfterSeconds?: number }
  | { readonly ok: false; readonly nothingToSend: true };

/** What the application layer does around a send (an investigation request's card records where it went). */
export interface SendHooks {
  /** True for the items whose landing place the application layer records. */
  readonly records?: (item: OutboxItem) => boolean;
  /** True when what the item carries is already in place: mark it sent without sending it again. */
  readonly alreadySent?: (item: OutboxItem) => Promise<boolean>;
  /** Records where a message landed; called before the item is marked sent, so a crash repeats it, not the send. */
  readonly sent?: (item: OutboxItem, delivered: Delivered, address: ConversationAddress) => Promise<void>;
}

/** Sends outbox messages; implemented over Teams in src/teams/alerts/proactive.ts. */
export interface Deliverer {
  /** Where the item goes now, or undefined when there is no way to reach it. */
  addressFor(item: OutboxItem): Promise<ConversationAddress | undefined>;
  send(item: OutboxItem, address: ConversationAddress): Promise<DeliveryResult>;
  /** The address answered 403/404: the bot was removed or blocked there. */
  unreachable(item: OutboxItem, address: ConversationAddress): Promise<void>;
  /** Tells the trust's admins something went wrong with delivery (queues a message to them). */
  noticeAdmins(trustId: string, text: string, now: Date): Promise<void>;
}

export interface DispatchReport {
  sent: number;
  retrying: number;
  undeliverable: number;
  failed: number;
  deferredByRateLimit: number;
}

/** How long a claimed item is left alone by other instances while it is being sent. */
const CLAIM_MS = 2 * 60_000;
/**
 * An email with attachments, through a throttled mailbox, can take minutes (tries, Retry-After, upload sessions): its
 * claim outlasts the longest send, so no other instance starts the same send meanwhile.
 */
const MAIL_CLAIM_MS = 20 * 60_000;

/** The most messages one sweep sends (a sweep runs every minute; Teams limits each conversation anyway). */
const DISPATCH_BATCH = 500;

/**
 * Sends what is due in the outbox. Each item is claimed with an etag-conditional write before it is
 * sent, so two instances never send the same item; a crash after the claim leaves it pending for a retry.
 */
export class Dispatcher {
  constructor(
    private readonly outbox: OutboxStore,
    private readonly deliverer: Deliverer,
    private readonly log: Logger,
    private readonly hooks: SendHooks = {},
    private readonly limiter = new ConversationRateLimiter(),
    private readonly random: () => number = Math.random,
  ) {}

  /** Sends what is due now; more than one sweep's worth waits for the next sweep, soonest first. */
  async dispatch(now: Date): Promise<DispatchReport> {
    return this.deliver(await this.outbox.pending(now, DISPATCH_BATCH), now);
  }

  /** Sends these items now if they are due (someone is waiting to hear they went). */
  async deliver(items: readonly PendingOutboxItem[], now: Date): Promise<DispatchReport> {
    const report: DispatchReport = { sent: 0, retrying: 0, undeliverable: 0, failed: 0, deferredByRateLimit: 0 };
    // Targets found over Teams' limits in this pass: their other items are left for the next sweep unread
    // (an alert storm to one channel must not cost a read and a write per waiting message, every sweep).
    const limited = new Set<string>();
    for (const { id, trustId, target } of items) {
      const key = target ? `${trustId}|${JSON.stringify(target)}` : undefined;
      if (key && limited.has(key)) {
        report.deferredByRateLimit += 1;
        continue;
      }
      const found = await this.outbox.get(trustId, id);
      if (!found || found.value.state !== "pending" || new Date(found.value.nextAttemptAt) > now) continue;
      if ((await this.deliverOne(found.value, found.etag, now, report)) === "rate-limited" && key) limited.add(key);
    }
    return report;
  }

  private async deliverOne(item: OutboxItem, etag: string, now: Date, report: DispatchReport): Promise<"rate-limited" | void> {
    const log = this.log.child({ outboxId: item.id, kind: item.payload.kind });
    const address = await this.deliverer.addressFor(item);
    if (!address) {
      await this.outbox.save({ ...item, state: "undeliverable", lastError: "no-conversation" }, etag);
      report.undeliverable += 1;
      // The patient-safety channel is optional: without one, its copy of an alert is simply not posted.
      if (item.target.kind === "safety-channel") {
        log.info("No patient-safety channel is set: that copy of the alert is not posted");
        return;
      }
      log.warn("No conversation to deliver to: the person has not opened PALS Desk, or no alerts channel is set");
      if (item.payload.kind !== "admin-notice") {
        await this.deliverer.noticeAdmins(item.trustId, undeliverableNotice(item), now);
      }
      return;
    }
    const allowedAt = this.limiter.nextAllowedAt(address.conversationId, now.getTime());
    if (allowedAt > now.getTime()) {
      // Left as it is, still due: the next sweep tries again, and the conversation's messages keep their order.
      report.deferredByRateLimit += 1;
      return "rate-limited";
    }
    const attempts = item.attempts + 1;
    const claimMs = item.target.kind === "mailbox" ? MAIL_CLAIM_MS : CLAIM_MS;
    const claimed: OutboxItem = { ...item, attempts, nextAttemptAt: new Date(now.getTime() + claimMs).toISOString() };
    if (!(await this.outbox.save(claimed, etag))) return; // another instance claimed it
    let latest = await this.outbox.get(item.trustId, item.id);
    if (!latest) return;

    let result: DeliveryResult;
    if (item.delivered) {
      result = { ok: true, delivered: item.delivered }; // sent before a crash; only the recording was left
    } else if (await this.hooks.alreadySent?.(item)) {
      result = { ok: true };
    } else {
      try {
        this.limiter.record(address.conversationId, now.getTime());
        result = await this.deliverer.send(item, address);
      } catch (error) {
        log.warn({ err: errorFacts(error) }, "Proactive send failed without an HTTP status");
        result = { ok: false, status: 0 };
      }
    }

    if (result.ok) {
      const delivered = result.delivered ?? { conversationId: address.conversationId };
      const recorded = this.hooks.records?.(item) && this.hooks.sent;
      if (recorded) {
        // Where it landed is kept first: a crash from here on repeats the recording, never the send.
        if (!item.delivered && !(await this.outbox.save({ ...claimed, delivered }, latest.etag))) return;
        try {
          await recorded(item, delivered, address);
        } catch (error) {
          // Sent, not yet recorded: left claimed, the next try records it without sending again.
          log.warn({ err: errorFacts(error) }, "Sent, but where it landed could not be recorded yet");
          report.retrying += 1;
          return;
        }
        latest = (await this.outbox.get(item.trustId, item.id)) ?? latest;
      }
      await this.outbox.save({ ...claimed, ...(recorded ? { delivered } : {}), state: "sent", sentAt: now.toISOString(), lastError: undefined }, latest.etag);
      report.sent += 1;
      log.info({ attempts }, "Proactive message sent");
    } else if ("nothingToSend" in result) {
      // Not the conversation's fault: keep its address, trouble nobody.
      await this.outbox.save({ ...claimed, state: "undeliverable", lastError: "nothing-to-send" }, latest.etag);
      report.undeliverable += 1;
      log.info("Nothing left to send: what the message was about is gone");
    } else if (result.status === 403 || result.status === 404) {
      await this.outbox.save({ ...claimed, state: "undeliverable", lastError: String(result.status) }, latest.etag);
      report.undeliverable += 1;
      log.warn({ status: result.status }, "The bot was removed or blocked in this conversation; its address is now marked stale");
      await this.deliverer.unreachable(item, address);
      if (item.payload.kind !== "admin-notice") await this.deliverer.noticeAdmins(item.trustId, undeliverableNotice(item), now);
    } else if (attempts >= MAX_DELIVERY_ATTEMPTS) {
      await this.outbox.save({ ...claimed, state: "failed", lastError: String(result.status) }, latest.etag);
      report.failed += 1;
      log.error({ status: result.status, attempts }, "Proactive message given up after the last try");
      if (item.payload.kind !== "admin-notice")
        await this.deliverer.noticeAdmins(item.trustId, `A PALS Desk ${describe(item)} could not be sent after ${attempts} tries.`, now);
    } else {
      const delay = retryDelayMs(attempts, result.status === 429 ? result.retryAfterSeconds : undefined, this.random);
      await this.outbox.save({ ...claimed, nextAttemptAt: new Date(now.getTime() + delay).toISOString(), lastError: String(result.status) }, latest.etag);
      report.retrying += 1;
      log.info({ status: result.status, attempts, retryInMs: delay }, "Proactive send will be retried");
    }
  }
}

function describe(item: OutboxItem): string {
  switch (item.payload.kind) {
    case "digest":
      return "morning digest";
    case "alert":
      return `manager alert for ${item.payload.reference}`;
    case "learning-action":
      return `action card for ${item.payload.reference}`;
    default:
      return "notice";
  }
}

function undeliverableNotice(item: OutboxItem): string {
  return item.target.kind === "alerts-channel"
    ? `A manager alert for ${item.payload.kind === "alert" ? item.payload.reference : "a case"} could not be delivered: no alerts channel is set, or PALS Desk was removed from it. A manager should type "set alerts channel" in the managers' channel.`
    : item.payload.kind === "learning-action"
      ? `An ${describe(item)} could not be delivered: its owner has not opened PALS Desk in Teams, or removed it. Ask them to open PALS Desk in Teams; they will then see it with "actions".`
      : `A ${describe(item)} could not be delivered: PALS Desk was removed or blocked in that person's chat. Ask them to open PALS Desk in Teams again.`;
}
