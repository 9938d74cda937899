// The records retention review's queries on the embedded Cosmos DB server: the files due are found by an index
// written with each case (`retentionDueOn`), only the caller's trust's, only closed files that are due, not held and
// with no Ombudsman process continuing; bounded (TOP n), longest due first, no patient details read.
import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import type { SqlQuerySpec } from "@azure/cosmos";
import sinon from "sinon";
import { formatCaseReference, type Case, DEFAULT_RULES, DEFAULT_RETENTION } from "../../src/domain";
import { CosmosCaseRepository } from "../../src/store/caseRepository";
import type { Store } from "../../src/store/cosmos";
import { makeCase } from "../helpers/caseFixtures";
import { openTestStore } from "../helpers/store";

const TODAY = "2026-03-10";
const MAYA = { aadObjectId: "manager-1", name: "Maya Manager" };

describe("records retention review queries (embedded Cosmos DB)", () => {
  let store: Store;
  let cases: CosmosCaseRepository;
  before(async () => {
    store = await openTestStore();
    cases = new CosmosCaseRepository(store.containers.cases, DEFAULT_RETENTION, DEFAULT_RULES);
  });
  after(async () => store.close());
  afterEach(() => sinon.restore());

  let number = 0;
  /** A case of the trust, closed on `closedOn` unless the overrides say otherwise. */
  async function file(trustId: string, closedOn: string | undefined, overrides: Partial<Case> = {}): Promise<Case> {
    const c: Case = {
      ...makeCase(),
      id: randomUUID(),
      trustId,
      reference: formatCaseReference(2016, ++number),
      ...(closedOn ? { status: "closed", closedOn, outcome: "upheld", nextDueOn: undefined } : {}),
      ...overrides,
    };
    await cases.create(c);
    return c;
  }

  it("lists the trust's closed files that are due, longest due first; not open, held, waiting for the Ombudsman, destroyed, kept, or another trust's", async () => {
    const trustId = `trust-${randomUUID()}`;
    const oldest = await file(trustId, "2015-06-01"); // Sunday 1 June 2025: due Monday 2 June 2025
    const due = await file(trustId, "2016-03-10"); // due Tuesday 10 March 2026
    const decided = await file(trustId, "2016-01-05", { ombudsman: { referredOn: "2016-02-01", reference: "C-1", stage: "decided", decidedOn: "2016-02-20" } }); // due Friday 20 Feb 2026
    await file(trustId, "2016-03-11"); // due tomorrow
    await file(trustId, undefined); // open
    await file(trustId, "2015-01-05", { legalHold: { since: "2020-01-06", by: MAYA, reason: "Claim" } });
    await file(trustId, "2015-01-05", { ombudsman: { referredOn: "2015-02-01", reference: "C-2", stage: "investigation" } });
    await file(trustId, "2015-01-05", { anonymisedOn: "2025-01-06" });
    await file(trustId, "2015-01-05", { retentionReview: { keepUntil: "2027-01-05", kept: { on: "2025-01-06", by: MAYA, years: 2 } } });
    await file(`trust-${randomUUID()}`, "2015-01-05"); // another trust's

    const { cases: listed, total } = await cases.listDueForRetentionReview(trustId, TODAY, 10);
    assert.deepEqual(
      listed.map((c) => c.id),
      [oldest.id, decided.id, due.id],
    );
    assert.equal(total, 3);
    for (const c of listed) {
      assert.deepEqual(
        Object.keys(c).filter((key) => ["patient", "raiser", "summary", "desiredOutcome", "learning", "investigations"].includes(key)),
        [],
        "no patient details or free text read",
      );
    }
    assert.deepEqual(listed[1].ombudsman, decided.ombudsman, "what the clock reads is read");
  });

  it("is bounded: TOP n, a COUNT only when the list is cut", async () => {
    const trustId = `trust-${randomUUID()}`;
    for (let i = 0; i < 5; i++) await file(trustId, `2015-0${i + 1}-05`);
    const query = sinon.spy(store.containers.cases.items, "query");
    const { cases: listed, total } = await cases.listDueForRetentionReview(trustId, TODAY, 3);
    assert.equal(listed.length, 3);
    assert.equal(total, 5);
    const sent = query.getCalls().map((call) => (call.args[0] as SqlQuerySpec).query);
    assert.match(sent[0], /^SELECT TOP 3 c\.id, c\.reference, c\.type, c\.status, c\.closedOn, /);
    assert.match(sent[0], /c\.trustId = @trustId .* c\.retentionDueOn <= @day ORDER BY c\.retentionDueOn ASC$/);
    assert.doesNotMatch(sent[0], /SELECT \*|patient/);
    assert.match(sent[1], /^SELECT VALUE COUNT\(1\)/);
    query.resetHistory();
    await cases.listDueForRetentionReview(trustId, TODAY, 10);
    assert.equal(query.callCount, 1, "not cut: no COUNT");
  });

  it("keeps the index with the case: a legal hold takes the file off the list, a keep decision moves it on, lifting puts it back", async () => {
    const trustId = `trust-${randomUUID()}`;
    const c = await file(trustId, "2016-03-10");
    const listed = async () => (await cases.listDueForRetentionReview(trustId, TODAY, 10)).cases.map((f) => f.id);
    assert.deepEqual(await listed(), [c.id]);
    let record = (await cases.get(trustId, c.id))!;
    record = await cases.save({ ...record.value, legalHold: { since: TODAY, by: MAYA, reason: "Claim" } }, record, record.etag);
    assert.deepEqual(await listed(), []);
    const { resource } = await store.containers.cases.item(c.id, trustId).read<Record<string, unknown>>();
    assert.equal(resource!.retentionDueOn, undefined, "held: no review day stored");
    const lifted: Case = { ...record.value };
    delete lifted.legalHold;
    record = await cases.save(lifted, record, record.etag);
    assert.deepEqual(await listed(), [c.id]);
    await cases.save({ ...record.value, retentionReview: { keepUntil: "2028-03-10", kept: { on: TODAY, by: MAYA, years: 2 } } }, record, record.etag);
    assert.deepEqual(await listed(), []);
    assert.deepEqual(
      (await cases.listDueForRetentionReview(trustId, "2028-03-10", 10)).cases.map((f) => f.id),
      [c.id],
    );
  });

  it("finds, across trusts, the files that came due in a round's days, once: after the last round, up to today", async () => {
    const [a, b] = [`trust-${randomUUID()}`, `trust-${randomUUID()}`];
    const monday = await file(a, "2016-03-09"); // due Monday 9 March 2026
    const tuesday = await file(b, "2016-03-10"); // due Tuesday 10 March 2026
    await file(a, "2016-03-06"); // due Friday 6 March 2026: in the round before
    const found = await cases.newlyDueForRetentionReview("2026-03-06", "2026-03-10", 50);
    const ours = found.filter((f) => f.trustId === a || f.trustId === b);
    assert.deepEqual(
      ours.map((f) => [f.trustId, f.caseId, f.reference]),
      [
        [a, monday.id, monday.reference],
        [b, tuesday.id, tuesday.reference],
      ],
    );
    const query = sinon.spy(store.containers.cases.items, "query");
    await cases.newlyDueForRetentionReview("2026-03-10", "2026-03-11", 7);
    assert.match(
      (query.firstCall.args[0] as SqlQuerySpec).query,
      /^SELECT TOP 7 c\.id, c\.trustId, c\.reference FROM c WHERE c\.retentionDueOn > @after AND c\.retentionDueOn <= @upTo/,
    );
  });
});
