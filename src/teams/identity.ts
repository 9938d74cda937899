import { z } from "zod";
import type { Config } from "../config";
import type { Role, RoleDirectory } from "../domain";
import type { Identified, Incoming } from "./sdk/turn";

const ActivityIdentity = z.object({
  tenantId: z.string().trim().min(1).max(100),
  teamsUserId: z.string().min(1).max(200),
  aadObjectId: z.string().trim().min(1).max(100),
  name: z.string().max(200).default(""),
});

export function rolesConfigured(config: Config): boolean {
  return Object.values(config.roles).some((ids) => ids.length > 0);
}

/** Roles from the ROLE_* settings (Entra ID object ids). */
export function settingsRoles(config: Config): RoleDirectory {
  return {
    async rolesOf(_tenantId, aadObjectId) {
      // Local mode with no roles set: everyone is an officer, so the bot is usable out of the box.
      if (!config.bot && !rolesConfigured(config)) return new Set<Role>(["officer"]);
      const id = aadObjectId.toLowerCase();
      return new Set((Object.entries(config.roles) as [Role, readonly string[]][]).filter(([, ids]) => ids.includes(id)).map(([role]) => role));
    },
    leadsNamed: () => config.roles.lead.length > 0,
  };
}

/** Who is acting, in which trust, with which roles: always from the activity and settings, never from card data. */
export async function identify(incoming: Incoming, config: Config, roles: RoleDirectory): Promise<Identified> {
  const parsed = ActivityIdentity.safeParse({
    tenantId: incoming.tenantId,
    teamsUserId: incoming.from.id,
    aadObjectId: incoming.from.aadObjectId,
    name: incoming.from.name ?? "",
  });
  // The tenant first: another organisation is refused whatever else its activity lacks.
  const tenant = (incoming.tenantId ?? "").trim().toLowerCase();
  if (config.allowedTenantIds.length > 0 && !config.allowedTenantIds.includes(tenant)) {
    return { ok: false, reason: "tenant-not-served", refusal: "PALS Desk is not set up for your organisation. Ask your IT team to contact the PALS Desk administrators." };
  }
  if (!parsed.success) {
    return { ok: false, reason: "unidentified", refusal: "PALS Desk works in Microsoft Teams for your trust's staff. Open it from Teams, signed in with your work account." };
  }
  const { tenantId, teamsUserId, aadObjectId, name } = parsed.data;
  return {
    ok: true,
    caller: { tenantId, teamsUserId, actor: { aadObjectId, name: name || "Unknown user" }, roles: await roles.rolesOf(tenantId, aadObjectId) },
  };
}
