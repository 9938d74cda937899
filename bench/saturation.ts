// `npx tsx bench/saturation.ts`: where the log-a-contact p99 of the load benchmark comes from. 50 connections,
// 13 s, each response's latency kept with its time: PALS Desk as it runs (TURNS_AT_ONCE at its default), PALS Desk
// working on every request at once (as before the turn queue), and a plain Node HTTP server burning 10 ms of CPU
// per request (bench/plainBusyServer.ts). Prints the percentiles over the whole run and after its first 3 s, the slow
// answers, how long the server took to accept the run's 50 connections, and the slowest time from its HTTP
// server's request event to the response (by a hook preloaded into the server's process).
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { cardAction } from "../test/helpers/activities";
import { contactForm } from "../test/helpers/caseFixtures";
import { FakeConnector } from "../test/helpers/fakeConnector";
import { freePort } from "../test/helpers/ports";
import { palsDeskBuild, startProcess, startStoreProcess } from "./processes";

const SECONDS = 13;
const WINDOW_FROM_MS = 3000;

/**
 * Logs, in the server's process, when it has accepted 50 connections (ms after the first) and the slowest time from
 * its HTTP server's `request` to the response's `finish`.
 */
const HOOK = `
const http = require("http");
const emit = http.Server.prototype.emit;
let slowest = 0;
const accepted = [];
http.Server.prototype.emit = function (event, req, res) {
  if (event === "connection" && accepted.length < 50) {
    accepted.push(performance.now());
    if (accepted.length === 50) process.stdout.write(JSON.stringify({ acceptedInMs: Math.round(accepted[49] - accepted[0]) }) + "\\n");
  }
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
  let acceptedInMs = Number.NaN;
  const bot = await startProcess(script, port, ready, { ...env, NODE_OPTIONS: `--require ${hook}` }, (line) => {
    const slowest = /"slowestInBotMs":(\d+)/.exec(line);
    if (slowest) slowestInBot = Number(slowest[1]);
    const accepted = /"acceptedInMs":(\d+)/.exec(line);
    if (accepted) acceptedInMs = Number(accepted[1]);
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
          requests: [
            {
              method: "POST",
              headers: { "content-type": "application/json" },
              setupRequest: (request) => ({
                ...request,
                body: JSON.stringify(
                  cardAction("contact.submit", { formId: randomUUID(), ...contactForm({ receivedOn: "2026-03-09", nhsNumber: "" }) }, { serviceUrl }),
                ),
              }),
            },
          ],
        },
        (error, done) => (error ? reject(error) : resolve(done)),
      );
      run.on("response", (_client: unknown, _status: number, _bytes: number, ms: number) => samples.push({ at: Date.now() - start, ms }));
    });
    const all = samples.map((s) => s.ms).sort((a, b) => a - b);
    const late = samples
      .filter((s) => s.at >= WINDOW_FROM_MS)
      .map((s) => s.ms)
      .sort((a, b) => a - b);
    const slow = samples.filter((s) => s.ms > 1500);
    const startedAtOnce = slow.filter((s) => s.at - s.ms < 200).length;
    console.log(
      `${label}: ${result.requests.total} answered, ${result.errors + result.timeouts + result.non2xx} errors | whole run p50 ${percentile(all, 0.5).toFixed(0)} ms, p99 ${percentile(all, 0.99).toFixed(0)} ms, max ${all.at(-1)?.toFixed(0)} ms | after ${WINDOW_FROM_MS / 1000} s p99 ${percentile(late, 0.99).toFixed(0)} ms`,
    );
    console.log(
      `  ${slow.length} answers over 1.5 s, ${startedAtOnce} of them sent in the run's first 200 ms | the 50 connections accepted over ${acceptedInMs} ms | slowest from the server's request event to its answer: ${slowestInBot} ms`,
    );
  } finally {
    bot.child.kill("SIGKILL");
  }
}

async function main(): Promise<void> {
  const connector = await new FakeConnector().start();
  connector.recordCalls = false;
  const store = await startStoreProcess(await freePort());
  try {
    const storeEnv = { COSMOS_ENDPOINT: store.endpoint, COSMOS_KEY: store.key };
    await measure("PALS Desk, log a contact (TURNS_AT_ONCE default)", palsDeskBuild(), "PALS Desk is listening", storeEnv, connector.url);
    await measure(
      "PALS Desk, log a contact, every request at once (TURNS_AT_ONCE=200)",
      palsDeskBuild(),
      "PALS Desk is listening",
      { ...storeEnv, TURNS_AT_ONCE: "200" },
      connector.url,
    );
    await measure(
      "plain Node HTTP server, 10 ms CPU per request",
      path.join("bench", "plainBusyServer.ts"),
      "Busy bot is listening",
      { BUSY_MS: "10" },
      connector.url,
    );
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
