import { helpRoundTrip } from "./helpRoundTrip.bench";

/** `npm run bench`: every benchmark, one after another, figures printed as they finish. */
async function main(): Promise<void> {
  await helpRoundTrip();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
