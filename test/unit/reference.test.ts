import { strict as assert } from "node:assert";
import { CASE_REFERENCE_PATTERN, formatCaseReference, parseCaseReference } from "../../src/domain";

describe("case reference", () => {
  it("is PALS, the year and a six-digit number", () => {
    assert.equal(formatCaseReference(2026, 123), "PALS-2026-000123");
    assert.equal(formatCaseReference(2027, 1), "PALS-2027-000001");
    assert.equal(formatCaseReference(2026, 999_999), "PALS-2026-999999");
  });

  it("refuses numbers that would not make a valid reference", () => {
    assert.throws(() => formatCaseReference(2026, 0), /sequence/);
    assert.throws(() => formatCaseReference(2026, 1_000_000), /sequence/);
    assert.throws(() => formatCaseReference(26, 1), /four-digit year/);
  });

  it("reads back what it writes", () => {
    assert.deepEqual(parseCaseReference(formatCaseReference(2026, 123)), { year: 2026, sequence: 123 });
  });

  it("reads references typed carelessly: lower case, spaces, no hyphens, no leading zeros", () => {
    for (const typed of ["pals-2026-000123", " PALS 2026 000123 ", "Pals - 2026 - 123", "PALS2026-000123", "pals 2026 123"]) {
      assert.deepEqual(parseCaseReference(typed), { year: 2026, sequence: 123 }, typed);
    }
  });

  it("finds a reference inside a message", () => {
    assert.deepEqual(parseCaseReference("can you look at PALS-2026-000042 please"), { year: 2026, sequence: 42 });
    assert.equal(CASE_REFERENCE_PATTERN.test("update on pals-2026-000042?"), true);
  });

  it("returns undefined for text that is not a reference", () => {
    for (const text of ["", "PALS", "PALS-26-000123", "PALS-2026-0001234", "PALS-2026-000000", "NHS-2026-000123", "XPALS-2026-000123"]) {
      assert.equal(parseCaseReference(text), undefined, text);
    }
  });
});
