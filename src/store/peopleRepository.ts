import type { Container } from "@azure/cosmos";
import { z } from "zod";
import { ConversationAddressSchema, StaffMemberSchema, type ConversationAddress, type StaffMember } from "../domain/conversations";
import type { ThreadLink } from "../domain/followUps";
import type { ChannelDirectory, PeopleDirectory, TeamAddress } from "../domain/ports";
import { parseStored, statusOf } from "./documents";

interface PersonDocument extends StaffMember {
  readonly id: string;
  readonly tenantId: string;
  readonly docType: "person";
  readonly personalConversation?: ConversationAddress;
  readonly updatedAt: string;
}

const PersonSchema = StaffMemberSchema.extend({ personalConversation: ConversationAddressSchema.optional() });
/** The alerts channel and division channels: where to post, and which team they belong to. */
const ChannelSchema = z.object({ address: ConversationAddressSchema, teamId: z.string().optional() });
const ThreadSchema = z.object({ caseId: z.string(), requestId: z.string() });

/** Reads one document of the conversations container when it is of the expected kind, checked against its schema. */
async function readKind<T>(container: Container, id: string, tenantId: string, docType: string, schema: z.ZodType<T, z.ZodTypeDef, unknown>): Promise<T | undefined> {
  const { resource } = await container.item(id, tenantId).read<Record<string, unknown>>();
  return resource?.docType === docType ? parseStored(schema, "conversations", resource) : undefined;
}

/**
 * How long a trust's staff list is reused: every case card offers it (assign, ask a lead), and it changes
 * when someone first uses PALS Desk. A person another instance has just met appears within this time.
 */
export const STAFF_LIST_MS = 60_000;

/**
 * People in the `conversations` container (partition /tenantId), one document per person. A write
 * happens only when what we know about someone changes, not on every message they send.
 */
export class CosmosPeopleDirectory implements PeopleDirectory {
  private readonly lastWritten = new Map<string, string>();
  /** Each trust's staff list as last read, and when. */
  private readonly staffLists = new Map<string, { readonly at: number; readonly people: readonly StaffMember[] }>();

  constructor(
    private readonly container: Container,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async remember(tenantId: string, person: StaffMember, personalConversation?: ConversationAddress): Promise<void> {
    const id = `person-${person.aadObjectId}`;
    const fingerprint = JSON.stringify([person.name, person.teamsUserId, personalConversation ?? null]);
    const key = `${tenantId}/${id}`;
    if (this.lastWritten.get(key) === fingerprint) return;
    const existing = await this.read(tenantId, id);
    await this.write(tenantId, {
      aadObjectId: person.aadObjectId,
      name: person.name,
      teamsUserId: person.teamsUserId,
      personalConversation: personalConversation ?? existing?.personalConversation,
    });
    this.lastWritten.set(key, fingerprint);
  }

  async get(tenantId: string, aadObjectId: string): Promise<StaffMember | undefined> {
    const document = await this.read(tenantId, `person-${aadObjectId}`);
    return document ? { aadObjectId: document.aadObjectId, name: document.name, teamsUserId: document.teamsUserId } : undefined;
  }

  async list(tenantId: string): Promise<StaffMember[]> {
    const known = this.staffLists.get(tenantId);
    const now = this.now().getTime();
    if (known && now - known.at < STAFF_LIST_MS && now >= known.at) return known.people.map((person) => ({ ...person }));
    const { resources } = await this.container.items
      .query<Record<string, unknown>>(
        {
          query: "SELECT c.aadObjectId, c.name, c.teamsUserId FROM c WHERE c.tenantId = @tenantId AND c.docType = 'person' ORDER BY c.name",
          parameters: [{ name: "@tenantId", value: tenantId }],
        },
        { partitionKey: tenantId },
      )
      .fetchAll();
    const people = resources.map((person) => parseStored(StaffMemberSchema, "conversations", person));
    this.staffLists.set(tenantId, { at: now, people: people.map((person) => ({ ...person })) });
    return people;
  }

  async personalConversation(tenantId: string, aadObjectId: string): Promise<ConversationAddress | undefined> {
    return (await this.read(tenantId, `person-${aadObjectId}`))?.personalConversation;
  }

  async forgetPersonalConversation(tenantId: string, aadObjectId: string): Promise<void> {
    const existing = await this.read(tenantId, `person-${aadObjectId}`);
    if (!existing?.personalConversation) return;
    await this.write(tenantId, { aadObjectId: existing.aadObjectId, name: existing.name, teamsUserId: existing.teamsUserId });
    this.lastWritten.delete(`${tenantId}/person-${aadObjectId}`);
  }

  private async write(tenantId: string, person: StaffMember & { personalConversation?: ConversationAddress }): Promise<void> {
    const document: PersonDocument = {
      id: `person-${person.aadObjectId}`,
      tenantId,
      docType: "person",
      ...person,
      updatedAt: this.now().toISOString(),
    };
    await this.container.items.upsert(document);
    this.staffLists.delete(tenantId); // this instance shows a change it made at once
  }

  private async read(tenantId: string, id: string): Promise<z.infer<typeof PersonSchema> | undefined> {
    return readKind(this.container, id, tenantId, "person", PersonSchema);
  }
}

/** "Medicine", " medicine " and "MEDICINE" are one division. */
function divisionDocumentId(division: string): string {
  return `division-${encodeURIComponent(division.trim().toLowerCase())}`;
}

type ChannelPurpose = "alerts" | "patient-safety";

/** The document of each channel with a job (the ids stored since each was added). */
const CHANNEL_IDS: Readonly<Record<ChannelPurpose, string>> = { alerts: "alerts-channel", "patient-safety": "safety-channel" };

interface ChannelDocument {
  readonly id: string;
  readonly tenantId: string;
  readonly docType: "channel";
  readonly purpose: ChannelPurpose;
  readonly teamId?: string;
  readonly address: ConversationAddress;
  readonly setBy: StaffMember;
  readonly updatedAt: string;
}

export class CosmosChannelDirectory implements ChannelDirectory {
  constructor(
    private readonly container: Container,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async setAlertsChannel(tenantId: string, address: ConversationAddress & { teamId?: string }, setBy: StaffMember): Promise<void> {
    await this.setChannel(tenantId, "alerts", address, setBy);
  }

  async alertsChannel(tenantId: string): Promise<ConversationAddress | undefined> {
    return (await this.channel(tenantId, "alerts"))?.address;
  }

  async alertsTeam(tenantId: string): Promise<TeamAddress | undefined> {
    const stored = await this.channel(tenantId, "alerts");
    return stored?.teamId ? { teamId: stored.teamId, channel: stored.address } : undefined;
  }

  async forgetAlertsChannel(tenantId: string): Promise<void> {
    await this.forgetChannel(tenantId, "alerts");
  }

  async setSafetyChannel(tenantId: string, address: ConversationAddress & { teamId?: string }, setBy: StaffMember): Promise<void> {
    await this.setChannel(tenantId, "patient-safety", address, setBy);
  }

  async safetyChannel(tenantId: string): Promise<ConversationAddress | undefined> {
    return (await this.channel(tenantId, "patient-safety"))?.address;
  }

  async forgetSafetyChannel(tenantId: string): Promise<void> {
    await this.forgetChannel(tenantId, "patient-safety");
  }

  /** A channel with a job in the trust: one document each, named after its purpose. */
  private async setChannel(tenantId: string, purpose: ChannelPurpose, address: ConversationAddress & { teamId?: string }, setBy: StaffMember): Promise<void> {
    const document: ChannelDocument = { id: CHANNEL_IDS[purpose], tenantId, docType: "channel", purpose, teamId: address.teamId, address, setBy, updatedAt: this.now().toISOString() };
    await this.container.items.upsert(document);
  }

  private channel(tenantId: string, purpose: ChannelPurpose) {
    return readKind(this.container, CHANNEL_IDS[purpose], tenantId, "channel", ChannelSchema);
  }

  private async forgetChannel(tenantId: string, purpose: ChannelPurpose): Promise<void> {
    await this.container
      .item(CHANNEL_IDS[purpose], tenantId)
      .delete()
      .catch((error: unknown) => {
        if (statusOf(error) !== 404) throw error;
      });
  }

  async setDivisionChannel(tenantId: string, division: string, address: ConversationAddress & { teamId?: string }, setBy: StaffMember): Promise<void> {
    await this.container.items.upsert({
      id: divisionDocumentId(division),
      tenantId,
      docType: "division-channel",
      division: division.trim(),
      teamId: address.teamId,
      address,
      setBy,
      updatedAt: this.now().toISOString(),
    });
  }

  async divisionChannel(tenantId: string, division: string): Promise<ConversationAddress | undefined> {
    return (await readKind(this.container, divisionDocumentId(division), tenantId, "division-channel", ChannelSchema))?.address;
  }

  async divisions(tenantId: string): Promise<string[]> {
    const { resources } = await this.container.items
      .query<string>(
        { query: "SELECT VALUE c.division FROM c WHERE c.tenantId = @tenantId AND c.docType = 'division-channel' ORDER BY c.division", parameters: [{ name: "@tenantId", value: tenantId }] },
        { partitionKey: tenantId },
      )
      .fetchAll();
    return resources;
  }

  async rememberThread(tenantId: string, { rootActivityId, caseId, requestId }: ThreadLink): Promise<void> {
    await this.container.items.upsert({ id: `thread-${rootActivityId}`, tenantId, docType: "thread", caseId, requestId });
  }

  async thread(tenantId: string, rootActivityId: string): Promise<{ caseId: string; requestId: string } | undefined> {
    return readKind(this.container, `thread-${rootActivityId}`, tenantId, "thread", ThreadSchema);
  }

  async rememberTeam(tenantId: string, teamId: string, general: ConversationAddress): Promise<void> {
    await this.container.items.upsert({ id: `team-${teamId}`, tenantId, docType: "team", teamId, address: general, updatedAt: this.now().toISOString() });
  }

  async forgetTeam(tenantId: string, teamId: string): Promise<void> {
    await this.container
      .item(`team-${teamId}`, tenantId)
      .delete()
      .catch((error: unknown) => {
        if (statusOf(error) !== 404) throw error;
      });
    const { resources: divisions } = await this.container.items
      .query<{ id: string }>(
        { query: "SELECT c.id FROM c WHERE c.tenantId = @tenantId AND c.docType = 'division-channel' AND c.teamId = @teamId", parameters: [{ name: "@tenantId", value: tenantId }, { name: "@teamId", value: teamId }] },
        { partitionKey: tenantId },
      )
      .fetchAll();
    for (const { id } of divisions) await this.container.item(id, tenantId).delete();
    const alerts = await readKind(this.container, "alerts-channel", tenantId, "channel", ChannelSchema);
    if (alerts?.teamId === teamId) await this.forgetAlertsChannel(tenantId);
    const safety = await readKind(this.container, "safety-channel", tenantId, "channel", ChannelSchema);
    if (safety?.teamId === teamId) await this.forgetSafetyChannel(tenantId);
  }
}
