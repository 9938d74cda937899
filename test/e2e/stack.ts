import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { loadConfig } from "../../src/config";
import { startBot, type RunningBot } from "../../src/index";
import { createLogger } from "../../src/logger";

const ROOT = path.resolve(__dirname, "..", "..");

/**
 * The bot's clock. Everything else in the e2e runs is real (HTTP, the Playground, the store); time is
 * injected through startBot's `now`, as the bot tests do, because the morning digest only goes out at
 * 09:00 London on the working day after a case is filed: a real clock cannot show it within one run.
 */
export class TestClock {
  private base: number;
  private since = Date.now();
  constructor(start: string) {
    this.base = Date.parse(start);
  }
  /** Moves on as real time does, so timestamps keep increasing. */
  now = (): Date => new Date(this.base + (Date.now() - this.since));
  jumpTo(instant: string): void {
    this.base = Date.parse(instant);
    this.since = Date.now();
  }
}

export interface Stack {
  readonly bot: RunningBot;
  /** e.g. http://127.0.0.1:56231 */
  readonly playgroundUrl: string;
  readonly clock: TestClock;
  /** Every line the bot logged, parsed (for the check that no patient data reaches the logs). */
  readonly botLogLines: Record<string, unknown>[];
  /** The Playground's own output, for diagnosing a failed start. */
  readonly playgroundOutput: () => string;
  /** An email arrives in the PALS inbox: the .eml file is dropped into the folder mailbox's inbox/ and read. */
  dropEmail(file: string): Promise<void>;
  /** What PALS Desk has sent from the folder mailbox (file names in sent/). */
  sentEmails(): string[];
  /** POST /api/jobs/sweep with the secret, as an external timer would. */
  sweep(): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

/** Tuesday 10 March 2026, 10:00 in London: a working day after the morning round. */
export const START = "2026-03-10T10:00:00Z";

/**
 * PALS Desk on its embedded store with the Playground's settings (env/.env.playground) on a free port,
 * and the Microsoft 365 Agents Playground pointed at it on another free port, reading a copy of the
 * repository's .m365agentsplayground.yml from a scratch directory (so its log file lands there).
 */
export async function startStack(options: { readonly start?: string } = {}): Promise<Stack> {
  const clock = new TestClock(options.start ?? START);
  const botLogLines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n")) if (line.trim()) botLogLines.push(JSON.parse(line));
      done();
    },
  });
  const sweepSecret = randomBytes(24).toString("hex");
  // The folder mailbox and documents of this run, not the repository's .data/.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "pals-e2e-data-"));
  const config = loadConfig(
    {
      ENV_FILE: path.join("env", ".env.playground"),
      PORT: "0",
      HOST: "127.0.0.1",
      SWEEP_INTERVAL_SECONDS: "0",
      SWEEP_SECRET: sweepSecret,
      LOG_LEVEL: "info",
      MAILBOX_DIR: path.join(dataDir, "mailbox"),
      DOCUMENTS_DIR: path.join(dataDir, "documents"),
    },
    ROOT,
  );
  const bot = await startBot(config, { log: createLogger("info", sink), now: clock.now });

  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "pals-playground-"));
  fs.copyFileSync(path.join(ROOT, ".m365agentsplayground.yml"), path.join(workDir, ".m365agentsplayground.yml"));
  let output = "";
  let child: ChildProcess | undefined;
  try {
    const port = await listeningPort((onOutput) => {
      child = spawn(
        process.execPath,
        [require.resolve("@microsoft/m365agentsplayground/cli.js"), "-e", `${bot.url}/api/messages`, "-c", "msteams", "-p", "0", "--disable-telemetry"],
        { cwd: workDir, env: { ...process.env, TEAMSAPPTESTER_BROWSER: "none" }, stdio: ["ignore", "pipe", "pipe"] },
      );
      child.stdout!.on("data", (chunk) => onOutput((output += String(chunk))));
      child.stderr!.on("data", (chunk) => onOutput((output += String(chunk))));
      return child;
    });
    const playgroundUrl = `http://127.0.0.1:${port}`;
    await waitForPing(playgroundUrl);
    return {
      bot,
      playgroundUrl,
      clock,
      botLogLines,
      playgroundOutput: () => output,
      sentEmails: () => fs.readdirSync(path.join(dataDir, "mailbox", "sent")).filter((name) => name.endsWith(".eml")),
      async dropEmail(file: string) {
        // Moved in whole, as a mail system delivers: the mailbox never reads half a file.
        const partial = path.join(dataDir, "mailbox", `.${path.basename(file)}.partial`);
        fs.copyFileSync(file, partial);
        fs.renameSync(partial, path.join(dataDir, "mailbox", "inbox", path.basename(file)));
        await bot.mailbox!.catchUp();
      },
      async sweep() {
        const response = await fetch(`${bot.url}/api/jobs/sweep`, { method: "POST", headers: { authorization: `Bearer ${sweepSecret}` } });
        if (response.status !== 200) throw new Error(`POST /api/jobs/sweep answered ${response.status}`);
        return (await response.json()) as Record<string, unknown>;
      },
      async close() {
        await stopChild(child);
        await bot.close();
        fs.rmSync(workDir, { recursive: true, force: true });
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await stopChild(child);
    await bot.close();
    fs.rmSync(workDir, { recursive: true, force: true });
    throw new Error(`The Agents Playground did not start: ${(error as Error).message}\n--- its output ---\n${output.slice(-4000)}`, { cause: error });
  }
}

/** Starts the Playground and resolves with the port it reports ("Listening on N"). */
function listeningPort(start: (onOutput: (all: string) => void) => ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no 'Listening on' line within 30 s")), 30_000);
    const child = start((all) => {
      const match = /Listening on (\d+)/.exec(all);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`it exited with code ${code}`));
    });
  });
}

async function waitForPing(url: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/_debug/ping`)).ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url}/_debug/ping did not answer within 15 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}
