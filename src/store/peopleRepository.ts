import type { Container } from "@azure/cosmos";
import type { PeopleDirectory, StaffMember } from "../domain/ports";

interface PersonDocument extends StaffMember {
  readonly id: string;
  readonly tenantId: string;
  readonly docType: "person";
  readonly personalConversation?: Readonly<Record<string, unknown>>;
  readonly updatedAt: string;
}

/**
 * People in the `conversations` container (partition /tenantId), one document per person. A write
 * happens only when what we know about someone changes, not on every message they send.
 */
export class CosmosPeopleDirectory implements PeopleDirectory {
  private readonly lastWritten = new Map<string, string>();

  constructor(
    private readonly container: Container,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async remember(tenantId: string, person: StaffMember, personalConversation?: Readonly<Record<string, unknown>>): Promise<void> {
    const id = `person-${person.aadObjectId}`;
    const fingerprint = JSON.stringify([person.name, person.teamsUserId, personalConversation ?? null]);
    const key = `${tenantId}/${id}`;
    if (this.lastWritten.get(key) === fingerprint) return;
    const existing = await this.read(tenantId, id);
    const document: PersonDocument = {
      id,
      tenantId,
      docType: "person",
      aadObjectId: person.aadObjectId,
      name: person.name,
      teamsUserId: person.teamsUserId,
      personalConversation: personalConversation ?? existing?.personalConversation,
      updatedAt: this.now().toISOString(),
    };
    await this.container.items.upsert(document);
    this.lastWritten.set(key, fingerprint);
  }

  async get(tenantId: string, aadObjectId: string): Promise<StaffMember | undefined> {
    const document = await this.read(tenantId, `person-${aadObjectId}`);
    return document ? { aadObjectId: document.aadObjectId, name: document.name, teamsUserId: document.teamsUserId } : undefined;
  }

  async list(tenantId: string): Promise<StaffMember[]> {
    const { resources } = await this.container.items
      .query<StaffMember>(
        {
          query: "SELECT c.aadObjectId, c.name, c.teamsUserId FROM c WHERE c.tenantId = @tenantId AND c.docType = 'person' ORDER BY c.name",
          parameters: [{ name: "@tenantId", value: tenantId }],
        },
        { partitionKey: tenantId },
      )
      .fetchAll();
    return resources;
  }

  private async read(tenantId: string, id: string): Promise<PersonDocument | undefined> {
    const { resource } = await this.container.item(id, tenantId).read<PersonDocument>();
    return resource?.docType === "person" ? resource : undefined;
  }
}
