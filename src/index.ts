import type { AddressInfo } from "node:net";
import { constants as osConstants } from "node:os";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { createCaseDesk, type CaseDesk, type CaseDeskDeps } from "./cases";
import { ConfigError, loadConfig, trustNameOf, trustSitesOf, type Config } from "./config";
import { botCredential, cosmosCredential, type TokenServiceOverride } from "./entra/credentials";
import { GraphGroupRoles } from "./entra/groupRoles";
import { startJobs, type Jobs } from "./jobs/runtime";
import { createLogger, errorFacts, type Logger } from "./logger";
import { CosmosCaseRepository } from "./store/caseRepository";
import { openStore, type Store } from "./store/cosmos";
import { CosmosOutboxStore, CosmosSweepCursor, CosmosSweepLease } from "./store/jobsRepository";
import { LetterTemplateFileError, LetterTemplates } from "./store/letterTemplates";
import { CosmosChannelDirectory, CosmosPeopleDirectory } from "./store/peopleRepository";
import { loadSignpostingDirectory, SignpostingFileError } from "./store/signpostingFile";
import { CosmosTimelineRepository } from "./store/timelineRepository";
import { CosmosInboxRepository, CosmosMailboxStateStore } from "./store/inboxRepository";
import { FolderDocuments } from "./mail/folderDocuments";
import { FolderMailbox } from "./mail/folderMailbox";
import { GraphMailbox } from "./mail/graphMailbox";
import { parseEmail } from "./mail/parseEmail";
import { fileRefusal } from "./mail/attachmentChecks";
import { docxText, LetterheadTemplateError, letterDocxData, loadLetterhead, renderLetterDocx } from "./mail/letterDocx";
import { FolderSender } from "./mail/folderSender";
import { GraphSender } from "./mail/graphSender";
import { SharePointDocuments } from "./mail/sharePointDocuments";
import { createTeamsEndpoint } from "./teams/app";
import { prepareCards } from "./teams/cards";
import { DownloadShelf } from "./teams/reports/downloads";
import { directoryRoles, trustRoles } from "./teams/access/identity";
import { teamsDeliverer } from "./teams/alerts/proactive";
import { createProactiveAdapter } from "./teams/sdk/adapter";
import { proactiveSender } from "./teams/sdk/proactive";
import { teamMembersReader } from "./teams/sdk/roster";
import { TeamMembersCache } from "./teams/access/teamMembers";
import { CachedTeamRoster } from "./teams/access/teamRoster";
import {
  gapsIn,
  MAX_DELIVERY_ATTEMPTS,
  trustTenants,
  type ConversationAddress,
  type DocumentStore,
  type MailboxSource,
  type MailSender,
  type Trust,
} from "./domain";
import type { Deliverer } from "./jobs/dispatcher";
import { httpServer } from "./http";

export interface RunningBot {
  /** Base URL, e.g. http://127.0.0.1:3978 */
  readonly url: string;
  readonly store: Store;
  readonly jobs: Jobs;
  /** The application layer, for tests and tools that act as the bot does. */
  readonly desk: CaseDesk;
  /** The PALS inbox's mailbox (undefined when off): tests call catchUp() to read what was dropped in. */
  readonly mailbox?: MailboxSource;
  /**
   * Stops: accepts no new connections, lets requests in progress finish (at most `graceMs`, default
   * 10 s), stops the sweeps and gives up the sweep lease, then closes the store.
   */
  close(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  readonly log?: Logger;
  readonly now?: () => Date;
  /**
   * Tests only: a Microsoft Graph and an Entra ID token service of their own (https addresses, reached through
   * the given transports), for the ROLE_*_GROUPS lookups.
   */
  readonly entra?: { readonly graphBaseUrl: string; readonly fetch: typeof fetch; readonly tokenService: TokenServiceOverride };
}

export async function startBot(config: Config, options: StartOptions = {}): Promise<RunningBot> {
  const log = options.log ?? createLogger(config.logLevel);
  // Before the store, so a bad signposting file stops start-up at once.
  const signposting = loadSignpostingDirectory(config.signpostingLocalFile, config.rules.nation);
  // A broken letter template stops start-up with the file's name, not an officer's draft later.
  const letters = new LetterTemplates(config.letterTemplatesDir);
  letters.checkAll();
  const letterhead = loadLetterhead(config.letterheadTemplate);
  // The shipped example's own placeholders ("[PALS address, first line]") would go out in every letter a trust emails.
  if (
    config.bot &&
    gapsIn(docxText(renderLetterDocx(letterhead, letterDocxData("Dear reader,", { reference: "PALS-2026-000001", letterDate: "today" })))).length > 0
  ) {
    log.warn("The letterhead has placeholders in square brackets: set LETTERHEAD_TEMPLATE to the trust's own (docs/operations.md, Letters on the letterhead)");
  }
  log.info(
    { rules: config.rules.name, file: config.rulesFile },
    config.rulesFile ? "The trust's rules file is loaded" : "No rules file: England's rules apply",
  );
  log.info({ national: signposting.nationalCount, local: signposting.localCount, replaced: signposting.replaced }, "Signposting directory loaded");
  const account =
    config.cosmos &&
    (config.cosmos.auth === "key"
      ? { endpoint: config.cosmos.endpoint, key: config.cosmos.key }
      : { endpoint: config.cosmos.endpoint, credential: cosmosCredential(config.cosmos.clientId) });
  const store = await openStore({ account, database: config.cosmosDatabase, embeddedPort: config.embeddedCosmosPort }, log);
  const now = options.now ?? (() => new Date());
  const repositories = { ...repositoriesOf(config, store, now), ...documentStore(config, log, options.entra) };
  const { cases, people, channels, outbox } = repositories;
  // Its own adapter (no onTurnError): a team that can't be read only shortens the Assign list or gives no role from it.
  const teamMembers = new TeamMembersCache(teamMembersReader(createProactiveAdapter(config), config.bot?.appId ?? ""), log, now);
  const tenants = trustTenants(config.trusts);
  // The address Teams gave each tenant's latest activity: where its teams' members are read.
  const serviceUrls = new Map<string, string>();
  const roles = config.trusts
    ? trustRoles(config.trusts, { groups: trustGroupRoles(config, config.trusts, log, now, options.entra), teams: teamMembers, serviceUrls })
    : directoryRoles(config, groupRoles(config, log, now, options.entra));
  const team = new CachedTeamRoster(channels, teamMembers, tenants, log, now);

  // The application layer and the jobs need each other (the desk queues messages the jobs send; the jobs
  // finish cases' follow-ups and record where a request card landed), so each reaches the other lazily.
  // eslint-disable-next-line prefer-const -- assigned once the jobs exist; the jobs read it lazily
  let desk: CaseDesk | undefined;
  const theDesk = () => desk!;
  const jobs = startJobs({
    cases,
    outbox,
    cursor: new CosmosSweepCursor(store.containers.jobs),
    lease: new CosmosSweepLease(store.containers.jobs),
    // Its own adapter, without the SDK's built-in retries: the outbox decides when to try again.
    deliverer: withMail(
      teamsDeliverer({
        sender: proactiveSender(createProactiveAdapter(config), config.bot?.appId ?? ""),
        people,
        channels,
        loadCase: async (trustId, caseId) => (await cases.get(trustId, caseId))?.value,
        loadEmail: async (trustId, emailId) => (await repositories.inbox.get(trustId, emailId))?.value,
        now,
        outbox,
        adminIdsOf: (trustId) => (config.trusts ? (config.trusts.find((t) => t.id === trustId)?.roles.admin.people ?? []) : config.roles.admin),
        tenants,
        log,
        nudgeWindowWorkingDays: config.rules.nudgeWindowWorkingDays,
      }),
      theDesk,
    ),
    hooks: {
      records: (item) => item.payload.kind === "investigation-request" || item.payload.kind === "inbox-email",
      alreadySent: async (item) => item.payload.kind === "investigation-request" && theDesk().investigations.investigationAlreadyPosted(item),
      sent: async (item, delivered, address) => {
        if (item.payload.kind === "inbox-email") {
          if (delivered.activityId) await theDesk().inbox.triageCardPosted(item.trustId, item.payload.emailId, { address, activityId: delivered.activityId });
          return;
        }
        await theDesk().investigations.investigationPosted(item, delivered, address);
      },
    },
    log,
    now,
    intervalSeconds: config.sweepIntervalSeconds,
    instanceId: config.instanceId,
    retention: config.retention,
    rules: config.rules,
    finishPendingCases: () => theDesk().jobs.finishPendingCases(),
    remindOfWaitingEmail: (today, before) => theDesk().jobs.remindOfWaitingEmail(today, before),
    applyRetention: (trustId, caseId) => theDesk().jobs.applyRetention(trustId, caseId),
    noticeRetentionReviews: (after, today) => theDesk().jobs.noticeRetentionReviews(after, today),
  });
  let listeningUrl = "";
  desk = createCaseDesk(
    caseDeskDeps(config, repositories, {
      roles,
      team,
      signposting: signposting.directory,
      letters,
      log,
      now,
      sendSoon: () => jobs.kick(),
      sendNow: async (trustId, outboxIds) => void (await jobs.deliverNow(trustId, outboxIds)),
      mail: mailSender(config, log, now, options.entra),
      // Links to documents start with the address people reach PALS Desk at (known once it listens).
      documentLinks: { secret: config.documentLinkSecret ?? PROCESS_LINK_SECRET, baseUrl: () => config.publicUrl ?? listeningUrl },
      letterDocument: ({ trustName, reference, date, text }) =>
        renderLetterDocx(letterhead, letterDocxData(text, { ...(trustName ? { trustName } : {}), reference, letterDate: date })),
    }),
  );
  const mailbox = mailboxSource(config, store, log, now, options.entra);
  const downloads = new DownloadShelf(now);
  const teams = createTeamsEndpoint(config, roles, { config, log, desk, signposting: signposting.directory, downloads, now }, serviceUrls);

  const { server, inFlight } = httpServer({
    config,
    log,
    teams,
    jobs,
    store,
    downloads,
    ...(mailbox instanceof GraphMailbox
      ? { mailNotifications: (request: Parameters<GraphMailbox["handleNotification"]>[0]) => mailbox.handleNotification(request) }
      : {}),
    openDocument: (link) => theDesk().documents.openDocumentLink(link),
  });

  const preparingSince = Date.now();
  log.debug({ cards: prepareCards(), ms: Date.now() - preparingSince }, "Card templates prepared");
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => {
      server.removeListener("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;
  downloads.baseUrl = url;
  listeningUrl = url;

  if (config.bot) {
    log.info(
      { appId: config.bot.appId, appType: config.bot.appType },
      "Bot Framework authentication is ON: every request to /api/messages needs a valid token",
    );
  } else {
    log.warn(
      "Local mode: no MicrosoftAppId is set, so requests to /api/messages are NOT authenticated. Use only on this machine or with the Agents Playground.",
    );
  }
  log.info({ url, messagesEndpoint: `${url}/api/messages` }, "PALS Desk is listening");
  if (config.bot && !config.publicUrl)
    log.warn("PUBLIC_URL is not set: the case documents' Open links point at this machine's own address, which Teams users can't reach");
  if (config.bot && !config.documentLinkSecret)
    log.warn("DOCUMENT_LINK_SECRET is not set: a document's Open link works only on the instance that made it, until it restarts");
  // Once listening: Microsoft Graph checks the notification route before it creates a subscription.
  if (mailbox)
    await mailbox.start((incoming) =>
      theDesk()
        .inbox.receiveEmail(incoming)
        .then(() => undefined),
    );
  else log.info("No mailbox is read: the PALS inbox is off (see MAILBOX in docs/operations.md)");

  let closing: Promise<void> | undefined;
  return {
    url,
    store,
    jobs,
    desk,
    mailbox,
    close: (graceMs = 10_000) =>
      (closing ??= (async () => {
        // Together: the HTTP drain and the sweeps' end; the lease is released once no sweep of ours runs.
        const [drained] = await Promise.all([inFlight.drain(graceMs), jobs.stop(graceMs), mailbox?.stop()]);
        if (!drained) log.warn({ graceMs }, "Requests were still in progress at shutdown; their connections were closed");
        await store.close();
      })()),
  };
}

/** The store's repositories, as the bot uses them. */
export function repositoriesOf(config: Config, store: Store, now: () => Date) {
  return {
    cases: new CosmosCaseRepository(store.containers.cases, config.retention, config.rules),
    people: new CosmosPeopleDirectory(store.containers.conversations, now),
    channels: new CosmosChannelDirectory(store.containers.conversations, now),
    outbox: new CosmosOutboxStore(store.containers.jobs),
    timeline: new CosmosTimelineRepository(store.containers.events),
    inbox: new CosmosInboxRepository(store.containers.inbox),
    documents: new FolderDocuments(config.documentsDir) as DocumentStore,
  };
}

/**
 * The application layer's dependencies, from the settings (rules, retention, trusts' names) and the parts the
 * composition root made: the bot and the test helpers (test/helpers/desk.ts) build it with this one function.
 */
export function caseDeskDeps(
  config: Config,
  repositories: ReturnType<typeof repositoriesOf>,
  parts: Pick<CaseDeskDeps, "roles" | "team" | "signposting" | "letters" | "log" | "now" | "sendSoon" | "sendNow"> &
    Partial<Pick<CaseDeskDeps, "documentLinks" | "mail" | "letterDocument">>,
): CaseDeskDeps {
  return {
    ...repositories,
    documentLinks: { secret: config.documentLinkSecret ?? PROCESS_LINK_SECRET, baseUrl: () => config.publicUrl ?? `http://${config.host}:${config.port}` },
    checkFile: (name, contentType, content) => fileRefusal(name, contentType, content),
    mailboxOf: (trustId) => config.mailbox?.mailboxes.find((m) => m.trustId === trustId)?.address,
    ...parts,
    retention: config.retention,
    rules: config.rules,
    trustNameOf: (trustId) => trustNameOf(config, trustId),
    sitesOf: (trustId) => trustSitesOf(config, trustId),
  };
}

/** Signs document links when DOCUMENT_LINK_SECRET is not set: they then work only on the instance that made them. */
const PROCESS_LINK_SECRET = randomBytes(32).toString("base64url");

/** The case's documents in each trust's SharePoint library (DOCUMENTS=sharepoint); the folder store otherwise (repositoriesOf). */
function documentStore(config: Config, log: Logger, entra: StartOptions["entra"]): { documents?: DocumentStore } {
  if (config.documents.kind !== "sharepoint") return {};
  const tenants = trustTenants(config.trusts);
  log.info({ trusts: config.documents.sites.length }, "The case's documents are kept in SharePoint document libraries (Microsoft Graph, Sites.Selected)");
  return {
    documents: new SharePointDocuments({
      sites: config.documents.sites.map((site) => ({ ...site, tenantId: tenants.tenantOf(site.trustId) })),
      credentialFor: (tenantId) => botCredential(config.bot!, tenantId, entra?.tokenService),
      log,
      graphBaseUrl: entra?.graphBaseUrl,
      fetch: entra?.fetch,
    }),
  };
}

type MailboxSettings = NonNullable<Config["mailbox"]>;

/** Each folder mailbox's folder: MAILBOX_DIR itself for one mailbox, a folder per trust inside it for several. */
function mailboxFolders(settings: MailboxSettings) {
  const single = settings.mailboxes.length === 1;
  return settings.mailboxes.map((m) => ({ ...m, dir: single ? settings.dir : path.join(settings.dir, m.trustId) }));
}

/** Each Graph mailbox with the tenant its trust signs in to (where its tokens come from). */
function mailboxesWithTenants(config: Config, settings: MailboxSettings) {
  const tenants = trustTenants(config.trusts);
  return settings.mailboxes.map((m) => ({ ...m, tenantId: tenants.tenantOf(m.trustId) }));
}

/** Sending as the shared mailbox: into the folder mailbox's sent/ on the embedded default, through Microsoft Graph in production. */
function mailSender(config: Config, log: Logger, now: () => Date, entra: StartOptions["entra"]): MailSender | undefined {
  const settings = config.mailbox;
  if (!settings) return undefined;
  if (settings.kind === "folder") {
    return new FolderSender({
      mailboxes: mailboxFolders(settings),
      log,
      now,
    });
  }
  return new GraphSender({
    mailboxes: mailboxesWithTenants(config, settings),
    credentialFor: (tenantId) => botCredential(config.bot!, tenantId, entra?.tokenService),
    log,
    now,
    graphBaseUrl: entra?.graphBaseUrl,
    fetch: entra?.fetch,
  });
}

/** Where an email from a case "goes" in the outbox's terms: the shared mailbox, one conversation per trust for its rate limit. */
const mailAddress = (trustId: string): ConversationAddress => ({
  conversationId: `mailbox:${trustId}`,
  serviceUrl: "",
  channelId: "mail",
  conversationType: "personal",
});

/** The outbox's deliverer: Teams for messages, the shared mailbox (through the application layer) for emails from cases. */
function withMail(teams: Deliverer, desk: () => CaseDesk): Deliverer {
  return {
    addressFor: async (item) => (item.target.kind === "mailbox" ? mailAddress(item.trustId) : teams.addressFor(item)),
    async send(item, address) {
      if (item.payload.kind !== "send-email") return teams.send(item, address);
      const outcome = await desk().correspondence.deliverEmail(item, item.attempts + 1 >= MAX_DELIVERY_ATTEMPTS);
      if (outcome.kind === "sent") return { ok: true };
      if (outcome.kind === "nothing-to-send") return { ok: false, nothingToSend: true };
      return { ok: false, status: outcome.status, retryAfterSeconds: outcome.retryAfterSeconds };
    },
    unreachable: (item, address) => (item.target.kind === "mailbox" ? Promise.resolve() : teams.unreachable(item, address)),
    noticeAdmins: (trustId, text, now) => teams.noticeAdmins(trustId, text, now),
  };
}

/** The PALS inbox's mailbox as the settings say: a folder of .eml files, Microsoft Graph, or none. */
function mailboxSource(config: Config, store: Store, log: Logger, now: () => Date, entra: StartOptions["entra"]): MailboxSource | undefined {
  const settings = config.mailbox;
  if (!settings) return undefined;
  if (settings.kind === "folder") {
    log.info({ dir: settings.dir, mailboxes: settings.mailboxes.length }, "The PALS inbox reads .eml files dropped into the mailbox folder's inbox/");
    return new FolderMailbox({
      mailboxes: mailboxFolders(settings),
      parse: parseEmail,
      log,
      now,
    });
  }
  const bot = config.bot!;
  const trustOf = new Map(settings.mailboxes.map((m) => [m.address, m.trustId]));
  log.info(
    { mailboxes: settings.mailboxes.length, notifications: settings.publicUrl !== undefined },
    "The PALS inbox reads the shared mailboxes through Microsoft Graph",
  );
  return new GraphMailbox({
    mailboxes: mailboxesWithTenants(config, settings),
    credentialFor: (tenantId) => botCredential(bot, tenantId, entra?.tokenService),
    state: new CosmosMailboxStateStore(store.containers.inbox, (address) => trustOf.get(address) ?? "_unknown"),
    parse: parseEmail,
    ...(settings.publicUrl ? { notificationUrl: `${settings.publicUrl}/api/mail/notifications` } : {}),
    clientState: settings.clientState ?? "",
    pollSeconds: settings.pollSeconds,
    log,
    now,
    graphBaseUrl: entra?.graphBaseUrl,
    fetch: entra?.fetch,
  });
}

/** Roles from Entra ID security groups, when ROLE_*_GROUPS are set (config makes sure bot credentials are too). */
function groupRoles(config: Config, log: Logger, now: () => Date, entra: StartOptions["entra"]): GraphGroupRoles | undefined {
  const bot = config.bot;
  if (!config.roleGroups || !bot) return undefined;
  log.info(
    { tenants: config.roleGroups.tenants, groups: Object.values(config.roleGroups.byRole).reduce((n, ids) => n + ids.length, 0) },
    "Roles are also read from Entra ID security groups (Microsoft Graph)",
  );
  return graphGroupRoles(bot, config.roleGroups.byRole, config.roleGroups.tenants, log, now, entra);
}

/** Per trust, roles from its Entra ID groups (the trusts file's "groups"), read through Microsoft Graph in its tenant. */
function trustGroupRoles(config: Config, trusts: readonly Trust[], log: Logger, now: () => Date, entra: StartOptions["entra"]): Map<string, GraphGroupRoles> {
  const bot = config.bot;
  const sources = new Map<string, GraphGroupRoles>();
  if (!bot) return sources;
  for (const trust of trusts) {
    const groups = Object.fromEntries(Object.entries(trust.roles).map(([role, holders]) => [role, holders.groups])) as Record<
      keyof Trust["roles"],
      readonly string[]
    >;
    if (Object.values(groups).every((ids) => ids.length === 0)) continue;
    sources.set(trust.id, graphGroupRoles(bot, groups, [trust.tenantId], log, now, entra));
  }
  if (sources.size > 0) log.info({ trusts: [...sources.keys()] }, "Roles are also read from Entra ID security groups (Microsoft Graph) for these trusts");
  return sources;
}

/** Group roles read through Microsoft Graph with the bot's identity, in the given tenants only. */
function graphGroupRoles(
  bot: NonNullable<Config["bot"]>,
  groups: ConstructorParameters<typeof GraphGroupRoles>[0]["groups"],
  tenants: readonly string[],
  log: Logger,
  now: () => Date,
  entra: StartOptions["entra"],
): GraphGroupRoles {
  return new GraphGroupRoles({
    groups,
    tenants,
    credentialFor: (tenantId) => botCredential(bot, tenantId, entra?.tokenService),
    log,
    now: () => now().getTime(),
    graphBaseUrl: entra?.graphBaseUrl,
    fetch: entra?.fetch,
  });
}

/** Signals this close together are one request to stop (see stopOnSignals). */
const SAME_STOP_MS = 2_000;

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee the Settings table in docs/operations.md.\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const log = createLogger(config.logLevel);
  // Listening for signals before starting: a stop that arrives while the bot starts (after it listens, while
  // the mailbox starts) is a clean stop once started, not the default action's silent death.
  const starting = startBot(config, { log });
  stopOnSignals(starting, log);
  await starting;
}

/**
 * A service manager stops us with SIGTERM (Ctrl+C sends SIGINT); a second signal stops at once. Under
 * `npm start` one stop often arrives twice (the terminal or systemd signals the whole process group, and
 * npm passes its own copy on), so a repeat within 2 seconds is the same request.
 */
function stopOnSignals(starting: Promise<RunningBot>, log: Logger): void {
  let stoppingSince: number | undefined;
  const stop = (signal: NodeJS.Signals) => {
    if (stoppingSince !== undefined) {
      if (Date.now() - stoppingSince < SAME_STOP_MS) return;
      log.warn({ signal }, "PALS Desk was told again to stop: stopping now, without waiting for requests in progress");
      process.exit(128 + (osConstants.signals[signal] ?? 0));
    }
    stoppingSince = Date.now();
    log.info({ signal }, "PALS Desk is stopping: finishing the requests in progress");
    // The last resort, if closing itself hangs (a store that never answers).
    setTimeout(() => {
      log.error("PALS Desk did not stop in time: exiting");
      process.exit(1);
    }, 20_000).unref();
    starting
      .then((bot) => bot.close())
      .then(
        () => {
          log.info("PALS Desk stopped");
          process.exit(0);
        },
        (error: unknown) => {
          log.error({ err: errorFacts(error) }, "PALS Desk did not stop cleanly");
          process.exit(1);
        },
      );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`PALS Desk failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof SignpostingFileError || error instanceof LetterTemplateFileError || error instanceof LetterheadTemplateError ? 78 : 1);
  });
}
