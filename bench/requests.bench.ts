import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { CosmosClient } from "@azure/cosmos";
import {
  addCalendarDays,
  addWorkingDays,
  DEFAULT_RULES,
  formatCaseReference,
  londonDate,
  newCase,
  type Case,
  type LearningAction,
  DEFAULT_RETENTION,
} from "../src/domain";
import { CosmosCaseRepository } from "../src/store/caseRepository";
import { startEmbeddedCosmos } from "../src/store/embedded";
import { cardAction, MANAGER, OFFICER, personalMessage, TENANT_ID } from "../test/helpers/activities";
import { contactForm, parsedContact } from "../test/helpers/caseFixtures";
import { forwardTo } from "../test/helpers/cosmosProxy";
import { FakeConnector } from "../test/helpers/fakeConnector";
import { freePort } from "../test/helpers/ports";
import { LogCounter } from "./logCounter";
import { palsDeskBuild, startProcess } from "./processes";

const n = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

type Kind = "read" | "write" | "query" | "queryPlan" | "metadata";

/** Counts what the bot asks of the store, by kind; forwards everything unchanged. */
export class CountingProxy {
  private server?: http.Server;
  counts: Record<Kind, number> = { read: 0, write: 0, query: 0, queryPlan: 0, metadata: 0 };
  inFlight = 0;
  lastSeen = 0;

  constructor(private readonly target: string) {}

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      this.counts[kindOf(req)] += 1;
      this.inFlight += 1;
      this.lastSeen = Date.now();
      res.on("close", () => {
        this.inFlight -= 1;
        this.lastSeen = Date.now();
      });
      forwardTo(this.target, req, res);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", () => resolve()));
    return this;
  }

  reset(): void {
    this.counts = { read: 0, write: 0, query: 0, queryPlan: 0, metadata: 0 };
  }

  /** Resolves once nothing has gone to the store for `quietMs` (follow-up work after the answer included). */
  async quiet(quietMs = 500): Promise<void> {
    while (this.inFlight > 0 || Date.now() - this.lastSeen < quietMs) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** Documents are read (GET one), written (POST, PUT, PATCH, DELETE, batches) or queried (query POSTs, feed GETs). */
export function kindOf(req: http.IncomingMessage): Kind {
  if (String(req.headers["x-ms-cosmos-is-query-plan-request"]).toLowerCase() === "true") return "queryPlan";
  const url = (req.url ?? "").split("?")[0];
  const docs = /\/docs(\/[^/]+)?\/?$/.exec(url);
  if (!docs) return "metadata";
  if (req.method === "GET") return docs[1] ? "read" : "query";
  if (req.method === "POST" && String(req.headers["x-ms-documentdb-isquery"]).toLowerCase() === "true") return "query";
  return "write";
}

/** Open cases owned by the officer across the next weeks (some due now) and last month's closed ones, for the lists and the report to return rows. */
function seedCases(today: string): Case[] {
  const owner = { aadObjectId: OFFICER.aadObjectId, name: OFFICER.name };
  return Array.from({ length: 40 }, (_, i) => {
    const receivedOn = addCalendarDays(today, -(1 + i * 2));
    // No NHS number: a logged contact then finds no repeat contacts, whatever was seeded.
    const form = {
      nhsNumber: "",
      dateOfBirth: "",
      receivedOn,
      eventOn: addCalendarDays(receivedOn, -2),
      contactType: i % 4 === 3 ? "concern" : "complaint",
      division: i % 2 ? "Medicine" : "Surgery",
    };
    const c = newCase(parsedContact(form, today), {
      id: randomUUID(),
      trustId: TENANT_ID,
      reference: formatCaseReference(Number(today.slice(0, 4)), 9001 + i),
      now: new Date(`${receivedOn}T09:00:00Z`),
      rules: DEFAULT_RULES,
      by: owner,
    });
    // Every fourth case has an action arising: open and the officer's on open cases, done on closed ones.
    const actions: LearningAction[] =
      i % 4 === 0
        ? [
            {
              id: randomUUID(),
              description: "Call bells checked at every shift handover",
              subject: "communications",
              owner,
              division: form.division,
              dueOn: addWorkingDays(today, 5 + i),
              status: i % 5 === 4 ? "done" : "open",
              createdOn: receivedOn,
              createdBy: owner,
              ...(i % 5 === 4 ? { done: { on: addCalendarDays(today, -20), by: owner, evidence: "Added to the handover sheet" } } : {}),
            },
          ]
        : [];
    const closed = i % 5 === 4;
    if (!closed) return { ...c, owner, ...(actions.length ? { actions } : {}) };
    const copy: Case = { ...c, owner, status: "closed", closedOn: addCalendarDays(receivedOn, 3), outcome: "resolved", ...(actions.length ? { actions } : {}) };
    delete copy.nextDueOn;
    return copy;
  });
}

/**
 * Cosmos DB requests per operation: each operation once, one after another, through a counting proxy in front
 * of the embedded store (which runs in this process: nothing is timed here). A deterministic figure, unlike the
 * load timings. Query plans (the client asks for one beside each query; the embedded server refuses them) are
 * listed apart, as in docs/benchmarks.md's table.
 */
export async function cosmosRequestsPerOperation(): Promise<void> {
  const connector = await new FakeConnector().start();
  connector.recordCalls = false;
  const store = await startEmbeddedCosmos();
  const proxy = await new CountingProxy(store.endpoint).start();
  let bot: Awaited<ReturnType<typeof startProcess>> | undefined;
  try {
    const port = await freePort();
    const logged = new LogCounter();
    bot = await startProcess(
      palsDeskBuild(),
      port,
      "PALS Desk is listening",
      {
        COSMOS_ENDPOINT: proxy.endpoint,
        COSMOS_KEY: store.key,
        COSMOS_DATABASE: "pals",
        ROLE_OFFICERS: OFFICER.aadObjectId,
        ROLE_MANAGERS: MANAGER.aadObjectId,
      },
      (line) => logged.add(line),
    );
    const today = londonDate(new Date());
    const seeded = seedCases(today);
    // Straight to the store, not through the proxy (not counted), and once the bot has made the containers:
    // openStore replaces a container whose composite indexes read back differently, and the embedded server
    // makes the replaced container anew, empty.
    const client = new CosmosClient({ endpoint: store.endpoint, key: store.key, connectionPolicy: { enableEndpointDiscovery: false } });
    const cases = new CosmosCaseRepository(client.database("pals").container("cases"), DEFAULT_RETENTION, DEFAULT_RULES);
    for (const c of seeded) await cases.create(c);
    client.dispose();
    const serviceUrl = connector.url;
    const send = async (activity: object): Promise<number> => {
      const answer = await fetch(`http://127.0.0.1:${port}/api/messages`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(activity),
      });
      await answer.arrayBuffer();
      return answer.status;
    };
    // Start-up requests, and each person's first turn (they are remembered once), are not an operation's.
    // The first contact also makes the year's reference counter: one logged beforehand, so the figures are every later one's.
    for (const from of [OFFICER, MANAGER]) await send(personalMessage("help", { serviceUrl, from }));
    await send(cardAction("contact.submit", { formId: randomUUID(), ...contactForm({ receivedOn: today, nhsNumber: "" }) }, { serviceUrl }));
    await proxy.quiet();

    const openCase = seeded.find((c) => c.status === "open")!;
    const openComplaint = seeded.find((c) => c.status === "open" && c.type === "complaint" && c.id !== openCase.id)!;
    const operations: [string, object][] = [
      [
        "log a contact (invoke, no NHS number)",
        cardAction("contact.submit", { formId: randomUUID(), ...contactForm({ receivedOn: today, nhsNumber: "" }) }, { serviceUrl }),
      ],
      [
        "log a contact (invoke, NHS number given)",
        cardAction("contact.submit", { formId: randomUUID(), ...contactForm({ receivedOn: today }) }, { serviceUrl }),
      ],
      ["open a case card (case.view)", cardAction("case.view", { caseId: openCase.id }, { serviceUrl })],
      ["my cases", personalMessage("my cases", { serviceUrl })],
      ["due", personalMessage("due", { serviceUrl })],
      ["find jones", personalMessage("find jones", { serviceUrl })],
      ["report (manager)", personalMessage("report", { serviceUrl, from: MANAGER })],
      [
        "record update given (case card)",
        cardAction("case.recordUpdateGiven", { caseId: openComplaint.id, updateHow: "phone", updateOn: today, updateNote: "" }, { serviceUrl }),
      ],
      [
        "add an action (case card)",
        cardAction(
          "action.add",
          {
            caseId: openCase.id,
            actionDescription: "Discharge letters checked by a second nurse",
            actionOwner: OFFICER.aadObjectId,
            actionDivision: "Medicine",
            actionDueOn: addWorkingDays(today, 10),
            actionSubject: "",
          },
          { serviceUrl },
        ),
      ],
      ["actions", personalMessage("actions", { serviceUrl })],
      ["actions all (manager)", personalMessage("actions all", { serviceUrl, from: MANAGER })],
      ["you said we did (manager)", personalMessage("you said we did last month", { serviceUrl, from: MANAGER })],
    ];
    console.log("Cosmos DB requests per operation (each once, in turn, counted at a proxy in front of the store; 40 cases seeded; query plans apart):");
    for (const [label, activity] of operations) {
      proxy.reset();
      const started = Date.now();
      const status = await send(activity);
      await proxy.quiet();
      const { read, write, query, queryPlan, metadata } = proxy.counts;
      const total = read + write + query + metadata;
      await new Promise((resolve) => setTimeout(resolve, 100)); // the turn's last log lines
      const { errors } = logged.between(started, Date.now());
      // A failed turn still answers 200: its count is not the operation's, so say so.
      const failed = `${status === 200 ? "" : `, answered ${status}`}${errors ? `, FAILED: ${errors} error${errors === 1 ? "" : "s"} logged` : ""}`;
      const parts = [n(read, "read"), n(write, "write"), n(query, "query", "queries"), ...(metadata ? [n(metadata, "metadata request")] : [])];
      console.log(`  ${label}: ${n(total, "request")} (${parts.join(", ")}), ${n(queryPlan, "query plan")}${failed}`);
    }
  } finally {
    bot?.child.kill("SIGKILL");
    await proxy.stop();
    await store.stop();
    await connector.stop();
  }
}
