// The KO41a return on a small fixed set of complaints whose every figure is worked out by hand below.
import { strict as assert } from "node:assert";
import fs from "node:fs";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { parseConfig, trustSitesOf } from "../../src/config";
import {
  ageBandOf,
  ageOn,
  complainantStatusOf,
  ko41aCsv,
  ko41aReturn,
  parseSiteSetting,
  parseTrusts,
  ReportCaseSchema,
  type CountRow,
  type OrganisationSite,
  type ReportCase,
} from "../../src/domain";

const SITES: readonly OrganisationSite[] = [
  { code: "RXX01", name: "Royal Infirmary" },
  { code: "RXX02", name: "General Hospital" },
];

/** A case as the report reads it (ReportCaseSchema): a complaint received on `receivedOn` unless told otherwise. */
function reportCase(reference: string, receivedOn: string, fields: Partial<ReportCase> & { dateOfBirth?: string } = {}): ReportCase {
  const { dateOfBirth, ...rest } = fields;
  return ReportCaseSchema.parse({
    id: `00000000-0000-4000-8000-${reference.charCodeAt(0).toString(16).padStart(12, "0")}`,
    reference,
    type: "complaint",
    status: "open",
    raisedBy: "patient",
    receivedOn,
    subjects: [],
    professions: [],
    deadlines: {},
    patient: dateOfBirth ? { dateOfBirth } : {},
    ...rest,
  });
}

const closed = (closedOn: string, outcome: ReportCase["outcome"]) => ({ status: "closed" as const, closedOn, outcome });

/**
 * The financial year 2025-26 runs 1 April 2025 to 31 March 2026.
 *   A  new, received 10 May 2025 on the patient's 65th birthday (65 to 74), by the patient, Royal Infirmary,
 *      Clinical Treatment (general surgery) and Communications, medical, inpatient; resolved 1 July 2025, upheld.
 *   B  new, 1 June 2025, the day before the patient turns 65 (18 to 64), by a family member, General Hospital,
 *      Communications, nursing, outpatient; still open: carried forward.
 *   C  received February 2025, still open: brought forward and carried forward (Royal Infirmary).
 *   D  received January 2025, resolved 20 May 2025, not upheld: brought forward and resolved (General Hospital).
 *   E  received and resolved in March 2025: not in this year's return at all.
 *   F  new, 9 September 2025, no date of birth (age unknown), by a carer, no site recorded, Clinical Treatment with
 *      no clinical area yet; resolved 15 January 2026, partially upheld.
 *   G  a concern: not a written complaint, not counted.
 *   H  a concern received 25 March 2025 that became a complaint on 3 April 2025, the patient's 15th birthday (0 to
 *      15): new this year, not brought forward; by a representative, Royal Infirmary, Patient Care, nursing,
 *      community; open: carried forward.
 *   I  received 2 April 2026: next year's.
 *   J  new, 1 December 2025, aged 90 (85 and over), by an MP, Royal Infirmary, Clinical Treatment (care of the
 *      elderly); resolved 10 April 2026, after the year ended: carried forward, not resolved this year.
 */
const CASES: readonly ReportCase[] = [
  reportCase("A", "2025-05-10", {
    dateOfBirth: "1960-05-10",
    site: "RXX01",
    subjects: ["clinical-treatment", "communications"],
    clinicalArea: "general-surgery",
    professions: ["medical"],
    serviceArea: "inpatient",
    ...closed("2025-07-01", "upheld"),
  }),
  reportCase("B", "2025-06-01", {
    dateOfBirth: "1960-06-02",
    raisedBy: "family",
    site: "RXX02",
    subjects: ["communications"],
    professions: ["nursing"],
    serviceArea: "outpatient",
  }),
  reportCase("C", "2025-02-10", { dateOfBirth: "2012-01-01", site: "RXX01", subjects: ["appointments"] }),
  reportCase("D", "2025-01-15", { site: "RXX02", subjects: ["waiting-times"], ...closed("2025-05-20", "not-upheld") }),
  reportCase("E", "2025-03-01", { site: "RXX01", ...closed("2025-03-30", "upheld") }),
  reportCase("F", "2025-09-09", { raisedBy: "carer", subjects: ["clinical-treatment"], ...closed("2026-01-15", "partially-upheld") }),
  reportCase("G", "2025-10-01", { type: "concern", dateOfBirth: "1950-01-01", site: "RXX01", subjects: ["communications"] }),
  reportCase("H", "2025-03-25", {
    escalatedFromConcernOn: "2025-04-03",
    dateOfBirth: "2010-04-03",
    raisedBy: "representative",
    site: "RXX01",
    subjects: ["patient-care"],
    professions: ["nursing"],
    serviceArea: "community",
  }),
  reportCase("I", "2026-04-02", { site: "RXX01", subjects: ["communications"] }),
  reportCase("J", "2025-12-01", {
    dateOfBirth: "1935-01-01",
    raisedBy: "mp",
    site: "RXX01",
    subjects: ["clinical-treatment"],
    clinicalArea: "care-of-the-elderly",
    ...closed("2026-04-10", "upheld"),
  }),
];

/** The non-zero counts of a list, by id. */
const counts = (rows: readonly CountRow[]) => Object.fromEntries(rows.filter((r) => r.count > 0).map((r) => [r.id, r.count]));
const summary = (f: { broughtForward: number; received: number; resolved: number; carriedForward: number }) => ({
  broughtForward: f.broughtForward,
  received: f.received,
  resolved: f.resolved,
  carriedForward: f.carriedForward,
});

describe("the KO41a return, counted by hand", () => {
  const ret = ko41aReturn(CASES, 2025, SITES);

  it("section 2: brought forward, new, resolved by outcome and carried forward, which add up", () => {
    assert.deepEqual(summary(ret), { broughtForward: 2, received: 5, resolved: 3, carriedForward: 4 }, "BF C, D; new A, B, F, H, J; resolved A, D, F");
    assert.equal(ret.broughtForward + ret.received - ret.resolved, ret.carriedForward, "carried forward = brought forward + new - resolved");
    assert.deepEqual(counts(ret.outcomes), { upheld: 1, "partially-upheld": 1, "not-upheld": 1 });
    assert.deepEqual(
      ret.outcomes.map((r) => r.id),
      ["upheld", "partially-upheld", "not-upheld"],
      "the three KO41a outcomes, zeros too, and no 'closed with no outcome' row when every one has one",
    );
  });

  it("section 3: the patient's age on the day received, a birthday that day counted, no date of birth as age unknown", () => {
    assert.deepEqual(counts(ret.ageBands), { "0-15": 1, "18-64": 1, "65-74": 1, "85+": 1, "not-known": 1 });
    assert.deepEqual(
      ret.ageBands.map((r) => r.title),
      ["0 to 15", "16 and 17", "18 to 64", "65 to 74", "75 to 84", "85 and over", "Age unknown"],
      "every band shows, zeros too: the form needs a value in each box",
    );
    assert.equal(
      ret.ageBands.reduce((sum, r) => sum + r.count, 0),
      ret.received,
      "the age bands add up to the new complaints",
    );
  });

  it("section 4: the patient, or someone on their behalf, from who raised it", () => {
    assert.deepEqual(counts(ret.complainantStatuses), { patient: 1, "on-behalf": 4 });
  });

  it("sections 5 to 8: each new complaint under every category it covers, uncoded ones counted apart", () => {
    assert.deepEqual(counts(ret.serviceAreas), { inpatient: 1, outpatient: 1, community: 1, "not-recorded": 2 });
    assert.deepEqual(counts(ret.clinicalAreas), { "general-surgery": 1, "care-of-the-elderly": 1, "not-recorded": 1 }, "A, J and F (not coded yet)");
    assert.deepEqual(counts(ret.subjects), { "clinical-treatment": 3, communications: 2, "patient-care": 1 });
    assert.deepEqual(counts(ret.professions), { medical: 1, nursing: 2, "not-recorded": 2 });
  });

  it("section 1: each site's figures, complaints with no site apart, adding up to the trust's", () => {
    assert.equal(ret.hasSites, true);
    assert.deepEqual(
      ret.sites.map((s) => [s.key, s.title, summary(s)]),
      [
        ["RXX01", "RXX01 Royal Infirmary", { broughtForward: 1, received: 3, resolved: 1, carriedForward: 3 }],
        ["RXX02", "RXX02 General Hospital", { broughtForward: 1, received: 1, resolved: 1, carriedForward: 1 }],
        ["not-recorded", "Site not recorded yet", { broughtForward: 0, received: 1, resolved: 1, carriedForward: 0 }],
      ],
    );
    const royal = ret.sites[0];
    assert.deepEqual(counts(royal.ageBands), { "0-15": 1, "65-74": 1, "85+": 1 }, "H, A and J");
    assert.deepEqual(counts(royal.complainantStatuses), { patient: 1, "on-behalf": 2 });
    assert.deepEqual(counts(royal.clinicalAreas), { "general-surgery": 1, "care-of-the-elderly": 1 });
    assert.deepEqual(counts(royal.outcomes), { upheld: 1 });
  });

  it("a trust with one site has every complaint at it; one with none has one site, the trust", () => {
    const one = ko41aReturn(CASES, 2025, [SITES[0]]);
    // F has no site: with one site it is that site's. B and D name a site no longer in the list: shown apart.
    assert.deepEqual(
      one.sites.map((s) => [s.key, summary(s)]),
      [
        ["RXX01", { broughtForward: 1, received: 4, resolved: 2, carriedForward: 3 }],
        ["RXX02", { broughtForward: 1, received: 1, resolved: 1, carriedForward: 1 }],
      ],
    );
    assert.equal(one.sites[1].title, "RXX02 (no longer in the trust's list of sites)");
    const none = ko41aReturn(CASES, 2025);
    assert.equal(none.hasSites, false);
    assert.deepEqual(
      none.sites.map((s) => [s.key, s.title, summary(s)]),
      [["trust", "The whole trust", { broughtForward: 2, received: 5, resolved: 3, carriedForward: 4 }]],
    );
  });

  it("the year before: what was open at its end is this year's brought forward", () => {
    const before = ko41aReturn(CASES, 2024, SITES);
    // 2024-25: C, D and E were received (H was still a concern); E was resolved; C and D were still open on 31 March 2025.
    assert.deepEqual(summary(before), { broughtForward: 0, received: 3, resolved: 1, carriedForward: 2 });
    assert.equal(before.carriedForward, ret.broughtForward);
  });

  it("writes every figure to the CSV, a column for the whole trust and one for each site", () => {
    const rows: string[][] = parse(ko41aCsv(ret), { bom: true });
    assert.deepEqual(rows[0], ["Section", "Category", "Code", "All sites", "RXX01 Royal Infirmary", "RXX02 General Hospital", "Site not recorded yet"]);
    const row = (section: string, code: string) => rows.find((r) => r[0].startsWith(section) && r[2] === code)?.slice(3);
    assert.deepEqual(row("Section 2", "brought-forward"), ["2", "1", "1", "0"]);
    assert.deepEqual(row("Section 2", "received"), ["5", "3", "1", "1"]);
    assert.deepEqual(row("Section 2", "partially-upheld"), ["1", "0", "0", "1"]);
    assert.deepEqual(row("Section 2", "resolved"), ["3", "1", "1", "1"]);
    assert.deepEqual(row("Section 2", "carried-forward"), ["4", "3", "1", "0"]);
    assert.deepEqual(row("Section 3", "not-known"), ["1", "0", "0", "1"]);
    assert.deepEqual(row("Section 3", "0-15"), ["1", "1", "0", "0"]);
    assert.deepEqual(row("Section 4", "on-behalf"), ["4", "2", "1", "1"]);
    assert.deepEqual(row("Section 6", "not-recorded"), ["1", "0", "0", "1"]);
    assert.deepEqual(row("Section 6", "general-surgery"), ["1", "1", "0", "0"]);
    assert.deepEqual(row("Section 7", "clinical-treatment"), ["3", "2", "0", "1"]);
    assert.deepEqual(row("Section 8", "nursing"), ["2", "1", "1", "0"]);
    assert.ok(
      rows.slice(1).every((r) => r.length === rows[0].length),
      "every row has a cell for every column",
    );
  });
});

describe("KO41a details worked out from what a case holds", () => {
  it("ages in whole years, a birthday on the day counted, 29 February birthdays on 1 March in other years", () => {
    assert.equal(ageOn("1960-05-10", "2025-05-10"), 65);
    assert.equal(ageOn("1960-05-10", "2025-05-09"), 64);
    assert.equal(ageOn("2008-02-29", "2025-02-28"), 16);
    assert.equal(ageOn("2008-02-29", "2025-03-01"), 17);
    assert.equal(ageBandOf("2009-04-02", "2025-04-01"), "0-15");
    assert.equal(ageBandOf("2009-04-01", "2025-04-01"), "16-17");
    assert.equal(ageBandOf(undefined, "2025-04-01"), "not-known");
    assert.equal(ageBandOf("2026-01-01", "2025-04-01"), "not-known", "a date of birth after the complaint is a slip, not an age");
  });

  it("the complainant's status from who raised it", () => {
    assert.equal(complainantStatusOf("patient"), "patient");
    for (const raisedBy of ["family", "carer", "representative", "mp", "regulator", "staff"]) assert.equal(complainantStatusOf(raisedBy), "on-behalf");
  });

  it("reads TRUST_SITES, refusing what is not a list of code=name", () => {
    assert.deepEqual(parseSiteSetting("rxx01=Royal Infirmary; RXX02 = St Mary's Hospital ;"), {
      ok: true,
      sites: [
        { code: "RXX01", name: "Royal Infirmary" },
        { code: "RXX02", name: "St Mary's Hospital" },
      ],
    });
    assert.deepEqual(parseSiteSetting(""), { ok: true, sites: [] });
    for (const bad of ["RXX01", "RXX01=Royal; RXX01=Again", "R1=Short code", "RXX01=**bold**", "RXX01==Formula"]) {
      const parsed = parseSiteSetting(bad);
      assert.equal(parsed.ok, false, bad);
    }
  });
});

describe("a trust's sites, from its configuration", () => {
  it("TRUST_SITES (no trusts file), or each trust's \"sites\" in the trusts file (the example's included)", () => {
    const config = parseConfig({ TRUST_SITES: "RXX01=Royal Infirmary;RXX02=General Hospital" });
    assert.deepEqual(trustSitesOf(config, "any-tenant"), SITES);
    assert.deepEqual(trustSitesOf(parseConfig({}), "any-tenant"), [], "no sites: the return has one site, the trust");
    assert.throws(() => parseConfig({ TRUST_SITES: "RXX01=Royal Infirmary; RXX01=Again" }), /TRUST_SITES must be a list of sites .*site RXX01 is listed twice/);

    const example = parseTrusts(JSON.parse(fs.readFileSync(path.join(__dirname, "../../env/trusts.example.json"), "utf8")));
    assert.ok(example.ok, JSON.stringify(example));
    assert.deepEqual(example.trusts[0].sites, [
      { code: "RXX01", name: "Example Royal Infirmary" },
      { code: "RXX02", name: "Example General Hospital" },
    ]);
    const refused = parseTrusts({
      trusts: [{ ...JSON.parse(fs.readFileSync(path.join(__dirname, "../../env/trusts.example.json"), "utf8")).trusts[0], sites: [{ code: "R!", name: "x" }] }],
    });
    assert.equal(refused.ok, false);
  });
});
