import type { Agent } from "node:http";
import { CosmosClient, type Container, type ContainerDefinition, type Database } from "@azure/cosmos";
import type { TokenCredential } from "@azure/identity";
import type { Logger } from "../logger";
import { statusOf } from "./documents";
import { startEmbeddedCosmos, type EmbeddedCosmos } from "./embedded";

/**
 * The cases container's composite indexes: Azure Cosmos DB serves an ORDER BY on several properties only
 * from one (the embedded server checks the same). `my cases` and `due` filter on owner and status and sort
 * by the next deadline.
 */
const CASE_INDEXES = [
  [
    { path: "/owner/aadObjectId", order: "ascending" },
    { path: "/status", order: "ascending" },
    { path: "/dueKey", order: "ascending" },
    { path: "/reference", order: "ascending" },
  ],
] as const;

/**
 * The containers of docs/architecture.md: what the code calls each, its id in the database, its partition key,
 * unique keys (unique within a partition) and composite indexes. Data is partitioned by trust; a container's
 * partition key can't change, so the containers partitioned by trust have ids of their own (TENANT_CONTAINERS
 * are the earlier release's, which `npm run migrate` copies from).
 */
export const CONTAINERS = {
  cases: { id: "trust-cases", partitionKey: "/trustId", uniqueKeys: ["/reference"], compositeIndexes: CASE_INDEXES },
  events: { id: "events", partitionKey: "/caseId", uniqueKeys: [], compositeIndexes: [] },
  conversations: { id: "trust-conversations", partitionKey: "/trustId", uniqueKeys: [], compositeIndexes: [] },
  jobs: { id: "trust-jobs", partitionKey: "/trustId", uniqueKeys: [], compositeIndexes: [] },
  /** The PALS inbox: emails, the message-id index to cases, each Graph mailbox's delta link. */
  inbox: { id: "trust-inbox", partitionKey: "/trustId", uniqueKeys: [], compositeIndexes: [] },
} as const;

export type ContainerName = keyof typeof CONTAINERS;

/** Release 0.1's containers, partitioned by Entra ID tenant: read only by `npm run migrate` (src/tools/migrate.ts). */
export const TENANT_CONTAINERS = { cases: "cases", conversations: "conversations", jobs: "jobs" } as const;

/** Written by `npm run migrate` when every document is copied; its partition holds no trust's data. */
export const MIGRATION_MARKER = { id: "migration-tenant-to-trust", trustId: "_deployment" } as const;

/** Teams gives a card action 5 seconds: a database that does not answer by then should fail fast and say so. */
const REQUEST_TIMEOUT_MS = 5_000;

/** An account and how to sign in to it: a key, or an Entra ID identity with Cosmos DB data-plane RBAC. */
export type CosmosAccount = { readonly endpoint: string; readonly key: string } | { readonly endpoint: string; readonly credential: TokenCredential };

export interface CosmosSettings {
  /** Undefined starts the embedded in-memory server. */
  readonly account?: CosmosAccount;
  readonly database: string;
  readonly embeddedPort?: number;
  /** How long start-up waits for the account to answer at all (default 30 s). */
  readonly connectTimeoutMs?: number;
  /** Tests only: an HTTP agent (one that trusts a loopback server's own certificate). */
  readonly agent?: Agent;
  /** `npm run migrate` only: open the store although release 0.1's containers are not yet migrated. */
  readonly skipMigrationCheck?: boolean;
}

/** The store could not be opened at start-up; the message names the setting to check, never its value. */
export class StoreUnavailableError extends Error {
  constructor(
    message: string,
    readonly code?: string | number,
  ) {
    super(message);
    this.name = "StoreUnavailableError";
  }
}

export interface Store {
  readonly database: Database;
  readonly containers: Readonly<Record<ContainerName, Container>>;
  readonly embedded: boolean;
  readonly endpoint: string;
  /** True when the database answers a read within the timeout. */
  isReachable(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

export async function openStore(settings: CosmosSettings, log: Logger): Promise<Store> {
  let embedded: EmbeddedCosmos | undefined;
  let account: CosmosAccount | undefined = settings.account;
  if (!account) {
    embedded = await startEmbeddedCosmos(settings.embeddedPort ?? 0);
    account = { endpoint: embedded.endpoint, key: embedded.key };
    log.warn(
      { endpoint: embedded.endpoint },
      "Using the EMBEDDED Cosmos DB server: data is kept in memory only and is lost when PALS Desk stops. Set COSMOS_ENDPOINT (with COSMOS_KEY, or a managed identity) to use Azure Cosmos DB.",
    );
  }
  const identity = "credential" in account;
  const client = new CosmosClient({
    endpoint: account.endpoint,
    // Keyless: Entra ID tokens (`type=aad&ver=1.0&sig=<token>`), checked against the account's data-plane role assignments.
    ...("credential" in account ? { aadCredentials: account.credential } : { key: account.key }),
    ...(settings.agent ? { agent: settings.agent } : {}),
    // The embedded server (ours or another instance's, on plain http) has one region and advertises an
    // https address it does not serve: discovery would only break it.
    connectionPolicy: { enableEndpointDiscovery: !account.endpoint.startsWith("http://"), requestTimeout: REQUEST_TIMEOUT_MS },
  });
  try {
    // The first request says whether the account is there at all. The client alone can take minutes to
    // give up (with endpoint discovery on, an unknown host is retried for about two minutes).
    const database = await withinDeadline(
      identity ? existingDatabase(client, settings.database) : databaseNamed(client, settings.database),
      settings.connectTimeoutMs ?? 30_000,
    );
    const containers = {} as Record<ContainerName, Container>;
    for (const [name, shape] of Object.entries(CONTAINERS) as [ContainerName, (typeof CONTAINERS)[ContainerName]][]) {
      containers[name] = identity ? await existingContainer(database, shape) : await containerNamed(database, shape);
    }
    if (!settings.skipMigrationCheck) await refuseUnmigrated(database, containers.jobs);
    log.info({ database: settings.database, containers: Object.values(CONTAINERS).map((c) => c.id) }, "Cosmos DB containers ready");
    return {
      database,
      containers,
      embedded: embedded !== undefined,
      endpoint: account.endpoint,
      isReachable: (timeoutMs = 2000) => isReachable(database, timeoutMs),
      close: async () => {
        client.dispose();
        await embedded?.stop();
      },
    };
  } catch (error) {
    client.dispose();
    await embedded?.stop();
    throw embedded ? error : explained(error, account.endpoint, identity);
  }
}

/**
 * Create-if-missing that survives instances starting together: createIfNotExists reads, then creates,
 * so two instances can both miss it and one gets 409. A 409 means another instance made it: read it.
 */
async function databaseNamed(client: CosmosClient, id: string): Promise<Database> {
  try {
    return (await client.databases.createIfNotExists({ id })).database;
  } catch (error) {
    if (statusOf(error) !== 409) throw error;
    return (await client.database(id).read()).database;
  }
}

/**
 * Cosmos DB's data-plane roles cover reading and writing data, not creating or changing databases and
 * containers: with an identity, the infrastructure (infra/azure.bicep) makes them and PALS Desk only checks.
 */
const MADE_BY_INFRA =
  "With a managed identity PALS Desk can't create or change databases and containers: create them with infra/azure.bicep (atk provision), or as docs/operations.md's \"Deploy to your trust\" lists.";

async function existingDatabase(client: CosmosClient, id: string): Promise<Database> {
  try {
    return (await client.database(id).read()).database;
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
    throw new StoreUnavailableError(`The Cosmos DB database "${id}" does not exist (COSMOS_DATABASE). ${MADE_BY_INFRA}`, "missing-database");
  }
}

/**
 * A database that still holds release 0.1's cases (partitioned by tenant) and was never migrated would look
 * empty to this release: it does not start, and says what to do.
 */
async function refuseUnmigrated(database: Database, jobs: Container): Promise<void> {
  if (!(await containerIfPresent(database, TENANT_CONTAINERS.cases)) || (await migrationFinished(jobs))) return;
  throw new StoreUnavailableError(
    `The Cosmos DB database "${database.id}" holds cases from an earlier PALS Desk, kept by tenant (container "${TENANT_CONTAINERS.cases}"), that are not yet ` +
      "copied to this release's containers, kept by trust. Stop every running PALS Desk, run npm run migrate with the same settings, then start this one (docs/operations.md: Upgrading from release 0.1).",
    "not-migrated",
  );
}

/** The container of that id, or undefined when the database has none (release 0.1's, say). */
export async function containerIfPresent(database: Database, id: string): Promise<Container | undefined> {
  try {
    await database.container(id).read();
    return database.container(id);
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

/** Whether `npm run migrate` finished in this database: its marker is in the jobs container. */
export async function migrationFinished(jobs: Container): Promise<boolean> {
  try {
    return (await jobs.item(MIGRATION_MARKER.id, MIGRATION_MARKER.trustId).read()).resource !== undefined;
  } catch (error) {
    if (statusOf(error) === 404) return false;
    throw error;
  }
}

async function existingContainer(database: Database, shape: (typeof CONTAINERS)[ContainerName]): Promise<Container> {
  const id = shape.id;
  let resource: ContainerDefinition | undefined;
  try {
    resource = (await database.container(id).read()).resource;
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
  }
  if (!resource)
    throw new StoreUnavailableError(`The Cosmos DB container "${id}" does not exist in database "${database.id}". ${MADE_BY_INFRA}`, "missing-container");
  const stored = (resource.indexingPolicy?.compositeIndexes ?? []).map((index) => JSON.stringify(index.map(({ path, order }) => ({ path, order }))));
  const missing = shape.compositeIndexes.filter((index) => !stored.includes(JSON.stringify(index.map(({ path, order }) => ({ path, order })))));
  if (resource.partitionKey?.paths?.[0] !== shape.partitionKey || missing.length > 0) {
    const what =
      missing.length > 0
        ? `lacks ${missing.length === 1 ? "a composite index" : `${missing.length} composite indexes`} PALS Desk's queries need`
        : `is partitioned by ${resource.partitionKey?.paths?.[0] ?? "nothing"}, not ${shape.partitionKey}`;
    throw new StoreUnavailableError(`The Cosmos DB container "${id}" ${what}. ${MADE_BY_INFRA}`, "container-shape");
  }
  return database.container(id);
}

async function containerNamed(database: Database, shape: (typeof CONTAINERS)[ContainerName]): Promise<Container> {
  const id = shape.id;
  const compositeIndexes = shape.compositeIndexes.map((index) => index.map(({ path, order }) => ({ path, order })));
  let made: { container: Container; resource?: ContainerDefinition };
  try {
    made = await database.containers.createIfNotExists({
      id,
      partitionKey: { paths: [shape.partitionKey] },
      uniqueKeyPolicy: shape.uniqueKeys.length ? { uniqueKeys: [{ paths: [...shape.uniqueKeys] }] } : undefined,
      ...(compositeIndexes.length
        ? { indexingPolicy: { indexingMode: "consistent", automatic: true, includedPaths: [{ path: "/*" }], compositeIndexes } }
        : {}),
    });
  } catch (error) {
    if (statusOf(error) !== 409) throw error;
    made = await database.container(id).read();
  }
  // A container made by an earlier version lacks a newer composite index: add it (Azure builds it in the background).
  const current = made.resource?.indexingPolicy;
  // Compared by path and order only: the service returns the same indexes with other fields or key order.
  const stored = (current?.compositeIndexes ?? []).map((index) => index.map(({ path, order }) => ({ path, order })));
  if (made.resource && compositeIndexes.length && JSON.stringify(stored) !== JSON.stringify(compositeIndexes)) {
    await made.container.replace({ ...made.resource, indexingPolicy: { ...current, compositeIndexes } } as ContainerDefinition);
  }
  return made.container;
}

class DeadlinePassed extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = "DeadlinePassed";
  }
}

function withinDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new DeadlinePassed(ms)), ms);
  });
  work.catch(() => undefined); // it may fail after the deadline: nobody is waiting any more
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** Network failures that mean the endpoint is wrong, down or not reachable from here. */
const UNREACHABLE = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "CERT_HAS_EXPIRED",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
]);

/** @azure/identity's errors when no token could be had (no managed identity here, no az login, a wrong client id). */
const TOKEN_ERRORS = new Set(["CredentialUnavailableError", "AuthenticationError", "AggregateAuthenticationError", "AuthenticationRequiredError"]);

/** Start-up failures a person can fix, in plain English, naming the setting; the key (or a token) is never shown. */
function explained(error: unknown, endpoint: string, identity: boolean): unknown {
  let where = "COSMOS_ENDPOINT";
  try {
    where = new URL(endpoint).origin; // no user info or path, whatever was typed
  } catch {
    // config checked it is a URL; keep the setting's name
  }
  const code = (error as { code?: unknown } | undefined)?.code;
  const name = (error as { name?: unknown } | undefined)?.name;
  const check = identity
    ? "Check COSMOS_ENDPOINT (the account's URI), and that the account lets this machine in (its firewall or private endpoint)."
    : "Check COSMOS_ENDPOINT (the account's URI) and COSMOS_KEY (one of its keys), and that the account lets this machine in (its firewall or private endpoint).";
  if (identity && typeof name === "string" && TOKEN_ERRORS.has(name)) {
    return new StoreUnavailableError(
      `PALS Desk could not get an Entra ID token for Cosmos DB at ${where} (${name}). Check that AZURE_CLIENT_ID is the client id of a user-assigned ` +
        "managed identity attached to this app (on a developer's machine, leave it unset and sign in with az login), and that the identity has the role " +
        "Cosmos DB Built-in Data Contributor on the account.",
      name,
    );
  }
  if (error instanceof DeadlinePassed || name === "TimeoutError" || code === 408) {
    const seconds = Math.round((error instanceof DeadlinePassed ? error.ms : REQUEST_TIMEOUT_MS) / 1000);
    return new StoreUnavailableError(`Cosmos DB at ${where} did not answer within ${seconds} s. ${check}`, "timeout");
  }
  if (typeof code === "string" && UNREACHABLE.has(code)) {
    return new StoreUnavailableError(`PALS Desk cannot reach Cosmos DB at ${where} (${code}). ${check}`, code);
  }
  if (identity && (code === 401 || code === 403)) {
    return new StoreUnavailableError(
      `Cosmos DB at ${where} refused PALS Desk's identity (${code}). Check that the identity has the role Cosmos DB Built-in Data Contributor on the account ` +
        "(az cosmosdb sql role assignment create; it can take a few minutes to apply), and that AZURE_CLIENT_ID is that identity's client id.",
      code,
    );
  }
  if (code === 401) {
    return new StoreUnavailableError(
      `Cosmos DB at ${where} refused the key (401). Check COSMOS_KEY: it must be a key of the account named by COSMOS_ENDPOINT.`,
      401,
    );
  }
  if (code === 403) {
    return new StoreUnavailableError(`Cosmos DB at ${where} refused access (403). ${check}`, 403);
  }
  return error;
}

async function isReachable(database: Database, timeoutMs: number): Promise<boolean> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    await database.read({ abortSignal: abort.signal });
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
