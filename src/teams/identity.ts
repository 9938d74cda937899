import type { TurnContext } from "botbuilder";
import { z } from "zod";
import type { Config } from "../config";
import type { Actor, Role } from "../domain";

/** Who is acting, in which trust, with which roles: always from the activity and settings, never from card data. */
export interface Caller {
  readonly tenantId: string;
  readonly actor: Actor;
  /** The Teams user id (29:...), used for card refresh lists and proactive messages. */
  readonly teamsUserId: string;
  readonly roles: ReadonlySet<Role>;
}

export type Identified = { readonly ok: true; readonly caller: Caller } | { readonly ok: false; readonly refusal: string };

const ActivityIdentity = z.object({
  tenantId: z.string().trim().min(1).max(100),
  teamsUserId: z.string().min(1).max(200),
  aadObjectId: z.string().trim().min(1).max(100),
  name: z.string().max(200).default(""),
});

export function rolesConfigured(config: Config): boolean {
  return Object.values(config.roles).some((ids) => ids.length > 0);
}

export function rolesOf(config: Config, aadObjectId: string): Set<Role> {
  // Local mode with no roles set: everyone is an officer, so the bot is usable out of the box.
  if (!config.bot && !rolesConfigured(config)) return new Set<Role>(["officer"]);
  const id = aadObjectId.toLowerCase();
  return new Set((Object.entries(config.roles) as [Role, readonly string[]][]).filter(([, ids]) => ids.includes(id)).map(([role]) => role));
}

export function identify(context: TurnContext, config: Config): Identified {
  const activity = context.activity;
  const parsed = ActivityIdentity.safeParse({
    tenantId: activity.conversation?.tenantId ?? (activity.channelData as { tenant?: { id?: unknown } } | undefined)?.tenant?.id,
    teamsUserId: activity.from?.id,
    aadObjectId: activity.from?.aadObjectId,
    name: activity.from?.name ?? "",
  });
  if (!parsed.success) {
    return { ok: false, refusal: "PALS Desk works in Microsoft Teams for your trust's staff. Open it from Teams, signed in with your work account." };
  }
  const { tenantId, teamsUserId, aadObjectId, name } = parsed.data;
  if (config.allowedTenantIds.length > 0 && !config.allowedTenantIds.includes(tenantId.toLowerCase())) {
    return { ok: false, refusal: "PALS Desk is not set up for your organisation. Ask your IT team to contact the PALS Desk administrators." };
  }
  return {
    ok: true,
    caller: { tenantId, teamsUserId, actor: { aadObjectId, name: name || "Unknown user" }, roles: rolesOf(config, aadObjectId) },
  };
}
