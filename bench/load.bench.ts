import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import autocannon from "autocannon";
import { cardAction, personalMessage } from "../test/helpers/activities";
import { contactForm } from "../test/helpers/caseFixtures";
import { FakeConnector } from "../test/helpers/fakeConnector";
import { freePort } from "../test/helpers/ports";

const ROOT = path.resolve(__dirname, "..");
const CONNECTIONS = 50;
const SECONDS = 10;

/** Runs a bot as its own process (so its memory is its own) and waits for its "listening" line. */
function startProcess(script: string, port: number, ready: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, script)], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), LOG_LEVEL: "info", SWEEP_INTERVAL_SECONDS: "0", ENV_FILE: path.join("env", ".env.local") },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(ready)) resolve(child);
    });
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

/** Peak resident memory of a process so far (VmHWM), in MB. */
function peakRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

interface Figures {
  p50: number;
  p99: number;
  rps: number;
  errors: number;
}

async function hammer(url: string, body: () => object): Promise<Figures> {
  const result = await autocannon({
    url: `${url}/api/messages`,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [{ method: "POST", headers: { "content-type": "application/json" }, setupRequest: (request) => ({ ...request, body: JSON.stringify(body()) }) }],
  });
  return { p50: result.latency.p50, p99: result.latency.p99, rps: result.requests.average, errors: result.errors + result.timeouts + result.non2xx };
}

/** 50 concurrent users logging contacts and asking for `my cases`, against PALS Desk and a bare echo bot. */
export async function loadComparison(): Promise<void> {
  const connector = await new FakeConnector().start();
  connector.recordCalls = false;
  const palsPort = await freePort();
  const echoPort = await freePort();
  const pals = await startProcess(path.join("src", "index.ts"), palsPort, "PALS Desk is listening");
  const echo = await startProcess(path.join("bench", "echoBot.ts"), echoPort, "Echo bot is listening");
  try {
    const serviceUrl = connector.url;
    const logContact = () => cardAction("contact.submit", { formId: randomUUID(), ...contactForm({ receivedOn: "2026-03-09" }) }, { serviceUrl });
    const myCases = () => personalMessage("my cases", { serviceUrl });
    const rows: [string, Figures, Figures][] = [];
    for (const [label, body] of [
      ["log a contact (invoke)", logContact],
      ["my cases (message)", myCases],
    ] as const) {
      const palsFigures = await hammer(`http://127.0.0.1:${palsPort}`, body);
      const echoFigures = await hammer(`http://127.0.0.1:${echoPort}`, body);
      rows.push([label, palsFigures, echoFigures]);
    }
    const palsRss = peakRssMb(pals.pid!);
    const echoRss = peakRssMb(echo.pid!);
    console.log(`load: ${CONNECTIONS} concurrent users, ${SECONDS} s per run, PALS Desk (embedded store) vs bare teams-ai echo bot`);
    for (const [label, p, e] of rows) {
      console.log(
        `  ${label}: PALS Desk p50 ${p.p50} ms, p99 ${p.p99} ms, ${p.rps.toFixed(0)} req/s, ${p.errors} errors | echo p50 ${e.p50} ms, p99 ${e.p99} ms, ${e.rps.toFixed(0)} req/s, ${e.errors} errors | ratio p50 ${(p.p50 / Math.max(e.p50, 1)).toFixed(1)}x, throughput ${(p.rps / e.rps).toFixed(2)}`,
      );
    }
    console.log(`  peak RSS: PALS Desk ${palsRss.toFixed(0)} MB (bot and embedded store in one process), echo bot ${echoRss.toFixed(0)} MB, ratio ${(palsRss / echoRss).toFixed(2)}`);
  } finally {
    pals.kill("SIGKILL");
    echo.kill("SIGKILL");
    await connector.stop();
  }
}
