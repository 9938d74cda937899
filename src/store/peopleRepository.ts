import type { Container } from "@azure/cosmos";
import { z } from "zod";
import { ConversationAddressSchema, StaffMemberSchema, type ConversationAddress, type StaffMember } from "../domain/messages/conversations";
import type { ThreadLink } from "../domain/case/followUps";
import type { ChannelDirectory, ChannelPurpose, PeopleDirectory, TeamAddress } from "../domain/ports";
import { parseStored, statusOf } from "./documents";

interface PersonDocument extends StaffMember {
  readonly id: string;
  readonly trustId: string;
  readonly docType: "person";
  readonly personalConversation?: ConversationAddress;
  readonly updatedAt: string;
}

const PersonSchema = StaffMemberSchema.extend({ personalConversation: ConversationAddressSchema.optional() });
/** The alerts channel and division channels: where to post, and which team they belong to. */
const ChannelSchema = z.object({ address: ConversationAddressSchema, teamId: z.string().optional() });
const ThreadSchema = z.object({ caseId: z.string(), requestId: z.string() });

/** Reads one document of the conversations container when it is of the expected kind, checked against its schema. */
async function readKind<T>(
  container: Container,
  id: string,
  trustId: string,
  docType: string,
  schema: z.ZodType<T, z.ZodTypeDef, unknown>,
): Promise<T | undefined> {
  const { resource } = await container.item(id, trustId).read<Record<string, unknown>>();
  return resource?.docType === docType ? parseStored(schema, "conversations", resource) : undefined;
}

/**
 * How long a trust's staff list is reused: every case card offers it (assign, ask a lead), and it changes
 * when someone first uses PALS Desk. A person another instance has just met appears within this time.
 */
export const STAFF_LIST_MS = 60_000;

/**
 * People in the `conversations` container (partition /trustId), one document per person. A write
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

  async remember(trustId: string, person: StaffMember, personalConversation?: ConversationAddress): Promise<void> {
    const id = `person-${person.aadObjectId}`;
    const fingerprint = JSON.stringify([person.name, person.teamsUserId, personalConversation ?? null]);
    const key = `${trustId}/${id}`;
    if (this.lastWritten.get(key) === fingerprint) return;
    const existing = await this.read(trustId, id);
    await this.write(trustId, {
      aadObjectId: person.aadObjectId,
      name: person.name,
      teamsUserId: person.teamsUserId,
      personalConversation: personalConversation ?? existing?.personalConversation,
    });
    this.lastWritten.set(key, fingerprint);
  }

  async get(trustId: string, aadObjectId: string): Promise<StaffMember | undefined> {
    const document = await this.read(trustId, `person-${aadObjectId}`);
    return document ? { aadObjectId: document.aadObjectId, name: document.name, teamsUserId: document.teamsUserId } : undefined;
  }

  async list(trustId: string): Promise<StaffMember[]> {
    const known = this.staffLists.get(trustId);
    const now = this.now().getTime();
    if (known && now - known.at < STAFF_LIST_MS && now >= known.at) return known.people.map((person) => ({ ...person }));
    const { resources } = await this.container.items
      .query<Record<string, unknown>>(
        {
          query: "SELECT c.aadObjectId, c.name, c.teamsUserId FROM c WHERE c.trustId = @trustId AND c.docType = 'person' ORDER BY c.name",
          parameters: [{ name: "@trustId", value: trustId }],
        },
        { partitionKey: trustId },
      )
      .fetchAll();
    const people = resources.map((person) => parseStored(StaffMemberSchema, "conversations", person));
    this.staffLists.set(trustId, { at: now, people: people.map((person) => ({ ...person })) });
    return people;
  }

  async personalConversation(trustId: string, aadObjectId: string): Promise<ConversationAddress | undefined> {
    return (await this.read(trustId, `person-${aadObjectId}`))?.personalConversation;
  }

  async forgetPersonalConversation(trustId: string, aadObjectId: string): Promise<void> {
    const existing = await this.read(trustId, `person-${aadObjectId}`);
    if (!existing?.personalConversation) return;
    await this.write(trustId, { aadObjectId: existing.aadObjectId, name: existing.name, teamsUserId: existing.teamsUserId });
    this.lastWritten.delete(`${trustId}/person-${aadObjectId}`);
  }

  private async write(trustId: string, person: StaffMember & { personalConversation?: ConversationAddress }): Promise<void> {
    const document: PersonDocument = {
      id: `person-${person.aadObjectId}`,
      trustId,
      docType: "person",
      ...person,
      updatedAt: this.now().toISOString(),
    };
    await this.container.items.upsert(document);
    this.staffLists.delete(trustId); // this instance shows a change it made at once
  }

  private async read(trustId: string, id: string): Promise<z.infer<typeof PersonSchema> | undefined> {
    return readKind(this.container, id, trustId, "person", PersonSchema);
  }
}

/** "Medicine", " medicine " and "MEDICINE" are one division. */
function divisionDocumentId(division: string): string {
  return `division-${encodeURIComponent(division.trim().toLowerCase())}`;
}

/** The document of each channel with a job (the ids stored since each was added). */
const CHANNEL_IDS: Readonly<Record<ChannelPurpose, string>> = { alerts: "alerts-channel", "patient-safety": "safety-channel", inbox: "inbox-channel" };

interface ChannelDocument {
  readonly id: string;
  readonly trustId: string;
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

  async setAlertsChannel(trustId: string, address: ConversationAddress & { teamId?: string }, setBy: StaffMember): Promise<void> {
    await this.setChannel(trustId, "alerts", address, setBy);
  }

  async alertsChannel(trustId: string): Promise<ConversationAddress | undefined> {
    return (await this.channel(trustId, "alerts"))?.address;
  }

  async alertsTeam(trustId: string): Promise<TeamAddress | undefined> {
    const stored = await this.channel(trustId, "alerts");
    return stored?.teamId ? { teamId: stored.teamId, channel: stored.address } : undefined;
  }

  async forgetAlertsChannel(trustId: string): Promise<void> {
    await this.forgetChannel(trustId, "alerts");
  }

  async setSafetyChannel(trustId: string, address: ConversationAddress & { teamId?: string }, setBy: StaffMember): Promise<void> {
    await this.setChannel(trustId, "patient-safety", address, setBy);
  }

  async safetyChannel(trustId: string): Promise<ConversationAddress | undefined> {
    return (await this.channel(trustId, "patient-safety"))?.address;
  }

  async forgetSafetyChannel(trustId: string): Promise<void> {
    await this.forgetChannel(trustId, "patient-safety");
  }

  async setChannelFor(trustId: string, purpose: ChannelPurpose, address: ConversationAddress & { teamId?: string }, setBy: StaffMember): Promise<void> {
    await this.setChannel(trustId, purpose, address, setBy);
  }

  async channelFor(trustId: string, purpose: ChannelPurpose): Promise<ConversationAddress | undefined> {
    return (await this.channel(trustId, purpose))?.address;
  }

  async forgetChannelFor(trustId: string, purpose: ChannelPurpose): Promise<void> {
    await this.forgetChannel(trustId, purpose);
  }

  /** A channel with a job in the trust: one document each, named after its purpose. */
  private async setChannel(trustId: string, purpose: ChannelPurpose, address: ConversationAddress & { teamId?: string }, setBy: StaffMember): Promise<void> {
    const document: ChannelDocument = {
      id: CHANNEL_IDS[purpose],
      trustId,
      docType: "channel",
      purpose,
      teamId: address.teamId,
      address,
      setBy,
      updatedAt: this.now().toISOString(),
    };
    await this.container.items.upsert(document);
  }

  private channel(trustId: string, purpose: ChannelPurpose) {
    return readKind(this.container, CHANNEL_IDS[purpose], trustId, "channel", ChannelSchema);
  }

  private async forgetChannel(trustId: string, purpose: ChannelPurpose): Promise<void> {
    await this.container
      .item(CHANNEL_IDS[purpose], trustId)
      .delete()
      .catch((error: unknown) => {
        if (statusOf(error) !== 404) throw error;
      });
  }

  async setDivisionChannel(trustId: string, division: string, address: ConversationAddress & { teamId?: string }, setBy: StaffMember): Promise<void> {
    await this.container.items.upsert({
      id: divisionDocumentId(division),
      trustId,
      docType: "division-channel",
      division: division.trim(),
      teamId: address.teamId,
      address,
      setBy,
      updatedAt: this.now().toISOString(),
    });
  }

  async divisionChannel(trustId: string, division: string): Promise<ConversationAddress | undefined> {
    return (await readKind(this.container, divisionDocumentId(division), trustId, "division-channel", ChannelSchema))?.address;
  }

  async divisions(trustId: string): Promise<string[]> {
    const { resources } = await this.container.items
      .query<string>(
        {
          query: "SELECT VALUE c.division FROM c WHERE c.trustId = @trustId AND c.docType = 'division-channel' ORDER BY c.division",
          parameters: [{ name: "@trustId", value: trustId }],
        },
        { partitionKey: trustId },
      )
      .fetchAll();
    return resources;
  }

  async rememberThread(trustId: string, { rootActivityId, caseId, requestId }: ThreadLink): Promise<void> {
    await this.container.items.upsert({ id: `thread-${rootActivityId}`, trustId, docType: "thread", caseId, requestId });
  }

  async thread(trustId: string, rootActivityId: string): Promise<{ caseId: string; requestId: string } | undefined> {
    return readKind(this.container, `thread-${rootActivityId}`, trustId, "thread", ThreadSchema);
  }

  async rememberTeam(trustId: string, teamId: string, general: ConversationAddress): Promise<void> {
    await this.container.items.upsert({ id: `team-${teamId}`, trustId, docType: "team", teamId, address: general, updatedAt: this.now().toISOString() });
  }

  async forgetTeam(trustId: string, teamId: string): Promise<void> {
    await this.container
      .item(`team-${teamId}`, trustId)
      .delete()
      .catch((error: unknown) => {
        if (statusOf(error) !== 404) throw error;
      });
    const { resources: divisions } = await this.container.items
      .query<{ id: string }>(
        {
          query: "SELECT c.id FROM c WHERE c.trustId = @trustId AND c.docType = 'division-channel' AND c.teamId = @teamId",
          parameters: [
            { name: "@trustId", value: trustId },
            { name: "@teamId", value: teamId },
          ],
        },
        { partitionKey: trustId },
      )
      .fetchAll();
    for (const { id } of divisions) await this.container.item(id, trustId).delete();
    for (const purpose of Object.keys(CHANNEL_IDS) as ChannelPurpose[]) {
      if ((await this.channel(trustId, purpose))?.teamId === teamId) await this.forgetChannel(trustId, purpose);
    }
  }
}
