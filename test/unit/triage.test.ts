import { strict as assert } from "node:assert";
import { CASE_FLAGS, flagTitle, triageFlags, type TriageInput, DEFAULT_RULES } from "../../src/domain";

const base: TriageInput = {
  type: "concern",
  receivedVia: "phone",
  raisedBy: "patient",
  receivedOn: "2026-03-03",
  eventOn: "2026-02-27",
  risk: { score: 4 },
  safeguarding: false,
};

describe("triage flags", () => {
  it("raises nothing for a low-risk concern from the patient about last week", () => {
    assert.deepEqual(triageFlags(base, DEFAULT_RULES.deadlines), []);
  });

  it("asks for consent when a family member, carer or representative raises it and consent has not come back", () => {
    for (const raisedBy of ["family", "carer", "representative", "mp"] as const) {
      assert.deepEqual(
        triageFlags({ ...base, raisedBy, consent: "not-yet" }, DEFAULT_RULES.deadlines),
        raisedBy === "mp" ? ["consent-needed", "mp-involved"] : ["consent-needed"],
        raisedBy,
      );
    }
  });

  it("does not ask for consent once given or when a reason applies, nor from the patient or staff", () => {
    for (const consent of ["given", "deceased", "child", "lacks-capacity"] as const) {
      assert.deepEqual(triageFlags({ ...base, raisedBy: "family", consent }, DEFAULT_RULES.deadlines), [], consent);
    }
    assert.deepEqual(triageFlags({ ...base, raisedBy: "staff" }, DEFAULT_RULES.deadlines), []);
  });

  it("does not ask for consent for a compliment", () => {
    assert.deepEqual(triageFlags({ ...base, type: "compliment", raisedBy: "family", consent: "not-yet" }, DEFAULT_RULES.deadlines), []);
  });

  it("flags a complaint made more than 12 months after the event as out of time, but not a concern", () => {
    const late = { ...base, eventOn: "2025-03-02", receivedOn: "2026-03-03" };
    assert.deepEqual(triageFlags({ ...late, type: "complaint" }, DEFAULT_RULES.deadlines), ["out-of-time"]);
    assert.deepEqual(triageFlags({ ...late, type: "complaint", eventOn: "2025-03-03" }, DEFAULT_RULES.deadlines), []);
    assert.deepEqual(triageFlags(late, DEFAULT_RULES.deadlines), []);
  });

  it("flags high risk from a score of 15", () => {
    assert.deepEqual(triageFlags({ ...base, risk: { score: 12 } }, DEFAULT_RULES.deadlines), []);
    assert.deepEqual(triageFlags({ ...base, risk: { score: 15 } }, DEFAULT_RULES.deadlines), ["high-risk"]);
  });

  it("flags safeguarding, MP and regulator involvement whether by who raised it or how it came in", () => {
    assert.deepEqual(triageFlags({ ...base, safeguarding: true }, DEFAULT_RULES.deadlines), ["safeguarding"]);
    assert.deepEqual(triageFlags({ ...base, receivedVia: "mp-letter" }, DEFAULT_RULES.deadlines), ["mp-involved"]);
    assert.deepEqual(triageFlags({ ...base, receivedVia: "regulator" }, DEFAULT_RULES.deadlines), ["regulator-involved"]);
    assert.deepEqual(triageFlags({ ...base, raisedBy: "regulator", consent: "given" }, DEFAULT_RULES.deadlines), ["regulator-involved"]);
  });

  it("lists flags most serious first, each once", () => {
    const all = triageFlags(
      {
        ...base,
        type: "complaint",
        raisedBy: "mp",
        receivedVia: "mp-letter",
        consent: "not-yet",
        eventOn: "2024-01-01",
        risk: { score: 20 },
        safeguarding: true,
      },
      DEFAULT_RULES.deadlines,
    );
    assert.deepEqual(all, ["high-risk", "safeguarding", "consent-needed", "out-of-time", "mp-involved"]);
  });

  it("explains each flag in plain English, and shows an unknown flag as stored", () => {
    assert.match(flagTitle("out-of-time"), /after the event and after they knew of it; it can still be considered/);
    assert.match(flagTitle("consent-needed"), /consent/);
    for (const flag of CASE_FLAGS) assert.notEqual(flagTitle(flag.id), flag.id);
    assert.equal(flagTitle("repeat-contact"), "repeat-contact");
  });
});
