import { createHash } from "node:crypto";
import type { TeamsAdapter } from "@microsoft/teams-ai";
import type { ConversationReference } from "botbuilder";
import { cardMessage } from "./cards";
import { londonDate, type ChannelDirectory, type ConversationAddress, type OutboxItem, type OutboxStore, type PeopleDirectory, type CaseRepository } from "../domain";
import type { Deliverer, DeliveryResult } from "../jobs/dispatcher";
import type { Logger } from "../logger";
import { noticeCard } from "./caseView";
import { investigationNoticeCard } from "./investigationCards";
import { alertCard, digestCard } from "./nudgeCards";

export interface ProactiveDeps {
  /** An adapter whose connector client does not retry by itself: the outbox decides when to retry. */
  readonly adapter: TeamsAdapter;
  readonly botAppId: string;
  readonly people: PeopleDirectory;
  readonly channels: ChannelDirectory;
  readonly cases: CaseRepository;
  readonly outbox: OutboxStore;
  readonly adminIds: readonly string[];
  readonly log: Logger;
}

function referenceFor(address: ConversationAddress, tenantId: string): Partial<ConversationReference> {
  return {
    channelId: address.channelId,
    serviceUrl: address.serviceUrl,
    bot: { id: address.botId ?? "", name: "PALS Desk" },
    conversation: { id: address.conversationId, conversationType: address.conversationType, tenantId, isGroup: address.conversationType !== "personal", name: "" },
  };
}

function retryAfterOf(error: unknown): number | undefined {
  const headers = (error as { response?: { headers?: { get?: (name: string) => string | undefined } } }).response?.headers;
  const value = headers?.get?.("retry-after");
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, (date - Date.now()) / 1000) : undefined;
}

/**
 * The connector client's pipeline retries 429 and 5xx by itself, sleeping in-process; for proactive
 * sends the outbox owns retries (persisted, honouring Retry-After, visible in tests), so those policies go.
 */
function withoutBuiltInRetries(connectorClient: unknown): void {
  const pipeline = (connectorClient as { client?: { pipeline?: { removePolicy(options: { phase: "Retry" }): unknown } } } | undefined)?.client?.pipeline;
  pipeline?.removePolicy({ phase: "Retry" });
}

/** Sends outbox items to Teams with continueConversationAsync, rendering each card at send time. */
export function teamsDeliverer(deps: ProactiveDeps): Deliverer {
  return {
    async addressFor(item) {
      switch (item.target.kind) {
        case "person":
          return deps.people.personalConversation(item.tenantId, item.target.aadObjectId);
        case "alerts-channel":
          return deps.channels.alertsChannel(item.tenantId);
        case "conversation":
          return item.target.address;
      }
    },

    async send(item, address): Promise<DeliveryResult> {
      const card = await render(deps, item);
      try {
        await deps.adapter.continueConversationAsync(deps.botAppId, referenceFor(address, item.tenantId), async (context) => {
          withoutBuiltInRetries(context.turnState.get(deps.adapter.ConnectorClientKey));
          await context.sendActivity(cardMessage(card));
        });
        return { ok: true };
      } catch (error) {
        const status = (error as { statusCode?: unknown }).statusCode;
        return { ok: false, status: typeof status === "number" ? status : 0, retryAfterSeconds: retryAfterOf(error) };
      }
    },

    async unreachable(item) {
      if (item.target.kind === "person") await deps.people.forgetPersonalConversation(item.tenantId, item.target.aadObjectId);
      else if (item.target.kind === "alerts-channel") await deps.channels.forgetAlertsChannel(item.tenantId);
    },

    async noticeAdmins(tenantId, text, now) {
      // One notice per admin, text and day: a burst of failures does not become a burst of messages.
      const digest = createHash("sha256").update(text).digest("hex").slice(0, 16);
      for (const adminId of deps.adminIds) {
        await deps.outbox.enqueue({
          id: `admin:${tenantId}:${adminId}:${londonDate(now)}:${digest}`,
          tenantId,
          target: { kind: "person", aadObjectId: adminId },
          payload: { kind: "admin-notice", text },
          state: "pending",
          attempts: 0,
          nextAttemptAt: now.toISOString(),
          createdAt: now.toISOString(),
        });
      }
      if (deps.adminIds.length === 0) deps.log.warn({ tenantId }, "No PALS Desk admin is configured (ROLE_ADMINS) to tell about a delivery problem");
    },
  };
}

async function render(deps: ProactiveDeps, item: OutboxItem): Promise<Record<string, unknown>> {
  const { payload } = item;
  switch (payload.kind) {
    case "digest":
      return digestCard(payload.items, payload.day);
    case "alert":
      return alertCard(item, (await deps.cases.get(item.tenantId, payload.caseId))?.value);
    case "admin-notice":
      return noticeCard("PALS Desk delivery problem", payload.text, "warning");
    case "investigation-reminder":
    case "investigation-answer":
    case "investigation-extension":
      return investigationNoticeCard(payload, (await deps.cases.get(item.tenantId, payload.caseId))?.value);
  }
}
