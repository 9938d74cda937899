import { strict as assert } from "node:assert";
import { Writable } from "node:stream";
import sinon from "sinon";
import { alertOutboxItem, type ConversationAddress, DEFAULT_RULES, DEFAULT_RETENTION } from "../../src/domain";
import { Dispatcher, type Deliverer } from "../../src/jobs/dispatcher";
import { startJobs } from "../../src/jobs/runtime";
import { CosmosCaseRepository } from "../../src/store/caseRepository";
import { createLogger } from "../../src/logger";
import type { Store } from "../../src/store/cosmos";
import { CosmosOutboxStore, CosmosSweepCursor, CosmosSweepLease } from "../../src/store/jobsRepository";
import { openTestStore } from "../helpers/store";

const TENANT = "trust-storm";
const CHANNEL: ConversationAddress = {
  conversationId: "19:alerts@thread.tacv2",
  serviceUrl: "http://127.0.0.1/",
  channelId: "msteams",
  conversationType: "channel",
};

describe("an alert storm to one managers' channel (embedded Cosmos DB)", () => {
  let store: Store;

  beforeEach(async () => {
    store = await openTestStore();
  });

  afterEach(async () => {
    sinon.restore();
    await store.close();
  });

  it("sends what Teams allows in order, and leaves the rest unread and unwritten for the next sweep", async () => {
    const outbox = new CosmosOutboxStore(store.containers.jobs);
    const start = Date.parse("2026-03-10T09:00:00Z");
    // 30 alerts queued a second apart, oldest first.
    for (let i = 0; i < 30; i++) {
      const c = { id: `case-${String(i).padStart(2, "0")}`, trustId: TENANT, reference: `PALS-2026-${String(i).padStart(6, "0")}` };
      await outbox.enqueue(alertOutboxItem(c, "safeguarding", "2026-03-10", new Date(start - (30 - i) * 1000)));
    }
    const sent: string[] = [];
    const deliverer: Deliverer = {
      addressFor: async () => CHANNEL,
      send: async (item) => {
        sent.push(item.payload.kind === "alert" ? item.payload.caseId : item.id);
        return { ok: true };
      },
      unreachable: async () => undefined,
      noticeAdmins: async () => undefined,
    };
    const dispatcher = new Dispatcher(outbox, deliverer, createLogger("silent", new Writable({ write: (_c, _e, done) => done() })));
    const reads = sinon.spy(outbox, "get");
    const writes = sinon.spy(outbox, "save");

    const first = await dispatcher.dispatch(new Date(start));
    assert.equal(first.sent, 7, "Teams takes 7 a second in one conversation");
    assert.equal(first.deferredByRateLimit, 23);
    assert.deepEqual(sent, ["case-00", "case-01", "case-02", "case-03", "case-04", "case-05", "case-06"], "oldest first");
    // Each sent item is read, claimed, read again and marked sent; the first one over the limit is read, the rest not at all.
    assert.equal(reads.callCount, 7 * 2 + 1);
    assert.equal(writes.callCount, 7 * 2, "nothing written for the ones that wait");

    const second = await dispatcher.dispatch(new Date(start + 1000));
    assert.equal(second.sent, 7);
    assert.deepEqual(sent.slice(7), ["case-07", "case-08", "case-09", "case-10", "case-11", "case-12", "case-13"], "in order after the wait");
  });

  it("tries again a second later what Teams' limit held back, not at the next minute's sweep", async () => {
    const outbox = new CosmosOutboxStore(store.containers.jobs);
    let now = Date.parse("2026-03-10T08:00:00Z");
    for (let i = 0; i < 10; i++) {
      const c = { id: `case-${String(i).padStart(2, "0")}`, trustId: TENANT, reference: `PALS-2026-${String(i).padStart(6, "0")}` };
      await outbox.enqueue(alertOutboxItem(c, "safeguarding", "2026-03-10", new Date(now - (10 - i) * 1000)));
    }
    const sent: string[] = [];
    const deliverer: Deliverer = {
      addressFor: async () => CHANNEL,
      send: async (item) => {
        sent.push(item.id);
        return { ok: true };
      },
      unreachable: async () => undefined,
      noticeAdmins: async () => undefined,
    };
    // Only setTimeout is faked: the store's requests and the scheduler's setImmediate run as they do.
    const clock = sinon.useFakeTimers({ toFake: ["setTimeout"], now });
    const jobs = startJobs({
      rules: DEFAULT_RULES,
      cases: new CosmosCaseRepository(store.containers.cases, DEFAULT_RETENTION, DEFAULT_RULES),
      outbox,
      cursor: new CosmosSweepCursor(store.containers.jobs),
      lease: new CosmosSweepLease(store.containers.jobs),
      deliverer,
      hooks: {},
      log: createLogger("silent", new Writable({ write: (_c, _e, done) => done() })),
      now: () => new Date(now),
      intervalSeconds: 3600,
      retention: { years: 10, action: "anonymise" },
      finishPendingCases: async () => 0,
      applyRetention: async () => "not-due",
    });
    const spin = async (count: number, turns: number) => {
      for (let i = 0; i < turns && sent.length < count; i++) await new Promise((resolve) => setImmediate(resolve));
    };
    try {
      jobs.kick();
      await spin(7, 1_000_000);
      assert.equal(sent.length, 7, "Teams takes 7 a second in one conversation");
      // Time moves a second at a time (the store's answers take real time in between): the rest go within seconds.
      let waited = 0;
      while (sent.length < 10 && waited < 10_000) {
        now += 1000;
        waited += 1000;
        await clock.tickAsync(1000);
        await spin(10, 20_000);
      }
      assert.equal(sent.length, 10, "the rest went within seconds, not at the next tick an hour on");
      assert.ok(waited <= 3000, `waited ${waited} ms`);
    } finally {
      await jobs.stop();
      clock.restore();
    }
  });
});
