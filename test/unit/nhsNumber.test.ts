import { strict as assert } from "node:assert";
import { formatNhsNumber, isValidNhsNumber, normaliseNhsNumber } from "../../src/domain";

describe("NHS number", () => {
  it("accepts known valid numbers", () => {
    assert.equal(isValidNhsNumber("9434765919"), true);
    assert.equal(isValidNhsNumber("4010232137"), true);
  });

  it("accepts a number whose check works out as 11, meaning 0", () => {
    // 9434765870: 11 - (sum mod 11) = 11, so the check digit is 0.
    assert.equal(isValidNhsNumber("9434765870"), true);
  });

  it("accepts the number as people type it, with spaces or hyphens", () => {
    assert.equal(isValidNhsNumber("943 476 5919"), true);
    assert.equal(isValidNhsNumber(" 943-476-5919 "), true);
  });

  it("rejects a number with the wrong check digit", () => {
    assert.equal(isValidNhsNumber("9434765918"), false);
    assert.equal(isValidNhsNumber("4010232138"), false);
  });

  it("rejects every number whose check works out as 10, whatever its last digit", () => {
    // 100000001: weighted sum 10 + 2 = 12, 11 - (12 mod 11) = 10.
    for (let last = 0; last <= 9; last++) assert.equal(isValidNhsNumber(`100000001${last}`), false);
  });

  it("rejects the wrong length, letters and empty input", () => {
    assert.equal(isValidNhsNumber("943476591"), false);
    assert.equal(isValidNhsNumber("94347659190"), false);
    assert.equal(isValidNhsNumber("943476591A"), false);
    assert.equal(isValidNhsNumber("NHS9434765919"), false);
    assert.equal(isValidNhsNumber(""), false);
  });

  it("applies the modulus 11 rule only, so 0000000000 passes", () => {
    assert.equal(isValidNhsNumber("0000000000"), true);
  });

  it("normalises to the 10 digits and formats as 3 3 4", () => {
    assert.equal(normaliseNhsNumber(" 943 476-5919 "), "9434765919");
    assert.equal(formatNhsNumber("9434765919"), "943 476 5919");
    assert.equal(formatNhsNumber("943-476-5919"), "943 476 5919");
  });

  it("shows something that is not 10 digits as it was typed, trimmed", () => {
    assert.equal(formatNhsNumber(" 12345 "), "12345");
  });
});
