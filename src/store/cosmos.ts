import { CosmosClient, type Container, type Database } from "@azure/cosmos";
import type { Logger } from "../logger";
import { startEmbeddedCosmos, type EmbeddedCosmos } from "./embedded";

/** The containers of docs/architecture.md, their partition keys and unique keys (unique within a partition). */
export const CONTAINERS = {
  cases: { partitionKey: "/tenantId", uniqueKeys: ["/reference"] },
  events: { partitionKey: "/caseId", uniqueKeys: [] },
  conversations: { partitionKey: "/tenantId", uniqueKeys: [] },
  jobs: { partitionKey: "/tenantId", uniqueKeys: [] },
} as const;

export type ContainerName = keyof typeof CONTAINERS;

export interface CosmosSettings {
  /** Undefined starts the embedded in-memory server. */
  readonly account?: { readonly endpoint: string; readonly key: string };
  readonly database: string;
  readonly embeddedPort?: number;
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
  let account = settings.account;
  if (!account) {
    embedded = await startEmbeddedCosmos(settings.embeddedPort ?? 0);
    account = { endpoint: embedded.endpoint, key: embedded.key };
    log.warn(
      { endpoint: embedded.endpoint },
      "Using the EMBEDDED Cosmos DB server: data is kept in memory only and is lost when PALS Desk stops. Set COSMOS_ENDPOINT and COSMOS_KEY to use Azure Cosmos DB.",
    );
  }
  const client = new CosmosClient({
    endpoint: account.endpoint,
    key: account.key,
    // The embedded server (ours or another instance's, on plain http) has one region and advertises an
    // https address it does not serve: discovery would only break it.
    // Teams gives a card action 5 seconds: a database that does not answer by then should fail fast and say so.
    connectionPolicy: { enableEndpointDiscovery: !account.endpoint.startsWith("http://"), requestTimeout: 5_000 },
  });
  try {
    const { database } = await client.databases.createIfNotExists({ id: settings.database });
    const containers = {} as Record<ContainerName, Container>;
    for (const [name, shape] of Object.entries(CONTAINERS) as [ContainerName, (typeof CONTAINERS)[ContainerName]][]) {
      const { container } = await database.containers.createIfNotExists({
        id: name,
        partitionKey: { paths: [shape.partitionKey] },
        uniqueKeyPolicy: shape.uniqueKeys.length ? { uniqueKeys: [{ paths: [...shape.uniqueKeys] }] } : undefined,
      });
      containers[name] = container;
    }
    log.info({ database: settings.database, containers: Object.keys(CONTAINERS) }, "Cosmos DB containers ready");
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
    throw error;
  }
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
