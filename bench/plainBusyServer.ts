// A plain Node HTTP server (no restify, no botbuilder) whose answers cost BUSY_MS of CPU split over 4 awaits:
// bench/saturation.ts runs it to show that any Node server this busy accepts a burst of connections slowly.
import http from "node:http";
const busy = Number(process.env.BUSY_MS ?? 10);
const server = http.createServer(
  (req, res) =>
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      for (let step = 0; step < 4; step++) {
        const until = performance.now() + busy / 4;
        while (performance.now() < until);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ status: 200, body: { type: "AdaptiveCard" } }));
    })(),
);
server.listen(Number(process.env.PORT ?? 3979), "127.0.0.1", () => process.stdout.write("Busy bot is listening\n"));
