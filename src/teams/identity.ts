import { z } from "zod";
import type { Config } from "../config";
import type { Role, RoleDirectory, RoleLookup } from "../domain";
import type { GroupRoleSource } from "../entra/groupRoles";
import type { Identified, Incoming } from "./sdk/turn";

const ActivityIdentity = z.object({
  tenantId: z.string().trim().min(1).max(100),
  teamsUserId: z.string().min(1).max(200),
  aadObjectId: z.string().trim().min(1).max(100),
  name: z.string().max(200).default(""),
});

/** What a person is told when their groups could not be read and nothing else gives them a role. */
export const ROLES_UNCHECKED =
  "PALS Desk couldn't check your team membership just now. Try again in a few minutes; if it keeps happening, tell your IT team.";

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
    leadsNamed: () => config.roles.lead.length > 0 || (config.roleGroups?.byRole.lead.length ?? 0) > 0,
  };
}

/** Roles from the ROLE_* settings only (no Microsoft Graph): tests and tools that act as the bot does. */
export function settingsRoles(config: Config): RoleDirectory {
  return directoryRoles(config);
}

/** Who is acting, in which trust, with which roles: always from the activity and settings, never from card data. */
export async function identify(incoming: Incoming, config: Config, roles: RoleDirectory): Promise<Identified> {
  const parsed = ActivityIdentity.safeParse({
    tenantId: incoming.tenantId,
    teamsUserId: incoming.from.id,
    aadObjectId: incoming.from.aadObjectId,
    name: incoming.from.name ?? "",
  });
  // The tenant first: another organisation is refused whatever else its activity lacks (and Graph is never asked about it).
  const tenant = (incoming.tenantId ?? "").trim().toLowerCase();
  if (config.allowedTenantIds.length > 0 && !config.allowedTenantIds.includes(tenant)) {
    return { ok: false, reason: "tenant-not-served", refusal: "PALS Desk is not set up for your organisation. Ask your IT team to contact the PALS Desk administrators." };
  }
  if (!parsed.success) {
    return { ok: false, reason: "unidentified", refusal: "PALS Desk works in Microsoft Teams for your trust's staff. Open it from Teams, signed in with your work account." };
  }
  const { tenantId, teamsUserId, aadObjectId, name } = parsed.data;
  const found = await roles.lookup(tenantId, aadObjectId);
  // Nothing confirmed and groups unreadable: we can't tell "no role" from "Graph is down", so say which it is.
  if (found.unchecked && found.roles.size === 0) return { ok: false, reason: "roles-unchecked", refusal: ROLES_UNCHECKED };
  return {
    ok: true,
    caller: { tenantId, teamsUserId, actor: { aadObjectId, name: name || "Unknown user" }, roles: found.roles },
    ...(found.unchecked ? { rolesUnchecked: true } : {}),
  };
}
