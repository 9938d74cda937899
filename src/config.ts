import fs from "node:fs";
import path from "node:path";
import dotenv from "dotenv";
import { z } from "zod";
import { DEFAULT_RULES, parseRules, type Rules } from "./domain/deadlines/rules";
import { parseTrusts, type Trust } from "./domain/access/trusts";
import { type OrganisationSite, parseSiteSetting } from "./domain/reports/ko41a";

const emptyAsUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);

/** A comma-separated list of Entra ID ids (object ids or tenant ids), e.g. "id1, id2". */
const idList = z.preprocess(
  (value) =>
    (typeof value === "string" ? value : "")
      .split(",")
      .map((item) => item.trim())
      .filter((item) => item.length > 0),
  z.array(z.string().regex(/^[0-9a-fA-F-]{8,64}$/, "a comma-separated list of Entra ID ids (GUIDs)")),
);

/** An Entra ID object id: the GUID form Microsoft Graph uses for groups and managed identities. */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A comma-separated list of Entra ID security group object ids, e.g. "id1, id2" (checked strictly: a typo would grant nothing). */
const groupList = z.preprocess(
  (value) =>
    (typeof value === "string" ? value : "")
      .split(",")
      .map((item) => item.trim())
      .filter((item) => item.length > 0),
  z.array(z.string().regex(GUID, "a comma-separated list of Entra ID group object ids (GUIDs such as 3f2b8c1e-0000-4000-8000-000000000001)")),
);

const optionalText = z.preprocess(emptyAsUndefined, z.string().trim().optional());

const port = (fallback: number) =>
  z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number({ invalid_type_error: "a port number" })
      .int("a whole number")
      .min(0, "a port from 0 to 65535")
      .max(65535, "a port from 0 to 65535")
      .default(fallback),
  );

const GROUP_SETTINGS = ["ROLE_OFFICERS_GROUPS", "ROLE_VOLUNTEERS_GROUPS", "ROLE_MANAGERS_GROUPS", "ROLE_ADMINS_GROUPS", "ROLE_CLINICAL_LEADS_GROUPS"] as const;

const SettingsSchema = z
  .object({
    PORT: port(3978),
    HOST: z.preprocess(emptyAsUndefined, z.string().trim().min(1).default("127.0.0.1")),
    LOG_LEVEL: z.preprocess(emptyAsUndefined, z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info")),
    MicrosoftAppId: optionalText,
    MicrosoftAppPassword: optionalText,
    MicrosoftAppType: z.preprocess(emptyAsUndefined, z.enum(["MultiTenant", "SingleTenant", "UserAssignedMSI"]).default("MultiTenant")),
    MicrosoftAppTenantId: optionalText,
    COSMOS_ENDPOINT: z.preprocess(emptyAsUndefined, z.string().trim().url("an https:// URL of a Cosmos DB account").optional()),
    COSMOS_KEY: optionalText,
    COSMOS_AUTH: z.preprocess(emptyAsUndefined, z.enum(["key", "identity"], { message: "key or identity" }).optional()),
    AZURE_CLIENT_ID: z.preprocess(emptyAsUndefined, z.string().trim().regex(GUID, "the client id (a GUID) of the user-assigned managed identity").optional()),
    COSMOS_DATABASE: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .trim()
        .regex(/^[A-Za-z0-9_-]{1,255}$/, "letters, digits, - or _")
        .default("pals"),
    ),
    EMBEDDED_COSMOS_PORT: port(0),
    PLAYGROUND_PORT: port(56150),
    ALLOWED_TENANT_IDS: idList,
    ROLE_OFFICERS: idList,
    ROLE_VOLUNTEERS: idList,
    ROLE_MANAGERS: idList,
    ROLE_ADMINS: idList,
    ROLE_CLINICAL_LEADS: idList,
    ROLE_OFFICERS_GROUPS: groupList,
    ROLE_VOLUNTEERS_GROUPS: groupList,
    ROLE_MANAGERS_GROUPS: groupList,
    ROLE_ADMINS_GROUPS: groupList,
    ROLE_CLINICAL_LEADS_GROUPS: groupList,
    SWEEP_INTERVAL_SECONDS: z.preprocess(
      emptyAsUndefined,
      z.coerce
        .number({ invalid_type_error: "a number of seconds" })
        .int("a whole number of seconds")
        .min(0, "0 (off) or more seconds")
        .max(86_400, "at most 86400 seconds")
        .default(60),
    ),
    TURNS_AT_ONCE: z.preprocess(
      emptyAsUndefined,
      z.coerce
        .number({ invalid_type_error: "a number of turns" })
        .int("a whole number of turns")
        .min(1, "at least 1 turn")
        .max(200, "at most 200 turns")
        .default(4),
    ),
    SWEEP_SECRET: z.preprocess(emptyAsUndefined, z.string().min(24, "at least 24 characters (a long random secret)").optional()),
    BOT_OPENID_METADATA_URL: z.preprocess(emptyAsUndefined, z.string().trim().url("the URL of a Bot Framework OpenID metadata document").optional()),
    RETENTION_YEARS: z.preprocess(
      emptyAsUndefined,
      z.coerce
        .number({ invalid_type_error: "a number of years" })
        .int("a whole number of years")
        .min(1, "at least 1 year")
        .max(100, "at most 100 years")
        .default(10),
    ),
    RETENTION_ACTION: z.preprocess(emptyAsUndefined, z.enum(["anonymise", "delete"]).default("anonymise")),
    INSTANCE_ID: z.preprocess(emptyAsUndefined, z.string().trim().max(100, "at most 100 characters").optional()),
    SIGNPOSTING_LOCAL_FILE: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .trim()
        .transform((file) => path.resolve(file))
        .refine((file) => fs.existsSync(file) && fs.statSync(file).isFile(), "a JSON file that exists (relative to the working directory)")
        .optional(),
    ),
    LETTER_TEMPLATES_DIR: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .trim()
        .transform((dir) => path.resolve(dir))
        .refine((dir) => fs.existsSync(dir) && fs.statSync(dir).isDirectory(), "a folder that exists (relative to the working directory)")
        .optional(),
    ),
    TRUST_NAME: z.preprocess(emptyAsUndefined, z.string().trim().max(200, "at most 200 characters").optional()),
    // The trust's sites for the KO41a return, without a trusts file: "RXX01=Royal Infirmary; RXX02=General Hospital".
    TRUST_SITES: z.preprocess(emptyAsUndefined, z.string().max(20_000, "at most 20,000 characters").optional()).transform((text, ctx) => {
      const parsed = parseSiteSetting(text);
      if (parsed.ok) return parsed.sites;
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: `a list of sites as code=name, separated by semicolons (RXX01=Royal Infirmary; RXX02=General Hospital): ${parsed.problem}`,
      });
      return z.NEVER;
    }),
    FILE_DELIVERY: z.preprocess(emptyAsUndefined, z.enum(["auto", "consent", "link"]).default("auto")),
    RULES_FILE: z.preprocess(emptyAsUndefined, z.string().trim().optional()),
    TRUSTS_FILE: z.preprocess(emptyAsUndefined, z.string().trim().optional()),
    MAILBOX: z.preprocess(emptyAsUndefined, z.enum(["folder", "graph", "off"], { message: "folder, graph or off" }).optional()),
    MAILBOX_DIR: z.preprocess(emptyAsUndefined, z.string().trim().default(".data/mailbox")),
    MAILBOX_ADDRESSES: z.preprocess(
      (value) =>
        (typeof value === "string" ? value : "")
          .split(",")
          .map((item) => item.trim().toLowerCase())
          .filter((item) => item.length > 0),
      z.array(z.string().email("a comma-separated list of email addresses")).max(10),
    ),
    MAILBOX_TRUST: z.preprocess(emptyAsUndefined, z.string().trim().toLowerCase().max(64).optional()),
    MAIL_POLL_SECONDS: z.preprocess(
      emptyAsUndefined,
      z.coerce
        .number({ invalid_type_error: "a number of seconds" })
        .int("a whole number")
        .min(10, "at least 10 seconds")
        .max(3600, "at most 3600 seconds")
        .default(60),
    ),
    PUBLIC_URL: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .trim()
        .url("the https:// address Teams and Microsoft Graph reach PALS Desk at")
        // Plain http only on this machine (tests, local mode): Graph and Teams users need https.
        .refine(
          (url) => url.startsWith("https://") || /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?(\/|$)/.test(url),
          "an https:// address (http only for 127.0.0.1 or localhost)",
        )
        .optional(),
    ),
    MAIL_CLIENT_STATE: z.preprocess(
      emptyAsUndefined,
      z.string().min(24, "at least 24 characters (a long random secret)").max(128, "at most 128 characters").optional(),
    ),
    DOCUMENTS_DIR: z.preprocess(emptyAsUndefined, z.string().trim().default(".data/documents")),
    DOCUMENTS: z.preprocess(emptyAsUndefined, z.enum(["folder", "sharepoint"], { message: "folder or sharepoint" }).default("folder")),
    SHAREPOINT_SITE_ID: z.preprocess(emptyAsUndefined, z.string().trim().max(300).optional()),
    SHAREPOINT_DRIVE_ID: z.preprocess(emptyAsUndefined, z.string().trim().max(300).optional()),
    DOCUMENT_LINK_SECRET: z.preprocess(emptyAsUndefined, z.string().min(32, "at least 32 characters (a long random secret)").optional()),
    LETTERHEAD_TEMPLATE: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .trim()
        .transform((file) => path.resolve(file))
        .refine((file) => fs.existsSync(file) && fs.statSync(file).isFile(), "a .docx file that exists (relative to the working directory)")
        .optional(),
    ),
  })
  .superRefine((settings, ctx) => {
    // One place says who belongs to which trust: with a trusts file, roles and tenants live there.
    if (settings.TRUSTS_FILE) {
      for (const name of [
        "ALLOWED_TENANT_IDS",
        "ROLE_OFFICERS",
        "ROLE_VOLUNTEERS",
        "ROLE_MANAGERS",
        "ROLE_ADMINS",
        "ROLE_CLINICAL_LEADS",
        ...GROUP_SETTINGS,
      ] as const) {
        if (settings[name].length > 0) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            path: [name],
            message: "unset when TRUSTS_FILE is set (put each trust's tenant and roles in the trusts file)",
          });
        }
      }
      if (settings.TRUST_SITES.length > 0) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ["TRUST_SITES"],
          message: 'unset when TRUSTS_FILE is set (list each trust\'s "sites" in the trusts file)',
        });
      }
    }
    if (settings.COSMOS_ENDPOINT && settings.COSMOS_AUTH === "key" && !settings.COSMOS_KEY) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["COSMOS_KEY"],
        message:
          "the account key of the Cosmos DB account named by COSMOS_ENDPOINT when COSMOS_AUTH=key (or leave COSMOS_KEY unset and set COSMOS_AUTH=identity to connect with a managed identity)",
      });
    }
    if (settings.COSMOS_AUTH === "identity" && settings.COSMOS_KEY) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["COSMOS_KEY"],
        message: "unset when COSMOS_AUTH=identity (PALS Desk then signs in to Cosmos DB with its managed identity, not a key)",
      });
    }
    const groupSettings = GROUP_SETTINGS.filter((name) => settings[name].length > 0);
    if (groupSettings.length > 0 && !settings.MicrosoftAppId) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["MicrosoftAppId"],
        message: `the bot's app (client) id when ${groupSettings.join(", ")} ${groupSettings.length === 1 ? "is" : "are"} set: group membership is read from Microsoft Graph with the bot's identity`,
      });
    }
    if (groupSettings.length > 0 && settings.MicrosoftAppId && settings.ALLOWED_TENANT_IDS.length === 0 && !settings.MicrosoftAppTenantId) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["ALLOWED_TENANT_IDS"],
        message: `your trust's Entra ID tenant id when ${groupSettings.join(", ")} ${groupSettings.length === 1 ? "is" : "are"} set (or set MicrosoftAppTenantId): groups are looked up only in the tenants PALS Desk serves`,
      });
    }
    if (settings.MicrosoftAppId && settings.MicrosoftAppType !== "UserAssignedMSI" && !settings.MicrosoftAppPassword) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["MicrosoftAppPassword"],
        message: "the client secret of the bot registration (or set MicrosoftAppType=UserAssignedMSI)",
      });
    }
    if (settings.MicrosoftAppType !== "MultiTenant" && !settings.MicrosoftAppTenantId) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["MicrosoftAppTenantId"],
        message: `the Entra ID tenant id of the bot registration (required when MicrosoftAppType=${settings.MicrosoftAppType})`,
      });
    }
    if (settings.FILE_DELIVERY === "link" && settings.MicrosoftAppId) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["FILE_DELIVERY"],
        message: "auto or consent when MicrosoftAppId is set (download links are for local mode only)",
      });
    }
    if (settings.MicrosoftAppType === "UserAssignedMSI" && !settings.MicrosoftAppId) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["MicrosoftAppId"],
        message: "the client id of the user-assigned managed identity",
      });
    }
  });

export type Settings = z.infer<typeof SettingsSchema>;

type RoleName = "officer" | "volunteer" | "manager" | "admin" | "lead";

/** The ROLE_*_GROUPS settings, by the role they give. */
const GROUP_SETTING_OF: Readonly<Record<RoleName, (typeof GROUP_SETTINGS)[number]>> = {
  officer: "ROLE_OFFICERS_GROUPS",
  volunteer: "ROLE_VOLUNTEERS_GROUPS",
  manager: "ROLE_MANAGERS_GROUPS",
  admin: "ROLE_ADMINS_GROUPS",
  lead: "ROLE_CLINICAL_LEADS_GROUPS",
};

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly logLevel: Settings["LOG_LEVEL"];
  /** Undefined in local mode: no Bot Framework token is required or sent. */
  readonly bot?: {
    readonly appId: string;
    readonly appPassword?: string;
    readonly appType: Settings["MicrosoftAppType"];
    readonly tenantId?: string;
  };
  /**
   * Undefined means the embedded, in-memory Cosmos-compatible server. `key`: an account key; `identity`: Entra ID
   * and Cosmos DB data-plane RBAC, with the user-assigned managed identity `clientId` or, without it,
   * DefaultAzureCredential (az login on a developer's machine).
   */
  readonly cosmos?:
    | { readonly endpoint: string; readonly auth: "key"; readonly key: string }
    | { readonly endpoint: string; readonly auth: "identity"; readonly clientId?: string };
  readonly cosmosDatabase: string;
  readonly embeddedCosmosPort: number;
  /** Only `npm run playground` uses it: where the Agents Playground serves its page. */
  readonly playgroundPort: number;
  /** Empty means any tenant (local mode); otherwise only these Entra ID tenants are served. */
  readonly allowedTenantIds: readonly string[];
  /** How often this instance sweeps for due nudges and alerts; 0 leaves it to POST /api/jobs/sweep. */
  readonly sweepIntervalSeconds: number;
  /** How many Teams requests this instance works on at once; later ones wait their turn, first come first served. */
  readonly turnsAtOnce: number;
  /** Shared secret for POST /api/jobs/sweep; the endpoint is off without it. */
  readonly sweepSecret?: string;
  /**
   * Where incoming Bot Framework tokens' signing keys are published; the public cloud's when unset.
   * For sovereign clouds and for tests with keys of our own.
   */
  readonly botOpenIdMetadataUrl?: string;
  /** Records retention: how long after closure, and whether cases are anonymised or deleted. */
  readonly retention: { readonly years: number; readonly action: "anonymise" | "delete" };
  /** Names this instance as the sweep lease holder. */
  readonly instanceId?: string;
  /** Entra ID object ids per role; all empty (and no groups) means roles are not configured. */
  readonly roles: Readonly<Record<RoleName, readonly string[]>>;
  /**
   * Entra ID security groups per role (ROLE_*_GROUPS), read through Microsoft Graph with the bot's identity;
   * undefined when none is set. `tenants`: where they are looked up (ALLOWED_TENANT_IDS, else MicrosoftAppTenantId).
   */
  readonly roleGroups?: { readonly byRole: Readonly<Record<RoleName, readonly string[]>>; readonly tenants: readonly string[] };
  /** The trust's own signposting entries (absolute path), added to the national directory at start-up. */
  readonly signpostingLocalFile?: string;
  /** The trust's letter templates (absolute path); a letter missing there comes from cards/letters. */
  readonly letterTemplatesDir?: string;
  /** Signs letters and heads exports. */
  readonly trustName?: string;
  /** The trust's sites for the KO41a return (TRUST_SITES), without a trusts file; with one, each trust's "sites". */
  readonly trustSites?: readonly OrganisationSite[];
  /** How CSV and case files reach a manager: Teams' file consent card, a one-time download link (local mode), or auto (consent with bot credentials). */
  readonly fileDelivery: "auto" | "consent" | "link";
  /** The trust's rules (RULES_FILE): deadlines, nudge windows, investigation defaults, update cadence, alerts. England's without a file. */
  readonly rules: Rules;
  /** The rules file read (absolute path), for the start-up log; undefined means England's defaults. */
  readonly rulesFile?: string;
  /**
   * The trusts this deployment serves (TRUSTS_FILE): each with its id, tenant and role holders. Undefined: each
   * tenant served (ALLOWED_TENANT_IDS) is one trust whose id is the tenant id, with roles from ROLE_*.
   */
  readonly trusts?: readonly Trust[];
  /** The trusts file read (absolute path), for the start-up log. */
  readonly trustsFile?: string;
  /**
   * The PALS inbox: where each trust's shared mailbox is read from. `folder` (the embedded default): .eml files
   * under `dir`; `graph`: Microsoft Graph with the bot's identity; undefined: no mailbox is read.
   */
  readonly mailbox?: {
    readonly kind: "folder" | "graph";
    readonly mailboxes: readonly { readonly trustId: string; readonly address: string }[];
    readonly dir: string;
    readonly pollSeconds: number;
    /** Graph change notifications go to `${publicUrl}/api/mail/notifications`; without it, delta polling only. */
    readonly publicUrl?: string;
    readonly clientState?: string;
  };
  /** Where attachments are kept (absolute path): the embedded default's document store. */
  readonly documentsDir: string;
  /**
   * Where the case's documents are kept: a local folder (documentsDir), or each trust's SharePoint document library
   * through Microsoft Graph (Sites.Selected on that one site).
   */
  readonly documents:
    | { readonly kind: "folder" }
    | { readonly kind: "sharepoint"; readonly sites: readonly { readonly trustId: string; readonly siteId: string; readonly driveId: string }[] };
  /** Signs document links; undefined: a random secret per process (links then work only on the instance that made them). */
  readonly documentLinkSecret?: string;
  /** The trust's Word letterhead (absolute path); the shipped example when undefined. */
  readonly letterheadTemplate?: string;
  /** The https address Teams users and Microsoft Graph reach PALS Desk at (document links, mail notifications). */
  readonly publicUrl?: string;
}

/**
 * A trust's sites for the KO41a return: its "sites" in the trusts file, else TRUST_SITES (a deployment without a
 * trusts file serves one trust). Empty: the trust has no sites set up, and its return has one site, the trust.
 */
export function trustSitesOf(config: Pick<Config, "trusts" | "trustSites">, trustId: string): readonly OrganisationSite[] {
  if (config.trusts) return config.trusts.find((t) => t.id === trustId)?.sites ?? [];
  return config.trustSites ?? [];
}

/** The name that signs a trust's letters and heads its reports: its name in the trusts file, else TRUST_NAME. */
export function trustNameOf(config: Pick<Config, "trusts" | "trustName">, trustId: string): string | undefined {
  return config.trusts?.find((t) => t.id === trustId)?.name ?? config.trustName;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `PALS Desk cannot start: ${problems.length === 1 ? "a setting is wrong" : "some settings are wrong"}.\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
    this.name = "ConfigError";
  }
}

/** Parses every setting once. Throws ConfigError naming each bad setting and what it expects. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const parsed = SettingsSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? "settings");
        const given = env[name];
        const shown = given === undefined || /KEY|PASSWORD|SECRET/i.test(name) ? "" : ` (it is "${given}")`;
        return `${name} must be ${issue.message}${shown}`;
      }),
    );
  }
  const s = parsed.data;
  const rules = readRulesFile(s.RULES_FILE);
  const trusts = readTrustsFile(s.TRUSTS_FILE);
  if (trusts.trusts?.some((t) => Object.values(t.roles).some((h) => h.groups.length > 0)) && !s.MicrosoftAppId) {
    throw new ConfigError([
      `TRUSTS_FILE ${s.TRUSTS_FILE}: roles from Entra ID groups need MicrosoftAppId (group membership is read from Microsoft Graph with the bot's identity)`,
    ]);
  }
  return {
    port: s.PORT,
    host: s.HOST,
    logLevel: s.LOG_LEVEL,
    bot: s.MicrosoftAppId
      ? { appId: s.MicrosoftAppId, appPassword: s.MicrosoftAppPassword, appType: s.MicrosoftAppType, tenantId: s.MicrosoftAppTenantId }
      : undefined,
    cosmos: cosmosAccount(s),
    cosmosDatabase: s.COSMOS_DATABASE,
    embeddedCosmosPort: s.EMBEDDED_COSMOS_PORT,
    playgroundPort: s.PLAYGROUND_PORT,
    sweepIntervalSeconds: s.SWEEP_INTERVAL_SECONDS,
    turnsAtOnce: s.TURNS_AT_ONCE,
    sweepSecret: s.SWEEP_SECRET,
    instanceId: s.INSTANCE_ID,
    retention: { years: s.RETENTION_YEARS, action: s.RETENTION_ACTION },
    botOpenIdMetadataUrl: s.BOT_OPENID_METADATA_URL,
    allowedTenantIds: s.ALLOWED_TENANT_IDS.map((id) => id.toLowerCase()),
    roles: {
      officer: s.ROLE_OFFICERS.map((id) => id.toLowerCase()),
      volunteer: s.ROLE_VOLUNTEERS.map((id) => id.toLowerCase()),
      manager: s.ROLE_MANAGERS.map((id) => id.toLowerCase()),
      admin: s.ROLE_ADMINS.map((id) => id.toLowerCase()),
      lead: s.ROLE_CLINICAL_LEADS.map((id) => id.toLowerCase()),
    },
    roleGroups: roleGroups(s),
    signpostingLocalFile: s.SIGNPOSTING_LOCAL_FILE,
    letterTemplatesDir: s.LETTER_TEMPLATES_DIR,
    trustName: s.TRUST_NAME,
    ...(s.TRUST_SITES.length > 0 ? { trustSites: s.TRUST_SITES } : {}),
    fileDelivery: s.FILE_DELIVERY,
    rules: rules.rules,
    rulesFile: rules.file,
    ...(trusts.trusts ? { trusts: trusts.trusts, trustsFile: trusts.file } : {}),
    ...mailboxOf(s, trusts.trusts),
    documentsDir: path.resolve(s.DOCUMENTS_DIR),
    documents: documentsOf(s, trusts.trusts),
    ...(s.DOCUMENT_LINK_SECRET ? { documentLinkSecret: s.DOCUMENT_LINK_SECRET } : {}),
    ...(s.LETTERHEAD_TEMPLATE ? { letterheadTemplate: s.LETTERHEAD_TEMPLATE } : {}),
    ...(s.PUBLIC_URL ? { publicUrl: s.PUBLIC_URL.replace(/\/$/, "") } : {}),
  };
}

/** Where the case's documents are kept: each trust's SharePoint library (trusts file "documents", else SHAREPOINT_*), or a folder. */
function documentsOf(s: Settings, trusts: readonly Trust[] | undefined): Config["documents"] {
  if (s.DOCUMENTS === "folder") return { kind: "folder" };
  if (!s.MicrosoftAppId) throw new ConfigError(["DOCUMENTS=sharepoint needs MicrosoftAppId: documents are kept with the bot's identity (Sites.Selected)"]);
  const trustId = s.MAILBOX_TRUST ?? (s.ALLOWED_TENANT_IDS.length === 1 ? s.ALLOWED_TENANT_IDS[0].toLowerCase() : undefined);
  const sites = trusts
    ? trusts.flatMap((t) => (t.documents ? [{ trustId: t.id, ...t.documents }] : []))
    : s.SHAREPOINT_SITE_ID && s.SHAREPOINT_DRIVE_ID && trustId
      ? [{ trustId, siteId: s.SHAREPOINT_SITE_ID, driveId: s.SHAREPOINT_DRIVE_ID }]
      : [];
  if (sites.length === 0) {
    throw new ConfigError([
      trusts
        ? 'DOCUMENTS=sharepoint needs each trust\'s "documents": { "siteId": ..., "driveId": ... } in TRUSTS_FILE'
        : "DOCUMENTS=sharepoint needs SHAREPOINT_SITE_ID, SHAREPOINT_DRIVE_ID and the trust (MAILBOX_TRUST, or one tenant in ALLOWED_TENANT_IDS)",
    ]);
  }
  return { kind: "sharepoint", sites };
}

/**
 * The PALS inbox's settings. A mailbox belongs to one trust: the trusts file lists each trust's; without one,
 * MAILBOX_ADDRESSES belong to MAILBOX_TRUST (else the only tenant in ALLOWED_TENANT_IDS). On the embedded default
 * (no MicrosoftAppId) the folder mailbox is on unless MAILBOX=off.
 */
function mailboxOf(s: Settings, trusts: readonly Trust[] | undefined): Pick<Config, "mailbox"> {
  const kind = s.MAILBOX ?? (s.MicrosoftAppId ? "off" : "folder");
  if (kind === "off") return {};
  const fallbackTrust = s.MAILBOX_TRUST ?? (s.ALLOWED_TENANT_IDS.length === 1 ? s.ALLOWED_TENANT_IDS[0].toLowerCase() : undefined);
  const mailboxes = trusts
    ? trusts.flatMap((t) => t.mailboxes.map((address) => ({ trustId: t.id, address })))
    : fallbackTrust
      ? (s.MAILBOX_ADDRESSES.length > 0 ? s.MAILBOX_ADDRESSES : kind === "folder" ? ["pals@trust.example"] : []).map((address) => ({
          trustId: fallbackTrust,
          address,
        }))
      : [];
  if (trusts && kind === "folder" && mailboxes.length === 0 && s.MAILBOX_TRUST) {
    const trust = trusts.find((t) => t.id.toLowerCase() === s.MAILBOX_TRUST);
    if (trust) mailboxes.push({ trustId: trust.id, address: "pals@trust.example" });
  }
  if (mailboxes.length === 0) {
    if (!s.MAILBOX) return {}; // the embedded default, with no trust named for its folder: no inbox, said at start-up
    throw new ConfigError([
      trusts
        ? `MAILBOX=${kind} needs at least one trust in TRUSTS_FILE with "mailboxes": ["pals.trust@nhs.net"]`
        : `MAILBOX=${kind} needs MAILBOX_TRUST (the trust id, without a trusts file the tenant id) and, for graph, MAILBOX_ADDRESSES`,
    ]);
  }
  if (kind === "graph" && !s.MicrosoftAppId) throw new ConfigError(["MAILBOX=graph needs MicrosoftAppId: the mailbox is read with the bot's identity"]);
  if (trusts && s.MAILBOX_ADDRESSES.length > 0) {
    throw new ConfigError(['MAILBOX_ADDRESSES must be unset when TRUSTS_FILE is set (list each trust\'s "mailboxes" in the trusts file)']);
  }
  if (kind === "graph" && s.PUBLIC_URL && !s.MAIL_CLIENT_STATE) {
    throw new ConfigError([
      "MAIL_CLIENT_STATE must be set (a long random secret) when PUBLIC_URL and MAILBOX=graph are: Microsoft Graph's notifications carry it",
    ]);
  }
  return {
    mailbox: {
      kind,
      mailboxes,
      dir: path.resolve(s.MAILBOX_DIR),
      pollSeconds: s.MAIL_POLL_SECONDS,
      ...(s.PUBLIC_URL ? { publicUrl: s.PUBLIC_URL.replace(/\/$/, "") } : {}),
      ...(s.MAIL_CLIENT_STATE ? { clientState: s.MAIL_CLIENT_STATE } : {}),
    },
  };
}

/** Reads and checks the trusts file (TRUSTS_FILE, relative to the working directory): plain JSON, "$comment" allowed. */
function readTrustsFile(setting: string | undefined): { trusts?: readonly Trust[]; file?: string } {
  if (!setting) return {};
  const { json, file } = readJsonSetting("TRUSTS_FILE", setting);
  const parsed = parseTrusts(json);
  if (!parsed.ok) throw new ConfigError(parsed.problems.map((problem) => `TRUSTS_FILE ${setting}: ${problem}`));
  return { trusts: parsed.trusts, file };
}

/**
 * Reads and checks the trust's rules file (RULES_FILE, relative to the working directory). Plain JSON with a
 * "$comment" string allowed in every object, since JSON has no comments. Throws ConfigError naming the file
 * and each wrong field.
 */
function readRulesFile(setting: string | undefined): { rules: Rules; file?: string } {
  if (!setting) return { rules: DEFAULT_RULES };
  const { json, file } = readJsonSetting("RULES_FILE", setting);
  const parsed = parseRules(json);
  if (!parsed.ok) throw new ConfigError(parsed.problems.map((problem) => `RULES_FILE ${setting}: ${problem}`));
  return { rules: parsed.rules, file };
}

/** A JSON file a setting names (relative to the working directory), read whole; its problems named as a person can fix them. */
function readJsonSetting(name: string, setting: string): { json: unknown; file: string } {
  const file = path.resolve(setting);
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
    throw new ConfigError([`${name} must be a JSON file that exists (relative to the working directory) (it is "${setting}")`]);
  }
  // Settings files list rules, people and teams, not documents: 1 MB is far beyond any real one.
  if (fs.statSync(file).size > 1_000_000) throw new ConfigError([`${name} ${setting}: is larger than 1 MB; is it the right file?`]);
  try {
    return { json: JSON.parse(fs.readFileSync(file, "utf8")) as unknown, file };
  } catch (error) {
    throw new ConfigError([
      `${name} ${setting}: is not valid JSON (${(error as Error).message}). Check for a missing comma or quote, or a // comment: put comments in a "$comment" field instead.`,
    ]);
  }
}

/** Key when COSMOS_KEY is set (or COSMOS_AUTH=key), a managed identity otherwise. */
function cosmosAccount(s: Settings): Config["cosmos"] {
  if (!s.COSMOS_ENDPOINT) return undefined;
  const auth = s.COSMOS_AUTH ?? (s.COSMOS_KEY ? "key" : "identity");
  return auth === "key"
    ? { endpoint: s.COSMOS_ENDPOINT, auth, key: s.COSMOS_KEY ?? "" }
    : { endpoint: s.COSMOS_ENDPOINT, auth, clientId: s.AZURE_CLIENT_ID?.toLowerCase() };
}

function roleGroups(s: Settings): Config["roleGroups"] {
  const byRole = Object.fromEntries(
    (Object.entries(GROUP_SETTING_OF) as [RoleName, (typeof GROUP_SETTINGS)[number]][]).map(([role, name]) => [
      role,
      [...new Set(s[name].map((id) => id.toLowerCase()))],
    ]),
  ) as Record<RoleName, string[]>;
  if (Object.values(byRole).every((ids) => ids.length === 0)) return undefined;
  // A managed identity gets tokens for its own tenant only; a client secret, for any tenant that consented.
  const tenants =
    s.MicrosoftAppType === "UserAssignedMSI" && s.MicrosoftAppTenantId
      ? [s.MicrosoftAppTenantId]
      : s.ALLOWED_TENANT_IDS.length > 0
        ? s.ALLOWED_TENANT_IDS
        : s.MicrosoftAppTenantId
          ? [s.MicrosoftAppTenantId]
          : [];
  return { byRole, tenants: tenants.map((id) => id.toLowerCase()) };
}

/**
 * Reads ENV_FILE (default env/.env.local) underneath the process environment: a variable set in the
 * environment wins over the file, as Teams Toolkit and Azure App Service expect.
 */
export function loadConfig(processEnv: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const envFile = path.resolve(cwd, processEnv.ENV_FILE ?? path.join("env", ".env.local"));
  let fromFile: Record<string, string> = {};
  if (fs.existsSync(envFile)) {
    fromFile = dotenv.parse(fs.readFileSync(envFile));
  } else if (processEnv.ENV_FILE) {
    throw new ConfigError([`ENV_FILE must name a file that exists (it is "${processEnv.ENV_FILE}")`]);
  }
  return parseConfig({ ...fromFile, ...processEnv });
}
