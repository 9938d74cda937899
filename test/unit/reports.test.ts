import { parseExportCommand, parseReportCommand } from "../../src/teams/reports/commands";
import { strict as assert } from "node:assert";
import {
  ageBandIndex,
  checkPeriod,
  financialYear,
  financialYearOf,
  financialYearTitle,
  ko41aReturn,
  lastFullMonth,
  openOn,
  presetPeriod,
  previousPeriod,
  serviceReport,
  DEFAULT_RULES,
} from "../../src/domain";
import { REPORT_TODAY, reportCases } from "../helpers/reportFixtures";

describe("reports (pure figures)", () => {
  describe("periods", () => {
    it("defaults to the last full calendar month, and compares with the same number of days before it", () => {
      assert.deepEqual(lastFullMonth("2026-03-10"), { from: "2026-02-01", to: "2026-02-28" });
      assert.deepEqual(lastFullMonth("2026-01-01"), { from: "2025-12-01", to: "2025-12-31" });
      assert.deepEqual(previousPeriod({ from: "2026-02-01", to: "2026-02-28" }), { from: "2026-01-04", to: "2026-01-31" });
      assert.deepEqual(previousPeriod({ from: "2026-01-01", to: "2026-03-31" }), { from: "2025-10-03", to: "2025-12-31" });
    });

    it("works out this month, this and last quarter and the last 12 months", () => {
      assert.deepEqual(presetPeriod("this-month", "2026-03-10"), { from: "2026-03-01", to: "2026-03-10" });
      assert.deepEqual(presetPeriod("this-quarter", "2026-05-20"), { from: "2026-04-01", to: "2026-05-20" });
      assert.deepEqual(presetPeriod("last-quarter", "2026-05-20"), { from: "2026-01-01", to: "2026-03-31" });
      assert.deepEqual(presetPeriod("last-quarter", "2026-02-01"), { from: "2025-10-01", to: "2025-12-31" });
      assert.deepEqual(presetPeriod("last-12-months", "2026-03-10"), { from: "2025-03-11", to: "2026-03-10" });
    });

    it("uses the April to March financial year for KO41a", () => {
      assert.deepEqual(financialYear(2025), { from: "2025-04-01", to: "2026-03-31" });
      assert.equal(financialYearOf("2026-03-31"), 2025);
      assert.equal(financialYearOf("2026-04-01"), 2026);
      assert.equal(financialYearTitle(2025), "2025-26");
      assert.equal(financialYearTitle(2099), "2099-00");
    });

    it("checks typed dates", () => {
      assert.equal(checkPeriod("2026-01-01", "2026-03-31", REPORT_TODAY).ok, true);
      assert.equal(checkPeriod("2026-02-30", "2026-03-31", REPORT_TODAY).ok, false);
      assert.equal(checkPeriod("2026-03-31", "2026-01-01", REPORT_TODAY).ok, false);
      assert.equal(checkPeriod("2026-04-01", "2026-04-30", REPORT_TODAY).ok, false, "not started");
      assert.equal(checkPeriod("2020-01-01", "2026-01-01", REPORT_TODAY).ok, false, "too long");
    });

    it("bands ages 0-10, 11-25, 26-40 and 41+ working days", () => {
      assert.deepEqual([0, 10, 11, 25, 26, 40, 41, 400].map(ageBandIndex), [0, 0, 1, 1, 2, 2, 3, 3]);
    });
  });

  describe("what managers type", () => {
    it("reads report periods, KO41a years and export ranges", () => {
      assert.deepEqual(parseReportCommand("", REPORT_TODAY), { kind: "service", period: { from: "2026-02-01", to: "2026-02-28" } });
      assert.deepEqual(parseReportCommand(" This Month ", REPORT_TODAY), { kind: "service", period: { from: "2026-03-01", to: "2026-03-10" } });
      assert.deepEqual(parseReportCommand("2026-01-01 to 2026-03-31", REPORT_TODAY), { kind: "service", period: { from: "2026-01-01", to: "2026-03-31" } });
      assert.deepEqual(parseReportCommand("ko41a 2025", REPORT_TODAY), { kind: "ko41a", year: 2025 });
      assert.deepEqual(parseReportCommand("KO41a 2024-25", REPORT_TODAY), { kind: "ko41a", year: 2024 });
      assert.deepEqual(parseReportCommand("ko41a", REPORT_TODAY), { kind: "ko41a", year: 2025 });
      assert.equal(parseReportCommand("ko41a 2024-26", REPORT_TODAY).kind, "problem");
      assert.equal(parseReportCommand("ko41a 2026", REPORT_TODAY).kind, "problem", "2026-27 hasn't started");
      assert.equal(parseReportCommand("please", REPORT_TODAY).kind, "problem");
      assert.deepEqual(parseExportCommand("2026-01-01 2026-02-28", REPORT_TODAY), {
        kind: "cases",
        from: "2026-01-01",
        to: "2026-02-28",
        withPatientDetails: false,
      });
      assert.deepEqual(parseExportCommand("2026-01-01 2026-02-28 with patient details", REPORT_TODAY), {
        kind: "cases",
        from: "2026-01-01",
        to: "2026-02-28",
        withPatientDetails: true,
      });
      assert.equal(parseExportCommand("last month", REPORT_TODAY).kind, "problem");
    });
  });

  describe("the service report for February 2026 (hand-worked answers)", () => {
    const cases = Object.values(reportCases("trust-1")).filter((c) => c.trustId === "trust-1");
    const report = serviceReport(cases, { from: "2026-02-01", to: "2026-02-28" }, REPORT_TODAY, DEFAULT_RULES.updates.workingDays);

    it("counts cases received by type and open at the end of the period by type and age", () => {
      assert.equal(report.asOf, "2026-02-28");
      assert.equal(report.received, 4);
      assert.deepEqual(Object.fromEntries(report.receivedByType.map((r) => [r.type, r.count])), { enquiry: 1, concern: 1, complaint: 2, compliment: 0 });
      const byType = Object.fromEntries(report.openByType.map((r) => [r.type, r.bands]));
      // A 19 working days, C 34, D 4, G 61; F (enquiry) 0. B and E were closed in February; I came in March.
      assert.deepEqual(byType.complaint, [1, 1, 1, 1]);
      assert.deepEqual(byType.enquiry, [1, 0, 0, 0]);
      assert.deepEqual(byType.concern, [0, 0, 0, 0]);
      assert.deepEqual(report.openTotals, [2, 1, 1, 1]);
      assert.equal(report.openTotal, 5);
    });

    it("counts complaint deadlines due in the period as met or missed", () => {
      // Acknowledgements due: A (5 Feb, sent 4 Feb: met), D (26 Feb, not sent: missed).
      assert.deepEqual(report.acknowledgements, { due: 2, met: 1, missed: 1, pending: 0 });
      // Responses due: B (9 Feb, closed 6 Feb: met), C (16 Feb, still open: missed).
      assert.deepEqual(report.responses, { due: 2, met: 1, missed: 1, pending: 0 });
    });

    it("counts a deadline that is still to come as not yet due", () => {
      // Complaint responses due in March: A on 9 March (passed, open: missed) and D on 30 March (still to come).
      const march = serviceReport(cases, { from: "2026-03-01", to: "2026-03-31" }, REPORT_TODAY, DEFAULT_RULES.updates.workingDays);
      assert.deepEqual(march.responses, { due: 2, met: 0, missed: 1, pending: 1 });
      const earlier = serviceReport(cases, { from: "2026-03-01", to: "2026-03-31" }, "2026-03-05", DEFAULT_RULES.updates.workingDays);
      assert.deepEqual(earlier.responses, { due: 2, met: 0, missed: 0, pending: 2 });
    });

    it("groups divisions however they were typed", () => {
      assert.deepEqual(
        report.divisions.map((d) => [d.division, d.received, d.complaints, d.openAtEnd]),
        [
          ["Medicine", 2, 1, 3],
          ["Estates", 1, 0, 1],
          ["Surgery", 1, 1, 1],
        ],
      );
    });

    it("compares KO41a subjects with the previous period, a case counted under each of its subjects", () => {
      assert.deepEqual(
        report.themes.map((t) => [t.subject, t.count, t.previous]),
        [
          ["communications", 2, 1],
          ["appointments", 1, 0],
          ["clinical-treatment", 1, 0],
          ["patient-care", 0, 1],
        ],
      );
    });

    it("counts outcomes of cases closed in the period and each owner's open workload", () => {
      assert.equal(report.closed, 2);
      assert.deepEqual(
        report.outcomes.map((o) => [o.outcome, o.count]),
        [
          ["upheld", 1],
          ["partially-upheld", 0],
          ["not-upheld", 0],
          ["resolved", 1],
        ],
      );
      assert.deepEqual(
        report.workload.map((w) => [w.owner, w.open, w.complaints, w.overdue]),
        [
          ["Olivia Officer", 3, 3, 2],
          ["Maya Manager", 1, 0, 0],
          ["Priya Officer", 1, 1, 1],
        ],
      );
    });

    it("treats a case closed after the snapshot day as open on it", () => {
      const b = cases.find((c) => c.outcome === "upheld")!;
      assert.equal(openOn(b, "2026-02-05"), true);
      assert.equal(openOn(b, "2026-02-06"), false);
    });
  });

  describe("the KO41a return", () => {
    const cases = Object.values(reportCases("trust-1")).filter((c) => c.trustId === "trust-1");
    const ret = ko41aReturn(cases, 2025);
    const counts = (rows: readonly { id: string; count: number }[]) => Object.fromEntries(rows.filter((r) => r.count > 0).map((r) => [r.id, r.count]));

    it("counts written complaints received in the financial year, under every subject and profession they cover", () => {
      assert.equal(ret.received, 5, "A, B, C, D and G");
      assert.deepEqual(counts(ret.subjects), { "clinical-treatment": 2, communications: 2, "patient-care": 1, appointments: 1 });
      assert.deepEqual(counts(ret.professions), { nursing: 5, medical: 1 }, "A is counted under nursing and medical");
      assert.deepEqual(counts(ret.serviceAreas), { inpatient: 1, "not-recorded": 4 });
      assert.equal(ret.subjects.length, 16, "every KO41a subject is listed, zeros too");
      assert.deepEqual(counts(ret.outcomes), { upheld: 1 });
      assert.equal(ret.resolved, 1);
    });

    it("counts an escalated concern from the day it became a complaint", () => {
      const escalated = { ...cases[0], receivedOn: "2025-03-20", escalatedFromConcernOn: "2025-04-02" };
      assert.equal(ko41aReturn([escalated], 2025).received, 1);
      assert.equal(ko41aReturn([escalated], 2024).received, 0);
    });
  });
});
