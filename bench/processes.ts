import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

export const ROOT = path.resolve(__dirname, "..");

/** A bot or store in its own process, with every line it writes on stdout handed to `onLine`. */
export interface BenchProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The lines it wrote before it said it was ready (the store's endpoint line among them). */
  readonly startLines: readonly string[];
}

/**
 * Runs a script as its own process (so its memory and CPU time are its own) and waits for its "listening" line.
 * A .ts script runs through tsx; a .js one with plain node.
 */
export function startProcess(
  script: string,
  port: number,
  ready: string,
  env: Record<string, string> = {},
  onLine?: (line: string) => void,
): Promise<BenchProcess> {
  const child = spawn(process.execPath, [...(script.endsWith(".ts") ? ["--import", "tsx"] : []), path.join(ROOT, script)], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), LOG_LEVEL: "info", SWEEP_INTERVAL_SECONDS: "0", ENV_FILE: path.join("env", ".env.local"), ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let partial = "";
    let started = false;
    const startLines: string[] = [];
    child.stdout!.on("data", (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        onLine?.(line);
        if (started) continue;
        startLines.push(line);
        if (line.includes(ready)) {
          started = true;
          resolve({ child, pid: child.pid!, startLines });
        }
      }
    });
    child.once("exit", (code) => {
      if (!started) reject(new Error(`${script} exited with ${code}`));
    });
  });
}

let built = false;

/**
 * PALS Desk as a trust runs it (`node dist/index.js`, infra/azure.bicep and the Dockerfile): compiled by
 * `npm run build` from the current source once per benchmark run. Through tsx, the development runner, it answered
 * about a fifth fewer contacts under the same load; the bare echo bot (a few lines of our code) runs the same either way.
 */
export function palsDeskBuild(): string {
  if (!built) {
    execFileSync(process.execPath, [path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"], { cwd: ROOT, stdio: "inherit" });
    built = true;
  }
  return path.join("dist", "index.js");
}

/** Peak resident memory of a process so far (VmHWM), in MB. */
export function peakRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** CPU time a process has used so far (user + system, all its threads), in ms, from /proc/<pid>/stat. */
export function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) may hold spaces: count fields from after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / clockTicks();
}

/** The embedded Cosmos DB server in a process of its own (bench/embeddedStore.ts), with its endpoint and key. */
export async function startStoreProcess(port: number): Promise<BenchProcess & { endpoint: string; key: string }> {
  const started = await startProcess(path.join("bench", "embeddedStore.ts"), port, "Embedded store is listening");
  const line = started.startLines.find((l) => l.startsWith("{"));
  if (!line) throw new Error("bench/embeddedStore.ts did not print its endpoint");
  const { endpoint, key } = JSON.parse(line) as { endpoint: string; key: string };
  return { ...started, endpoint, key };
}

/** Waits until the processes have used (nearly) no CPU for half a second, at least `minMs` and at most `maxMs`. */
export async function settle(pids: readonly number[], minMs = 1000, maxMs = 10_000): Promise<void> {
  const started = Date.now();
  const total = () => pids.reduce((sum, pid) => sum + cpuMs(pid), 0);
  let last = total();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = total();
    const idle = now - last <= 20; // two clock ticks: timers and GC of an idle process
    last = now;
    const waited = Date.now() - started;
    if ((idle && waited >= minMs) || waited >= maxMs) return;
  }
}
