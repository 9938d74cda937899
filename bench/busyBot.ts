import { Application, TeamsAdapter } from "@microsoft/teams-ai";
// A bare teams-ai bot whose card actions cost BUSY_MS of CPU, split over 4 awaits as a store-backed turn is (no
// store, no PALS Desk code): bench/saturation.ts runs it to show how any bot this busy behaves at saturation.
import { loadRestify } from "../src/restify";
const restify = loadRestify();
const adapter = new TeamsAdapter({} as never);
const app = new Application({ adapter, botAppId: "", startTypingTimer: false, longRunningMessages: false });
const busy = Number(process.env.BUSY_MS ?? 10);
// Like PALS Desk's turn: CPU work split across a few awaits (store calls), no real I/O.
app.adaptiveCards.actionExecute(/.*/, async () => {
  for (let step = 0; step < 4; step++) {
    const until = performance.now() + busy / 4;
    while (performance.now() < until);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return { type: "AdaptiveCard", version: "1.5", body: [{ type: "TextBlock", text: "Done" }] };
});
const server = restify.createServer();
server.use(restify.plugins.bodyParser());
server.post("/api/messages", async (req, res) => {
  await adapter.process(req, res, (context) => app.run(context).then(() => undefined));
});
server.listen(Number(process.env.PORT ?? 3979), "127.0.0.1", () => process.stdout.write("Busy bot is listening\n"));
