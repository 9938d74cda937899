import type { Container } from "@azure/cosmos";
import { z } from "zod";
import { OutboxItemSchema, type OutboxItem } from "../domain/messages/outbox";
import type { OutboxStore, PendingOutboxItem, SweepCursor, SweepLease, Versioned } from "../domain/ports";
import { parseStored, statusOf } from "./documents";

/**
 * The two documents that belong to no trust, the sweep's cursor and its lease, live in the jobs container
 * under this reserved partition value. Both are small and fixed in size: the due work itself is found through
 * indexed fields (a case's watchOn, an outbox item's state and next try), never through a shared list.
 */
export const SYSTEM_PARTITION = "_system";

const CursorSchema = z.object({ day: z.string() });
const LeaseSchema = z.object({ id: z.string(), trustId: z.string(), holder: z.string(), expiresAt: z.string() });

const LEASE_ID = "sweep-lease";
const CURSOR_ID = "agenda-cursor";

async function readLease(container: Container): Promise<{ lease?: LeaseDocument; etag?: string }> {
  const { resource, etag } = await container.item(LEASE_ID, SYSTEM_PARTITION).read<Record<string, unknown>>();
  return resource ? { lease: parseStored(LeaseSchema, "jobs", resource), etag } : {};
}

export class CosmosSweepCursor implements SweepCursor {
  constructor(private readonly container: Container) {}

  async lastSweptDay(): Promise<{ day?: string; etag?: string }> {
    const { resource, etag } = await this.container.item(CURSOR_ID, SYSTEM_PARTITION).read<Record<string, unknown>>();
    return resource ? { day: parseStored(CursorSchema, "jobs", resource).day, etag } : {};
  }

  async markSwept(day: string, etag: string | undefined): Promise<boolean> {
    const document = { id: CURSOR_ID, trustId: SYSTEM_PARTITION, day };
    try {
      if (etag) await this.container.item(document.id, SYSTEM_PARTITION).replace(document, { accessCondition: { type: "IfMatch", condition: etag } });
      else await this.container.items.create(document);
      return true;
    } catch (error) {
      if (statusOf(error) === 412 || statusOf(error) === 409) return false;
      throw error;
    }
  }
}

const PendingSchema = OutboxItemSchema.pick({ id: true, trustId: true, target: true });

/** Outbox items, each in its trust's partition; the ones still to send are found by their indexed state and next try. */
export class CosmosOutboxStore implements OutboxStore {
  constructor(private readonly container: Container) {}

  async enqueue(item: OutboxItem): Promise<boolean> {
    try {
      await this.container.items.create({ ...item, docType: "outbox" });
      return true;
    } catch (error) {
      if (statusOf(error) !== 409) throw error;
      return false; // decided before: one message, however often it is decided
    }
  }

  async pending(dueBy: Date, limit: number): Promise<PendingOutboxItem[]> {
    // Across trusts, on purpose: served by the index on state and nextAttemptAt (sent items are never read).
    const { resources } = await this.container.items
      .query<Record<string, unknown>>({
        query: `SELECT TOP ${Math.trunc(limit)} c.id, c.trustId, c.target FROM c WHERE c.docType = 'outbox' AND c.state = 'pending' AND c.nextAttemptAt <= @dueBy ORDER BY c.nextAttemptAt`,
        parameters: [{ name: "@dueBy", value: dueBy.toISOString() }],
      })
      .fetchAll();
    return resources.map((found) => parseStored(PendingSchema, "jobs", found));
  }

  async get(trustId: string, id: string): Promise<Versioned<OutboxItem> | undefined> {
    const { resource, etag } = await this.container.item(id, trustId).read<Record<string, unknown>>();
    return resource ? { value: parseStored(OutboxItemSchema, "jobs", resource), etag: etag! } : undefined;
  }

  async save(item: OutboxItem, etag: string): Promise<boolean> {
    try {
      await this.container.item(item.id, item.trustId).replace({ ...item, docType: "outbox" }, { accessCondition: { type: "IfMatch", condition: etag } });
      return true;
    } catch (error) {
      if (statusOf(error) === 412) return false;
      throw error;
    }
  }
}

type LeaseDocument = z.infer<typeof LeaseSchema>;

export class CosmosSweepLease implements SweepLease {
  private static readonly ID = LEASE_ID;

  constructor(private readonly container: Container) {}

  async tryAcquire(holder: string, now: Date, ttlMs: number): Promise<boolean> {
    const next: LeaseDocument = { id: CosmosSweepLease.ID, trustId: SYSTEM_PARTITION, holder, expiresAt: new Date(now.getTime() + ttlMs).toISOString() };
    const { lease: resource, etag } = await readLease(this.container);
    try {
      if (!resource) {
        await this.container.items.create(next);
        return true;
      }
      // Held by someone else who is still alive: leave it.
      if (resource.holder !== holder && new Date(resource.expiresAt) > now) return false;
      await this.container.item(CosmosSweepLease.ID, SYSTEM_PARTITION).replace(next, { accessCondition: { type: "IfMatch", condition: etag! } });
      return true;
    } catch (error) {
      if (statusOf(error) === 409 || statusOf(error) === 412) return false; // another instance got there first
      throw error;
    }
  }

  async release(holder: string): Promise<void> {
    const { lease: resource, etag } = await readLease(this.container);
    if (resource?.holder !== holder) return;
    await this.container
      .item(CosmosSweepLease.ID, SYSTEM_PARTITION)
      .replace({ ...resource, expiresAt: new Date(0).toISOString() }, { accessCondition: { type: "IfMatch", condition: etag! } })
      .catch(() => undefined);
  }
}
