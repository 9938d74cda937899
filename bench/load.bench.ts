import { randomUUID } from "node:crypto";
import path from "node:path";
import autocannon from "autocannon";
import { cardAction, personalMessage } from "../test/helpers/activities";
import { contactForm } from "../test/helpers/caseFixtures";
import { FakeConnector } from "../test/helpers/fakeConnector";
import { freePort } from "../test/helpers/ports";
import { LogCounter, type LoggedProblems } from "./logCounter";
import { cpuMs, palsDeskBuild, peakRssMb, settle, startProcess, startStoreProcess } from "./processes";

const CONNECTIONS = 50;
/** BENCH_SECONDS shortens the runs while working on the benchmark; published figures use the default. */
const SECONDS = Number(process.env.BENCH_SECONDS) || 10;
/**
 * Each bot first serves the same operation for this long, unmeasured (BENCH_WARMUP_SECONDS=0 measures from a
 * cold start): the measured run then shows the bots as they serve all day, not V8 compiling their code.
 * The warm-up's own p99 is printed too, so what a restart costs stays visible.
 */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 5);
const WARMUP_TRUST = "00000000-0000-4000-8000-00000000beef";

interface Figures {
  p50: number;
  p99: number;
  rps: number;
  /** HTTP errors, timeouts and non-2xx answers. */
  httpErrors: number;
  /** Requests answered (any status). */
  completed: number;
  /** Requests sent, those still in flight when the run stopped included: the bot finishes them too. */
  sent: number;
}

async function hammer(url: string, body: () => object, seconds = SECONDS): Promise<Figures> {
  const result = await autocannon({
    url: `${url}/api/messages`,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [{ method: "POST", headers: { "content-type": "application/json" }, setupRequest: (request) => ({ ...request, body: JSON.stringify(body()) }) }],
  });
  return {
    p50: result.latency.p50,
    p99: result.latency.p99,
    rps: result.requests.average,
    httpErrors: result.errors + result.timeouts + result.non2xx,
    completed: result.requests.total,
    sent: result.requests.sent,
  };
}

/** CPU time used so far by each process, and when it was read. */
interface Snapshot {
  readonly at: number;
  readonly pals: number;
  readonly store: number;
  readonly echo: number;
}

interface Row {
  readonly label: string;
  readonly pals: Figures;
  readonly echo: Figures;
  /** The unmeasured warm-up runs, if any. */
  readonly warmup?: { readonly pals: Figures; readonly echo: Figures };
  readonly palsLogged: LoggedProblems;
  readonly echoLogged: LoggedProblems;
  /** CPU ms over the operation's window (both runs, and the bot finishing turns still in flight). */
  readonly cpu: { pals: number; store: number; echo: number };
}

const perRequest = (ms: number, requests: number) => (requests > 0 ? ms / requests : Number.NaN);
const fmtCpu = (ms: number) => `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;

/** 50 concurrent users logging contacts and asking for `my cases`, against PALS Desk and a bare echo bot. */
export async function loadComparison(): Promise<void> {
  const connector = await new FakeConnector().start();
  connector.recordCalls = false;
  const palsPort = await freePort();
  const echoPort = await freePort();
  // The store in its own process: the bot's CPU time is then the bot's alone.
  const store = await startStoreProcess(await freePort());
  const palsLog = new LogCounter();
  const echoLog = new LogCounter();
  let pals: Awaited<ReturnType<typeof startProcess>> | undefined;
  let echo: Awaited<ReturnType<typeof startProcess>> | undefined;
  try {
    pals = await startProcess(palsDeskBuild(), palsPort, "PALS Desk is listening", { COSMOS_ENDPOINT: store.endpoint, COSMOS_KEY: store.key }, (line) =>
      palsLog.add(line),
    );
    echo = await startProcess(path.join("bench", "echoBot.ts"), echoPort, "Echo bot is listening", {}, (line) => echoLog.add(line));
    const pids = { pals: pals.pid, store: store.pid, echo: echo.pid };
    const snapshot = (): Snapshot => ({ at: Date.now(), pals: cpuMs(pids.pals), store: cpuMs(pids.store), echo: cpuMs(pids.echo) });
    const serviceUrl = connector.url;
    const logContact = (trustId?: string) => () =>
      cardAction("contact.submit", { formId: randomUUID(), ...contactForm({ receivedOn: "2026-03-09" }) }, { serviceUrl, tenantId: trustId });
    const myCases = () => personalMessage("my cases", { serviceUrl });
    const runs: {
      label: string;
      warmupFrom: number;
      before: Snapshot;
      pals: Figures;
      echo: Figures;
      warmup?: { pals: Figures; echo: Figures };
      after: Snapshot;
    }[] = [];
    for (const [label, body, warmupBody] of [
      // The warm-up's contacts go to another trust: the measured trust (and the officer's caseload that
      // `my cases` counts) is the same as without a warm-up.
      ["log a contact (invoke)", logContact(), logContact(WARMUP_TRUST)],
      ["my cases (message)", myCases, myCases],
    ] as const) {
      const warmupFrom = Date.now();
      const warmup =
        WARMUP_SECONDS > 0
          ? {
              pals: await hammer(`http://127.0.0.1:${palsPort}`, warmupBody, WARMUP_SECONDS),
              echo: await hammer(`http://127.0.0.1:${echoPort}`, warmupBody, WARMUP_SECONDS),
            }
          : undefined;
      if (warmup) await settle([pids.pals, pids.store, pids.echo]);
      // One CPU window per operation, from its measured PALS Desk run until every process is idle again: turns
      // still in flight when autocannon stops finish (or fail) during the echo run, and are counted with it.
      const before = snapshot();
      const palsFigures = await hammer(`http://127.0.0.1:${palsPort}`, body);
      const echoFigures = await hammer(`http://127.0.0.1:${echoPort}`, body);
      await settle([pids.pals, pids.store, pids.echo]);
      runs.push({ label, warmupFrom, before, pals: palsFigures, echo: echoFigures, warmup, after: snapshot() });
    }
    const rows: Row[] = runs.map((run) => {
      const after = run.after;
      return {
        label: run.label,
        pals: run.pals,
        echo: run.echo,
        warmup: run.warmup,
        // Errors logged during the warm-up count too.
        palsLogged: palsLog.between(run.warmupFrom, after.at),
        echoLogged: echoLog.between(run.warmupFrom, after.at),
        cpu: { pals: after.pals - run.before.pals, store: after.store - run.before.store, echo: after.echo - run.before.echo },
      };
    });
    const palsRss = peakRssMb(pids.pals);
    const storeRss = peakRssMb(pids.store);
    const echoRss = peakRssMb(pids.echo);
    console.log(
      `load: ${CONNECTIONS} concurrent users, ${SECONDS} s per run after ${WARMUP_SECONDS} s of warm-up, PALS Desk (its production build, embedded store in its own process) vs bare teams-ai echo bot`,
    );
    for (const [index, { label, pals: p, echo: e, warmup, palsLogged, echoLogged, cpu }] of rows.entries()) {
      // Errors: HTTP failures (warm-up included) and the error/fatal lines the bot logged (a failed turn still answers 200).
      const pHttp = p.httpErrors + (warmup?.pals.httpErrors ?? 0);
      const eHttp = e.httpErrors + (warmup?.echo.httpErrors ?? 0);
      const pErrors = pHttp + palsLogged.errors;
      const eErrors = eHttp + echoLogged.errors;
      console.log(
        `  ${label}: PALS Desk p50 ${p.p50} ms, p99 ${p.p99} ms, ${p.rps.toFixed(0)} req/s, ${pErrors} errors | echo p50 ${e.p50} ms, p99 ${e.p99} ms, ${e.rps.toFixed(0)} req/s, ${eErrors} errors | ratio p50 ${(p.p50 / Math.max(e.p50, 1)).toFixed(1)}x, p99 ${(p.p99 / Math.max(e.p99, 1)).toFixed(1)}x, throughput ${(p.rps / e.rps).toFixed(2)}`,
      );
      if (warmup) {
        const [wp, we] = [warmup.pals, warmup.echo];
        console.log(
          `    warm-up (${WARMUP_SECONDS} s, not measured above${index === 0 ? "; from a cold start" : ""}): PALS Desk p50 ${wp.p50} ms, p99 ${wp.p99} ms | echo p99 ${we.p99} ms | ratio p99 ${(wp.p99 / Math.max(we.p99, 1)).toFixed(1)}x`,
        );
      }
      console.log(
        `    errors (warm-up included): PALS Desk ${pErrors} = ${pHttp} HTTP + ${palsLogged.errors} logged error/fatal (${palsLogged.storeErrors} of them store unavailable), ${palsLogged.storeWarnings} store warnings logged | echo ${eErrors} = ${eHttp} HTTP + ${echoLogged.errors} logged`,
      );
      // Per request sent: the window's CPU includes the turns in flight when autocannon stopped.
      const botMs = perRequest(cpu.pals, p.sent);
      const storeMs = perRequest(cpu.store, p.sent);
      const echoMs = perRequest(cpu.echo, e.sent);
      console.log(
        `    CPU per request: PALS Desk ${fmtCpu(botMs)} + store ${fmtCpu(storeMs)} (${p.sent} sent, ${p.completed} answered) | echo ${fmtCpu(echoMs)} (${e.sent} sent) | ratio bot ${(botMs / echoMs).toFixed(1)}x, bot + store ${((botMs + storeMs) / echoMs).toFixed(1)}x`,
      );
    }
    console.log(
      `  peak RSS: PALS Desk ${palsRss.toFixed(0)} MB (bot alone; embedded store ${storeRss.toFixed(0)} MB in its own process), echo bot ${echoRss.toFixed(0)} MB, ratio ${(palsRss / echoRss).toFixed(2)} (bot + store ${((palsRss + storeRss) / echoRss).toFixed(2)})`,
    );
  } finally {
    pals?.child.kill("SIGKILL");
    echo?.child.kill("SIGKILL");
    store.child.kill("SIGKILL");
    await connector.stop();
  }
}
