// The case document keeps its newest timeline entries for the case card, written by the same write that adds
// the events: so the card needs no timeline query, shows a note whose event is still to be written, and loses
// its notes when records retention clears the timeline's free text.
import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import sinon from "sinon";
import { changeCase } from "../../src/cases/changes";
import { applyRetention } from "../../src/cases/retention";
import { formatCaseReference, type Case } from "../../src/domain";
import { createLogger } from "../../src/logger";
import type { Store } from "../../src/store/cosmos";
import { makeCase } from "../helpers/caseFixtures";
import { deskDeps } from "../helpers/desk";
import { openTestStore } from "../helpers/store";
import { destroyDecided } from "../helpers/retention";

const OFFICER = { aadObjectId: "officer-1", name: "Olivia Officer" };

describe("the case document's latest timeline entries (embedded Cosmos DB)", () => {
  let store: Store;
  let deps: ReturnType<typeof deskDeps>;
  let now = new Date("2026-03-10T10:00:00Z");

  before(async () => {
    store = await openTestStore();
    deps = deskDeps(store, { log: createLogger("silent", new Writable({ write: (_c, _e, done) => done() })), now: () => now });
  });
  after(async () => store.close());
  afterEach(() => sinon.restore());

  async function newCase(overrides: Partial<Case> = {}): Promise<Case> {
    const c: Case = {
      ...makeCase(),
      id: randomUUID(),
      trustId: `trust-${randomUUID()}`,
      reference: formatCaseReference(2026, Math.floor(Math.random() * 1e6) + 1),
      ...overrides,
    };
    await deps.cases.create(c, { revision: 1, pending: [], applied: [] });
    return c;
  }

  async function addNote(c: Case, note: string) {
    now = new Date(now.getTime() + 60_000);
    return changeCase(deps, {
      trustId: c.trustId,
      caseId: c.id,
      actor: OFFICER,
      apply: (current) => ({ updated: current, events: [{ kind: "note-added", summary: "Note added", detail: note }] }),
    });
  }

  it("keeps the three newest, newest first, once their follow-ups are done and cleared", async () => {
    const c = await newCase();
    for (const note of ["one", "two", "three", "four"]) await addNote(c, note);
    const stored = (await deps.cases.get(c.trustId, c.id))!;
    assert.deepEqual(stored.pending, []);
    assert.deepEqual(
      stored.latest?.map((entry) => entry.detail),
      ["four", "three", "two"],
    );
    assert.equal(stored.latest?.[0].by, "Olivia Officer");
  });

  it("shows a note whose timeline event could not be written yet: the case write carries it", async () => {
    const c = await newCase();
    sinon.stub(deps.timeline, "record").rejects(new Error("Service unavailable"));
    const outcome = await addNote(c, "Rang the ward");
    assert.equal(outcome.kind, "saved");
    const stored = (await deps.cases.get(c.trustId, c.id))!;
    assert.equal(stored.pending.length, 1, "the event is still to be written");
    assert.equal(stored.latest?.[0].detail, "Rang the ward");
    sinon.restore();
    await addNote(c, "Called back");
    const finished = (await deps.cases.get(c.trustId, c.id))!;
    assert.deepEqual(
      finished.latest?.map((entry) => entry.detail),
      ["Called back", "Rang the ward"],
      "each once",
    );
  });

  it("loses every note when records retention clears the timeline's free text", async () => {
    const c = await newCase({
      status: "closed",
      closedOn: "2015-03-02",
      outcome: "upheld",
      ...destroyDecided({ status: "closed", closedOn: "2015-03-02" }, now),
    });
    await addNote(c, "The son said the patient was frightened");
    const outcome = await applyRetention(deps, c.trustId, c.id);
    assert.equal(outcome, "applied");
    const stored = (await deps.cases.get(c.trustId, c.id))!;
    assert.equal(stored.latest?.[0].kind, "retention-applied");
    assert.ok(stored.latest?.every((entry) => entry.detail === undefined));
    const document = (await store.containers.cases.item(c.id, c.trustId).read()).resource;
    assert.doesNotMatch(JSON.stringify(document), /frightened/);
  });
});
