import type { Container } from "@azure/cosmos";
import type { TimelineRepository } from "../domain/ports";
import type { CaseEvent } from "../domain/timeline";
import { stripSystemFields } from "./documents";

/** The case timeline and audit trail: the app only ever creates events, never replaces or deletes them. */
export class CosmosTimelineRepository implements TimelineRepository {
  constructor(private readonly container: Container) {}

  async append(event: CaseEvent): Promise<void> {
    await this.container.items.create({ ...event });
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

  async deleteAll(caseId: string): Promise<number> {
    const events = await this.list(caseId);
    for (const event of events) await this.container.item(event.id, caseId).delete();
    return events.length;
  }

  async list(caseId: string): Promise<CaseEvent[]> {
    const { resources } = await this.container.items
      .query<Record<string, unknown>>(
        { query: "SELECT * FROM c WHERE c.caseId = @caseId ORDER BY c.at ASC", parameters: [{ name: "@caseId", value: caseId }] },
        { partitionKey: caseId },
      )
      .fetchAll();
    return resources.map((document) => stripSystemFields<CaseEvent>(document));
  }
}
