import { strict as assert } from "node:assert";
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { CosmosClient } from "@azure/cosmos";
import { startEmbeddedCosmos, type EmbeddedCosmos } from "../../src/store/embedded";
import { cardAction } from "../helpers/activities";
import { contactForm } from "../helpers/caseFixtures";
import { freePort } from "../helpers/ports";

const ROOT = path.resolve(__dirname, "..", "..");

/** Starts PALS Desk as its own process and resolves once it logs that it is listening. */
function startBotProcess(port: number, cosmos: EmbeddedCosmos): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "src", "index.ts")], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), COSMOS_ENDPOINT: cosmos.endpoint, COSMOS_KEY: cosmos.key, LOG_LEVEL: "info", SWEEP_INTERVAL_SECONDS: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("PALS Desk is listening")) resolve(child);
    });
    child.once("exit", (code) => reject(new Error(`PALS Desk exited with ${code} before listening:\n${output}`)));
  });
}

describe("a bot killed with SIGKILL while contacts are being logged", function () {
  this.timeout(120_000);
  let cosmos: EmbeddedCosmos;
  let child: ChildProcess | undefined;

  before(async () => {
    cosmos = await startEmbeddedCosmos();
  });
  after(async () => {
    child?.kill("SIGKILL");
    await cosmos.stop();
  });

  it("restarts, and every submission that was answered with a case reference is in the store", async () => {
    const port = await freePort();
    child = await startBotProcess(port, cosmos);
    const url = `http://127.0.0.1:${port}/api/messages`;
    const answered: string[] = [];
    let failed = 0;
    const submit = async () => {
      const activity = cardAction("contact.submit", { formId: randomUUID(), ...contactForm({ receivedOn: "2026-03-09" }) }, { serviceUrl: "http://127.0.0.1:9/" });
      try {
        const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(activity) });
        const body = (await response.json()) as { value?: { refresh?: { action?: { data?: { caseId?: string } } } } };
        const caseId = body.value?.refresh?.action?.data?.caseId;
        if (caseId) answered.push(caseId);
        // The bot is killed the moment the 25th contact has been answered, mid-load.
        if (answered.length === 25) child!.kill("SIGKILL");
      } catch {
        failed += 1; // the connection died with the process: never answered, so nothing was promised
      }
    };
    // 8 officers keep logging contacts until the bot dies.
    const load = Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = 0; i < 40 && child!.exitCode === null && child!.signalCode === null; i++) await submit();
      }),
    );
    await load;
    assert.ok(answered.length >= 25);
    assert.ok(failed > 0 || answered.length < 320, "the kill interrupted the load");

    child = await startBotProcess(port, cosmos);
    const client = new CosmosClient({ endpoint: cosmos.endpoint, key: cosmos.key, connectionPolicy: { enableEndpointDiscovery: false } });
    const container = client.database("pals").container("cases");
    const missing: string[] = [];
    for (const caseId of answered) {
      const { resource } = await container.item(caseId, "72f988bf-0000-4000-8000-0000000000aa").read();
      if (!resource) missing.push(caseId);
    }
    assert.deepEqual(missing, [], "every case reference given out survived the kill");
    // And the restarted bot carries on: the next contact gets the next free reference.
    await submit();
    client.dispose();
  });
});
