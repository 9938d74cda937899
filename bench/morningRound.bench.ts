import http from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { addWorkingDays, DEFAULT_RETENTION, DEFAULT_RULES, formatCaseReference, subtractWorkingDays, type Case } from "../src/domain";
import type { Dispatcher } from "../src/jobs/dispatcher";
import { sweep } from "../src/jobs/sweep";
import { createLogger } from "../src/logger";
import { CosmosCaseRepository } from "../src/store/caseRepository";
import { openStore } from "../src/store/cosmos";
import { startEmbeddedCosmos } from "../src/store/embedded";
import { CosmosOutboxStore, CosmosSweepCursor, CosmosSweepLease } from "../src/store/jobsRepository";
import { makeCase } from "../test/helpers/caseFixtures";
import { forwardTo } from "../test/helpers/cosmosProxy";
import { deskFor } from "../test/helpers/desk";
import { kindOf } from "./requests.bench";

const TENANT = "round-trust";
const TODAY = "2026-03-10";
const NOW = new Date(`${TODAY}T09:00:00Z`);
const DUE = 2_000;
/** Cases not due today, so the round's query has something to leave out. */
const NOT_DUE = 2_000;
const OWNERS = 20;

/**
 * Counts the requests the round sends to the store by kind, and the most at once; `delayMs` holds each one
 * back that long first, as a round trip to Azure Cosmos DB would (2-10 ms from App Service in the same region).
 */
class RoundTripProxy {
  private server?: http.Server;
  counts: Record<string, number> = {};
  inFlight = 0;
  mostInFlight = 0;
  delayMs = 0;

  constructor(private readonly target: string) {}

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const kind = kindOf(req);
      this.counts[kind] = (this.counts[kind] ?? 0) + 1;
      this.inFlight += 1;
      this.mostInFlight = Math.max(this.mostInFlight, this.inFlight);
      res.on("close", () => (this.inFlight -= 1));
      if (this.delayMs > 0) setTimeout(() => forwardTo(this.target, req, res), this.delayMs);
      else forwardTo(this.target, req, res);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", () => resolve()));
    return this;
  }

  reset(): void {
    this.counts = {};
    this.mostInFlight = this.inFlight;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** Due cases: a third overdue (a manager alert each), the rest due today or within 2 working days. The others: 3 to 60 working days away. */
function roundCase(index: number): Case {
  const due = index < DUE;
  const respondBy = due ? (index % 3 === 0 ? subtractWorkingDays(TODAY, 1) : addWorkingDays(TODAY, index % 3)) : addWorkingDays(TODAY, 3 + (index % 58));
  return {
    ...makeCase(),
    id: randomUUID(),
    trustId: TENANT,
    reference: formatCaseReference(2026, index + 1),
    type: "concern",
    deadlines: { respondBy },
    nextDueOn: respondBy,
    owner: { aadObjectId: `owner-${index % OWNERS}`, name: `Officer ${index % OWNERS}` },
  };
}

interface RoundFigures {
  ms: number;
  counts: Record<string, number>;
  mostInFlight: number;
  alerts: number;
  digests: number;
}

async function measure(delayMs: number): Promise<RoundFigures> {
  const log = createLogger("silent", new Writable({ write: (_chunk, _encoding, done) => done() }));
  const cosmos = await startEmbeddedCosmos();
  const proxy = await new RoundTripProxy(cosmos.endpoint).start();
  const store = await openStore({ database: "round", account: { endpoint: proxy.endpoint, key: cosmos.key } }, log);
  try {
    const cases = new CosmosCaseRepository(store.containers.cases, DEFAULT_RETENTION, DEFAULT_RULES);
    const cursor = new CosmosSweepCursor(store.containers.jobs);
    const outbox = new CosmosOutboxStore(store.containers.jobs);
    for (let start = 0; start < DUE + NOT_DUE; start += 250) {
      await Promise.all(
        Array.from({ length: Math.min(250, DUE + NOT_DUE - start) }, (_, offset) =>
          cases.create(roundCase(start + offset), { revision: 1, pending: [], applied: [] }),
        ),
      );
    }
    await cursor.markSwept(subtractWorkingDays(TODAY, 1), undefined);
    // The embedded server builds its index on a path at the first query on it (Azure keeps it current on every write).
    for (const where of ["c.watchOn <= '2000-01-01'", "c.missingCount > 0", "c.pendingSince >= '2000-01-01'"]) {
      await store.containers.cases.items.query(`SELECT VALUE COUNT(1) FROM c WHERE ${where}`).fetchAll();
    }
    const desk = deskFor(store, { log, now: () => NOW });
    // Delivery is left out: the round decides and queues; sending is Teams' pace, timed elsewhere.
    const dispatcher = { dispatch: async () => ({ sent: 0, retrying: 0, undeliverable: 0, failed: 0 }) } as unknown as Dispatcher;
    const deps = {
      cases,
      retention: DEFAULT_RETENTION,
      rules: DEFAULT_RULES,
      finishPendingCases: () => desk.jobs.finishPendingCases(),
      applyRetention: (trustId: string, caseId: string) => desk.jobs.applyRetention(trustId, caseId),
      cursor,
      outbox,
      lease: new CosmosSweepLease(store.containers.jobs),
      dispatcher,
      log,
      instanceId: "bench",
      leaseMs: 600_000,
    };
    proxy.delayMs = delayMs;
    proxy.reset();
    const started = performance.now();
    const report = await sweep(deps, NOW);
    const ms = performance.now() - started;
    if (report.days.length !== 1) throw new Error("the morning round did not run");
    return { ms, counts: { ...proxy.counts }, mostInFlight: proxy.mostInFlight, alerts: report.alertsQueued, digests: report.digestsQueued };
  } finally {
    await store.close();
    await proxy.stop();
    await cosmos.stop();
  }
}

/**
 * The morning round for 2,000 due cases in one trust (4,000 held, 20 owners, a third of the due cases overdue):
 * the sweep's time (lease, pending follow-ups, the round; delivery left out) and its Cosmos DB requests by kind,
 * on the embedded store as it is and with 5 ms added to each request, as a round trip to Azure would add.
 */
export async function morningRoundFigures(): Promise<void> {
  console.log(`morning round, ${DUE.toLocaleString("en-GB")} cases due (${OWNERS} owners):`);
  for (const delayMs of [0, 5]) {
    const r = await measure(delayMs);
    const requests = Object.entries(r.counts)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([kind, count]) => `${kind} ${count}`)
      .join(", ");
    const total = Object.values(r.counts).reduce((sum, count) => sum + count, 0);
    console.log(
      `  ${delayMs ? `+${delayMs} ms a request` : "embedded store"}: ${(r.ms / 1000).toFixed(2)} s, ${total} requests (${requests}), ` +
        `at most ${r.mostInFlight} at once; ${r.alerts} alerts, ${r.digests} digests queued`,
    );
  }
}

if (require.main === module) {
  morningRoundFigures().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
