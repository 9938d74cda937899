import { z } from "zod";
import { ConversationAddressSchema, type ConversationAddress } from "./conversations";
import { INVESTIGATION_REMINDERS, type InvestigationReminder } from "../investigations/investigationSchema";
import { ALERT_REASONS, DEADLINE_KINDS, type AlertReason, type DigestIncomplete, type DigestItem } from "../deadlines/nudges";

/** Where a proactive message goes: someone's personal chat with the bot, or the managers' alerts channel. */
export type OutboxTarget =
  | { readonly kind: "person"; readonly aadObjectId: string }
  | { readonly kind: "alerts-channel" }
  /** The patient-safety channel (`set safety channel`); optional, so an item finding none set is dropped quietly. */
  | { readonly kind: "safety-channel" }
  /** A known conversation, e.g. the channel thread of an investigation request. */
  | { readonly kind: "conversation"; readonly address: ConversationAddress }
  /** A new thread in a channel (an investigation request in its division's channel). */
  | { readonly kind: "new-thread"; readonly channel: ConversationAddress }
  /** The inbox channel (`set inbox channel`), or the alerts channel until one is set. */
  | { readonly kind: "inbox-channel" }
  /** An email, sent as the trust's shared mailbox. */
  | { readonly kind: "mailbox" };

/** About one investigation request; cards are rendered from the case at send time, so no free text is copied here. */
interface InvestigationPayload {
  readonly caseId: string;
  readonly reference: string;
  readonly requestId: string;
}

/** About one email of the PALS inbox; its card is rendered from the email at send time, so nothing of it is copied here. */
export type InboxPayload =
  /** The triage card, posted once per email in the inbox channel. */
  | { readonly kind: "inbox-email"; readonly emailId: string }
  /** The triage card again, in place of the one posted (`activityId`), once it was dealt with away from the card. */
  | { readonly kind: "inbox-email-update"; readonly emailId: string; readonly activityId: string }
  /** The case owner is told a reply reached their case. */
  | { readonly kind: "email-filed"; readonly emailId: string; readonly caseId: string; readonly reference: string }
  /** The managers' morning word on emails that have waited more than a working day. */
  | { readonly kind: "inbox-waiting"; readonly day: string; readonly count: number; readonly oldest: string }
  /** An email from a case (its text and recipient are on the case, so nothing of it is copied here). */
  | { readonly kind: "send-email"; readonly caseId: string; readonly reference: string; readonly sendId: string }
  /** The officer who sent it hears it went, or could not go, once they have stopped waiting. */
  | { readonly kind: "email-outcome"; readonly caseId: string; readonly reference: string; readonly sendId: string };

export type OutboxPayload =
  | InboxPayload
  | { readonly kind: "digest"; readonly day: string; readonly items: readonly DigestItem[]; readonly incomplete?: DigestIncomplete }
  | {
      readonly kind: "alert";
      readonly caseId: string;
      readonly reference: string;
      readonly reason: AlertReason;
      readonly raisedOn: string;
      readonly requestId?: string;
    }
  | { readonly kind: "admin-notice"; readonly text: string }
  | (InvestigationPayload & { readonly kind: "investigation-request" })
  | (InvestigationPayload & { readonly kind: "investigation-reminder"; readonly reminder: InvestigationReminder; readonly audience: "lead" | "owner" })
  | (InvestigationPayload & { readonly kind: "investigation-answer" })
  | (InvestigationPayload & { readonly kind: "investigation-extension" })
  /** An action's card to its owner: when it is added, as the due day nears, and on the day (rendered from the case at send time). */
  | { readonly kind: "learning-action"; readonly caseId: string; readonly reference: string; readonly actionId: string; readonly moment: LearningActionMoment }
  /**
   * The managers' morning word on closed files that came due for records retention review since the last round
   * (each file once per review): how many, and the first few references (no patient details).
   */
  | { readonly kind: "retention-review"; readonly day: string; readonly count: number; readonly atLeast: boolean; readonly references: readonly string[] };

/** Why an action's card goes to its owner: it was added, it is due soon, or it is due today. */
export const LEARNING_ACTION_MOMENTS = ["added", "before", "due-day"] as const;
export type LearningActionMoment = (typeof LEARNING_ACTION_MOMENTS)[number];

/** One card per action and moment, ever. */
export function learningActionOutboxId(actionId: string, moment: LearningActionMoment): string {
  return `action:${actionId}:${moment}`;
}

export type OutboxState = "pending" | "sent" | "failed" | "undeliverable";

/** Where a sent message landed, when the sender needs it again (the root of a new thread). */
export interface Delivered {
  readonly conversationId: string;
  readonly activityId?: string;
}

/**
 * One proactive message, written before it is sent. Its id is decided by what it is (the person and
 * day of a digest, the case and reason of an alert), so deciding twice never makes two messages.
 */
export interface OutboxItem {
  readonly id: string;
  readonly trustId: string;
  readonly target: OutboxTarget;
  readonly payload: OutboxPayload;
  readonly state: OutboxState;
  readonly attempts: number;
  /** ISO instant of the next try. */
  readonly nextAttemptAt: string;
  readonly createdAt: string;
  readonly sentAt?: string;
  readonly delivered?: Delivered;
  /** HTTP status or error code of the last failed try (never message text). */
  readonly lastError?: string;
}

/** A message to send as soon as it can be. */
export function newOutboxItem(trustId: string, id: string, target: OutboxTarget, payload: OutboxPayload, now: Date): OutboxItem {
  return { id, trustId, target, payload, state: "pending", attempts: 0, nextAttemptAt: now.toISOString(), createdAt: now.toISOString() };
}

/** A manager alert about a case; its id makes it once per case and reason (and request). */
export function alertOutboxItem(
  c: { readonly id: string; readonly trustId: string; readonly reference: string },
  reason: AlertReason,
  raisedOn: string,
  now: Date,
  requestId?: string,
): OutboxItem {
  return newOutboxItem(
    c.trustId,
    alertOutboxId(c.id, reason, requestId),
    { kind: "alerts-channel" },
    { kind: "alert", caseId: c.id, reference: c.reference, reason, raisedOn, ...(requestId ? { requestId } : {}) },
    now,
  );
}

/** The copy of a patient-safety alert for the patient-safety channel: once per case, like the managers' one. */
export function safetyChannelOutboxItem(
  c: { readonly id: string; readonly trustId: string; readonly reference: string },
  raisedOn: string,
  now: Date,
): OutboxItem {
  return newOutboxItem(
    c.trustId,
    `${alertOutboxId(c.id, "patient-safety")}:safety-channel`,
    { kind: "safety-channel" },
    { kind: "alert", caseId: c.id, reference: c.reference, reason: "patient-safety", raisedOn },
    now,
  );
}

const about = { caseId: z.string(), reference: z.string(), requestId: z.string() };

/** A stored outbox item, checked when read back. */
export const OutboxItemSchema = z.object({
  id: z.string().min(1),
  trustId: z.string().min(1),
  target: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("person"), aadObjectId: z.string().min(1) }),
    z.object({ kind: z.literal("alerts-channel") }),
    z.object({ kind: z.literal("safety-channel") }),
    z.object({ kind: z.literal("conversation"), address: ConversationAddressSchema }),
    z.object({ kind: z.literal("new-thread"), channel: ConversationAddressSchema }),
    z.object({ kind: z.literal("inbox-channel") }),
    z.object({ kind: z.literal("mailbox") }),
  ]),
  payload: z.discriminatedUnion("kind", [
    z.object({
      kind: z.literal("digest"),
      day: z.string(),
      items: z.array(
        z.object({
          caseId: z.string(),
          reference: z.string(),
          type: z.enum(["enquiry", "concern", "complaint", "compliment"]),
          deadline: z.enum(DEADLINE_KINDS),
          dueOn: z.string(),
          state: z.enum(["overdue", "due-today", "due-soon"]),
          workingDays: z.number(),
        }),
      ),
      incomplete: z.object({ count: z.number().int().min(0), cases: z.array(z.object({ caseId: z.string(), reference: z.string() })) }).optional(),
    }),
    z.object({
      kind: z.literal("alert"),
      caseId: z.string(),
      reference: z.string(),
      reason: z.enum(ALERT_REASONS.map((r) => r.id) as [AlertReason, ...AlertReason[]]),
      raisedOn: z.string(),
      requestId: z.string().optional(),
    }),
    z.object({ kind: z.literal("admin-notice"), text: z.string() }),
    z.object({ kind: z.literal("investigation-request"), ...about }),
    z.object({ kind: z.literal("investigation-reminder"), ...about, reminder: z.enum(INVESTIGATION_REMINDERS), audience: z.enum(["lead", "owner"]) }),
    z.object({ kind: z.literal("investigation-answer"), ...about }),
    z.object({ kind: z.literal("investigation-extension"), ...about }),
    z.object({ kind: z.literal("learning-action"), caseId: z.string(), reference: z.string(), actionId: z.string(), moment: z.enum(LEARNING_ACTION_MOMENTS) }),
    z.object({ kind: z.literal("inbox-email"), emailId: z.string() }),
    z.object({ kind: z.literal("inbox-email-update"), emailId: z.string(), activityId: z.string() }),
    z.object({ kind: z.literal("email-filed"), emailId: z.string(), caseId: z.string(), reference: z.string() }),
    z.object({ kind: z.literal("inbox-waiting"), day: z.string(), count: z.number().int().min(0), oldest: z.string() }),
    z.object({ kind: z.literal("send-email"), caseId: z.string(), reference: z.string(), sendId: z.string() }),
    z.object({ kind: z.literal("email-outcome"), caseId: z.string(), reference: z.string(), sendId: z.string() }),
    z.object({
      kind: z.literal("retention-review"),
      day: z.string(),
      count: z.number().int().min(0),
      atLeast: z.boolean(),
      references: z.array(z.string()).max(50),
    }),
  ]),
  state: z.enum(["pending", "sent", "failed", "undeliverable"]),
  attempts: z.number().int().min(0),
  nextAttemptAt: z.string(),
  createdAt: z.string(),
  sentAt: z.string().optional(),
  delivered: z.object({ conversationId: z.string(), activityId: z.string().optional() }).optional(),
  lastError: z.string().optional(),
}) satisfies z.ZodType<OutboxItem, z.ZodTypeDef, unknown>;

export function digestOutboxId(trustId: string, aadObjectId: string, day: string): string {
  return `digest:${trustId}:${aadObjectId}:${day}`;
}

/** Once per case and reason (and per request, for an overdue investigation). */
export function alertOutboxId(caseId: string, reason: AlertReason, requestId?: string): string {
  return requestId ? `alert:${caseId}:${reason}:${requestId}` : `alert:${caseId}:${reason}`;
}

/** After this many failed tries a message is given up on and an admin is told. */
export const MAX_DELIVERY_ATTEMPTS = 8;
const BASE_DELAY_MS = 2_000;
const MAX_DELAY_MS = 15 * 60_000;

/**
 * How long to wait before try number `attempt + 1`: the server's Retry-After when it gave one (429),
 * else exponential backoff with "equal jitter" so many instances do not retry in step.
 */
export function retryDelayMs(attempt: number, retryAfterSeconds?: number, random: () => number = Math.random): number {
  if (retryAfterSeconds !== undefined && Number.isFinite(retryAfterSeconds) && retryAfterSeconds >= 0) {
    return Math.min(retryAfterSeconds * 1000, MAX_DELAY_MS);
  }
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Teams' limits per bot per conversation (Microsoft's documented limits): 7 a second, 60 per 30 seconds, 1,800 an hour. */
export const TEAMS_CONVERSATION_LIMITS: readonly { readonly windowMs: number; readonly max: number }[] = [
  { windowMs: 1_000, max: 7 },
  { windowMs: 30_000, max: 60 },
  { windowMs: 3_600_000, max: 1_800 },
];

/**
 * Sliding-window limiter per conversation. It never sleeps: it says when the next send is allowed,
 * and the dispatcher reschedules the message for then.
 */
export class ConversationRateLimiter {
  private readonly sent = new Map<string, number[]>();

  constructor(private readonly limits = TEAMS_CONVERSATION_LIMITS) {}

  /** Milliseconds since the epoch when a send to this conversation is next allowed (`now` if now). */
  nextAllowedAt(conversationId: string, now: number): number {
    const times = this.prune(conversationId, now);
    let allowedAt = now;
    for (const { windowMs, max } of this.limits) {
      const inWindow = times.filter((t) => t > now - windowMs);
      if (inWindow.length >= max) allowedAt = Math.max(allowedAt, inWindow[inWindow.length - max] + windowMs);
    }
    return allowedAt;
  }

  record(conversationId: string, now: number): void {
    this.prune(conversationId, now).push(now);
  }

  private prune(conversationId: string, now: number): number[] {
    const longest = Math.max(...this.limits.map((limit) => limit.windowMs));
    const times = (this.sent.get(conversationId) ?? []).filter((t) => t > now - longest);
    this.sent.set(conversationId, times);
    return times;
  }
}
