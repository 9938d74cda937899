import { performance } from "node:perf_hooks";
import { CosmosClient } from "@azure/cosmos";
import { startEmbeddedCosmos } from "../src/store/embedded";

const SIZES = [10_000, 50_000];
/** Timed runs at each size (the median is printed); BENCH_ROWS_RUNS=1 for a slow build. */
const RUNS = Number(process.env.BENCH_ROWS_RUNS ?? 3);

/**
 * One query returning 10,000 and 50,000 rows from the embedded store (one trust's partition, the fields a report
 * reads of each case): a year's report at a large trust's size. Each size is one query and its pages, fetched whole.
 */
export async function embeddedRowsFigures(): Promise<void> {
  const cosmos = await startEmbeddedCosmos();
  const client = new CosmosClient({ endpoint: cosmos.endpoint, key: cosmos.key, connectionPolicy: { enableEndpointDiscovery: false } });
  try {
    const { database } = await client.databases.createIfNotExists({ id: "rows" });
    const { container } = await database.containers.createIfNotExists({ id: "cases", partitionKey: { paths: ["/trustId"] } });
    console.log("embedded store, one query returning every row of a trust's year:");
    let stored = 0;
    for (const size of SIZES) {
      for (; stored < size; stored += 500) {
        await Promise.all(
          Array.from({ length: 500 }, (_, i) => {
            const n = stored + i;
            const receivedOn = `2025-${String(1 + (n % 12)).padStart(2, "0")}-${String(1 + (n % 28)).padStart(2, "0")}`;
            return container.items.create({
              id: `case-${n}`,
              trustId: "trust",
              docType: "case",
              receivedOn,
              type: "concern",
              status: n % 3 ? "closed" : "open",
            });
          }),
        );
      }
      const query = {
        query: "SELECT c.id, c.receivedOn, c.type, c.status FROM c WHERE c.trustId = @t AND c.docType = 'case'",
        parameters: [{ name: "@t", value: "trust" }],
      };
      await container.items.query("SELECT VALUE COUNT(1) FROM c WHERE c.docType = 'case'", { partitionKey: "trust" }).fetchAll(); // builds the index
      const times: number[] = [];
      let rows = 0;
      for (let run = 0; run < RUNS; run += 1) {
        const started = performance.now();
        rows = (await container.items.query(query, { partitionKey: "trust" }).fetchAll()).resources.length;
        times.push(performance.now() - started);
      }
      const median = times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
      console.log(`  ${rows.toLocaleString("en-GB")} rows: ${(median / 1000).toFixed(2)} s (median of ${RUNS})`);
    }
  } finally {
    client.dispose();
    await cosmos.stop();
  }
}

if (require.main === module) {
  embeddedRowsFigures().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
