import type { Container } from "@azure/cosmos";
import type { TimelineRepository } from "../domain/ports";
import { CaseEventSchema, type CaseEvent } from "../domain/case/timeline";
import { parseStored, statusOf } from "./documents";

/** The case timeline and audit trail: the app only ever creates events (retention aside), each id once. */
export class CosmosTimelineRepository implements TimelineRepository {
  constructor(private readonly container: Container) {}

  async record(event: CaseEvent): Promise<boolean> {
    try {
      await this.container.items.create({ ...event });
      return true;
    } catch (error) {
      if (statusOf(error) === 409) return false; // written before: a follow-up being finished again
      throw error;
    }
  }

  async removeDetails(caseId: string): Promise<number> {
    let changed = 0;
    for (const event of await this.list(caseId)) {
      if (event.detail === undefined) continue;
      const { detail: _removed, ...kept } = event;
      await this.container.items.upsert({ ...kept });
      changed += 1;
    }
    return changed;
  }

  async deleteAll(caseId: string, keepEventId?: string): Promise<number> {
    const events = (await this.list(caseId)).filter((event) => event.id !== keepEventId);
    for (const event of events) {
      await this.container
        .item(event.id, caseId)
        .delete()
        .catch((error: unknown) => {
          if (statusOf(error) !== 404) throw error;
        });
    }
    return events.length;
  }

  async list(caseId: string): Promise<CaseEvent[]> {
    const { resources } = await this.container.items
      .query<Record<string, unknown>>(
        { query: "SELECT * FROM c WHERE c.caseId = @caseId ORDER BY c.at ASC", parameters: [{ name: "@caseId", value: caseId }] },
        { partitionKey: caseId },
      )
      .fetchAll();
    // Events of one change share their time; their ids keep them in the order the change made them.
    return resources.map((document) => parseStored(CaseEventSchema, "events", document)).sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
  }
}
