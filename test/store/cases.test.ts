import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import type { SqlQuerySpec } from "@azure/cosmos";
import sinon from "sinon";
import { CaseChangedError, CaseSchema, formatCaseReference, type Case, DEFAULT_RULES, DEFAULT_RETENTION } from "../../src/domain";
import { CosmosCaseRepository } from "../../src/store/caseRepository";
import { createLogger } from "../../src/logger";
import { openStore, type Store } from "../../src/store/cosmos";
import { makeCase } from "../helpers/caseFixtures";
import { openTestStore } from "../helpers/store";

function aCase(overrides: Partial<Case> = {}): Case {
  return { ...makeCase(), id: randomUUID(), reference: formatCaseReference(2026, Math.floor(Math.random() * 1e6)), ...overrides };
}

describe("case store (embedded Cosmos DB)", () => {
  let store: Store;
  let cases: CosmosCaseRepository;
  before(async () => {
    store = await openTestStore();
    cases = new CosmosCaseRepository(store.containers.cases, DEFAULT_RETENTION, DEFAULT_RULES);
  });
  after(async () => store.close());

  it("creates the five containers with their partition keys", async () => {
    for (const [name, key] of [
      ["trust-cases", "/trustId"],
      ["events", "/caseId"],
      ["trust-conversations", "/trustId"],
      ["trust-jobs", "/trustId"],
      ["trust-inbox", "/trustId"],
    ]) {
      const { resource } = await store.database.container(name).read();
      assert.deepEqual(resource?.partitionKey?.paths, [key], name);
    }
    assert.equal(await store.isReachable(), true);
  });

  it("stores a case and reads back exactly what was stored, by id and by reference", async () => {
    const original = aCase();
    const created = (await cases.create(original))!;
    assert.deepEqual(created.value, original);
    assert.ok(created.etag);
    assert.deepEqual((await cases.get(original.trustId, original.id))?.value, original);
    assert.deepEqual((await cases.findByReference(original.trustId, original.reference))?.value, original);
    assert.equal(await cases.get("another-trust", original.id), undefined, "another tenant cannot read it");
    assert.equal(await cases.findByReference("another-trust", original.reference), undefined);
  });

  it("refuses a second case with the same reference in one trust", async () => {
    const first = aCase();
    await cases.create(first);
    await assert.rejects(cases.create({ ...aCase(), reference: first.reference }), (error: { code?: number }) => error.code === 409);
    assert.equal(await cases.create({ ...first, reference: "PALS-2026-999999" }), undefined, "a second case with the same id is not written");
  });

  it("rejects a write made from a stale copy (If-Match gives 412)", async () => {
    const created = (await cases.create(aCase()))!;
    const byOfficerA = await cases.save({ ...created.value, learning: "A" }, created, created.etag);
    assert.notEqual(byOfficerA.etag, created.etag);
    await assert.rejects(cases.save({ ...created.value, learning: "B" }, created, created.etag), CaseChangedError);
    assert.equal((await cases.get(created.value.trustId, created.value.id))?.value.learning, "A", "officer A's change survives");
  });

  it("keeps a change's follow-ups on the case until they are cleared, and the sweep's query finds it meanwhile", async () => {
    const created = (await cases.create(aCase()))!;
    const { trustId, id } = created.value;
    const followUps = { changeId: `${id}:1`, at: "2026-03-10T10:00:00.000Z", events: [], outbox: [], threads: [] };
    const saved = await cases.save({ ...created.value, learning: "A" }, { revision: 1, pending: [followUps], applied: ["key-1"] }, created.etag);
    assert.deepEqual(saved.pending, [followUps]);
    assert.deepEqual(saved.applied, ["key-1"]);
    assert.equal(saved.revision, 1);
    assert.ok((await cases.withPendingFollowUps(100)).some((found) => found.caseId === id && found.trustId === trustId));

    assert.equal(await cases.clearFollowUps(created, [followUps.changeId]), undefined, "a stale copy clears nothing");
    const cleared = (await cases.clearFollowUps(saved, [followUps.changeId]))!;
    assert.deepEqual(cleared.pending, []);
    assert.deepEqual(cleared.applied, ["key-1"], "the submission stays remembered");
    assert.equal(cleared.value.learning, "A");
    assert.ok(!(await cases.withPendingFollowUps(100)).some((found) => found.caseId === id));
  });

  it("gives back from a write the record another instance reads, without checking its own write again", async () => {
    const original = aCase({ learning: undefined });
    const check = sinon.spy(CaseSchema, "safeParse");
    try {
      const created = (await cases.create(original, { revision: 1, pending: [], applied: ["key-1"] }))!;
      const saved = await cases.save({ ...created.value, learning: "Clearer signs to the ward" }, { ...created, revision: 2 }, created.etag);
      assert.equal(check.callCount, 0, "what this instance has just written is not checked again");
      assert.equal("learning" in created.value, false, "as stored: no undefined fields");
      // A second instance (its own cache) reads and checks the stored document: the same record.
      const elsewhere = await new CosmosCaseRepository(store.containers.cases, DEFAULT_RETENTION, DEFAULT_RULES).get(original.trustId, original.id);
      assert.equal(check.callCount, 1);
      assert.deepEqual(saved, elsewhere);
      // This instance already knows that version: its read is not checked again either, and gives a copy.
      const here = (await cases.get(original.trustId, original.id))!;
      assert.equal(check.callCount, 1);
      assert.deepEqual(here, saved);
      here.value.learning = "changed by a caller";
      assert.equal(saved.value.learning, "Clearer signs to the ward", "each caller has its own copy");
    } finally {
      check.restore();
    }
  });

  it("says which fields of a stored case are wrong, without their values", async () => {
    const created = (await cases.create(aCase()))!;
    const { resource } = await store.containers.cases.item(created.value.id, created.value.trustId).read();
    await store.containers.cases.item(created.value.id, created.value.trustId).replace({ ...resource, status: "lost", patient: { name: "" } });
    await assert.rejects(cases.get(created.value.trustId, created.value.id), (error: Error) => {
      assert.equal(error.name, "StoredDocumentError");
      assert.match(error.message, /status/);
      assert.doesNotMatch(error.message, /lost/);
      return true;
    });
  });

  it("allocates 50 different reference numbers to 50 simultaneous new cases", async () => {
    const trustId = `trust-${randomUUID()}`;
    const numbers = await Promise.all(Array.from({ length: 50 }, () => cases.nextReferenceNumber(trustId, 2026)));
    assert.equal(new Set(numbers).size, 50);
    assert.deepEqual(
      [...numbers].sort((a, b) => a - b),
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    assert.equal(await cases.nextReferenceNumber(trustId, 2027), 1, "numbering restarts each year");
  });

  it("finds cases by words in the summary or patient name, and by NHS number, within the trust", async () => {
    const trustId = `trust-${randomUUID()}`;
    const fall = aCase({ trustId, summary: "Fall on the ward at night", patient: { ...makeCase().patient, name: "Alan Brooks", nhsNumber: "9434765870" } });
    const parking = aCase({
      trustId,
      summary: "Parking charges while visiting",
      patient: { ...makeCase().patient, name: "Rita Moss", nhsNumber: "4010232137" },
    });
    await cases.create(fall);
    await cases.create(parking);
    await cases.create(aCase({ summary: "Fall in another trust" }));

    assert.deepEqual(
      (await cases.search({ trustId, words: ["fall"], seesSafeguardingDetail: true, limit: 10 })).map((c) => c.id),
      [fall.id],
    );
    assert.deepEqual(
      (await cases.search({ trustId, words: ["rita", "parking"], seesSafeguardingDetail: true, limit: 10 })).map((c) => c.id),
      [parking.id],
    );
    assert.deepEqual(
      (await cases.search({ trustId, words: [], nhsNumber: "9434765870", seesSafeguardingDetail: true, limit: 10 })).map((c) => c.id),
      [fall.id],
    );
    assert.deepEqual(await cases.search({ trustId, words: ["fall", "parking"], seesSafeguardingDetail: true, limit: 10 }), []);
    assert.deepEqual(await cases.search({ trustId, words: [], seesSafeguardingDetail: true, limit: 10 }), [], "a search for nothing finds nothing");
  });

  it("counts a patient's recent contacts only as far as the repeat-contact rule needs, however many there are", async () => {
    const trustId = `trust-${randomUUID()}`;
    const patient = { ...makeCase().patient, nhsNumber: "9434765870" };
    for (let i = 0; i < 6; i++) await cases.create(aCase({ trustId, patient, receivedOn: "2026-03-02" }));
    await cases.create(aCase({ trustId, patient, receivedOn: "2025-11-01" }));
    const query = sinon.spy(store.containers.cases.items, "query");
    try {
      assert.equal(await cases.countForPatient(trustId, "9434765870", "2026-01-01", 2), 2, "six contacts since January, counted up to two");
      assert.equal(await cases.countForPatient(trustId, "9434765870", "2026-01-01", 10), 6);
      assert.equal(await cases.countForPatient(trustId, "9434765870", "2026-03-03", 2), 0, "none received since");
      assert.equal(await cases.countForPatient(trustId, "4010232137", "2025-01-01", 2), 0, "another patient");
      // On Azure Cosmos DB a COUNT reads every match from the index; TOP stops at the first few.
      const sent = (query.firstCall.args[0] as SqlQuerySpec).query;
      assert.match(sent, /^SELECT TOP 2 /);
      assert.doesNotMatch(sent, /COUNT/);
    } finally {
      query.restore();
    }
  });

  it("matches a safeguarding case on its reference only for someone who may not see its details", async () => {
    const trustId = `trust-${randomUUID()}`;
    const patient = { ...makeCase().patient, name: "Zephaniah Quill", nhsNumber: "9434765870" };
    const restricted = aCase({ trustId, safeguarding: true, summary: "Bruising seen on the trampoline visit", patient });
    const open = aCase({ trustId, summary: "Trampoline injury, parking", patient: { ...patient, name: "Rita Moss", nhsNumber: "4010232137" } });
    await cases.create(restricted);
    await cases.create(open);
    const volunteer = (words: string[], nhsNumber?: string) => cases.search({ trustId, words, nhsNumber, seesSafeguardingDetail: false, limit: 10 });
    const officer = (words: string[], nhsNumber?: string) => cases.search({ trustId, words, nhsNumber, seesSafeguardingDetail: true, limit: 10 });

    for (const words of [["zephaniah"], ["quill"], ["bruising"], ["trampoline", "visit"]]) {
      assert.deepEqual(
        (await volunteer(words)).map((c) => c.id),
        [],
        `a volunteer's "${words.join(" ")}" must not confirm the restricted case`,
      );
      assert.ok(
        (await officer(words)).some((c) => c.id === restricted.id),
        `an officer's "${words.join(" ")}" finds it`,
      );
    }
    assert.deepEqual(
      (await volunteer([], "9434765870")).map((c) => c.id),
      [],
      "nor its NHS number",
    );
    assert.deepEqual(
      (await officer([], "9434765870")).map((c) => c.id),
      [restricted.id],
    );
    assert.deepEqual(
      (await volunteer(["trampoline"])).map((c) => c.id),
      [open.id],
      "cases without safeguarding still match on their details",
    );
    const number = restricted.reference.slice(-6);
    assert.deepEqual(
      (await volunteer([number])).map((c) => c.id),
      [restricted.id],
      "the reference is not restricted",
    );
  });

  describe("search through the tokens stored on each case (served by the index)", () => {
    afterEach(() => sinon.restore());
    const sentQueries = (spy: sinon.SinonSpy) => spy.getCalls().map((call) => (call.args[0] as SqlQuerySpec).query);

    it("finds whole words of the name and summary, however the name is typed, and the reference number as officers type it", async () => {
      const trustId = `trust-${randomUUID()}`;
      const patient = { ...makeCase().patient, name: "Siân O'Brien-Smith" };
      const c = aCase({ trustId, reference: "PALS-2026-000123", summary: "Lost hearing aid on the ward", patient });
      await cases.create(c);
      await cases.create(aCase({ trustId, reference: "PALS-2026-000456", summary: "Parking charges", patient: { ...patient, name: "Rita Moss" } }));
      const query = sinon.spy(store.containers.cases.items, "query");
      const find = async (words: string[]) => (await cases.search({ trustId, words, seesSafeguardingDetail: true, limit: 10 })).map((found) => found.id);

      const typed = [
        ["hearing", "aid"],
        ["sian"],
        ["siân"],
        ["brien"],
        ["o'brien"],
        ["obrien"],
        ["smith"],
        ["o'brien-smith"],
        ["123"],
        ["000123"],
        ["00123"],
        ["2026-000123"],
        ["pals", "123"],
      ];
      for (const words of typed) assert.deepEqual(await find(words), [c.id], `"${words.join(" ")}" finds it`);
      assert.deepEqual(await find(["ear"]), [], "the inside of a word (hearing) is not a match");
      assert.deepEqual(await find(["hearing", "parking"]), [], "every word must match");
      const sent = sentQueries(query);
      assert.ok(sent.length >= typed.length);
      for (const text of sent) {
        assert.match(text, /ARRAY_CONTAINS\(c\.searchTokens, @word0\)/);
        assert.doesNotMatch(text, /\bCONTAINS\(|searchText/, "no CONTAINS over text: that reads every case of the trust");
      }
    });

    it("for someone who may not see safeguarding detail, matches a safeguarding case on its reference tokens only", async () => {
      const trustId = `trust-${randomUUID()}`;
      const patient = { ...makeCase().patient, name: "Zephaniah Quill", nhsNumber: "9434765870" };
      const restricted = aCase({ trustId, reference: "PALS-2026-000789", safeguarding: true, summary: "Bruising noticed, ref 789", patient });
      await cases.create(restricted);
      const query = sinon.spy(store.containers.cases.items, "query");
      const volunteer = async (words: string[]) => (await cases.search({ trustId, words, seesSafeguardingDetail: false, limit: 10 })).map((found) => found.id);
      assert.deepEqual(await volunteer(["789"]), [restricted.id], "its reference number is not restricted");
      assert.deepEqual(await volunteer(["789", "bruising"]), [], "a word of the summary beside the number still confirms nothing");
      assert.deepEqual(await volunteer(["quill", "789"]), []);
      assert.match(sentQueries(query)[0], /c\.safeguarding = true AND ARRAY_CONTAINS\(c\.referenceTokens, @word0\)/);
    });

    it("keeps a long summary's tokens bounded, the reference and the patient's name first", async () => {
      const trustId = `trust-${randomUUID()}`;
      const words = Array.from({ length: 600 }, (_, i) => `word${i}`);
      const long = `${"x".repeat(60)} ${words.join(" ")}`.slice(0, 4000);
      const c = aCase({ trustId, summary: long, patient: { ...makeCase().patient, name: "Alan Brooks" } });
      await cases.create(c);
      const { resource } = await store.containers.cases.item(c.id, trustId).read<{ searchTokens: string[] }>();
      const tokens = resource!.searchTokens;
      assert.ok(tokens.length <= 200, `${tokens.length} tokens`);
      assert.ok(tokens.every((token) => token.length <= 32));
      assert.equal(new Set(tokens).size, tokens.length, "no token twice");
      const find = async (words: string[]) => (await cases.search({ trustId, words, seesSafeguardingDetail: true, limit: 10 })).map((found) => found.id);
      assert.deepEqual(await find(["brooks"]), [c.id]);
      assert.deepEqual(await find(["word0"]), [c.id]);
      assert.deepEqual(await find(["x".repeat(60)]), [c.id], "a long word is cut the same way when searched for");
    });
  });

  it("lists a person's open cases only", async () => {
    const trustId = `trust-${randomUUID()}`;
    const owner = { aadObjectId: "officer-x", name: "X" };
    const open = aCase({ trustId, owner });
    await cases.create(open);
    await cases.create(aCase({ trustId, owner, status: "closed" }));
    await cases.create(aCase({ trustId, owner: { aadObjectId: "officer-y", name: "Y" } }));
    const listed = await cases.listOpenByOwner(trustId, "officer-x", { limit: 25 });
    assert.deepEqual(
      listed.cases.map((c) => c.id),
      [open.id],
    );
    assert.equal(listed.total, 1);
  });

  it("lists at most `limit` open cases, next deadline first and those with none last, with only what a list shows and the total", async () => {
    const trustId = `trust-${randomUUID()}`;
    const owner = { aadObjectId: "officer-x", name: "X" };
    const days = Array.from({ length: 30 }, (_, i) => `2026-04-${String(30 - i).padStart(2, "0")}`);
    for (const [i, day] of days.entries()) await cases.create(aCase({ trustId, owner, nextDueOn: i % 10 === 0 ? undefined : day }));
    await cases.create(aCase({ trustId, owner, status: "closed", nextDueOn: "2026-04-01" }));
    const { cases: listed, total } = await cases.listOpenByOwner(trustId, "officer-x", { limit: 25 });
    assert.equal(listed.length, 25);
    assert.equal(total, 30, "the total comes from a COUNT when the list is cut");
    const due = listed.map((c) => c.nextDueOn ?? "none");
    assert.deepEqual(due, [...due].sort(), "next deadline first");
    assert.ok(!due.includes("none"), "the 3 cases with no deadline come after the 27 with one");
    assert.deepEqual(Object.keys(listed[0]).sort(), ["deadlines", "id", "nextDueOn", "patient", "reference", "safeguarding", "status", "trustId", "type"]);
    assert.deepEqual(Object.keys(listed[0].patient), ["name"], "no NHS number, contact details or summary read");

    const dueSoon = await cases.listOpenByOwner(trustId, "officer-x", { limit: 50, dueBy: "2026-04-05" });
    assert.deepEqual(
      dueSoon.cases.map((c) => c.nextDueOn),
      ["2026-04-01", "2026-04-02", "2026-04-03", "2026-04-04", "2026-04-05"],
    );
    assert.equal(dueSoon.total, 5);
  });

  it("adds the composite index to a cases container made without it, and leaves it alone on the next start", async () => {
    const database = store.database.client.database(`pals-old-${randomUUID().slice(0, 8)}`);
    await store.database.client.databases.create({ id: database.id });
    await database.containers.create({ id: "trust-cases", partitionKey: { paths: ["/trustId"] } });
    const { endpoint, key } = (store.database.client as unknown as { clientContext: { cosmosClientOptions: { endpoint: string; key: string } } }).clientContext
      .cosmosClientOptions;
    const open = () => openStore({ account: { endpoint, key }, database: database.id }, createLogger("silent"));
    const first = await open();
    const { resource } = await first.containers.cases.read();
    assert.equal(resource?.indexingPolicy?.compositeIndexes?.length, 1, "the index was added");
    const c = aCase({ owner: { aadObjectId: "officer-x", name: "X" } });
    await new CosmosCaseRepository(first.containers.cases, DEFAULT_RETENTION, DEFAULT_RULES).create(c);
    await first.close();
    // Replacing a container on every start would be wasted work on Azure (and empties it on the embedded server).
    const second = await open();
    try {
      const listed = await new CosmosCaseRepository(second.containers.cases, DEFAULT_RETENTION, DEFAULT_RULES).listOpenByOwner(c.trustId, "officer-x", {
        limit: 25,
      });
      assert.deepEqual(
        listed.cases.map((x) => x.id),
        [c.id],
      );
    } finally {
      await second.close();
    }
  });
});
