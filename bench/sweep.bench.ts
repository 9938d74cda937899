import { performance } from "node:perf_hooks";
import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { addWorkingDays, DEFAULT_RETENTION, DEFAULT_RULES, formatCaseReference, type Case, type ConversationAddress } from "../src/domain";
import { Dispatcher, type Deliverer } from "../src/jobs/dispatcher";
import { sweep } from "../src/jobs/sweep";
import { createLogger } from "../src/logger";
import { CosmosCaseRepository } from "../src/store/caseRepository";
import { openStore } from "../src/store/cosmos";
import { CosmosOutboxStore, CosmosSweepCursor, CosmosSweepLease } from "../src/store/jobsRepository";
import { makeCase } from "../test/helpers/caseFixtures";
import { deskFor } from "../test/helpers/desk";

const TENANT = "bench-trust";
const TODAY = "2026-03-10";
const NOW = new Date(`${TODAY}T09:00:00Z`);
const OWNERS = 20;

/** Sends nothing: the benchmark measures finding due work, not Teams. */
const nullDeliverer: Deliverer = {
  addressFor: async (): Promise<ConversationAddress> => ({
    conversationId: "bench",
    serviceUrl: "http://127.0.0.1/",
    channelId: "msteams",
    conversationType: "personal",
  }),
  send: async () => ({ ok: true }),
  unreachable: async () => undefined,
  noticeAdmins: async () => undefined,
};

function benchCase(index: number, due: boolean): Case {
  const base = makeCase();
  const open = due || index % 3 !== 0; // a third of the history is closed
  // Due cases: respond by today or within 2 working days; the rest: 3 to 60 working days away.
  const respondBy = due ? addWorkingDays(TODAY, index % 3) : addWorkingDays(TODAY, 3 + (index % 58));
  return {
    ...base,
    id: randomUUID(),
    trustId: TENANT,
    reference: formatCaseReference(2026, index + 1),
    type: "concern",
    status: open ? "open" : "closed",
    deadlines: { respondBy },
    nextDueOn: open ? respondBy : undefined,
    owner: { aadObjectId: `owner-${index % OWNERS}`, name: `Officer ${index % OWNERS}` },
  };
}

async function measure(total: number, dueCount: number): Promise<{ ms: number; documentsRead: number; digests: number }> {
  const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
  const log = createLogger("silent", quiet);
  const store = await openStore({ database: `bench-${total}` }, log);
  try {
    const cases = new CosmosCaseRepository(store.containers.cases, DEFAULT_RETENTION, DEFAULT_RULES);
    const cursor = new CosmosSweepCursor(store.containers.jobs);
    const outbox = new CosmosOutboxStore(store.containers.jobs);
    // Every case is stored as the app stores it, with its watch day (the sweep's index).
    for (let start = 0; start < total; start += 250) {
      await Promise.all(
        Array.from({ length: Math.min(250, total - start) }, async (_, offset) => {
          const index = start + offset;
          const c = benchCase(index, index < dueCount);
          await cases.create(c, { revision: 1, pending: [], applied: [] });
        }),
      );
    }
    await cursor.markSwept("2026-03-09", undefined); // Monday's round is done
    const desk = deskFor(store, { log, now: () => NOW });
    const deps = {
      cases,
      retention: DEFAULT_RETENTION,
      rules: DEFAULT_RULES,
      finishPendingCases: () => desk.jobs.finishPendingCases(),
      applyRetention: (trustId: string, caseId: string) => desk.jobs.applyRetention(trustId, caseId),
      cursor,
      outbox,
      lease: new CosmosSweepLease(store.containers.jobs),
      dispatcher: new Dispatcher(outbox, nullDeliverer, log),
      log,
      instanceId: "bench",
      leaseMs: 60_000,
    };
    // Azure Cosmos DB keeps its index current on every write; the embedded server builds its own on a query's
    // first use, so each of the sweep's queries runs once before the timing (they find nothing due in 2000).
    await cases.dueCases("2000-01-01", 1)[Symbol.asyncIterator]().next();
    await cases.incompleteCases();
    await cases.withPendingFollowUps(1);
    await outbox.pending(new Date("2000-01-01T00:00:00Z"), 1);
    const started = performance.now();
    const report = await sweep(deps, NOW);
    const ms = performance.now() - started;
    return { ms, documentsRead: report.documentsRead, digests: report.digestsQueued };
  } finally {
    await store.close();
  }
}

/**
 * Sweep cost must follow due work, not the number of cases held: 1,000 vs 100,000 cases, 100 due in each.
 * Most of the run is storing the 100,000 cases in the embedded server (several minutes); the sweep is timed alone.
 */
export async function sweepScaling(): Promise<void> {
  const small = await measure(1_000, 100);
  const large = await measure(100_000, 100);
  const row = (label: string, r: { ms: number; documentsRead: number; digests: number }) =>
    `  ${label}: sweep ${r.ms.toFixed(0)} ms, ${r.documentsRead} documents read, ${r.digests} digests queued`;
  console.log("sweep with 100 cases due (20 owners):");
  console.log(row("  1,000 cases", small));
  console.log(row("100,000 cases", large));
  console.log(`  ratio 100k/1k: time ${(large.ms / small.ms).toFixed(2)}, documents read ${(large.documentsRead / small.documentsRead).toFixed(2)}`);
}
