import { helpRoundTrip } from "./helpRoundTrip.bench";
import { signpostingSearch } from "./signposting.bench";
import { loadComparison } from "./load.bench";
import { cosmosRequestsPerOperation } from "./requests.bench";
import { findAndReportScaling } from "./scaling.bench";
import { sweepScaling } from "./sweep.bench";
import { inboxFigures } from "./inbox.bench";
import { morningRoundFigures } from "./morningRound.bench";
import { embeddedRowsFigures } from "./embeddedRows.bench";

/** `npm run bench`: every benchmark, one after another, figures printed as they finish. */
async function main(): Promise<void> {
  await helpRoundTrip();
  await signpostingSearch();
  await loadComparison();
  await cosmosRequestsPerOperation();
  await sweepScaling();
  await morningRoundFigures();
  await findAndReportScaling();
  await embeddedRowsFigures();
  await inboxFigures();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
