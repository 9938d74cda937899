import { strict as assert } from "node:assert";
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { CosmosClient } from "@azure/cosmos";
import { caseIdFor } from "../../src/cases";
import { startEmbeddedCosmos, type EmbeddedCosmos } from "../../src/store/embedded";
import { cardAction, TENANT_ID } from "../helpers/activities";
import { contactForm } from "../helpers/caseFixtures";
import { freePort } from "../helpers/ports";

const ROOT = path.resolve(__dirname, "..", "..");
const SWEEP_SECRET = "kill-test-sweep-secret-0123456789";

/** Starts PALS Desk as its own process and resolves once it logs that it is listening. */
function startBotProcess(port: number, cosmos: EmbeddedCosmos): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "src", "index.ts")], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      COSMOS_ENDPOINT: cosmos.endpoint,
      COSMOS_KEY: cosmos.key,
      LOG_LEVEL: "info",
      SWEEP_INTERVAL_SECONDS: "0",
      SWEEP_SECRET,
    },
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
  this.timeout(180_000);
  let cosmos: EmbeddedCosmos;
  let child: ChildProcess | undefined;

  before(async () => {
    cosmos = await startEmbeddedCosmos();
  });
  after(async () => {
    child?.kill("SIGKILL");
    await cosmos.stop();
  });

  it("restarts; with every unanswered submission sent again, every case is whole: created once, scheduled, its safeguarding alert queued", async () => {
    const port = await freePort();
    child = await startBotProcess(port, cosmos);
    const url = `http://127.0.0.1:${port}/api/messages`;
    const submissions: { caseId: string; safeguarding: boolean; activity: object; answered: boolean }[] = [];
    const post = async (activity: object): Promise<string | undefined> => {
      const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(activity) });
      const body = (await response.json()) as { value?: { refresh?: { action?: { data?: { caseId?: string } } } } };
      return body.value?.refresh?.action?.data?.caseId;
    };
    let answeredCount = 0;
    const submit = async () => {
      const formId = randomUUID();
      const safeguarding = submissions.length % 3 === 0;
      const form = { formId, ...contactForm({ receivedOn: "2026-03-09", contactType: "concern", safeguarding: String(safeguarding), nhsNumber: "" }) };
      const submission = {
        caseId: caseIdFor(TENANT_ID, formId),
        safeguarding,
        activity: cardAction("contact.submit", form, { serviceUrl: "http://127.0.0.1:9/" }),
        answered: false,
      };
      submissions.push(submission);
      try {
        submission.answered = (await post(submission.activity)) === submission.caseId;
        if (submission.answered && ++answeredCount === 25) child!.kill("SIGKILL"); // mid-load, as the 25th is answered
      } catch {
        // The connection died with the process: never answered, so nothing was promised.
      }
    };
    // 8 officers keep logging contacts until the bot dies.
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = 0; i < 40 && child!.exitCode === null && child!.signalCode === null; i++) await submit();
      }),
    );
    const unanswered = submissions.filter((s) => !s.answered);
    assert.ok(answeredCount >= 25 && unanswered.length > 0, `the kill interrupted the load (${answeredCount} answered, ${unanswered.length} not)`);

    child = await startBotProcess(port, cosmos);
    // The restarted bot's sweep finishes what the killed one left pending; then every officer presses again.
    const sweep = await fetch(`http://127.0.0.1:${port}/api/jobs/sweep`, { method: "POST", headers: { authorization: `Bearer ${SWEEP_SECRET}` } });
    assert.equal(sweep.status, 200);
    for (const submission of unanswered) assert.equal(await post(submission.activity), submission.caseId, "the retried submission is answered with its case");

    const client = new CosmosClient({ endpoint: cosmos.endpoint, key: cosmos.key, connectionPolicy: { enableEndpointDiscovery: false } });
    const database = client.database("pals");
    const problems: string[] = [];
    for (const { caseId, safeguarding } of submissions) {
      const { resource: stored } = await database.container("trust-cases").item(caseId, TENANT_ID).read<{ pending?: unknown[]; watchOn?: string }>();
      if (!stored) {
        problems.push(`${caseId}: no case`);
        continue;
      }
      if (stored.pending?.length) problems.push(`${caseId}: follow-ups still pending`);
      const events = (
        await database
          .container("events")
          .items.query<{ kind: string }>({ query: "SELECT c.kind FROM c WHERE c.caseId = @id", parameters: [{ name: "@id", value: caseId }] })
          .fetchAll()
      ).resources;
      if (events.length !== 1 || events[0].kind !== "created") problems.push(`${caseId}: timeline ${JSON.stringify(events.map((e) => e.kind))}`);
      if (!stored.watchOn) problems.push(`${caseId}: not watched by the sweep`);
      const { resource: alert } = await database.container("trust-jobs").item(`alert:${caseId}:safeguarding`, TENANT_ID).read();
      if (safeguarding !== (alert !== undefined)) problems.push(`${caseId}: safeguarding ${safeguarding}, alert ${alert ? "queued" : "missing"}`);
    }
    client.dispose();
    assert.deepEqual(problems, [], `${submissions.length} submissions (${unanswered.length} retried after the kill): every case whole`);
  });
});
