import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { createCaseDesk } from "../../src/cases";
import { changeCase, finishCase, finishPendingCases, followUpsOf } from "../../src/cases/changes";
import { applyRetention } from "../../src/cases/retention";
import { alertOutboxId, CaseRuleError, formatCaseReference, recordSignposting, type Case, type CaseEvent, DEFAULT_RULES } from "../../src/domain";
import { createLogger } from "../../src/logger";
import type { Store } from "../../src/store/cosmos";
import { contactForm, makeCase } from "../helpers/caseFixtures";
import { deskDeps } from "../helpers/desk";
import { openTestStore } from "../helpers/store";
import { destroyDecided } from "../helpers/retention";

const NOW = new Date("2026-03-10T10:00:00Z");
const OFFICER = { aadObjectId: "officer-1", name: "Olivia Officer" };

describe("a case change is one write, its follow-ups finished by whoever finds them (embedded Cosmos DB)", () => {
  let store: Store;
  let deps: ReturnType<typeof deskDeps>;

  before(async () => {
    store = await openTestStore();
    deps = deskDeps(store, { log: createLogger("silent", new Writable({ write: (_c, _e, done) => done() })), now: () => NOW });
  });
  after(async () => store.close());

  async function newCase(overrides: Partial<Case> = {}): Promise<Case> {
    const c: Case = {
      ...makeCase(),
      id: randomUUID(),
      trustId: `trust-${randomUUID()}`,
      reference: formatCaseReference(2026, Math.floor(Math.random() * 1e6) + 1),
      signposting: [],
      ...overrides,
    };
    await deps.cases.create(c, { revision: 1, pending: [], applied: [] });
    return c;
  }

  const events = async (caseId: string): Promise<CaseEvent[]> => deps.timeline.list(caseId);
  const addNote = (c: Case, trustId = c.trustId) =>
    changeCase(deps, {
      trustId,
      caseId: c.id,
      actor: OFFICER,
      apply: (current) => ({ updated: current, events: [{ kind: "note-added", summary: "Note added", detail: "Spoke to the ward" }] }),
    });

  it("keeps every one of five simultaneous changes to one case", async () => {
    const c = await newCase();
    const organisations = ["advocacy", "phso", "healthwatch", "citizens-advice", "samaritans"];
    await Promise.all(
      organisations.map((id) =>
        changeCase(deps, {
          trustId: c.trustId,
          caseId: c.id,
          actor: OFFICER,
          apply: (current) => ({ ...recordSignposting(current, [{ id, title: id }], { rules: DEFAULT_RULES, actor: OFFICER, now: NOW }), events: [] }),
        }),
      ),
    );
    const stored = (await deps.cases.get(c.trustId, c.id))!;
    assert.deepEqual([...stored.value.signposting].sort(), [...organisations].sort());
    assert.equal(stored.revision, 6);
    assert.deepEqual(stored.pending, []);
  });

  it("passes on a rule the fresh case breaks, writing nothing", async () => {
    const c = await newCase();
    const outcome = await changeCase(deps, {
      trustId: c.trustId,
      caseId: c.id,
      actor: OFFICER,
      apply: () => {
        throw new CaseRuleError("This case is already closed.");
      },
    });
    assert.equal(outcome.kind, "refused");
    assert.equal((await deps.cases.get(c.trustId, c.id))!.revision, 1);
  });

  it("applies a retried submission once, and a new one again", async () => {
    const c = await newCase();
    const first = await changeCase(deps, {
      trustId: c.trustId,
      caseId: c.id,
      actor: OFFICER,
      submission: "card-1",
      apply: (current) => ({ updated: current, events: [{ kind: "note-added", summary: "Note added", detail: "Rang back" }] }),
    });
    const retried = await changeCase(deps, {
      trustId: c.trustId,
      caseId: c.id,
      actor: OFFICER,
      submission: "card-1",
      apply: (current) => ({ updated: current, events: [{ kind: "note-added", summary: "Note added", detail: "Rang back" }] }),
    });
    const another = await changeCase(deps, {
      trustId: c.trustId,
      caseId: c.id,
      actor: OFFICER,
      submission: "card-2",
      apply: (current) => ({ updated: current, events: [{ kind: "note-added", summary: "Note added", detail: "Rang back" }] }),
    });
    assert.deepEqual([first.kind, retried.kind, another.kind], ["saved", "already-applied", "saved"]);
    assert.equal((await events(c.id)).length, 2);
  });

  /** A change saved as a crashed bot would leave it: the case written with its follow-ups, none of them done. */
  async function crashedChange(c: Case, flagged: Case): Promise<void> {
    const record = (await deps.cases.get(c.trustId, c.id))!;
    const followUps = followUpsOf(
      deps,
      record.value,
      { updated: flagged, events: [{ kind: "note-added", summary: "Safeguarding raised", detail: "Bruising seen" }] },
      record.revision + 1,
      OFFICER,
    );
    await deps.cases.save(flagged, { revision: record.revision + 1, pending: [...record.pending, followUps], applied: record.applied }, record.etag);
  }

  it("the sweep finds a change a crash left half done without reading every case, and two instances finishing it at once write each follow-up once", async () => {
    const c = await newCase();
    await crashedChange(c, { ...c, safeguarding: true, flags: ["safeguarding"] });
    assert.deepEqual(await events(c.id), [], "nothing done yet");

    const other = deskDeps(store, { log: deps.log, now: () => NOW });
    const finished = await Promise.all([finishPendingCases(deps), finishPendingCases(other), finishCase(deps, c.trustId, c.id)]);
    assert.ok(finished[0] + finished[1] >= 1);
    assert.equal((await events(c.id)).length, 1, "one timeline event");
    const alert = await deps.outbox.get(c.trustId, alertOutboxId(c.id, "safeguarding"));
    assert.equal(alert?.value.payload.kind, "alert", "the safeguarding alert is queued");
    assert.equal((await deps.outbox.pending(NOW, 1000)).filter((entry) => entry.id === alertOutboxId(c.id, "safeguarding")).length, 1, "queued once");
    assert.deepEqual((await deps.cases.get(c.trustId, c.id))!.pending, [], "and cleared");
    assert.ok(!(await deps.cases.withPendingFollowUps(1000)).some((found) => found.caseId === c.id));
  });

  it("the next change to the case carries a crashed change's follow-ups along and finishes both", async () => {
    const c = await newCase();
    await crashedChange(c, { ...c, safeguarding: true, flags: ["safeguarding"] });
    assert.equal((await addNote(c, "another-trust")).kind, "not-found", "another trust's change finds nothing");
    assert.equal((await addNote(c)).kind, "saved");
    assert.deepEqual(
      (await events(c.id)).map((e) => e.summary),
      ["Safeguarding raised", "Note added"],
    );
    assert.ok(await deps.outbox.get(c.trustId, alertOutboxId(c.id, "safeguarding")));
    assert.deepEqual((await deps.cases.get(c.trustId, c.id))!.pending, []);
  });

  it("one case that cannot be read does not stop the sweep finishing the others", async () => {
    const broken = await newCase();
    await crashedChange(broken, { ...broken, safeguarding: true, flags: ["safeguarding"] });
    const { resource } = await store.containers.cases.item(broken.id, broken.trustId).read();
    await store.containers.cases.item(broken.id, broken.trustId).replace({ ...resource, pendingSince: "2000-01-01T00:00:00.000Z", status: "mislaid" });
    const whole = await newCase();
    await crashedChange(whole, { ...whole, safeguarding: true, flags: ["safeguarding"] });
    await finishPendingCases(deps);
    assert.deepEqual((await deps.cases.get(whole.trustId, whole.id))!.pending, [], "the readable case is finished");
    assert.ok(await deps.outbox.get(whole.trustId, alertOutboxId(whole.id, "safeguarding")));
    await store.containers.cases.item(broken.id, broken.trustId).delete();
  });

  it("a case logged from the same form id in two trusts is two cases with their own ids", async () => {
    const desk = createCaseDesk(deps);
    const formId = randomUUID();
    const caller = (trustId: string) => ({
      trustId,
      tenantId: "72f988bf-0000-4000-8000-0000000000aa",
      teamsUserId: "29:1officer",
      actor: OFFICER,
      roles: new Set(["officer"] as const),
    });
    const form = { ...contactForm({ receivedOn: "2026-03-09" }), formId };
    const [a, b] = [await desk.contacts.logContact(caller("trust-a"), formId, form), await desk.contacts.logContact(caller("trust-b"), formId, form)];
    assert.ok(a.ok && b.ok);
    assert.notEqual(a.view.record.value.id, b.view.record.value.id);
    assert.equal((await events(a.view.record.value.id)).length, 1);
    assert.equal((await events(b.view.record.value.id)).length, 1);
  });

  it("records retention never leaves free text behind, even when the first try could not write a follow-up", async () => {
    const closedLongAgo: Partial<Case> = {
      status: "closed",
      closedOn: "2015-03-02",
      outcome: "upheld",
      deadlines: { acknowledgeBy: "2015-01-08", acknowledgedOn: "2015-01-06" },
      // A manager's decision at the records retention review: only it lets the records go.
      ...destroyDecided({ status: "closed", closedOn: "2015-03-02" }, NOW),
    };
    const c = await newCase(closedLongAgo);
    await crashedChange(c, { ...c, ...closedLongAgo } as Case); // a note's event ("Bruising seen") still to write
    let failures = 1;
    const flaky = {
      ...deps,
      timeline: {
        ...deps.timeline,
        list: deps.timeline.list.bind(deps.timeline),
        removeDetails: deps.timeline.removeDetails.bind(deps.timeline),
        deleteAll: deps.timeline.deleteAll.bind(deps.timeline),
        record: (event: CaseEvent) => (failures-- > 0 ? Promise.reject(Object.assign(new Error("store hiccup"), { code: 503 })) : deps.timeline.record(event)),
      },
    };
    assert.equal(await applyRetention(flaky, c.trustId, c.id), "try-again", "nothing removed while a follow-up is unwritten");
    assert.equal(await applyRetention(flaky, c.trustId, c.id), "applied");
    const stored = await store.containers.cases.item(c.id, c.trustId).read();
    const timeline = await events(c.id);
    assert.ok(!JSON.stringify(stored.resource).includes("Bruising seen"), "not on the case");
    assert.ok(!JSON.stringify(timeline).includes("Bruising seen"), "not on the timeline");
    assert.ok(timeline.some((e) => e.kind === "retention-applied"));
  });
});
