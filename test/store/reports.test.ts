import { strict as assert } from "node:assert";
import { CosmosCaseRepository } from "../../src/store/caseRepository";
import type { Store } from "../../src/store/cosmos";
import { reportCases } from "../helpers/reportFixtures";
import { openTestStore } from "../helpers/store";

describe("cases for a report (embedded Cosmos DB)", () => {
  let store: Store;
  let cases: CosmosCaseRepository;
  const seeded = reportCases("report-trust", "other-trust");
  const referenceOf = (key: string) => seeded[key].reference;

  before(async () => {
    store = await openTestStore();
    cases = new CosmosCaseRepository(store.containers.cases);
    for (const c of Object.values(seeded)) await cases.create(c);
  });
  after(async () => store.close());

  it("reads one trust's cases received in, or open during, the period, oldest first", async () => {
    const found = await cases.listForReport("report-trust", "2026-02-01", "2026-02-28");
    // B closed in February, G still open from December; I came in March, "other" is another trust's.
    assert.deepEqual(
      found.map((c) => c.reference),
      ["G", "B", "C", "A", "E", "D", "F"].map(referenceOf),
    );
    assert.ok(found.every((c) => !("docType" in c) && !("_etag" in c)), "system fields are stripped");
  });

  it("leaves out cases closed before the period with no deadline in it", async () => {
    const found = await cases.listForReport("report-trust", "2026-03-01", "2026-03-31");
    assert.deepEqual(found.map((c) => c.reference).sort(), ["A", "C", "D", "F", "G", "I"].map(referenceOf).sort());
  });
});
