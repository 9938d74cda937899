import type { Container } from "@azure/cosmos";
import type { Case } from "../domain/case";
import { CaseChangedError, type CaseRepository, type CaseSearch, type Versioned } from "../domain/ports";
import { statusOf, stripSystemFields } from "./documents";

/** How many times a conflicting update is re-read and re-applied before the person is asked to look again. */
const MAX_UPDATE_ATTEMPTS = 40;

/** Waits a random few milliseconds (more after each clash) so writers racing for one case fall out of step. */
function backoff(attempt: number): Promise<void> {
  const ceiling = Math.min(100, 5 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}

/**
 * Cases, one document each, partitioned by tenant. Reference counters share the container (one small
 * document per tenant and year) so that a counter and the cases it numbers live in one partition.
 */
export class CosmosCaseRepository implements CaseRepository {
  constructor(private readonly container: Container) {}

  async nextReferenceNumber(tenantId: string, year: number): Promise<number> {
    const id = `reference-counter-${year}`;
    // Patch `incr` is applied atomically by the server, so concurrent creates never share a number.
    try {
      const { resource } = await this.container.item(id, tenantId).patch<{ next: number }>([{ op: "incr", path: "/next", value: 1 }]);
      return resource!.next;
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
    try {
      await this.container.items.create({ id, tenantId, docType: "counter", reference: `counter:${year}`, next: 0 });
    } catch (error) {
      if (statusOf(error) !== 409) throw error; // another instance created it first
    }
    return this.nextReferenceNumber(tenantId, year);
  }

  async create(newCase: Case): Promise<Versioned<Case>> {
    const { resource, etag } = await this.container.items.create(this.toDocument(newCase));
    return { value: stripSystemFields<Case>(resource as unknown as Record<string, unknown>), etag: etag! };
  }

  async get(tenantId: string, caseId: string): Promise<Versioned<Case> | undefined> {
    const { resource, etag } = await this.container.item(caseId, tenantId).read<Record<string, unknown>>();
    if (!resource || resource.docType !== "case") return undefined;
    return { value: stripSystemFields<Case>(resource), etag: etag! };
  }

  async findByReference(tenantId: string, reference: string): Promise<Versioned<Case> | undefined> {
    const { resources } = await this.container.items
      .query<Record<string, unknown>>(
        {
          query: "SELECT * FROM c WHERE c.tenantId = @tenantId AND c.docType = 'case' AND c.reference = @reference",
          parameters: [
            { name: "@tenantId", value: tenantId },
            { name: "@reference", value: reference },
          ],
        },
        { partitionKey: tenantId },
      )
      .fetchAll();
    const found = resources[0];
    return found ? { value: stripSystemFields<Case>(found), etag: found._etag as string } : undefined;
  }

  async delete(tenantId: string, caseId: string): Promise<void> {
    await this.container.item(caseId, tenantId).delete();
  }

  async replace(updated: Case, etag: string): Promise<Versioned<Case>> {
    try {
      const response = await this.container
        .item(updated.id, updated.tenantId)
        .replace(this.toDocument(updated), { accessCondition: { type: "IfMatch", condition: etag } });
      return { value: stripSystemFields<Case>(response.resource as unknown as Record<string, unknown>), etag: response.etag! };
    } catch (error) {
      if (statusOf(error) === 412) throw new CaseChangedError(updated.id);
      throw error;
    }
  }

  async update(tenantId: string, caseId: string, change: (current: Case) => Case): Promise<Versioned<Case>> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.get(tenantId, caseId);
      if (!current) throw new Error(`Case ${caseId} not found`);
      try {
        return await this.replace(change(current.value), current.etag);
      } catch (error) {
        if (!(error instanceof CaseChangedError) || attempt >= MAX_UPDATE_ATTEMPTS) throw error;
        await backoff(attempt);
      }
    }
  }

  async listOpenByOwner(tenantId: string, ownerAadObjectId: string): Promise<Case[]> {
    const { resources } = await this.container.items
      .query<Record<string, unknown>>(
        {
          query:
            "SELECT * FROM c WHERE c.tenantId = @tenantId AND c.docType = 'case' AND c.status = 'open' AND c.owner.aadObjectId = @owner",
          parameters: [
            { name: "@tenantId", value: tenantId },
            { name: "@owner", value: ownerAadObjectId },
          ],
        },
        { partitionKey: tenantId },
      )
      .fetchAll();
    return resources.map((document) => stripSystemFields<Case>(document));
  }

  async listForPatient(tenantId: string, nhsNumber: string): Promise<Case[]> {
    const { resources } = await this.container.items
      .query<Record<string, unknown>>(
        {
          query: "SELECT * FROM c WHERE c.tenantId = @tenantId AND c.docType = 'case' AND c.patient.nhsNumber = @nhsNumber",
          parameters: [
            { name: "@tenantId", value: tenantId },
            { name: "@nhsNumber", value: nhsNumber },
          ],
        },
        { partitionKey: tenantId },
      )
      .fetchAll();
    return resources.map((document) => stripSystemFields<Case>(document));
  }

  async countForPatient(tenantId: string, nhsNumber: string, receivedSince: string): Promise<number> {
    const { resources } = await this.container.items
      .query<number>(
        {
          query:
            "SELECT VALUE COUNT(1) FROM c WHERE c.tenantId = @tenantId AND c.docType = 'case' AND c.patient.nhsNumber = @nhsNumber AND c.receivedOn >= @since",
          parameters: [
            { name: "@tenantId", value: tenantId },
            { name: "@nhsNumber", value: nhsNumber },
            { name: "@since", value: receivedSince },
          ],
        },
        { partitionKey: tenantId },
      )
      .fetchAll();
    return resources[0] ?? 0;
  }

  async search(query: CaseSearch): Promise<Case[]> {
    const conditions = ["c.tenantId = @tenantId", "c.docType = 'case'"];
    const parameters: { name: string; value: string }[] = [{ name: "@tenantId", value: query.tenantId }];
    if (query.nhsNumber) {
      conditions.push("c.patient.nhsNumber = @nhsNumber");
      parameters.push({ name: "@nhsNumber", value: query.nhsNumber });
    }
    query.words.forEach((word, index) => {
      conditions.push(`CONTAINS(c.searchText, @word${index})`);
      parameters.push({ name: `@word${index}`, value: word.toLowerCase() });
    });
    const { resources } = await this.container.items
      .query<Record<string, unknown>>(
        { query: `SELECT TOP ${Math.trunc(query.limit)} * FROM c WHERE ${conditions.join(" AND ")} ORDER BY c.createdAt DESC`, parameters },
        { partitionKey: query.tenantId },
      )
      .fetchAll();
    return resources.map((document) => stripSystemFields<Case>(document));
  }

  async listForReport(tenantId: string, fromDay: string, toDay: string): Promise<Case[]> {
    // One partition, no GROUP BY (the embedded server lacks it): the domain aggregates.
    const { resources } = await this.container.items
      .query<Record<string, unknown>>(
        {
          query:
            "SELECT * FROM c WHERE c.tenantId = @tenantId AND c.docType = 'case' AND c.receivedOn <= @to AND " +
            "(c.receivedOn >= @from OR c.status = 'open' OR c.closedOn >= @from OR c.deadlines.acknowledgeBy >= @from OR c.deadlines.respondBy >= @from) " +
            "ORDER BY c.receivedOn ASC",
          parameters: [
            { name: "@tenantId", value: tenantId },
            { name: "@from", value: fromDay },
            { name: "@to", value: toDay },
          ],
        },
        { partitionKey: tenantId },
      )
      .fetchAll();
    return resources.map((document) => stripSystemFields<Case>(document));
  }

  private toDocument(value: Case): Record<string, unknown> {
    const searchText = [value.reference, value.patient.name, value.summary].join(" ").toLowerCase();
    return { ...value, docType: "case", searchText };
  }
}
