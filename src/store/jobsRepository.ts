import type { Container } from "@azure/cosmos";
import { z } from "zod";
import { OutboxItemSchema, type OutboxItem } from "../domain/outbox";
import type { OutboxStore, ScheduledCase, SweepLease, SweepSchedule, Versioned } from "../domain/ports";
import { parseStored, statusOf } from "./documents";

/**
 * Documents that belong to no trust (the schedule, the outbox queue, the lease) live in the jobs
 * container under this reserved partition value.
 */
export const SYSTEM_PARTITION = "_system";

/** Sets one key of a map document, creating the document first if needed; patch `set` is atomic. */
async function setMapEntry(container: Container, id: string, key: string, value: string): Promise<void> {
  const path = `/entries/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`;
  try {
    await container.item(id, SYSTEM_PARTITION).patch([{ op: "set", path, value }]);
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
    try {
      await container.items.create({ id, tenantId: SYSTEM_PARTITION, entries: {} });
    } catch (createError) {
      if (statusOf(createError) !== 409) throw createError;
    }
    await container.item(id, SYSTEM_PARTITION).patch([{ op: "set", path, value }]);
  }
}

async function removeMapEntry(container: Container, id: string, key: string): Promise<void> {
  const path = `/entries/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`;
  try {
    await container.item(id, SYSTEM_PARTITION).patch([{ op: "remove", path }]);
  } catch (error) {
    // Already gone (404 document, 400 missing key): removing is idempotent.
    if (statusOf(error) !== 404 && statusOf(error) !== 400) throw error;
  }
}

/** A schedule day or the outbox queue: keys (case or item ids) to the trust they belong to. */
const MapSchema = z.object({ entries: z.record(z.string()).default({}) });
const CursorSchema = z.object({ day: z.string() });
const LeaseSchema = z.object({ id: z.string(), tenantId: z.string(), holder: z.string(), expiresAt: z.string() });

async function readMap(container: Container, id: string): Promise<Record<string, string>> {
  const { resource } = await container.item(id, SYSTEM_PARTITION).read<Record<string, unknown>>();
  return resource ? parseStored(MapSchema, "jobs", resource).entries : {};
}

const LEASE_ID = "sweep-lease";

async function readLease(container: Container): Promise<{ lease?: LeaseDocument; etag?: string }> {
  const { resource, etag } = await container.item(LEASE_ID, SYSTEM_PARTITION).read<Record<string, unknown>>();
  return resource ? { lease: parseStored(LeaseSchema, "jobs", resource), etag } : {};
}

export class CosmosSweepSchedule implements SweepSchedule {
  constructor(private readonly container: Container) {}

  async file(tenantId: string, caseId: string, day: string): Promise<void> {
    await setMapEntry(this.container, `agenda:${day}`, caseId, tenantId);
  }

  async casesOn(day: string): Promise<ScheduledCase[]> {
    return Object.entries(await readMap(this.container, `agenda:${day}`)).map(([caseId, tenantId]) => ({ caseId, tenantId }));
  }

  async lastSweptDay(): Promise<{ day?: string; etag?: string }> {
    const { resource, etag } = await this.container.item("agenda-cursor", SYSTEM_PARTITION).read<Record<string, unknown>>();
    return resource ? { day: parseStored(CursorSchema, "jobs", resource).day, etag } : {};
  }

  async markSwept(day: string, etag: string | undefined): Promise<boolean> {
    const document = { id: "agenda-cursor", tenantId: SYSTEM_PARTITION, day };
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

const OUTBOX_QUEUE = "outbox-pending";

export class CosmosOutboxStore implements OutboxStore {
  constructor(private readonly container: Container) {}

  async enqueue(item: OutboxItem): Promise<boolean> {
    try {
      await this.container.items.create({ ...item, docType: "outbox" });
    } catch (error) {
      if (statusOf(error) !== 409) throw error;
      // Decided before: make sure a pending copy is queued (a crash may have come between the two writes).
      const existing = await this.get(item.tenantId, item.id);
      if (existing?.value.state === "pending") await setMapEntry(this.container, OUTBOX_QUEUE, item.id, item.tenantId);
      return false;
    }
    await setMapEntry(this.container, OUTBOX_QUEUE, item.id, item.tenantId);
    return true;
  }

  async pending(): Promise<{ id: string; tenantId: string }[]> {
    return Object.entries(await readMap(this.container, OUTBOX_QUEUE)).map(([id, tenantId]) => ({ id, tenantId }));
  }

  async get(tenantId: string, id: string): Promise<Versioned<OutboxItem> | undefined> {
    const { resource, etag } = await this.container.item(id, tenantId).read<Record<string, unknown>>();
    return resource ? { value: parseStored(OutboxItemSchema, "jobs", resource), etag: etag! } : undefined;
  }

  async save(item: OutboxItem, etag: string): Promise<boolean> {
    try {
      await this.container.item(item.id, item.tenantId).replace({ ...item, docType: "outbox" }, { accessCondition: { type: "IfMatch", condition: etag } });
    } catch (error) {
      if (statusOf(error) === 412) return false;
      throw error;
    }
    if (item.state !== "pending") await removeMapEntry(this.container, OUTBOX_QUEUE, item.id);
    return true;
  }
}

type LeaseDocument = z.infer<typeof LeaseSchema>;

export class CosmosSweepLease implements SweepLease {
  private static readonly ID = LEASE_ID;

  constructor(private readonly container: Container) {}

  async tryAcquire(holder: string, now: Date, ttlMs: number): Promise<boolean> {
    const next: LeaseDocument = { id: CosmosSweepLease.ID, tenantId: SYSTEM_PARTITION, holder, expiresAt: new Date(now.getTime() + ttlMs).toISOString() };
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
