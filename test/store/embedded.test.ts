import { strict as assert } from "node:assert";
import cosmosQuery from "@zeit/cosmosdb-query";
import executor from "@zeit/cosmosdb-query/lib/executor";
import { startEmbeddedCosmos } from "../../src/store/embedded";
import { openTestStore } from "../helpers/store";

const QUERIES = [
  "SELECT * FROM c WHERE c.tenantId = @t AND c.status = 'open' ORDER BY c.reference",
  "SELECT TOP 2 c.id, c.tenantId FROM c WHERE c.pendingSince >= @epoch ORDER BY c.pendingSince",
  "SELECT VALUE COUNT(1) FROM c WHERE c.tenantId = @t",
  "SELECT r.id FROM root r WHERE r.status = 'open'",
];

describe("the embedded Cosmos DB server's queries", () => {
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
});

/** Runs compiled query code over documents as the embedded server does. */
function execute(code: string, documents: object[], parameters: { name: string; value: string }[]): unknown {
  return executor(documents, { code, parameters });
}
