import { performance } from "node:perf_hooks";
import { personalMessage } from "../test/helpers/activities";
import { startTestBot } from "../test/helpers/bot";
import { formatMs, percentile } from "./stats";

/** A `help` message through the real restify server and teams-ai app to the (fake) connector and back. */
export async function helpRoundTrip(requests = 300): Promise<void> {
  const t = await startTestBot({ env: { LOG_LEVEL: "silent" } });
  try {
    const timings: number[] = [];
    for (let i = 0; i < 20; i++) await t.send(personalMessage("help", { serviceUrl: t.connector.url })); // warm-up
    for (let i = 0; i < requests; i++) {
      const started = performance.now();
      const answer = await t.send(personalMessage("help", { serviceUrl: t.connector.url }));
      timings.push(performance.now() - started);
      if (answer.status !== 200) throw new Error(`help answered ${answer.status}`);
    }
    console.log(`help round trip (${requests} sequential requests): p50 ${formatMs(percentile(timings, 50))}, p99 ${formatMs(percentile(timings, 99))}`);
  } finally {
    await t.close();
  }
}
