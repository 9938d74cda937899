import { strict as assert } from "node:assert";
import type { SqlQuerySpec } from "@azure/cosmos";
import sinon from "sinon";
import { ko41aReturn, ReportCaseSchema, serviceReport, DEFAULT_RULES, DEFAULT_RETENTION } from "../../src/domain";
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
    cases = new CosmosCaseRepository(store.containers.cases, DEFAULT_RETENTION, DEFAULT_RULES);
    for (const c of Object.values(seeded)) await cases.create(c);
  });
  after(async () => store.close());
  afterEach(() => sinon.restore());

  it("reads one trust's cases received in, or open during, the period, oldest first", async () => {
    const found = await cases.listForReport("report-trust", "2026-02-01", "2026-02-28");
    // B closed in February, G still open from December; I came in March, "other" is another trust's.
    assert.deepEqual(
      found.map((c) => c.reference),
      ["G", "B", "C", "A", "E", "D", "F"].map(referenceOf),
    );
    assert.ok(
      found.every((c) => !("docType" in c) && !("_etag" in c)),
      "system fields are stripped",
    );
  });

  it("reads only the fields the report and KO41a return count, with the same figures as whole cases give", async () => {
    const query = sinon.spy(store.containers.cases.items, "query");
    const counted = await cases.listForReport("report-trust", "2025-04-01", "2026-03-31");
    const sent = (query.firstCall.args[0] as SqlQuerySpec).query;
    assert.doesNotMatch(sent, /\*/, "no SELECT *: whole documents are not read");
    assert.doesNotMatch(
      sent.replace('{ "dateOfBirth": c.patient.dateOfBirth } AS patient', ""),
      /summary|patient|desiredOutcome|learning|investigations/,
      "no free text or patient details are asked for, but the date of birth (for the KO41a age band)",
    );
    const allowed = new Set(Object.keys(ReportCaseSchema.shape));
    for (const c of counted) {
      assert.deepEqual(
        Object.keys(c).filter((key) => !allowed.has(key)),
        [],
        `${c.reference} carries only counted fields`,
      );
      assert.deepEqual(
        Object.keys(c.patient).filter((key) => key !== "dateOfBirth"),
        [],
        `${c.reference} carries no name, NHS number or contact details`,
      );
    }

    const whole = await cases.listForReport("report-trust", "2025-04-01", "2026-03-31", "whole cases");
    assert.ok(
      whole.every((c) => c.summary && c.patient.name),
      "the case export still reads whole cases",
    );
    const february = { from: "2026-02-01", to: "2026-02-28" };
    assert.deepEqual(
      serviceReport(counted, february, "2026-03-10", DEFAULT_RULES.updates.workingDays),
      serviceReport(whole, february, "2026-03-10", DEFAULT_RULES.updates.workingDays),
    );
    assert.deepEqual(ko41aReturn(counted, 2025), ko41aReturn(whole, 2025));
  });

  it("leaves out cases closed before the period with no deadline in it", async () => {
    const found = await cases.listForReport("report-trust", "2026-03-01", "2026-03-31");
    assert.deepEqual(found.map((c) => c.reference).sort(), ["A", "C", "D", "F", "G", "I"].map(referenceOf).sort());
  });
});
