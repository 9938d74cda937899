import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { addWorkingDays, DEFAULT_RETENTION, formatCaseReference, type Case, type ConversationAddress, DEFAULT_RULES } from "../../src/domain";
import { Dispatcher, type Deliverer } from "../../src/jobs/dispatcher";
import { sweep } from "../../src/jobs/sweep";
import { createLogger } from "../../src/logger";
import { CosmosCaseRepository } from "../../src/store/caseRepository";
import type { Store } from "../../src/store/cosmos";
import { CosmosOutboxStore, CosmosSweepCursor, CosmosSweepLease, SYSTEM_PARTITION } from "../../src/store/jobsRepository";
import { makeCase } from "../helpers/caseFixtures";
import { deskFor } from "../helpers/desk";
import { openTestStore } from "../helpers/store";

const TRUSTS = 200;
const CASES_PER_TRUST = 250;
/** Trusts with one case due at today's round (the rest of their cases are due later, or closed). */
const TRUSTS_WITH_DUE_WORK = 60;
const TODAY = "2026-03-10";
const NOW = new Date(`${TODAY}T09:00:00Z`);

/** Sends nothing; each person has a chat of their own (so Teams' per-chat limits hold nothing back). */
const nowhere: Deliverer = {
  addressFor: async (item): Promise<ConversationAddress> => ({
    conversationId: `chat-${item.id}`,
    serviceUrl: "http://127.0.0.1/",
    channelId: "msteams",
    conversationType: "personal",
  }),
  send: async () => ({ ok: true }),
  unreachable: async () => undefined,
  noticeAdmins: async () => undefined,
};

/** Case `index` of a trust: the first one due today in some trusts, the others due in 3 to 60 working days, a fifth closed. */
function caseOf(trust: number, index: number): Case {
  const due = index === 0 && trust < TRUSTS_WITH_DUE_WORK;
  const closed = !due && index % 5 === 4;
  const respondBy = due ? TODAY : addWorkingDays(TODAY, 3 + (index % 58));
  const c: Case = {
    ...makeCase(),
    id: randomUUID(),
    trustId: `trust-${trust}`,
    reference: formatCaseReference(2026, index + 1),
    type: "concern",
    deadlines: { respondBy },
    nextDueOn: respondBy,
    owner: { aadObjectId: `officer-${trust}-${index % 8}`, name: "Officer" },
  };
  if (!closed) return c;
  const copy: Case = { ...c, status: "closed", closedOn: "2026-02-02", outcome: "resolved" };
  delete copy.nextDueOn;
  return copy;
}

describe("many trusts in one store (50,000 cases across 200 trusts, embedded Cosmos DB)", function () {
  this.timeout(600_000);
  let store: Store;

  before(async () => {
    store = await openTestStore();
    const cases = new CosmosCaseRepository(store.containers.cases, DEFAULT_RETENTION, DEFAULT_RULES);
    const all = Array.from({ length: TRUSTS * CASES_PER_TRUST }, (_, i) => caseOf(i % TRUSTS, Math.floor(i / TRUSTS)));
    // Saved as every change saves a case: the case document carries its watch day, and nothing else is written.
    for (let start = 0; start < all.length; start += 200) await Promise.all(all.slice(start, start + 200).map((c) => cases.create(c)));
  });

  after(async () => {
    await store.close();
  });

  it("keeps no shared document that grows: nothing in the jobs container over 64 KiB, the system partition two small documents", async () => {
    const log = createLogger("silent", new Writable({ write: (_chunk, _encoding, done) => done() }));
    const outbox = new CosmosOutboxStore(store.containers.jobs);
    const desk = deskFor(store, { log, now: () => NOW });
    const cursor = new CosmosSweepCursor(store.containers.jobs);
    await cursor.markSwept("2026-03-09", undefined);
    const report = await sweep(
      {
        rules: DEFAULT_RULES,
        cases: new CosmosCaseRepository(store.containers.cases, DEFAULT_RETENTION, DEFAULT_RULES),
        retention: DEFAULT_RETENTION,
        finishPendingCases: () => desk.jobs.finishPendingCases(),
        applyRetention: (trustId, caseId) => desk.jobs.applyRetention(trustId, caseId),
        cursor,
        outbox,
        lease: new CosmosSweepLease(store.containers.jobs),
        dispatcher: new Dispatcher(outbox, nowhere, log),
        log,
        instanceId: "scale-test",
        leaseMs: 60_000,
      },
      NOW,
    );

    // The sweep reads only the due work: the cursor, the due cases (whole, in pages), and one query for the cases
    // with details still to record (none here, every case is complete).
    assert.equal(report.casesChecked, TRUSTS_WITH_DUE_WORK);
    assert.equal(report.documentsRead, TRUSTS_WITH_DUE_WORK + 2);
    assert.equal(report.digestsQueued, TRUSTS_WITH_DUE_WORK, "one digest for each owner with a case due");
    assert.equal(report.delivery?.sent, TRUSTS_WITH_DUE_WORK);

    const { resources: jobs } = await store.containers.jobs.items.query<Record<string, unknown>>("SELECT * FROM c").fetchAll();
    const biggest = Math.max(...jobs.map((document) => Buffer.byteLength(JSON.stringify(document))));
    assert.ok(biggest < 64 * 1024, `the biggest jobs document is ${biggest} bytes`);
    const system = jobs
      .filter((document) => document.trustId === SYSTEM_PARTITION)
      .map((document) => document.id)
      .sort();
    assert.deepEqual(system, ["agenda-cursor", "sweep-lease"], "the cursor and the lease, nothing filed per case");
    // Each digest sits in its own trust's partition.
    const digests = jobs.filter((document) => document.docType === "outbox");
    assert.equal(new Set(digests.map((document) => document.trustId)).size, TRUSTS_WITH_DUE_WORK);
  });
});
