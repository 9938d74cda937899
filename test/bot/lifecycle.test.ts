import { strict as assert } from "node:assert";
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";
import path from "node:path";
import { CosmosClient } from "@azure/cosmos";
import { startEmbeddedCosmos, type EmbeddedCosmos } from "../../src/store/embedded";
import { CosmosSweepLease, SYSTEM_PARTITION } from "../../src/store/jobsRepository";
import { randomUUID } from "node:crypto";
import { startTestBot } from "../helpers/bot";
import { cardAction, OFFICER } from "../helpers/activities";
import { contactForm } from "../helpers/caseFixtures";
import { forwardTo } from "../helpers/cosmosProxy";
import { freePort } from "../helpers/ports";

const ROOT = path.resolve(__dirname, "..", "..");
const SWEEP_SECRET = "lifecycle-test-sweep-secret-0123456789";
const INSTANCE_ID = "lifecycle-test-instance";

/** In front of the embedded store: each request waits `delayMs` first (0: none), so a sweep takes a while. */
async function slowStore(target: string): Promise<{ endpoint: string; delayMs: number; requests: number; stop(): Promise<void> }> {
  const proxy = {
    endpoint: "",
    delayMs: 0,
    /** Requests received so far, so a test can wait for work to be under way. */
    requests: 0,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer((req, res) => {
    proxy.requests += 1;
    if (proxy.delayMs) setTimeout(() => forwardTo(target, req, res), proxy.delayMs);
    else forwardTo(target, req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  proxy.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}

interface Started {
  readonly npm: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly stdout: () => string;
  readonly stderr: () => string;
}

/** `npm start`, as README.md tells people to run the bot, in a process group of its own (so nothing it leaves can hide). */
function npmStart(env: Record<string, string>): Started {
  let stdout = "";
  let stderr = "";
  const npm = spawn("npm", ["start"], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: "info", SWEEP_SECRET, INSTANCE_ID, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  npm.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  npm.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    npm.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return { npm, exited, stdout: () => stdout, stderr: () => stderr };
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Processes of a process group, from /proc (Linux): npm, and whatever it started. */
function groupMembers(pgid: number): string[] {
  const members: string[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const [state, , group] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(group) === pgid && state !== "Z") members.push(`${entry} ${fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " ").trim()}`);
    } catch {
      // gone meanwhile
    }
  }
  return members;
}

/** Resolves with how npm start ended once it and every process it started are gone; fails naming what is left. */
async function gone(started: Started, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const pgid = started.npm.pid!;
  const deadline = new Promise<"late">((resolve) => setTimeout(() => resolve("late"), ms));
  const ended = await Promise.race([started.exited, deadline]);
  await until("every process of npm start gone", () => groupMembers(pgid).length === 0, ended === "late" ? 0 : 5_000).catch(() => undefined);
  assert.deepEqual(groupMembers(pgid), [], `processes still running ${ms} ms after the signal`);
  assert.notEqual(ended, "late", "npm start has not exited");
  return ended as { code: number | null; signal: NodeJS.Signals | null };
}

const portIsFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const probe = net.createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });

describe("stopping PALS Desk as a service manager does: one signal to `npm start`", function () {
  this.timeout(90_000);
  if (process.platform !== "linux") {
    it("needs Linux: it reads /proc to find every process `npm start` left"); // pending, so it cannot pass unseen
    return;
  }
  let cosmos: EmbeddedCosmos;
  let store: Awaited<ReturnType<typeof slowStore>>;
  let client: CosmosClient;
  let running: Started | undefined;

  before(async () => {
    cosmos = await startEmbeddedCosmos();
    store = await slowStore(cosmos.endpoint);
    client = new CosmosClient({ endpoint: cosmos.endpoint, key: cosmos.key, connectionPolicy: { enableEndpointDiscovery: false } });
  });
  afterEach(() => {
    // Whatever a failed test left running.
    if (running && groupMembers(running.npm.pid!).length) process.kill(-running.npm.pid!, "SIGKILL");
    running = undefined;
    store.delayMs = 0;
  });
  after(async () => {
    client.dispose();
    await store.stop();
    await cosmos.stop();
  });

  async function start(port: number, env: Record<string, string> = {}): Promise<Started> {
    running = npmStart({ PORT: String(port), COSMOS_ENDPOINT: store.endpoint, COSMOS_KEY: cosmos.key, SWEEP_INTERVAL_SECONDS: "3600", ...env });
    const { stdout, exited } = running;
    await Promise.race([
      until("PALS Desk listening", () => stdout().includes("PALS Desk is listening"), 60_000),
      exited.then(({ code }) => {
        throw new Error(`npm start exited with ${code} before listening:\n${stdout()}\n${running!.stderr()}`);
      }),
    ]);
    return running;
  }

  async function lease(): Promise<{ holder?: string; expiresAt?: string }> {
    const { resource } = await client
      .database("pals")
      .container("trust-jobs")
      .item("sweep-lease", SYSTEM_PARTITION)
      .read<{ holder: string; expiresAt: string }>();
    return resource ?? {};
  }

  it("SIGTERM: finishes the sweep in progress, releases the lease, frees the port and leaves no process behind, exit code 0", async () => {
    const port = await freePort();
    const { npm, stdout, stderr } = await start(port);
    store.delayMs = 150; // each store request now takes a while: the sweep below is still running at the signal
    const sweep = fetch(`http://127.0.0.1:${port}/api/jobs/sweep`, { method: "POST", headers: { authorization: `Bearer ${SWEEP_SECRET}` } });
    sweep.catch(() => undefined); // awaited below, after the stop
    await until(
      "the sweep holds the lease",
      async () => {
        const held = await lease();
        return held.holder === INSTANCE_ID && Date.parse(held.expiresAt ?? "") > Date.now();
      },
      10_000,
    );

    const signalled = Date.now();
    process.kill(npm.pid!, "SIGTERM"); // npm only, as systemd (KillMode=mixed) or a container runtime does

    const { code } = await gone(running!, 10_000);
    assert.ok(Date.now() - signalled < 10_000, `stopped ${Date.now() - signalled} ms after the signal`);
    assert.equal(code, 0, `npm start exits 0 on a clean stop\n${stderr()}`);
    const answer = await sweep;
    assert.equal(answer.status, 200, "the request in progress at the signal was answered");
    assert.equal(((await answer.json()) as { ran?: boolean }).ran, true, "and its sweep ran to the end");
    assert.ok(await portIsFree(port), "the port is free");
    assert.match(stdout(), /PALS Desk stopped/);

    const left = await lease();
    assert.ok(Date.parse(left.expiresAt ?? "") <= Date.now(), `the lease is released (expires ${left.expiresAt})`);
    assert.equal(
      await new CosmosSweepLease(client.database("pals").container("trust-jobs")).tryAcquire("another-instance", new Date(), 60_000),
      true,
      "another instance takes the sweep at once",
    );
    await new CosmosSweepLease(client.database("pals").container("trust-jobs")).release("another-instance");
    assert.doesNotMatch(stderr(), /DeprecationWarning|DEP0111/, "no deprecation warning at start");
  });

  it("Ctrl+C (SIGINT to the whole process group: the bot gets it from the terminal and again from npm) stops it the same way", async () => {
    const port = await freePort();
    const { npm, stdout } = await start(port);
    process.kill(-npm.pid!, "SIGINT");
    assert.equal((await gone(running!, 10_000)).code, 0, "one Ctrl+C is one clean stop, not a forced one");
    assert.ok(await portIsFree(port), "the port is free");
    assert.match(stdout(), /PALS Desk stopped/);
    assert.doesNotMatch(stdout(), /told again to stop/);
  });

  it("SIGTERM to the whole process group (systemd's default KillMode=control-group) is one clean stop", async () => {
    const port = await freePort();
    const { npm, stdout } = await start(port);
    process.kill(-npm.pid!, "SIGTERM");
    assert.equal((await gone(running!, 10_000)).code, 0, `npm start exits 0\n${stdout()}`);
    assert.match(stdout(), /PALS Desk stopped/);
    assert.doesNotMatch(stdout(), /told again to stop/);
  });

  it("SIGTERM while it is still starting (a restart during start-up) is a clean stop, not a silent death", async () => {
    const port = await freePort();
    running = npmStart({ PORT: String(port), COSMOS_ENDPOINT: store.endpoint, COSMOS_KEY: cosmos.key, SWEEP_INTERVAL_SECONDS: "3600" });
    const { npm, stdout } = running;
    await until("start-up under way", () => stdout().includes("Signposting directory loaded"), 60_000);
    process.kill(npm.pid!, "SIGTERM");
    assert.equal((await gone(running, 30_000)).code, 0, `npm start exits 0 once started and stopped\n${stdout()}`);
    assert.match(stdout(), /PALS Desk is stopping/);
    assert.match(stdout(), /PALS Desk stopped/);
    assert.ok(await portIsFree(port), "the port is free");
  });

  it("a second signal stops it at once, without waiting for requests in progress", async () => {
    const port = await freePort();
    const { npm, stdout } = await start(port);
    store.delayMs = 60_000; // the store hangs: the sweep below cannot finish
    const sweep = fetch(`http://127.0.0.1:${port}/api/jobs/sweep`, { method: "POST", headers: { authorization: `Bearer ${SWEEP_SECRET}` } }).catch(
      () => undefined,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    process.kill(npm.pid!, "SIGTERM");
    await until("the first signal seen", () => stdout().includes("PALS Desk is stopping"), 5_000);
    // Signals within 2 s of the first are the same stop (npm passes on a copy of a group signal).
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const second = Date.now();
    process.kill(npm.pid!, "SIGTERM");
    const { code, signal } = await gone(running!, 3_000);
    assert.ok(Date.now() - second < 3_000, `stopped ${Date.now() - second} ms after the second signal`);
    assert.ok(code !== 0 || signal !== null, "a forced stop is not reported as a clean one");
    await sweep;
  });

  it("names the settings to check when the store cannot be reached at start-up, without showing the key", async () => {
    const key = Buffer.from("lifecycle-test-secret-account-key").toString("base64");
    running = npmStart({ PORT: String(await freePort()), COSMOS_ENDPOINT: `http://127.0.0.1:${await freePort()}`, COSMOS_KEY: key });
    const { code } = await running.exited;
    const output = running.stdout() + running.stderr();
    assert.equal(code, 1);
    assert.match(running.stderr(), /PALS Desk failed to start: .*COSMOS_ENDPOINT.*COSMOS_KEY/);
    assert.ok(!output.includes(key), "the key is never shown");
  });
});

describe("the sweeps after a stop (in process)", () => {
  it("starts no sweep, and takes no lease, when a turn still draining asks for one", async () => {
    const t = await startTestBot({ env: { SWEEP_INTERVAL_SECONDS: "3600" } });
    try {
      await t.bot.jobs.stop();
      t.bot.jobs.kick(); // what a turn that queued a message does (sendSoon)
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal((await t.bot.jobs.sweepNow()).ran, false, "nor does POST /api/jobs/sweep still being read at the signal");
      const { resource } = await t.bot.store.containers.jobs.item("sweep-lease", SYSTEM_PARTITION).read();
      assert.equal(resource, undefined, "no sweep ran after stop");
    } finally {
      await t.close();
    }
  });

  it("lets a turn finish its save when the caller hung up before the stop", async () => {
    const cosmos = await startEmbeddedCosmos();
    const store = await slowStore(cosmos.endpoint);
    const t = await startTestBot({ env: { COSMOS_ENDPOINT: store.endpoint, COSMOS_KEY: cosmos.key, SWEEP_INTERVAL_SECONDS: "3600" } });
    try {
      store.delayMs = 200; // each store request takes a while: the contact below is still being saved at the stop
      const hangUp = new AbortController();
      const activity = cardAction(
        "contact.submit",
        { formId: randomUUID(), ...contactForm({ receivedOn: "2026-03-09" }) },
        { serviceUrl: t.connector.url, from: OFFICER },
      );
      const sent = fetch(`${t.bot.url}/api/messages`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(activity),
        signal: hangUp.signal,
      });
      sent.catch(() => undefined);
      const before = store.requests;
      await until("the turn is reading and writing", () => store.requests > before, 5_000);
      hangUp.abort(); // the Bot Connector gives up on us
      await t.close();
      const client = new CosmosClient({ endpoint: cosmos.endpoint, key: cosmos.key, connectionPolicy: { enableEndpointDiscovery: false } });
      const { resources } = await client
        .database("pals")
        .container("trust-cases")
        .items.query("SELECT VALUE COUNT(1) FROM c WHERE c.docType = 'case'")
        .fetchAll();
      client.dispose();
      assert.equal(resources[0], 1, "the case was saved before the store closed");
      assert.ok(!t.logLines.some((line) => line.level === "error"), "no turn failed on a closed store");
    } finally {
      await store.stop();
      await cosmos.stop();
    }
  });
});
