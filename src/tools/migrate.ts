// `npm run migrate`: upgrades a database written by release 0.1, whose data was partitioned by Entra ID tenant,
// to this release's containers partitioned by trust. A container's partition key can't change, so each document
// is copied into the new container with `tenantId` renamed `trustId` (and the tenant mapped to its trust). The
// timeline (partitioned by case) is left as it is: it is never rewritten, and reads release 0.1's entries as they
// are (timeline.ts). Idempotent and resumable: a document already copied is left as it is, so running it again after
// a stop finishes the job; once finished it is not run again. The old containers are kept. Every running PALS Desk
// must be stopped first: what an old instance writes after its container was copied would not be copied, so the
// migration refuses while release 0.1's sweep lease is held.
import type { Container } from "@azure/cosmos";
import { loadConfig, type Config } from "../config";
import { trustsOfTenant, type Trust } from "../domain";
import { cosmosCredential } from "../entra/credentials";
import { createLogger, errorFacts, type Logger } from "../logger";
import { statusOf } from "../store/documents";
import { CONTAINERS, containerIfPresent, MIGRATION_MARKER, migrationFinished, openStore, TENANT_CONTAINERS, type Store } from "../store/cosmos";

export class MigrationError extends Error {
  override name = "MigrationError";
}

/** Which trust a tenant's data belongs to: the tenant's only trust, or the one named with --assign. */
export function trustForTenant(trusts: readonly Trust[] | undefined, assigned: ReadonlyMap<string, string>): (tenantId: string) => string {
  // Without a trusts file a trust's id is its tenant's id: data put under any other id would be out of everyone's reach.
  if (!trusts && assigned.size > 0) throw new MigrationError("--assign needs TRUSTS_FILE: without it each tenant is its own trust, named by its tenant id");
  return (tenantId) => {
    const tenant = tenantId.toLowerCase();
    const named = assigned.get(tenant);
    if (named) {
      if (trusts && !trusts.some((t) => t.id === named && t.tenantId === tenant))
        throw new MigrationError(`--assign ${tenant}=${named}: the trusts file has no trust ${named} in tenant ${tenant}`);
      return named;
    }
    // No trusts file: each tenant stays one trust, whose id is the tenant id.
    if (!trusts) return tenant;
    const candidates = trustsOfTenant(trusts, tenant);
    if (candidates.length === 1) return candidates[0].id;
    if (candidates.length === 0)
      throw new MigrationError(
        `The store holds data of tenant ${tenant}, and the trusts file has no trust in that tenant: add the trust, or say whose it is with --assign ${tenant}=<trust id>`,
      );
    throw new MigrationError(
      `The store holds data of tenant ${tenant}, which the trusts file shares between ${candidates.map((t) => t.id).join(", ")}: say which trust release 0.1's data belongs to with --assign ${tenant}=<trust id>`,
    );
  };
}

/** The document as this release stores it: every `tenantId` key (the case's, its pending outbox items'...) renamed `trustId`. */
export function renamed(document: Record<string, unknown>, trustOf: (tenantId: string) => string): Record<string, unknown> {
  const visit = (value: unknown, depth: number): unknown => {
    if (depth > 64) throw new MigrationError("A document is nested more than 64 levels deep: PALS Desk never wrote such a document");
    if (Array.isArray(value)) return value.map((item) => visit(item, depth + 1));
    if (value === null || typeof value !== "object") return value;
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      // System properties are the old container's; the new container makes its own.
      if (depth === 0 && ["_rid", "_self", "_etag", "_attachments", "_ts"].includes(key)) continue;
      // "_system" and other partitions that are not a tenant's keep their value.
      if (key === "tenantId") out.trustId = typeof inner === "string" && /^[0-9a-f-]{36}$/i.test(inner) ? trustOf(inner) : inner;
      else out[key] = visit(inner, depth + 1);
    }
    return out;
  };
  return visit(document, 0) as Record<string, unknown>;
}

export interface MigrationCounts {
  copied: number;
  alreadyThere: number;
}

/** Pages of 100 documents, so a store of any size is copied in bounded memory. */
async function* pages(container: Container, query: string): AsyncGenerator<Record<string, unknown>[]> {
  const iterator = container.items.query<Record<string, unknown>>(query, { maxItemCount: 100 });
  while (iterator.hasMoreResults()) {
    const { resources } = await iterator.fetchNext();
    if (resources.length > 0) yield resources;
  }
}

/** Release 0.1's sweep lease, still held: an old instance is running (it renews the lease while it runs). */
async function oldInstanceRunning(old: Container, now: Date): Promise<boolean> {
  try {
    const { resource } = await old.item("sweep-lease", "_system").read<{ expiresAt?: unknown }>();
    return typeof resource?.expiresAt === "string" && resource.expiresAt > now.toISOString();
  } catch (error) {
    if (statusOf(error) === 404) return false;
    throw error;
  }
}

/** Copies release 0.1's documents into this release's containers, then writes the marker that lets the bot start. */
export async function migrateTenantData(
  store: Pick<Store, "database" | "containers">,
  trustOf: (tenantId: string) => string,
  log: Logger,
  now: () => Date = () => new Date(),
): Promise<MigrationCounts | "already-done" | "nothing-to-do"> {
  const counts: MigrationCounts = { copied: 0, alreadyThere: 0 };
  // Once finished, never again: it would bring back what this release has since deleted under retention.
  if (await migrationFinished(store.containers.jobs)) return "already-done";
  if (!(await containerIfPresent(store.database, TENANT_CONTAINERS.cases))) return "nothing-to-do";
  const oldJobs = await containerIfPresent(store.database, TENANT_CONTAINERS.jobs);
  if (oldJobs && (await oldInstanceRunning(oldJobs, now()))) {
    throw new MigrationError(
      "An earlier PALS Desk is still running (it holds its sweep lease). Stop every instance, wait 5 minutes for the lease to lapse, then run the migration again.",
    );
  }
  for (const name of ["cases", "conversations", "jobs"] as const) {
    const old = await containerIfPresent(store.database, TENANT_CONTAINERS[name]);
    if (!old) continue;
    for await (const page of pages(old, "SELECT * FROM c")) {
      for (const document of page) {
        const copy = renamed(document, trustOf);
        try {
          await store.containers[name].items.create(copy);
          counts.copied += 1;
        } catch (error) {
          if (statusOf(error) !== 409) throw error;
          // Copied by an earlier run, or a clash on a unique key (a case's reference): only the first is fine.
          const there = await store.containers[name]
            .item(String(copy.id), String(copy.trustId))
            .read()
            .then(
              (r) => r.resource as unknown,
              () => undefined,
            );
          if (!there)
            throw new MigrationError(
              `A document of ${TENANT_CONTAINERS[name]} (id ${String(copy.id)}) clashes with another in ${CONTAINERS[name].id}, such as two cases with one reference in one trust: check --assign`,
            );
          counts.alreadyThere += 1;
        }
      }
      log.info({ container: CONTAINERS[name].id, ...counts }, "Migrating: copied a page");
    }
  }
  await store.containers.jobs.items.upsert({ ...MIGRATION_MARKER, docType: "migration", migratedAt: now().toISOString(), ...counts });
  return counts;
}

/** `--assign <tenant id>=<trust id>` (repeatable). */
export function parseArguments(argv: readonly string[]): { assigned: Map<string, string> } {
  const assigned = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === "--assign" && argv[i + 1]) {
      const [tenant, trust] = argv[++i].split("=");
      if (!tenant || !trust) throw new MigrationError(`--assign takes <tenant id>=<trust id> (it is "${argv[i]}")`);
      assigned.set(tenant.trim().toLowerCase(), trust.trim());
    } else throw new MigrationError(`Unknown argument "${arg}": npm run migrate [-- --assign <tenant id>=<trust id>]`);
  }
  return { assigned };
}

async function main(): Promise<void> {
  const log = createLogger("info");
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
  const { assigned } = parseArguments(process.argv.slice(2));
  if (!config.cosmos) {
    console.log("The embedded store keeps nothing between runs: there is nothing to migrate. Set COSMOS_ENDPOINT to migrate an Azure Cosmos DB database.");
    return;
  }
  const account =
    config.cosmos.auth === "key"
      ? { endpoint: config.cosmos.endpoint, key: config.cosmos.key }
      : { endpoint: config.cosmos.endpoint, credential: cosmosCredential(config.cosmos.clientId) };
  const store = await openStore({ account, database: config.cosmosDatabase, skipMigrationCheck: true }, log);
  try {
    const result = await migrateTenantData(store, trustForTenant(config.trusts, assigned), log);
    if (result === "already-done") console.log("This database was migrated already: nothing to do.");
    else if (result === "nothing-to-do") console.log("This database holds no release 0.1 containers: nothing to migrate.");
    else console.log(`Migrated: ${result.copied} documents copied, ${result.alreadyThere} already there. PALS Desk can start.`);
  } finally {
    await store.close();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    // Names and codes only: a raw message could quote a document.
    console.error(
      error instanceof MigrationError
        ? error.message
        : `The migration stopped (${JSON.stringify(errorFacts(error))}). Run it again: it carries on where it stopped.`,
    );
    process.exit(1);
  });
}
