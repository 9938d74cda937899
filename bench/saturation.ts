// `npx tsx bench/saturation.ts`: where the log-a-contact p99 of the load benchmark comes from. 50 connections,
// 13 s, each response's latency kept with its time; then the same for a bare teams-ai bot that only burns CPU
// (bench/busyBot.ts) and for a plain Node HTTP server that does the same (bench/plainBusyServer.ts). Prints the percentiles over the whole run and after its first 3 s, the slow answers, and the
// slowest the bot itself took (from its HTTP server's request to its response, by a preloaded hook).
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { cardAction } from "../test/helpers/activities";
import { contactForm } from "../test/helpers/caseFixtures";
import { FakeConnector } from "../test/helpers/fakeConnector";
import { freePort } from "../test/helpers/ports";
import { startProcess, startStoreProcess } from "./processes";

const SECONDS = 13;
const WINDOW_FROM_MS = 3000;

/** Logs, in the bot's process, the slowest time from its HTTP server's `request` to the response's `finish`. */
const HOOK = `
const http = require("http");
const emit = http.Server.prototype.emit;
let slowest = 0;
http.Server.prototype.emit = function (event, req, res) {
  if (event === "request" && String(req.url).startsWith("/api/messages")) {
    const started = process.hrtime.bigint();
    res.on("finish", () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (ms > slowest) { slowest = ms; process.stdout.write(JSON.stringify({ slowestInBotMs: Math.round(ms) }) + "\\n"); }
    });
  }
  return emit.apply(this, arguments);
};
`;

const percentile = (sorted: readonly number[], f: number) => sorted[Math.min(sorted.length - 1, Math.floor(f * sorted.length))] ?? Number.NaN;

async function measure(label: string, script: string, ready: string, env: Record<string, string>, serviceUrl: string): Promise<void> {
  const port = await freePort();
  const hook = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pals-saturation-")), "hook.cjs");
  fs.writeFileSync(hook, HOOK);
  let slowestInBot = 0;
  const bot = await startProcess(script, port, ready, { ...env, NODE_OPTIONS: `--require ${hook}` }, (line) => {
    const match = /"slowestInBotMs":(\d+)/.exec(line);
    if (match) slowestInBot = Number(match[1]);
  });
  try {
    const samples: { at: number; ms: number }[] = [];
    const start = Date.now();
    const result = await new Promise<autocannon.Result>((resolve, reject) => {
      const run = autocannon(
        {
          url: `http://127.0.0.1:${port}/api/messages`,
          connections: 50,
          duration: SECONDS,
          requests: [{ method: "POST", headers: { "content-type": "application/json" }, setupRequest: (request) => ({ ...request, body: JSON.stringify(cardAction("contact.submit", { formId: randomUUID(), ...contactForm({ receivedOn: "2026-03-09", nhsNumber: "" }) }, { serviceUrl })) }) }],
        },
        (error, done) => (error ? reject(error) : resolve(done)),
      );
      run.on("response", (_client: unknown, _status: number, _bytes: number, ms: number) => samples.push({ at: Date.now() - start, ms }));
    });
    const all = samples.map((s) => s.ms).sort((a, b) => a - b);
    const late = samples.filter((s) => s.at >= WINDOW_FROM_MS).map((s) => s.ms).sort((a, b) => a - b);
    const slow = samples.filter((s) => s.ms > 1500);
    const startedAtOnce = slow.filter((s) => s.at - s.ms < 200).length;
    console.log(
      `${label}: ${result.requests.total} answered, ${result.errors + result.timeouts + result.non2xx} errors | whole run p50 ${percentile(all, 0.5).toFixed(0)} ms, p99 ${percentile(all, 0.99).toFixed(0)} ms, max ${all.at(-1)?.toFixed(0)} ms | after ${WINDOW_FROM_MS / 1000} s p99 ${percentile(late, 0.99).toFixed(0)} ms`,
    );
    console.log(`  ${slow.length} answers over 1.5 s, ${startedAtOnce} of them sent in the run's first 200 ms; the bot's own slowest turn: ${slowestInBot} ms`);
  } finally {
    bot.child.kill("SIGKILL");
  }
}

async function main(): Promise<void> {
  const connector = await new FakeConnector().start();
  connector.recordCalls = false;
  const store = await startStoreProcess(await freePort());
  try {
    await measure("PALS Desk, log a contact", path.join("src", "index.ts"), "PALS Desk is listening", { COSMOS_ENDPOINT: store.endpoint, COSMOS_KEY: store.key }, connector.url);
    await measure("bare bot, 10 ms CPU per card action", path.join("bench", "busyBot.ts"), "Busy bot is listening", { BUSY_MS: "10" }, connector.url);
    await measure("plain Node HTTP server, 10 ms CPU per request", path.join("bench", "plainBusyServer.ts"), "Busy bot is listening", { BUSY_MS: "10" }, connector.url);
  } finally {
    store.child.kill("SIGKILL");
    await connector.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
