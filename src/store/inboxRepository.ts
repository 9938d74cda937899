// The PALS inbox in Cosmos DB: one document per email in its trust's partition of the inbox container, the
// index from message ids to cases (so replies find their case), and each Graph mailbox's delta link and subscription.
import type { Container } from "@azure/cosmos";
import { z } from "zod";
import { InboxEmailSchema, type InboxEmail } from "../domain/inbox/email";
import type { InboxEmailSummary, InboxRepository, MailboxState, MailboxStateStore, Versioned } from "../domain/ports";
import { emailIdFor, mailThreadIdFor } from "../cases/ids";
import { parseStored, statusOf } from "./documents";

const OPEN_STATES = ["untriaged", "taken"];
const SUMMARY_FIELDS = ["id", "trustId", "from", "subject", "receivedAt", "state", "takenBy", "attachments"] as const;
const SummarySchema = InboxEmailSchema.pick(Object.fromEntries(SUMMARY_FIELDS.map((f) => [f, true])) as Record<(typeof SUMMARY_FIELDS)[number], true>);
const ThreadSchema = z.object({ caseId: z.string().min(1) });

function versioned(resource: Record<string, unknown>, etag: string | undefined): Versioned<InboxEmail> {
  return { value: parseStored(InboxEmailSchema, "inbox", resource), etag: etag ?? String(resource._etag ?? "") };
}

/** What is stored beside the email: its kind, and whether it is still to be worked (the `inbox` list's filter). */
function documentOf(email: InboxEmail): Record<string, unknown> {
  return { ...email, docType: "email", open: OPEN_STATES.includes(email.state) };
}

export class CosmosInboxRepository implements InboxRepository {
  constructor(private readonly container: Container) {}

  async keep(email: InboxEmail): Promise<{ email: Versioned<InboxEmail>; created: boolean }> {
    if (email.id !== emailIdFor(email.trustId, email)) throw new Error("An email's id must come from its trust, Message-ID, sender and subject");
    try {
      const { resource, etag } = await this.container.items.create(documentOf(email));
      return { email: versioned(resource as Record<string, unknown>, etag), created: true };
    } catch (error) {
      if (statusOf(error) !== 409) throw error;
    }
    const stored = await this.get(email.trustId, email.id);
    if (!stored) throw new Error("An email was neither created nor found");
    return { email: stored, created: false };
  }

  async get(trustId: string, emailId: string): Promise<Versioned<InboxEmail> | undefined> {
    const { resource, etag } = await this.container.item(emailId, trustId).read<Record<string, unknown>>();
    return resource?.docType === "email" ? versioned(resource, etag) : undefined;
  }

  async save(email: InboxEmail, etag: string): Promise<Versioned<InboxEmail> | undefined> {
    try {
      const { resource, etag: newEtag } = await this.container
        .item(email.id, email.trustId)
        .replace(documentOf(email), { accessCondition: { type: "IfMatch", condition: etag } });
      return versioned(resource as Record<string, unknown>, newEtag);
    } catch (error) {
      if (statusOf(error) === 412) return undefined;
      throw error;
    }
  }

  async listOpen(trustId: string, limit: number): Promise<{ emails: InboxEmailSummary[]; total: number }> {
    const { resources } = await this.container.items
      .query<Record<string, unknown>>(
        {
          query: `SELECT TOP @top ${SUMMARY_FIELDS.map((f) => `c["${f}"] AS ${f === "from" ? "sender" : f}`).join(", ")} FROM c WHERE c.trustId = @trustId AND c.docType = 'email' AND c.open = true ORDER BY c.receivedAt ASC`,
          parameters: [
            { name: "@top", value: limit + 1 },
            { name: "@trustId", value: trustId },
          ],
        },
        { partitionKey: trustId },
      )
      .fetchAll();
    // "from" is a keyword of the query language: read as "sender", given back its name.
    const emails = resources.slice(0, limit).map(({ sender, ...r }) => parseStored(SummarySchema, "inbox", sender === undefined ? r : { ...r, from: sender }));
    if (resources.length <= limit) return { emails, total: emails.length };
    const { resources: counted } = await this.container.items
      .query<number>(
        {
          query: "SELECT VALUE COUNT(1) FROM c WHERE c.trustId = @trustId AND c.docType = 'email' AND c.open = true",
          parameters: [{ name: "@trustId", value: trustId }],
        },
        { partitionKey: trustId },
      )
      .fetchAll();
    return { emails, total: counted[0] ?? emails.length };
  }

  async openSince(before: string, atMost: number): Promise<{ trustId: string; count: number; oldest: string }[]> {
    // One bounded query across trusts, oldest first; counted here (no GROUP BY on the embedded server).
    const { resources } = await this.container.items
      .query<{ trustId: string; receivedAt: string }>({
        query:
          "SELECT TOP @top c.trustId, c.receivedAt FROM c WHERE c.docType = 'email' AND c.open = true AND c.receivedAt < @before ORDER BY c.receivedAt ASC",
        parameters: [
          { name: "@top", value: atMost * 20 },
          { name: "@before", value: before },
        ],
      })
      .fetchAll();
    const byTrust = new Map<string, { trustId: string; count: number; oldest: string }>();
    for (const { trustId, receivedAt } of resources) {
      const found = byTrust.get(trustId) ?? { trustId, count: 0, oldest: receivedAt };
      if (found.count < atMost) found.count += 1;
      byTrust.set(trustId, found);
    }
    return [...byTrust.values()];
  }

  async linkThread(trustId: string, messageId: string, caseId: string): Promise<void> {
    await this.container.items.upsert({ id: mailThreadIdFor(trustId, messageId), trustId, docType: "mail-thread", caseId });
  }

  async caseOfThread(trustId: string, messageIds: readonly string[]): Promise<string | undefined> {
    if (messageIds.length === 0) return undefined;
    // Point reads, newest reference first (the message a reply answers is last in References).
    for (const messageId of [...messageIds].reverse()) {
      const { resource } = await this.container.item(mailThreadIdFor(trustId, messageId), trustId).read<Record<string, unknown>>();
      if (resource?.docType === "mail-thread") return parseStored(ThreadSchema, "inbox", resource).caseId;
    }
    return undefined;
  }

  async removeForCase(trustId: string, caseId: string): Promise<string[]> {
    const { resources } = await this.container.items
      .query<{ id: string; docType: string }>(
        {
          query:
            "SELECT TOP 1000 c.id, c.docType FROM c WHERE c.trustId = @trustId AND ((c.docType = 'email' AND c.outcome.caseId = @caseId) OR (c.docType = 'mail-thread' AND c.caseId = @caseId))",
          parameters: [
            { name: "@trustId", value: trustId },
            { name: "@caseId", value: caseId },
          ],
        },
        { partitionKey: trustId },
      )
      .fetchAll();
    for (const { id } of resources) {
      await this.container
        .item(id, trustId)
        .delete()
        .catch((error: unknown) => {
          if (statusOf(error) !== 404) throw error;
        });
    }
    return resources.filter((r) => r.docType === "email").map((r) => r.id);
  }
}

const MailboxStateSchema = z.object({
  deltaLink: z.string().max(20_000).optional(),
  subscription: z.object({ id: z.string().max(200), expiresAt: z.string() }).optional(),
});

/** Each Graph mailbox's delta link and subscription: one document per mailbox, in its trust's partition. */
export class CosmosMailboxStateStore implements MailboxStateStore {
  /** `trustOf`: the trust each mailbox address (lower case) belongs to. */
  constructor(
    private readonly container: Container,
    private readonly trustOf: (mailbox: string) => string,
  ) {}

  private idOf(mailbox: string): string {
    return `mailbox-${encodeURIComponent(mailbox.toLowerCase())}`;
  }

  async read(mailbox: string): Promise<{ state: MailboxState; etag?: string }> {
    const { resource, etag } = await this.container.item(this.idOf(mailbox), this.trustOf(mailbox.toLowerCase())).read<Record<string, unknown>>();
    return resource?.docType === "mailbox-state" ? { state: parseStored(MailboxStateSchema, "inbox", resource), etag } : { state: {} };
  }

  async write(mailbox: string, state: MailboxState, etag: string | undefined): Promise<boolean> {
    const document = { ...state, id: this.idOf(mailbox), trustId: this.trustOf(mailbox.toLowerCase()), docType: "mailbox-state" };
    try {
      if (etag) await this.container.item(document.id, document.trustId).replace(document, { accessCondition: { type: "IfMatch", condition: etag } });
      else await this.container.items.create(document);
      return true;
    } catch (error) {
      if (statusOf(error) === 412 || statusOf(error) === 409) return false;
      throw error;
    }
  }
}
