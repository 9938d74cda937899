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
