import { strict as assert } from "node:assert";
import type { Server } from "node:http";
import { Worker } from "node:worker_threads";
import { CosmosClient, type Container } from "@azure/cosmos";
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the package is CommonJS with `export =`
import cosmosServer = require("@vercel/cosmosdb-server");
import cosmosQuery from "@zeit/cosmosdb-query";
import executor from "@zeit/cosmosdb-query/lib/executor";
import sinon from "sinon";
import { startEmbeddedCosmos, useQueryIndex, type EmbeddedCosmos } from "../../src/store/embedded";
import { openTestStore } from "../helpers/store";
import { seededRandom } from "../helpers/random";

const QUERIES = [
  "SELECT * FROM c WHERE c.trustId = @t AND c.status = 'open' ORDER BY c.reference",
  "SELECT TOP 2 c.id, c.trustId FROM c WHERE c.pendingSince >= @epoch ORDER BY c.pendingSince",
  "SELECT VALUE COUNT(1) FROM c WHERE c.trustId = @t",
  "SELECT r.id FROM root r WHERE r.status = 'open'",
];

describe("the embedded Cosmos DB server's queries", () => {
  afterEach(() => sinon.restore());

  it("scan the documents once each, not once per document already seen", async () => {
    const store = await openTestStore(); // starting it makes the compiler's scan linear
    try {
      for (const query of QUERIES) assert.doesNotMatch(cosmosQuery(query).code, /\[\.\.\.\$/, query);
    } finally {
      await store.close();
    }
  });

  it("build each result in one pass, not one copy of the rows so far per row (stripUndefined), in the copy the server loads", async () => {
    const rows = Array.from({ length: 2_000 }, (_, i) => (i % 5 === 0 ? undefined : i % 3 ? i : [i, undefined, "x"]));
    const { read, result } = await inOwnThread(
      `const { createRequire } = require("node:module");
       const load = createRequire(workerData.embedded);
       load("tsx/cjs");
       const { startEmbeddedCosmos } = load(workerData.embedded);
       // The query package as the server itself loads it.
       const helpers = createRequire(load.resolve("@vercel/cosmosdb-server"))("@zeit/cosmosdb-query/lib/helpers");
       startEmbeddedCosmos().then(async (cosmos) => {
         await cosmos.stop();
         // Counts the elements handed out by array iteration, which is how [...rows, row] copies.
         const values = Array.prototype[Symbol.iterator];
         let read = 0;
         Array.prototype[Symbol.iterator] = function () {
           const iterator = values.call(this);
           return { next: () => { const step = iterator.next(); if (!step.done) read += 1; return step; }, [Symbol.iterator]() { return this; } };
         };
         const result = helpers.stripUndefined(workerData.rows);
         Array.prototype[Symbol.iterator] = values;
         parentPort.postMessage({ read, result });
       });`,
      { embedded: require.resolve("../../src/store/embedded"), rows },
    );
    assert.deepEqual(
      result,
      rows.filter((row) => row !== undefined).map((row) => (Array.isArray(row) ? [row[0], "x"] : row)),
    );
    // The package's own code reads 1,279,733 here: each of the 1,600 rows kept copies those kept before it.
    assert.ok((read as number) <= rows.length, `${read} elements read`);
  });

  it("run once: the query plan the Cosmos client asks for beside every query is refused at once, not answered by running the query", async () => {
    const cosmos = await startEmbeddedCosmos();
    try {
      const response = await fetch(`${cosmos.endpoint}/dbs/pals/colls/cases/docs`, {
        method: "POST",
        headers: { "content-type": "application/query+json", "x-ms-documentdb-isquery": "True", "x-ms-cosmos-is-query-plan-request": "True" },
        body: JSON.stringify({ query: "SELECT * FROM c" }),
      });
      assert.equal(response.status, 400);
      assert.match(await response.text(), /does not make query plans/);
    } finally {
      await cosmos.stop();
    }
  });

  it("give the same answers as before", async () => {
    const store = await openTestStore();
    await store.close();
    const documents = Array.from({ length: 50 }, (_, i) => ({
      id: `d${i}`,
      _rid: `r${String(i).padStart(3, "0")}`,
      trustId: i % 2 ? "a" : "b",
      status: i % 3 ? "open" : "closed",
      reference: `PALS-2026-${String(50 - i).padStart(6, "0")}`,
      ...(i % 7 === 0 ? { pendingSince: `2026-03-10T10:${String(i).padStart(2, "0")}:00.000Z` } : {}),
    }));
    const parameters = [
      { name: "@t", value: "a" },
      { name: "@epoch", value: "2000-01-01T00:00:00.000Z" },
    ];
    for (const query of QUERIES) {
      const compiled = cosmosQuery(query) as unknown as { code: string; _code: string };
      const linear = compiled.code; // the rewritten code; the compiler keeps its own as _code
      assert.notEqual(linear, compiled._code, query);
      assert.deepEqual(execute(linear, documents, parameters), execute(compiled._code, documents, parameters), query);
    }
  });

  it("scan only the partition a query names, and answer as a scan of the whole container does", async () => {
    // What each compiled query is given to scan: the partition key values of its documents.
    const exec = sinon.spy(Object.getPrototypeOf(cosmosQuery("SELECT * FROM c")) as { exec(documents: { trustId: string }[]): unknown }, "exec");
    const scanned = () =>
      exec.args.map(([documents]) =>
        documents
          .map((document) => document.trustId)
          .sort()
          .join(""),
      );
    const { cosmos, client, container } = await openContainer();
    useQueryIndex(false); // the partition's scan alone: the index narrows it further (below)
    try {
      for (let i = 0; i < 30; i += 1) {
        await container.items.create({
          id: `d${i}`,
          trustId: "abc"[i % 3],
          status: i % 4 ? "open" : "closed",
          reference: `PALS-2026-${String(30 - i).padStart(6, "0")}`,
        });
      }
      const parameters = [{ name: "@t", value: "a" }];
      const answers = async (query: string) => {
        exec.resetHistory();
        const { resources: inPartition } = await container.items.query({ query, parameters }, { partitionKey: "a" }).fetchAll();
        const partitionScans = scanned();
        exec.resetHistory();
        const { resources: crossPartition } = await container.items.query({ query, parameters }).fetchAll();
        return { inPartition, partitionScans, crossPartition, containerScans: scanned() };
      };
      const queries = [
        "SELECT * FROM c WHERE c.trustId = @t",
        "SELECT c.id FROM c WHERE c.trustId = @t AND c.status = 'open' ORDER BY c.reference",
        "SELECT TOP 3 c.id FROM c WHERE c.trustId = @t ORDER BY c.reference DESC",
        "SELECT VALUE COUNT(1) FROM c WHERE c.trustId = @t",
      ];
      const check = async (partitionSize: number, containerSize: number) => {
        for (const query of queries) {
          const { inPartition, partitionScans, crossPartition, containerScans } = await answers(query);
          assert.deepEqual(partitionScans, ["a".repeat(partitionSize)], query);
          assert.deepEqual(
            containerScans,
            [[..."abc"].map((key) => key.repeat(key === "a" ? partitionSize : (containerSize - partitionSize) / 2)).join("")],
            query,
          );
          assert.deepEqual(inPartition, crossPartition, query);
        }
      };
      await check(10, 30);
      // The partition keeps up with writes made after its first query.
      await container.items.create({ id: "d30", trustId: "a", status: "open", reference: "PALS-2026-000000" });
      await container.items.create({ id: "d31", trustId: "b", status: "open", reference: "PALS-2026-000031" });
      await container.item("d0", "a").replace({ id: "d0", trustId: "a", status: "open", reference: "PALS-2026-000099" });
      await container.items.upsert({ id: "d3", trustId: "a", status: "closed", reference: "PALS-2026-000098" });
      await container.item("d6", "a").delete();
      await container.item("d4", "b").delete();
      await check(10, 30);
      const { resources } = await container.items.query("SELECT VALUE c.id FROM c WHERE c.trustId = 'a'", { partitionKey: "a" }).fetchAll();
      assert.deepEqual(resources, ["d0", "d3", "d9", "d12", "d15", "d18", "d21", "d24", "d27", "d30"]);
      // As in Azure Cosmos DB, a query sent to a partition answers from it even when its WHERE does not say so.
      const { resources: all } = await container.items.query("SELECT VALUE c.id FROM c", { partitionKey: "b" }).fetchAll();
      assert.deepEqual(all, ["d1", "d7", "d10", "d13", "d16", "d19", "d22", "d25", "d28", "d31"]);
    } finally {
      useQueryIndex(true);
      client.dispose();
      await cosmos.stop();
    }
  });

  it("hand the engine only the documents an index finds for a query's equalities, ARRAY_CONTAINS and ranges", async () => {
    const exec = sinon.spy(Object.getPrototypeOf(cosmosQuery("SELECT * FROM c")) as { exec(documents: { id: string }[]): unknown }, "exec");
    const scanned = () => exec.args.map(([documents]) => documents.map((document) => document.id).join(" "));
    const { cosmos, client, container } = await openContainer();
    try {
      for (let i = 0; i < 40; i += 1) {
        await container.items.create({
          id: `d${i}`,
          trustId: "ab"[i % 2],
          owner: i % 10 === 0 ? "me" : "other",
          tokens: i % 8 === 0 ? ["brooks", "ward"] : ["ward"],
          ...(i % 13 === 0 ? { watchOn: `2026-03-${String(10 + (i % 3)).padStart(2, "0")}` } : {}),
        });
      }
      const run = async (query: string, parameters: { name: string; value: string }[], partitionKey?: string) => {
        exec.resetHistory();
        const { resources } = await container.items.query({ query, parameters }, partitionKey === undefined ? {} : { partitionKey }).fetchAll();
        return { scans: scanned(), ids: (resources as { id: string }[]).map((r) => r.id) };
      };
      // In a partition: only its cases of that owner.
      const mine = await run(
        "SELECT c.id FROM c WHERE c.trustId = @t AND c.owner = @owner ORDER BY c.id",
        [
          { name: "@t", value: "a" },
          { name: "@owner", value: "me" },
        ],
        "a",
      );
      assert.deepEqual(mine, { scans: ["d0 d10 d20 d30"], ids: ["d0", "d10", "d20", "d30"] });
      // Across partitions: the documents whose array holds the token.
      const found = await run("SELECT c.id FROM c WHERE ARRAY_CONTAINS(c.tokens, @w) AND ARRAY_CONTAINS(c.tokens, 'ward')", [{ name: "@w", value: "brooks" }]);
      assert.deepEqual(found.scans, ["d0 d8 d16 d24 d32"]);
      // A range: the documents with a watch day on or before the day, not every document.
      const due = await run("SELECT c.id FROM c WHERE c.watchOn <= @day", [{ name: "@day", value: "2026-03-10" }]);
      assert.deepEqual(due, { scans: ["d0 d39"], ids: ["d0", "d39"] });
      // What the index cannot narrow is scanned whole.
      const either = await run("SELECT c.id FROM c WHERE c.owner = 'me' OR IS_DEFINED(c.watchOn)", []);
      assert.equal(either.scans[0].split(" ").length, 40);
    } finally {
      client.dispose();
      await cosmos.stop();
    }
  });

  it("answer with the index exactly as without it: the same documents, in the same order and pages, before and after writes", async () => {
    const exec = sinon.spy(Object.getPrototypeOf(cosmosQuery("SELECT * FROM c")) as { exec(documents: unknown[]): unknown }, "exec");
    const { cosmos, client, container } = await openContainer();
    const next = seededRandom(7);
    const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)];
    const STATUSES = ["open", "closed", "1", 1, true, false, null, undefined, ["open"], { s: "open" }];
    const ELEMENTS = ["x", "y", 1, "1", true, null, { k: 1 }, ["x"]];
    const DAYS = ["2026-03-01", "2026-03-02", "2026-03-03", "2026-03-05", "2026-03-10", 20260303, null, undefined];
    const varied = (i: number) =>
      stripUndefined({
        id: `v${i}`,
        trustId: pick(["a", "b", "c"]),
        status: pick(STATUSES),
        n: pick([0, 1, 2, 3, 3, 4, 5, "3", true, undefined]),
        flag: pick([true, false, "true", undefined]),
        tags: pick([undefined, "x", { x: 1 }, [], ...Array.from({ length: 4 }, () => ELEMENTS.filter(() => next() < 0.4))]),
        day: pick(DAYS),
        patient: pick([undefined, "x", ["x"], { nhs: pick(["111", "222", 111]), age: pick([1, 2, 3]) }, { name: "n" }]),
      });
    const QUERIES: [string, Record<string, unknown>?][] = [
      ["SELECT * FROM c WHERE c.status = 'open'"],
      ...["open", "1", 1, true, false, null].map((value): [string, Record<string, unknown>] => ["SELECT * FROM c WHERE c.status = @v", { "@v": value }]),
      ["SELECT * FROM c WHERE c.status = @missing"],
      ["SELECT * FROM c WHERE c.status = @v", { "@v": ["open"] }],
      ['SELECT * FROM c WHERE c.status = {"s": "open"}'],
      ["SELECT * FROM c WHERE c.status = undefined"],
      ["SELECT c.id FROM c WHERE 'open' = c.status AND c.n >= 3 ORDER BY c.n DESC"],
      ["SELECT * FROM c WHERE c.n = 3"],
      ["SELECT * FROM c WHERE c.n = '3'"],
      ["SELECT * FROM c WHERE c.n = -1 OR c.n = 3.0"],
      ["SELECT * FROM c WHERE c.flag = true"],
      ["SELECT * FROM c WHERE c.nothing = null"],
      ...["x", 1, "1", true, null].map((value): [string, Record<string, unknown>] => [
        "SELECT c.id, c.tags FROM c WHERE ARRAY_CONTAINS(c.tags, @v)",
        { "@v": value },
      ]),
      ['SELECT * FROM c WHERE ARRAY_CONTAINS(c.tags, {"k": 1})'],
      ['SELECT * FROM c WHERE ARRAY_CONTAINS(c.tags, {"k": 1}, true)'],
      ["SELECT * FROM c WHERE ARRAY_CONTAINS(c.tags, 'x', true)"],
      ["SELECT * FROM c WHERE ARRAY_CONTAINS(c.tags, ['x'])"],
      ["SELECT * FROM c WHERE c.tags[0] = 'x' AND c.tags.length = 2"],
      ["SELECT * FROM c WHERE c.day <= @day", { "@day": "2026-03-03" }],
      ["SELECT * FROM c WHERE c.day > '2026-03-03'"],
      ["SELECT * FROM c WHERE @day >= c.day AND c.status = 'open'", { "@day": "2026-03-02" }],
      ["SELECT * FROM c WHERE c.day < 20260304"],
      ["SELECT * FROM c WHERE c.n > @n", { "@n": 2 }],
      ["SELECT * FROM c WHERE c.flag >= false"],
      ["SELECT * FROM c WHERE c.day >= null"],
      ["SELECT TOP 5 c.id, c.day FROM c WHERE c.day >= @day ORDER BY c.day", { "@day": "2026-03-02" }],
      ["SELECT TOP 3 * FROM c WHERE c.status = 'open' ORDER BY c.day DESC, c.id"],
      ["SELECT VALUE COUNT(1) FROM c WHERE c.status = 'open'"],
      ["SELECT VALUE SUM(c.n) FROM c WHERE c.flag = true AND IS_NUMBER(c.n)"],
      ["SELECT * FROM c WHERE c.patient.nhs = @nhs", { "@nhs": "111" }],
      ["SELECT * FROM c WHERE c.patient.nhs = 111"],
      ['SELECT * FROM c WHERE c["patient"]["age"] = 3 AND c.patient.nhs = \'222\''],
      ["SELECT * FROM c WHERE c.status = 'open' OR ARRAY_CONTAINS(c.tags, 'x')"],
      ["SELECT * FROM c WHERE (c.status = 'open' AND c.n = 3) OR (c.status = 'closed' AND false)"],
      ["SELECT * FROM c WHERE c.status = 'open' OR c.n > 3"],
      ["SELECT * FROM c WHERE c.status = 'open' OR IS_DEFINED(c.day)"],
      ["SELECT * FROM c WHERE NOT (c.status = 'open')"],
      ["SELECT * FROM c WHERE c.status != 'open'"],
      ["SELECT * FROM c WHERE c.status = 'open' AND false"],
      ["SELECT * FROM c WHERE STARTSWITH(c.day, '2026') AND c.n = 3"],
      ["SELECT * FROM c WHERE LOWER(c.status) = 'open'"],
      ["SELECT * FROM c WHERE c.status IN ('open', 'closed') AND c.n = 2"],
      ["SELECT * FROM c WHERE c.n BETWEEN 1 AND 3"],
      ["SELECT r.id FROM root r WHERE r.status = 'open' AND r.trustId = @t", { "@t": "a" }],
      ["SELECT c.id FROM c JOIN t IN c.tags WHERE t = 'x'"],
      ["SELECT * FROM c WHERE c.status = 'open' AND LOWER(c.status, 1) = 'x'"],
      ["SELECT * FROM c WHERE c.status = 'open' AND x.status = 'open'"],
      ["SELECT * FROM c WHERE c.trustId = @t AND c.status = 'open'", { "@t": "b" }],
      ["SELECT * FROM c ORDER BY c.id"],
      ["SELECT * FROM c WHERE c.id = @v OR c.id = 'v7'", { "@v": "v3" }],
    ];
    // What the index must leave to the full scan: no indexable conjunct, objects or undefined compared, the 3-argument
    // ARRAY_CONTAINS, JOINs, and WHEREs that throw (a wrong arity, an unknown name) whatever documents they see.
    const UNNARROWED = [
      /@missing|= \{|= undefined|, \{"k": 1\}|, true\)|\['x'\]\)|>= null|OR IS_DEFINED|NOT|!=|WHERE LOWER|BETWEEN|JOIN|LOWER\(c.status, 1\)|x\.status|FROM c ORDER BY/,
    ];
    const answer = async (query: string, parameters: Record<string, unknown>, partitionKey: string | undefined, maxItemCount?: number) => {
      const spec = { query, parameters: Object.entries(parameters).map(([name, value]) => ({ name, value: value as string })) };
      try {
        const iterator = container.items.query(spec, { ...(partitionKey === undefined ? {} : { partitionKey }), ...(maxItemCount ? { maxItemCount } : {}) });
        if (!maxItemCount) return (await iterator.fetchAll()).resources;
        const pages: unknown[] = [];
        while (iterator.hasMoreResults()) {
          const page = await iterator.fetchNext();
          pages.push({ resources: page.resources, continuation: page.continuationToken });
        }
        return pages;
      } catch (error) {
        return { error: (error as { code?: unknown }).code };
      }
    };
    const compare = async (when: string) => {
      const narrowed = new Set<string>();
      let found = 0;
      for (const [query, parameters = {}] of QUERIES) {
        for (const partitionKey of [undefined, "a"]) {
          for (const maxItemCount of [undefined, 7]) {
            exec.resetHistory();
            useQueryIndex(false);
            const scan = await answer(query, parameters, partitionKey, maxItemCount);
            const scanned = exec.args.reduce((sum, [documents]) => sum + documents.length, 0);
            exec.resetHistory();
            useQueryIndex(true);
            const indexed = await answer(query, parameters, partitionKey, maxItemCount);
            assert.deepEqual(
              indexed,
              scan,
              `${when}: ${query} ${JSON.stringify(parameters)} in ${partitionKey ?? "every partition"}, pages of ${maxItemCount ?? "all"}`,
            );
            if (exec.args.reduce((sum, [documents]) => sum + documents.length, 0) < scanned) narrowed.add(query);
            if (Array.isArray(scan) && scan.length > 0) found += 1;
          }
        }
      }
      assert.ok(found > QUERIES.length, `${when}: most queries find something (${found})`);
      // Every query the index can narrow was narrowed (and none other), so the comparisons above tested it.
      assert.deepEqual(
        QUERIES.filter(([query]) => !narrowed.has(query)).map(([query]) => query),
        QUERIES.filter(([query]) => UNNARROWED.some((pattern) => pattern.test(query))).map(([query]) => query),
        when,
      );
    };
    try {
      for (let i = 0; i < 300; i += 1) await container.items.create(varied(i));
      await compare("as created");
      const { resources: stored } = await container.items.query<{ id: string; trustId: string }>("SELECT c.id, c.trustId FROM c").fetchAll();
      const partitionOf = new Map(stored.map((d) => [d.id, d.trustId]));
      for (let i = 0; i < 300; i += 1) {
        const id = `v${i}`;
        const trustId = partitionOf.get(id)!;
        if (i % 11 === 0) await container.item(id, trustId).delete();
        else if (i % 11 === 1) await container.item(id, trustId).replace({ ...varied(1000 + i), id, trustId });
        else if (i % 11 === 2) await container.items.upsert({ ...varied(2000 + i), id, trustId });
        else if (i % 11 === 3)
          await container.item(id, trustId).patch([
            { op: "set", path: "/status", value: pick(["open", "closed", 1]) },
            { op: "set", path: "/tags", value: ["x", 1] },
          ]);
        else if (i % 11 === 4) await container.item(id, trustId).patch([{ op: "set", path: "/day", value: "2026-03-02" }]);
      }
      for (let i = 300; i < 340; i += 1) await container.items.upsert(varied(i));
      await compare("after writes");
    } finally {
      useQueryIndex(true);
      client.dispose();
      await cosmos.stop();
    }
  });

  it("keep a client's connections for its next requests, and never close an idle one (the client would send on it as it closes)", async () => {
    const made = sinon.spy(cosmosServer, "createHttpServer");
    const cosmos = await startEmbeddedCosmos();
    const server = made.firstCall.returnValue as Server;
    let connections = 0;
    let requests = 0;
    server.on("connection", () => (connections += 1));
    server.on("request", () => (requests += 1));
    const { client, container } = await openContainer(cosmos);
    try {
      for (let i = 0; i < 5; i += 1) {
        await container.items.create({ id: `k${i}`, trustId: "a" });
        await container.item(`k${i}`, "a").read();
        await container.items.query("SELECT VALUE COUNT(1) FROM c", { partitionKey: "a" }).fetchAll();
        await container.items.query("SELECT VALUE COUNT(1) FROM c").fetchAll();
      }
      assert.ok(requests >= 30, `${requests} requests`);
      // Two: the client sends a query's plan request beside the query.
      assert.equal(connections, 2, `${requests} requests`);
      assert.equal(server.keepAliveTimeout, 0);
    } finally {
      client.dispose();
      await cosmos.stop();
    }
  });
});

/**
 * Runs a script in a worker thread and resolves with the one message it posts. Its own thread has its own
 * Array.prototype, so a script may instrument that without slowing array code in the rest of the test run.
 */
function inOwnThread(script: string, workerData: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(`const { parentPort, workerData } = require("node:worker_threads");\n${script}`, { eval: true, workerData });
    worker.once("message", (message: Record<string, unknown>) => {
      resolve(message);
      void worker.terminate();
    });
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`the worker exited (${code}) without an answer`)));
  });
}

/** A container partitioned as the cases container is, on a fresh embedded server unless given one. */
async function openContainer(running?: EmbeddedCosmos): Promise<{ cosmos: EmbeddedCosmos; client: CosmosClient; container: Container }> {
  const cosmos = running ?? (await startEmbeddedCosmos());
  const client = new CosmosClient({ endpoint: cosmos.endpoint, key: cosmos.key, connectionPolicy: { enableEndpointDiscovery: false } });
  const { database } = await client.databases.createIfNotExists({ id: "embedded-test" });
  const { container } = await database.containers.createIfNotExists({ id: "cases", partitionKey: { paths: ["/trustId"] } });
  return { cosmos, client, container };
}

/** Runs compiled query code over documents as the embedded server does. */
function execute(code: string, documents: object[], parameters: { name: string; value: string }[]): unknown {
  return executor(documents, { code, parameters });
}

/** A document as JSON would carry it: no undefined fields. */
function stripUndefined<T extends object>(document: T): T {
  return Object.fromEntries(Object.entries(document).filter(([, value]) => value !== undefined)) as T;
}
