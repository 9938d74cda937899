// A trust is the unit of data and access, not a Microsoft Entra tenant: many NHS trusts' Teams lives in
// NHSmail's one national tenant. A trust has an id of its own (its ODS code, say) and its people. Without a
// trusts file each tenant PALS Desk serves is one trust whose id is the tenant id, as before.
import { z } from "zod";
import type { Role } from "./access";
import { type OrganisationSite, SiteListSchema } from "../reports/ko41a";

/** Where a role's holders are listed: Teams teams (read through the bot), Entra ID groups (Graph), person ids. */
export interface RoleHolders {
  /** Teams team ids (19:...@thread...): every member holds the role. No Graph permission: works in NHSmail. */
  readonly teams: readonly string[];
  /** Entra ID object ids of people, lower case. */
  readonly people: readonly string[];
  /** Entra ID security group ids, lower case (Microsoft Graph; not available to a trust's app in NHSmail). */
  readonly groups: readonly string[];
}

export interface Trust {
  /** The trust's own id: letters, digits and hyphens (its ODS code is a good choice). The partition key of its data. */
  readonly id: string;
  readonly name?: string;
  /** The Entra ID tenant its staff sign in to (lower case): NHSmail's for an NHSmail trust. */
  readonly tenantId: string;
  readonly roles: Readonly<Record<Role, RoleHolders>>;
  /** The trust's shared PALS mailbox addresses (lower case), read into its inbox. */
  readonly mailboxes: readonly string[];
  /** The trust's SharePoint document library for the case's documents (DOCUMENTS=sharepoint). */
  readonly documents?: { readonly siteId: string; readonly driveId: string };
  /** The trust's sites as its KO41a return names them (ODS site code and name); none: the return has one site, the trust. */
  readonly sites?: readonly OrganisationSite[];
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A Teams team id as Teams sends it in channelData.team.id (the General channel's conversation id). */
const TEAM_ID = /^19:[A-Za-z0-9_.@=-]{1,200}$/;

const Holders = z
  .object({
    $comment: z.string().max(2000).optional(),
    teams: z.array(z.string().trim().regex(TEAM_ID, "a Teams team id such as 19:abc123@thread.tacv2")).max(50).default([]),
    people: z.array(z.string().trim().regex(GUID, "an Entra ID object id (a GUID)")).max(1000).default([]),
    groups: z.array(z.string().trim().regex(GUID, "an Entra ID group object id (a GUID)")).max(50).default([]),
  })
  .strict();

const NO_HOLDERS = { teams: [], people: [], groups: [] };

const TrustEntry = z
  .object({
    $comment: z.string().max(2000).optional(),
    id: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9][A-Za-z0-9-]{1,63}$/, "2 to 64 letters, digits or hyphens, such as the trust's ODS code (RXX)"),
    name: z.string().trim().min(1).max(200).optional(),
    tenantId: z.string().trim().regex(GUID, "the Entra ID tenant id (a GUID) the trust's staff sign in to"),
    mailboxes: z.array(z.string().trim().toLowerCase().email("an email address, such as pals.trust@nhs.net")).max(10).default([]),
    documents: z
      .object({ $comment: z.string().max(2000).optional(), siteId: z.string().trim().min(1).max(300), driveId: z.string().trim().min(1).max(300) })
      .strict()
      .optional(),
    // Its sites for the KO41a return: [{ "code": "RXX01", "name": "Royal Infirmary" }, ...].
    sites: SiteListSchema.optional(),
    roles: z
      .object({
        $comment: z.string().max(2000).optional(),
        officers: Holders.default(NO_HOLDERS),
        volunteers: Holders.default(NO_HOLDERS),
        managers: Holders.default(NO_HOLDERS),
        admins: Holders.default(NO_HOLDERS),
        clinicalLeads: Holders.default(NO_HOLDERS),
      })
      .strict(),
  })
  .strict();

const TrustsFile = z
  .object({
    $comment: z.string().max(2000).optional(),
    trusts: z.array(TrustEntry).min(1, "at least one trust").max(500),
  })
  .strict();

const lower = (ids: readonly string[]) => [...new Set(ids.map((id) => id.toLowerCase()))];
const holders = (h: z.infer<typeof Holders>): RoleHolders => ({ teams: [...new Set(h.teams)], people: lower(h.people), groups: lower(h.groups) });

/** Checks a trusts file's JSON: every problem named by where it is, ids unique, each team in one trust only. */
export function parseTrusts(json: unknown): { ok: true; trusts: readonly Trust[] } | { ok: false; problems: string[] } {
  const parsed = TrustsFile.safeParse(json);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((issue) => `${issue.path.join(".") || "the file"}: ${issue.message}`) };
  }
  const trusts: Trust[] = parsed.data.trusts.map((t) => ({
    id: t.id,
    ...(t.name ? { name: t.name } : {}),
    tenantId: t.tenantId.toLowerCase(),
    mailboxes: [...new Set(t.mailboxes)],
    ...(t.documents ? { documents: { siteId: t.documents.siteId, driveId: t.documents.driveId } } : {}),
    ...(t.sites && t.sites.length > 0 ? { sites: t.sites.map((site) => ({ code: site.code, name: site.name })) } : {}),
    roles: {
      officer: holders(t.roles.officers),
      volunteer: holders(t.roles.volunteers),
      manager: holders(t.roles.managers),
      admin: holders(t.roles.admins),
      lead: holders(t.roles.clinicalLeads),
    },
  }));
  const problems: string[] = [];
  // Letters and reports are signed with the trust's name: with several trusts, TRUST_NAME can't stand in.
  if (trusts.length > 1)
    trusts.forEach(
      (trust, index) =>
        void (trust.name === undefined && problems.push(`trusts.${index}.name: needed when the file lists more than one trust (letters and reports carry it)`)),
    );
  const ids = new Map<string, number>();
  const teams = new Map<string, string>();
  const mailboxes = new Map<string, string>();
  trusts.forEach((trust, index) => {
    for (const mailbox of trust.mailboxes) {
      const owner = mailboxes.get(mailbox);
      if (owner !== undefined && owner !== trust.id)
        problems.push(`trusts.${index}: mailbox ${mailbox} is also listed by trust ${owner}: a mailbox belongs to one trust`);
      mailboxes.set(mailbox, trust.id);
    }
  });
  trusts.forEach((trust, index) => {
    const key = trust.id.toLowerCase();
    if (ids.has(key)) problems.push(`trusts.${index}.id: "${trust.id}" is also trust ${ids.get(key)}'s id: each trust needs its own`);
    ids.set(key, index);
    for (const team of teamsOf(trust)) {
      const owner = teams.get(team);
      if (owner !== undefined && owner !== trust.id)
        problems.push(`trusts.${index}: team ${team} is also listed by trust ${owner}: a team belongs to one trust`);
      teams.set(team, trust.id);
    }
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, trusts };
}

/** Every team a trust lists under any role. */
export function teamsOf(trust: Trust): string[] {
  return [...new Set(Object.values(trust.roles).flatMap((h) => h.teams))];
}

/**
 * Which trust an activity belongs to, before any role is read: the trust that lists the conversation's team; else
 * undecided, and the person's roles decide. A trusts file never gives a whole tenant to a trust: on NHSmail one
 * trust configured is still one of many in the tenant.
 */
export function trustOfConversation(trusts: readonly Trust[], tenantId: string, teamId: string | undefined): Trust | "by-person" | undefined {
  const inTenant = trustsOfTenant(trusts, tenantId);
  if (inTenant.length === 0) return undefined;
  const owner = teamId ? inTenant.find((t) => teamsOf(t).includes(teamId)) : undefined;
  return owner ?? "by-person";
}

/** The trusts of a tenant, in the file's order. */
export function trustsOfTenant(trusts: readonly Trust[], tenantId: string): Trust[] {
  return trusts.filter((t) => t.tenantId === tenantId.toLowerCase());
}

/** Maps a trust to the tenant its people sign in to, for Teams and Graph calls. */
export interface TrustTenants {
  tenantOf(trustId: string): string;
}

/** Without a trusts file a trust's id is its tenant's id. */
export function trustTenants(trusts: readonly Trust[] | undefined): TrustTenants {
  const byId = new Map((trusts ?? []).map((t) => [t.id, t.tenantId]));
  return { tenantOf: (trustId) => byId.get(trustId) ?? trustId };
}
