import { startEmbeddedCosmos } from "../src/store/embedded";

/**
 * The embedded Cosmos DB server alone, so the load benchmark can measure the bot's CPU time apart from the
 * store's. Prints one JSON line with its endpoint and key, then its ready line; runs until killed.
 */
startEmbeddedCosmos(Number(process.env.PORT ?? 0)).then(
  (store) => {
    process.stdout.write(`${JSON.stringify({ endpoint: store.endpoint, key: store.key })}\n`);
    process.stdout.write("Embedded store is listening\n");
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
