// Proactive sends (the outbox's only way out): a card to a known conversation, or a new channel thread.
import type { TeamsAdapter } from "@microsoft/teams-ai";
import { MessageFactory, type ConversationReference, type TurnContext } from "botbuilder";
import type { ConnectorClient } from "botframework-connector";
import type { ConversationAddress } from "../../domain";
import type { DeliveryResult } from "../../jobs/dispatcher";

export interface ProactiveSender {
  /** Posts a card in a conversation PALS Desk has an address for. */
  send(address: ConversationAddress, tenantId: string, card: object): Promise<DeliveryResult>;
  /** Starts a new thread in a channel with the card as its first message; says where it landed. */
  startThread(channel: ConversationAddress, tenantId: string, card: object): Promise<DeliveryResult>;
  /** Replaces a card PALS Desk posted (its activity id) for everyone in the conversation. */
  update(address: ConversationAddress, tenantId: string, activityId: string, card: object): Promise<DeliveryResult>;
}

export function referenceFor(address: ConversationAddress, tenantId: string): Partial<ConversationReference> {
  return {
    channelId: address.channelId,
    serviceUrl: address.serviceUrl,
    bot: { id: address.botId ?? "", name: "PALS Desk" },
    conversation: {
      id: address.conversationId,
      conversationType: address.conversationType,
      tenantId,
      isGroup: address.conversationType !== "personal",
      name: "",
    },
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

function failure(error: unknown): DeliveryResult {
  const status = (error as { statusCode?: unknown }).statusCode;
  return { ok: false, status: typeof status === "number" ? status : 0, retryAfterSeconds: retryAfterOf(error) };
}

/**
 * The connector client's pipeline retries 429 and 5xx by itself, sleeping in-process; for proactive
 * sends the outbox owns retries (persisted, honouring Retry-After, visible in tests), so those policies go.
 * (botbuilder-stdlib ignores `noRetryPolicy`; if a later botbuilder honours it, pass it instead.)
 */
export function connectorWithoutRetries(context: TurnContext, adapter: TeamsAdapter): ConnectorClient {
  const client = context.turnState.get(adapter.ConnectorClientKey) as ConnectorClient;
  (client as unknown as { client?: { pipeline?: { removePolicy(options: { phase: "Retry" }): unknown } } }).client?.pipeline?.removePolicy({ phase: "Retry" });
  return client;
}

const cardActivity = (card: object) => MessageFactory.attachment({ contentType: "application/vnd.microsoft.card.adaptive", content: card });

/** `adapter` must have no onTurnError, so a failed send reaches the outbox, which decides what to do. */
export function proactiveSender(adapter: TeamsAdapter, botAppId: string): ProactiveSender {
  return {
    async send(address, tenantId, card) {
      try {
        let activityId: string | undefined;
        await adapter.continueConversationAsync(botAppId, referenceFor(address, tenantId), async (context) => {
          connectorWithoutRetries(context, adapter);
          activityId = (await context.sendActivity(cardActivity(card)))?.id;
        });
        return { ok: true, delivered: { conversationId: address.conversationId, activityId } };
      } catch (error) {
        return failure(error);
      }
    },

    async update(address, tenantId, activityId, card) {
      try {
        await adapter.continueConversationAsync(botAppId, referenceFor(address, tenantId), async (context) => {
          connectorWithoutRetries(context, adapter);
          await context.updateActivity({ ...cardActivity(card), id: activityId });
        });
        return { ok: true, delivered: { conversationId: address.conversationId, activityId } };
      } catch (error) {
        return failure(error);
      }
    },

    async startThread(channel, tenantId, card) {
      try {
        let created: { id?: string; activityId?: string } = {};
        // The channel's own address gives a connector for its service URL; the thread is a new conversation there.
        await adapter.continueConversationAsync(botAppId, referenceFor(channel, tenantId), async (context) => {
          created = await connectorWithoutRetries(context, adapter).conversations.createConversation({
            isGroup: true,
            bot: { id: channel.botId ?? botAppId, name: "PALS Desk" },
            channelData: { channel: { id: channel.conversationId } },
            activity: cardActivity(card),
          } as never);
        });
        return { ok: true, delivered: { conversationId: created.id ?? channel.conversationId, activityId: created.activityId } };
      } catch (error) {
        return failure(error);
      }
    },
  };
}
