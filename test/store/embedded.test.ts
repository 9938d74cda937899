import { strict as assert } from "node:assert";
import type { Server } from "node:http";
import { CosmosClient, type Container } from "@azure/cosmos";
import cosmosServer = require("@vercel/cosmosdb-server");
import cosmosQuery from "@zeit/cosmosdb-query";
import executor from "@zeit/cosmosdb-query/lib/executor";
import sinon from "sinon";
import { startEmbeddedCosmos, type EmbeddedCosmos } from "../../src/store/embedded";
import { openTestStore } from "../helpers/store";

const QUERIES = [
  "SELECT * FROM c WHERE c.tenantId = @t AND c.status = 'open' ORDER BY c.reference",
  "SELECT TOP 2 c.id, c.tenantId FROM c WHERE c.pendingSince >= @epoch ORDER BY c.pendingSince",
  "SELECT VALUE COUNT(1) FROM c WHERE c.tenantId = @t",
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
      tenantId: i % 2 ? "a" : "b",
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
    const exec = sinon.spy(Object.getPrototypeOf(cosmosQuery("SELECT * FROM c")) as { exec(documents: { tenantId: string }[]): unknown }, "exec");
    const scanned = () => exec.args.map(([documents]) => documents.map((document) => document.tenantId).sort().join(""));
    const { cosmos, client, container } = await openContainer();
    try {
      for (let i = 0; i < 30; i += 1) {
        await container.items.create({ id: `d${i}`, tenantId: "abc"[i % 3], status: i % 4 ? "open" : "closed", reference: `PALS-2026-${String(30 - i).padStart(6, "0")}` });
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
        "SELECT * FROM c WHERE c.tenantId = @t",
        "SELECT c.id FROM c WHERE c.tenantId = @t AND c.status = 'open' ORDER BY c.reference",
        "SELECT TOP 3 c.id FROM c WHERE c.tenantId = @t ORDER BY c.reference DESC",
        "SELECT VALUE COUNT(1) FROM c WHERE c.tenantId = @t",
      ];
      const check = async (partitionSize: number, containerSize: number) => {
        for (const query of queries) {
          const { inPartition, partitionScans, crossPartition, containerScans } = await answers(query);
          assert.deepEqual(partitionScans, ["a".repeat(partitionSize)], query);
          assert.deepEqual(containerScans, [[..."abc"].map((key) => key.repeat(key === "a" ? partitionSize : (containerSize - partitionSize) / 2)).join("")], query);
          assert.deepEqual(inPartition, crossPartition, query);
        }
      };
      await check(10, 30);
      // The partition keeps up with writes made after its first query.
      await container.items.create({ id: "d30", tenantId: "a", status: "open", reference: "PALS-2026-000000" });
      await container.items.create({ id: "d31", tenantId: "b", status: "open", reference: "PALS-2026-000031" });
      await container.item("d0", "a").replace({ id: "d0", tenantId: "a", status: "open", reference: "PALS-2026-000099" });
      await container.items.upsert({ id: "d3", tenantId: "a", status: "closed", reference: "PALS-2026-000098" });
      await container.item("d6", "a").delete();
      await container.item("d4", "b").delete();
      await check(10, 30);
      const { resources } = await container.items.query("SELECT VALUE c.id FROM c WHERE c.tenantId = 'a'", { partitionKey: "a" }).fetchAll();
      assert.deepEqual(resources, ["d0", "d3", "d9", "d12", "d15", "d18", "d21", "d24", "d27", "d30"]);
      // As in Azure Cosmos DB, a query sent to a partition answers from it even when its WHERE does not say so.
      const { resources: all } = await container.items.query("SELECT VALUE c.id FROM c", { partitionKey: "b" }).fetchAll();
      assert.deepEqual(all, ["d1", "d7", "d10", "d13", "d16", "d19", "d22", "d25", "d28", "d31"]);
    } finally {
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
        await container.items.create({ id: `k${i}`, tenantId: "a" });
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

/** A container partitioned as the cases container is, on a fresh embedded server unless given one. */
async function openContainer(running?: EmbeddedCosmos): Promise<{ cosmos: EmbeddedCosmos; client: CosmosClient; container: Container }> {
  const cosmos = running ?? (await startEmbeddedCosmos());
  const client = new CosmosClient({ endpoint: cosmos.endpoint, key: cosmos.key, connectionPolicy: { enableEndpointDiscovery: false } });
  const { database } = await client.databases.createIfNotExists({ id: "embedded-test" });
  const { container } = await database.containers.createIfNotExists({ id: "cases", partitionKey: { paths: ["/tenantId"] } });
  return { cosmos, client, container };
}

/** Runs compiled query code over documents as the embedded server does. */
function execute(code: string, documents: object[], parameters: { name: string; value: string }[]): unknown {
  return executor(documents, { code, parameters });
}
