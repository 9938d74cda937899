import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { DEFAULT_RETENTION, DEFAULT_RULES, formatCaseReference, subtractWorkingDays, type Case, type OutboxItem } from "../../src/domain";
import type { Dispatcher } from "../../src/jobs/dispatcher";
import { sweep, type SweepDeps } from "../../src/jobs/sweep";
import { createLogger } from "../../src/logger";
import { CosmosCaseRepository } from "../../src/store/caseRepository";
import { openStore, type Store } from "../../src/store/cosmos";
import { startEmbeddedCosmos, type EmbeddedCosmos } from "../../src/store/embedded";
import { CosmosOutboxStore, CosmosSweepCursor } from "../../src/store/jobsRepository";
import { makeCase } from "../helpers/caseFixtures";
import { forwardTo } from "../helpers/cosmosProxy";
import { deskFor } from "../helpers/desk";

const TODAY = "2026-03-10";
const NOW = new Date(`${TODAY}T09:00:00Z`);
const TRUSTS = 3;
const DUE = 30;
const OWNERS_PER_TRUST = 2;
const PAGE_SIZE = 10;
const AT_ONCE = 4;

/** Due case `index`: its response overdue since yesterday (one manager alert), spread over trusts and owners. Not due: a month away. */
function roundCase(index: number, due: boolean): Case {
  const trust = index % TRUSTS;
  const respondBy = due ? subtractWorkingDays(TODAY, 1) : "2026-04-30";
  return {
    ...makeCase(),
    id: randomUUID(),
    trustId: `trust-${trust}`,
    reference: formatCaseReference(2026, index + (due ? 1 : 1001)),
    type: "concern",
    deadlines: { respondBy },
    nextDueOn: respondBy,
    owner: { aadObjectId: `officer-${trust}-${index % OWNERS_PER_TRUST}`, name: "Officer" },
  };
}

/** The requests the store is sent, with each query's text, and the most in flight at once. */
class RecordingProxy {
  readonly requests: { method: string; path: string; query?: string; plan: boolean }[] = [];
  inFlight = 0;
  mostInFlight = 0;
  private server?: http.Server;

  constructor(private readonly target: string) {}

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      this.inFlight += 1;
      this.mostInFlight = Math.max(this.mostInFlight, this.inFlight);
      let done = false;
      // The answer has left for the client: it can't send its next request before this.
      const finished = () => {
        if (!done) this.inFlight -= 1;
        done = true;
      };
      res.on("finish", finished);
      res.on("close", finished);
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString();
        const query = String(req.headers["x-ms-documentdb-isquery"]).toLowerCase() === "true" ? (JSON.parse(body) as { query: string }).query : undefined;
        const plan = String(req.headers["x-ms-cosmos-is-query-plan-request"]).toLowerCase() === "true";
        this.requests.push({ method: req.method ?? "", path: (req.url ?? "").split("?")[0], plan, ...(query ? { query } : {}) });
      });
      forwardTo(this.target, req, res);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", () => resolve()));
    return this;
  }

  reset(): void {
    this.requests.length = 0;
    this.mostInFlight = this.inFlight;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** Counts the calls of an object's methods that are still running, and the most at once. */
function metered<T extends object>(target: T, meter: { now: number; most: number }): T {
  return new Proxy(target, {
    get(object, key) {
      const value: unknown = Reflect.get(object, key, object);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const result: unknown = value.apply(object, args);
        if (!(result instanceof Promise)) return result;
        meter.now += 1;
        meter.most = Math.max(meter.most, meter.now);
        return result.finally(() => (meter.now -= 1));
      };
    },
  });
}

const neverSends = { dispatch: async () => ({ sent: 0, retrying: 0, undeliverable: 0, failed: 0 }) } as unknown as Dispatcher;
const alwaysHeld = { tryAcquire: async () => true, release: async () => undefined };

describe("the morning round (embedded Cosmos DB)", function () {
  this.timeout(60_000);
  let cosmos: EmbeddedCosmos;
  let proxy: RecordingProxy;
  let store: Store;
  const log = createLogger("silent", new Writable({ write: (_chunk, _encoding, done) => done() }));

  beforeEach(async () => {
    cosmos = await startEmbeddedCosmos();
    proxy = await new RecordingProxy(cosmos.endpoint).start();
    store = await openStore({ database: "round-test", account: { endpoint: proxy.endpoint, key: cosmos.key } }, log);
    const cases = new CosmosCaseRepository(store.containers.cases, DEFAULT_RETENTION, DEFAULT_RULES);
    for (let i = 0; i < DUE; i += 1) await cases.create(roundCase(i, true));
    for (let i = 0; i < 10; i += 1) await cases.create(roundCase(i, false));
    await new CosmosSweepCursor(store.containers.jobs).markSwept(subtractWorkingDays(TODAY, 1), undefined);
    proxy.reset();
  });

  afterEach(async () => {
    await store.close();
    await proxy.stop();
    await cosmos.stop();
  });

  /** The sweep as the bot wires it, with its morning round reading pages of PAGE_SIZE and working on AT_ONCE cases at once. */
  function roundDeps(overrides: Partial<SweepDeps> = {}): SweepDeps {
    const desk = deskFor(store, { log, now: () => NOW });
    return {
      cases: new CosmosCaseRepository(store.containers.cases, DEFAULT_RETENTION, DEFAULT_RULES),
      retention: DEFAULT_RETENTION,
      rules: DEFAULT_RULES,
      finishPendingCases: () => desk.jobs.finishPendingCases(),
      applyRetention: (trustId, caseId) => desk.jobs.applyRetention(trustId, caseId),
      cursor: new CosmosSweepCursor(store.containers.jobs),
      outbox: new CosmosOutboxStore(store.containers.jobs),
      lease: alwaysHeld,
      dispatcher: neverSends,
      log,
      round: { pageSize: PAGE_SIZE, concurrency: AT_ONCE },
      instanceId: "round-test",
      leaseMs: 60_000,
      ...overrides,
    };
  }

  async function outboxItems(): Promise<OutboxItem[]> {
    const { resources } = await store.containers.jobs.items.query<OutboxItem>("SELECT * FROM c WHERE c.docType = 'outbox'").fetchAll();
    return resources;
  }

  it("reads the due cases whole, a page at a time: at most ceil(30 / 10) queries for them, no case read on its own, at most 4 requests in flight", async () => {
    const report = await sweep(roundDeps(), NOW);

    assert.equal(report.casesChecked, DUE);
    assert.equal(report.alertsQueued, DUE);
    const casesContainer = proxy.requests.filter((r) => r.path.includes(`/colls/${store.containers.cases.id}/`) && !r.plan);
    const reads = casesContainer.filter((r) => r.method === "GET" && /\/docs\/[^/]+$/.test(r.path));
    const duePages = casesContainer.filter((r) => r.query?.includes("watchOn"));
    assert.equal(reads.length, 0, "no case read one by one");
    assert.ok(duePages.length >= 1 && duePages.length <= Math.ceil(DUE / PAGE_SIZE), `${duePages.length} queries for due cases`);
    assert.ok(proxy.mostInFlight <= AT_ONCE, `${proxy.mostInFlight} requests in flight at once`);
  });

  it("works on 4 due cases at once, not one after another; two rounds at once still alert once per case and reason, and digest once per owner", async () => {
    const meters = [
      { now: 0, most: 0 },
      { now: 0, most: 0 },
    ];
    const reports = await Promise.all(
      meters.map((meter, i) => {
        const deps = roundDeps({ instanceId: `round-${i}` });
        return sweep({ ...deps, cases: metered(deps.cases, meter), outbox: metered(deps.outbox, meter) }, NOW);
      }),
    );

    for (const meter of meters) assert.equal(meter.most, AT_ONCE, "store calls of one round in flight at once");
    const items = await outboxItems();
    const alerts = items.filter((item) => item.payload.kind === "alert");
    const digests = items.filter((item) => item.payload.kind === "digest");
    assert.equal(alerts.length, DUE, "one alert a due case");
    assert.equal(new Set(alerts.map((a) => (a.payload.kind === "alert" ? `${a.payload.caseId}/${a.payload.reason}` : ""))).size, DUE);
    assert.equal(reports[0].alertsQueued + reports[1].alertsQueued, DUE, "each alert queued by one round only");
    assert.equal(digests.length, TRUSTS * OWNERS_PER_TRUST, "one digest an owner");
    assert.equal(reports[0].digestsQueued + reports[1].digestsQueued, TRUSTS * OWNERS_PER_TRUST);
  });
});
