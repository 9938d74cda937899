import { z } from "zod";
import type { Config } from "../../config";
import { ROLES, trustOfConversation, trustsOfTenant, type Role, type RoleDirectory, type RoleLookup, type Trust } from "../../domain";
import type { GroupRoleSource } from "../../entra/groupRoles";
import type { Identified, Incoming } from "../sdk/turn";
import { TeamUnreadableError, type TeamMembersCache } from "./teamMembers";

const ActivityIdentity = z.object({
  tenantId: z.string().trim().min(1).max(100),
  teamsUserId: z.string().min(1).max(200),
  aadObjectId: z.string().trim().min(1).max(100),
  name: z.string().max(200).default(""),
});

/** What a person is told when their groups could not be read and nothing else gives them a role. */
export const ROLES_UNCHECKED = "PALS Desk couldn't check your team membership just now. Try again in a few minutes; if it keeps happening, tell your IT team.";

export function rolesConfigured(config: Config): boolean {
  return Object.values(config.roles).some((ids) => ids.length > 0) || config.roleGroups !== undefined;
}

/** Roles from the ROLE_* settings (Entra ID object ids) and, when set, the ROLE_*_GROUPS (Entra ID security groups). */
export function directoryRoles(config: Config, groups?: GroupRoleSource): RoleDirectory {
  const lookup = async (tenantId: string, aadObjectId: string): Promise<RoleLookup> => {
    // Local mode with no roles set: everyone is an officer, so the bot is usable out of the box.
    if (!config.bot && !rolesConfigured(config)) return { roles: new Set<Role>(["officer"]), unchecked: false };
    const id = aadObjectId.toLowerCase();
    const roles = new Set((Object.entries(config.roles) as [Role, readonly string[]][]).filter(([, ids]) => ids.includes(id)).map(([role]) => role));
    if (!groups || !config.roleGroups) return { roles, unchecked: false };
    // A person listed by id keeps that role whatever Graph says; Graph failing adds nothing.
    const fromGroups = await groups.rolesOf(tenantId, aadObjectId);
    if (!fromGroups.ok) return { roles, unchecked: true };
    for (const role of fromGroups.roles) roles.add(role);
    return { roles, unchecked: false };
  };
  return {
    lookup,
    rolesOf: async (tenantId, aadObjectId) => (await lookup(tenantId, aadObjectId)).roles,
    leadsNamed: (_trustId: string) => config.roles.lead.length > 0 || (config.roleGroups?.byRole.lead.length ?? 0) > 0,
  };
}

/** Roles from the ROLE_* settings only (no Microsoft Graph): tests and tools that act as the bot does. */
export function settingsRoles(config: Config): RoleDirectory {
  return directoryRoles(config);
}

/** What a person of a shared tenant who belongs to no trust is told, with what they can still do. */
export const NO_TRUST =
  "PALS Desk works for the PALS teams of the trusts set up in your organisation, and you're not in one of them. You can still look up " +
  "organisations that help patients (type signpost and a few words) and read how NHS complaints work (type complaints process). " +
  "If you should be in your trust's PALS team, ask its manager to add you to the team in Teams.";

/**
 * The answers a case addresses to one person (a clinical lead's investigation request, an action's owner). A
 * person who belongs to no trust may still give them: the trust comes from the card, and the application layer
 * lets only the person named on the case answer.
 */
export const ADDRESSED_VERBS: ReadonlySet<string> = new Set(["investigation.refresh", "investigation.answer", "investigation.moreTime", "action.done"]);

const CardTrust = z.object({ action: z.object({ verb: z.string().max(100), data: z.object({ trustId: z.string().max(64) }).passthrough() }) });

/** Roles in the trusts of a trusts file: person ids, Entra ID groups (Graph) and Teams team membership (the bot). */
export function trustRoles(
  trusts: readonly Trust[],
  options: { readonly groups?: ReadonlyMap<string, GroupRoleSource>; readonly teams: TeamMembersCache; readonly serviceUrls: ReadonlyMap<string, string> },
): RoleDirectory {
  const byId = new Map(trusts.map((t) => [t.id, t]));
  const lookup = async (trustId: string, aadObjectId: string): Promise<RoleLookup> => {
    const trust = byId.get(trustId);
    if (!trust) return { roles: new Set(), unchecked: false };
    const id = aadObjectId.toLowerCase();
    const roles = new Set<Role>(ROLES.filter((role) => trust.roles[role].people.includes(id)));
    let unchecked = false;
    const groups = options.groups?.get(trust.id);
    if (groups) {
      const fromGroups = await groups.rolesOf(trust.tenantId, aadObjectId);
      if (fromGroups.ok) for (const role of fromGroups.roles) roles.add(role);
      else unchecked = true;
    }
    const teams = [...new Set(ROLES.flatMap((role) => trust.roles[role].teams))];
    if (teams.length > 0) {
      // Teams are read through the bot at the address Teams gave the tenant's last activity.
      const serviceUrl = options.serviceUrls.get(trust.tenantId);
      const answers = await Promise.all(
        teams.map(async (teamId) => {
          if (!serviceUrl) return { teamId, members: undefined };
          const team = { teamId, channel: { conversationId: teamId, serviceUrl, channelId: "msteams", conversationType: "channel" } };
          try {
            return { teamId, members: new Set((await options.teams.members(trust.tenantId, team)).map((m) => m.aadObjectId.toLowerCase())) };
          } catch (error) {
            if (error instanceof TeamUnreadableError) return { teamId, members: undefined };
            throw error;
          }
        }),
      );
      for (const { teamId, members } of answers) {
        if (!members) unchecked = true;
        else if (members.has(id)) for (const role of ROLES) if (trust.roles[role].teams.includes(teamId)) roles.add(role);
      }
    }
    return { roles, unchecked };
  };
  return {
    lookup,
    rolesOf: async (trustId, aadObjectId) => (await lookup(trustId, aadObjectId)).roles,
    leadsNamed: (trustId) => {
      const lead = byId.get(trustId)?.roles.lead;
      return lead !== undefined && (lead.people.length > 0 || lead.teams.length > 0 || lead.groups.length > 0);
    },
  };
}

/**
 * Who is acting, in which trust, with which roles. The trust comes from the activity and settings: the trust
 * that lists the conversation's team, else the tenant's only trust, else the first trust of the tenant where
 * the person holds a role. Card data names it only for ADDRESSED_VERBS.
 */
export async function identify(incoming: Incoming, config: Config, roles: RoleDirectory, serviceUrls?: Map<string, string>): Promise<Identified> {
  const parsed = ActivityIdentity.safeParse({
    tenantId: incoming.tenantId,
    teamsUserId: incoming.from.id,
    aadObjectId: incoming.from.aadObjectId,
    name: incoming.from.name ?? "",
  });
  // The tenant first: another organisation is refused whatever else its activity lacks (and Graph is never asked about it).
  const tenant = (incoming.tenantId ?? "").trim().toLowerCase();
  const served = config.trusts
    ? trustsOfTenant(config.trusts, tenant).length > 0
    : config.allowedTenantIds.length === 0 || config.allowedTenantIds.includes(tenant);
  if (!served) {
    return {
      ok: false,
      reason: "tenant-not-served",
      refusal: "PALS Desk is not set up for your organisation. Ask your IT team to contact the PALS Desk administrators.",
    };
  }
  if (!parsed.success) {
    return {
      ok: false,
      reason: "unidentified",
      refusal: "PALS Desk works in Microsoft Teams for your trust's staff. Open it from Teams, signed in with your work account.",
    };
  }
  const { teamsUserId, aadObjectId, name } = parsed.data;
  const person = { tenantId: tenant, teamsUserId, actor: { aadObjectId, name: name || "Unknown user" } };
  const found = config.trusts
    ? await inTrusts(incoming, config.trusts, tenant, aadObjectId, roles, serviceUrls)
    : { trustId: tenant, ...(await roles.lookup(tenant, aadObjectId)) };
  if (!found) return { ok: false, reason: "no-trust", refusal: NO_TRUST };
  // Nothing confirmed and roles unreadable: we can't tell "no role" from "Teams or Graph is down", so say which it is.
  if (found.unchecked && found.roles.size === 0 && !("addressed" in found)) return { ok: false, reason: "roles-unchecked", refusal: ROLES_UNCHECKED };
  return {
    ok: true,
    caller: { trustId: found.trustId, ...person, roles: found.roles },
    ...(found.unchecked ? { rolesUnchecked: true } : {}),
    ...("addressed" in found ? { addressedOnly: true } : {}),
  };
}

async function inTrusts(
  incoming: Incoming,
  trusts: readonly Trust[],
  tenant: string,
  aadObjectId: string,
  roles: RoleDirectory,
  serviceUrls: Map<string, string> | undefined,
): Promise<(RoleLookup & { readonly trustId: string; readonly addressed?: true }) | undefined> {
  if (incoming.serviceUrl) serviceUrls?.set(tenant, incoming.serviceUrl);
  const decided = trustOfConversation(trusts, tenant, incoming.channel.teamId);
  if (decided && decided !== "by-person") return { trustId: decided.id, ...(await roles.lookup(decided.id, aadObjectId)) };
  let unchecked = false;
  // All at once: each may wait on Teams or Graph, and the turn has 5 seconds. The first in the file's order wins.
  const inTenant = trustsOfTenant(trusts, tenant);
  const found = await Promise.all(inTenant.map((trust) => roles.lookup(trust.id, aadObjectId)));
  for (const [index, trust] of inTenant.entries()) {
    if (found[index].roles.size > 0) return { trustId: trust.id, roles: found[index].roles, unchecked: found.slice(0, index + 1).some((f) => f.unchecked) };
    unchecked ||= found[index].unchecked;
  }
  // No trust of their own: an answer addressed to them on a card of a trust in their tenant.
  const card = CardTrust.safeParse(incoming.value);
  if (incoming.invokeName === "adaptiveCard/action" && card.success && ADDRESSED_VERBS.has(card.data.action.verb)) {
    const trust = trustsOfTenant(trusts, tenant).find((t) => t.id === card.data.action.data.trustId);
    if (trust) return { trustId: trust.id, roles: new Set(), unchecked, addressed: true };
  }
  if (unchecked) return { trustId: "", roles: new Set(), unchecked: true };
  return undefined;
}
