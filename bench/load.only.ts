import { loadComparison } from "./load.bench";
import { cosmosRequestsPerOperation } from "./requests.bench";

/** The load comparison and request counts alone (BENCH_SECONDS=3 for a quick look), without the 10-minute sweep. */
async function main(): Promise<void> {
  if (process.env.BENCH_PART !== "requests") await loadComparison();
  if (process.env.BENCH_PART !== "load") await cosmosRequestsPerOperation();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
