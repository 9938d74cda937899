import { strict as assert } from "node:assert";
import {
  addCalendarDays,
  addCalendarMonths,
  addWorkingDays,
  bankHolidays,
  formatPlainDate,
  isBankHoliday,
  isIsoDate,
  isWorkingDay,
  londonDate,
  londonDateTime,
  subtractWorkingDays,
  workingDaysBetween,
} from "../../src/domain";

// gov.uk/bank-holidays.json, division england-and-wales, copied by hand: the source of truth the library must match.
const GOV_UK_ENGLAND_AND_WALES: Record<number, string[]> = {
  2025: ["2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05", "2025-05-26", "2025-08-25", "2025-12-25", "2025-12-26"],
  2026: ["2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31", "2026-12-25", "2026-12-28"],
  2027: ["2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30", "2027-12-27", "2027-12-28"],
};

describe("calendar", () => {
  describe("bank holidays", () => {
    for (const [year, expected] of Object.entries(GOV_UK_ENGLAND_AND_WALES)) {
      it(`matches the gov.uk England and Wales list for ${year}`, () => {
        assert.deepEqual(bankHolidays(Number(year)), expected);
      });
    }

    it("does not count Mother's Day or Easter Sunday, which date-holidays lists as observances", () => {
      assert.equal(isBankHoliday("2026-03-15"), false);
      assert.equal(isBankHoliday("2026-04-05"), false);
    });

    it("treats the Monday, not the Saturday, as the Boxing Day holiday in 2026", () => {
      assert.equal(isBankHoliday("2026-12-26"), false);
      assert.equal(isBankHoliday("2026-12-28"), true);
      assert.equal(isWorkingDay("2026-12-28"), false);
    });

    it("keeps summer bank holidays on their own date rather than the day before", () => {
      // date-holidays' start instant is midnight BST, i.e. 23:00 UTC the day before.
      assert.equal(isBankHoliday("2026-05-25"), true);
      assert.equal(isBankHoliday("2026-05-24"), false);
      assert.equal(isBankHoliday("2026-08-31"), true);
    });
  });

  describe("isWorkingDay", () => {
    it("is Monday to Friday less bank holidays", () => {
      assert.equal(isWorkingDay("2026-03-02"), true); // Monday
      assert.equal(isWorkingDay("2026-03-06"), true); // Friday
      assert.equal(isWorkingDay("2026-03-07"), false); // Saturday
      assert.equal(isWorkingDay("2026-03-08"), false); // Sunday
      assert.equal(isWorkingDay("2026-04-03"), false); // Good Friday
    });

    it("refuses a date that is not a real yyyy-mm-dd date", () => {
      assert.throws(() => isWorkingDay("2026-02-30"), /yyyy-mm-dd/);
      assert.throws(() => isWorkingDay("03/03/2026"), /yyyy-mm-dd/);
    });
  });

  describe("addWorkingDays", () => {
    it("starts counting the working day after the date, so day 0 is the date itself", () => {
      assert.equal(addWorkingDays("2026-03-03", 0), "2026-03-03");
      assert.equal(addWorkingDays("2026-03-03", 1), "2026-03-04");
      assert.equal(addWorkingDays("2026-03-07", 0), "2026-03-07"); // a Saturday stays put
    });

    it("takes a Friday plus one to the next Monday", () => {
      assert.equal(addWorkingDays("2026-03-06", 1), "2026-03-09");
    });

    it("counts from a weekend receipt as if received that weekend (Monday is day 1)", () => {
      assert.equal(addWorkingDays("2026-03-07", 1), "2026-03-09");
      assert.equal(addWorkingDays("2026-03-08", 3), "2026-03-11");
    });

    it("skips Good Friday and Easter Monday 2026", () => {
      // Thursday 2 April 2026: Friday 3rd and Monday 6th are bank holidays.
      assert.equal(addWorkingDays("2026-04-02", 1), "2026-04-07");
      assert.equal(addWorkingDays("2026-04-02", 3), "2026-04-09");
    });

    it("skips Christmas 2026, with Boxing Day's substitute on Monday 28th, and New Year's Day", () => {
      // Thursday 24 Dec: Fri 25 and Mon 28 are holidays, so Tue 29 is day 1.
      assert.equal(addWorkingDays("2026-12-24", 1), "2026-12-29");
      assert.equal(addWorkingDays("2026-12-24", 3), "2026-12-31");
      assert.equal(addWorkingDays("2026-12-24", 4), "2027-01-04");
    });

    it("refuses a negative or fractional number of days, and a malformed date", () => {
      assert.throws(() => addWorkingDays("2026-03-03", -1), /whole number of days/);
      assert.throws(() => addWorkingDays("2026-03-03", 1.5), /whole number of days/);
      assert.throws(() => addWorkingDays("2026-3-3", 1), /yyyy-mm-dd/);
      assert.throws(() => addWorkingDays("", 1), /yyyy-mm-dd/);
    });
  });

  describe("subtractWorkingDays", () => {
    it("finds the working day a reminder goes out before something due", () => {
      // Due Tuesday 7 April 2026: two working days before skips Easter Monday and Good Friday.
      assert.equal(subtractWorkingDays("2026-04-07", 1), "2026-04-02");
      assert.equal(subtractWorkingDays("2026-04-07", 2), "2026-04-01");
      assert.equal(subtractWorkingDays("2026-04-07", 0), "2026-04-07");
    });
  });

  describe("workingDaysBetween", () => {
    it("counts working days after the first date up to and including the second", () => {
      assert.equal(workingDaysBetween("2026-03-02", "2026-03-06"), 4);
      assert.equal(workingDaysBetween("2026-03-06", "2026-03-09"), 1);
      assert.equal(workingDaysBetween("2026-03-03", "2026-03-03"), 0);
    });

    it("leaves out bank holidays, including across a year end", () => {
      assert.equal(workingDaysBetween("2026-04-02", "2026-04-07"), 1);
      assert.equal(workingDaysBetween("2026-12-24", "2027-01-04"), 4);
    });

    it("is negative when the second date is earlier (how overdue something is)", () => {
      assert.equal(workingDaysBetween("2026-03-09", "2026-03-06"), -1);
      assert.equal(workingDaysBetween("2026-04-07", "2026-04-02"), -1);
    });

    it("undoes addWorkingDays for every start day and count over two years", () => {
      for (let start = "2025-12-01"; start < "2027-12-31"; start = addCalendarDays(start, 5)) {
        for (const n of [0, 1, 2, 3, 10, 25, 40, 60]) {
          assert.equal(workingDaysBetween(start, addWorkingDays(start, n)), n, `${start} + ${n}`);
        }
      }
    });
  });

  describe("London time", () => {
    it("gives the London date, which in summer turns over an hour before UTC", () => {
      assert.equal(londonDate(new Date("2026-06-30T23:30:00Z")), "2026-07-01");
      assert.equal(londonDate(new Date("2026-12-31T23:30:00Z")), "2026-12-31");
    });

    it("handles the clocks going forward on 29 March 2026 and back on 25 October 2026", () => {
      assert.equal(londonDate(new Date("2026-03-28T23:59:00Z")), "2026-03-28"); // still GMT
      assert.equal(londonDate(new Date("2026-03-29T23:30:00Z")), "2026-03-30"); // BST: 00:30 on the 30th
      assert.equal(londonDate(new Date("2026-10-24T23:30:00Z")), "2026-10-25"); // BST: 00:30 on the 25th
      assert.equal(londonDate(new Date("2026-10-25T23:30:00Z")), "2026-10-25"); // GMT again
    });

    it("turns over at each London midnight, to the millisecond, asked in any order (the day asked last is remembered)", () => {
      const at = (iso: string) => londonDate(new Date(iso));
      // 29 March 2026 is 23 hours long, 25 October 2026 is 25.
      for (const [first, last, date] of [
        ["2026-03-29T00:00:00.000Z", "2026-03-29T22:59:59.999Z", "2026-03-29"],
        ["2026-03-29T23:00:00.000Z", "2026-03-30T22:59:59.999Z", "2026-03-30"],
        ["2026-10-24T23:00:00.000Z", "2026-10-25T23:59:59.999Z", "2026-10-25"],
        ["2026-10-26T00:00:00.000Z", "2026-10-26T23:59:59.999Z", "2026-10-26"],
      ]) {
        assert.equal(at(first), date, first);
        assert.equal(at(last), date, last);
        assert.equal(at(first), date, `${first} again`);
      }
      assert.equal(at("2026-10-24T22:59:59.999Z"), "2026-10-24");
      assert.equal(at("2026-10-25T12:00:00.000Z"), "2026-10-25", "back to a day asked before");
      assert.equal(at("2026-03-28T23:59:59.999Z"), "2026-03-28");
    });

    it("puts a 09:00 nudge at 09:00 on the wall clock either side of each change", () => {
      assert.equal(londonDateTime("2026-03-27", "09:00").toISOString(), "2026-03-27T09:00:00.000Z");
      assert.equal(londonDateTime("2026-03-29", "09:00").toISOString(), "2026-03-29T08:00:00.000Z");
      assert.equal(londonDateTime("2026-03-30", "09:00").toISOString(), "2026-03-30T08:00:00.000Z");
      assert.equal(londonDateTime("2026-10-23", "09:00").toISOString(), "2026-10-23T08:00:00.000Z");
      assert.equal(londonDateTime("2026-10-25", "09:00").toISOString(), "2026-10-25T09:00:00.000Z");
    });

    it("moves a time that never happens (01:30 as the clocks go forward) on an hour", () => {
      assert.equal(londonDateTime("2026-03-29", "01:30").toISOString(), "2026-03-29T01:30:00.000Z");
    });

    it("refuses a time that is not HH:mm", () => {
      assert.throws(() => londonDateTime("2026-03-29", "9am"), /HH:mm/);
      assert.throws(() => londonDateTime("2026-03-29", "24:00"), /HH:mm/);
    });
  });

  describe("calendar months and display", () => {
    it("clamps to the end of a shorter month", () => {
      assert.equal(addCalendarMonths("2026-08-31", 6), "2027-02-28");
      assert.equal(addCalendarMonths("2027-08-31", 6), "2028-02-29");
      assert.equal(addCalendarMonths("2026-03-03", 6), "2026-09-03");
      assert.equal(addCalendarMonths("2026-03-31", -1), "2026-02-28");
    });

    it("writes dates the way letters do", () => {
      assert.equal(formatPlainDate("2026-03-03"), "Tuesday 3 March 2026");
      assert.equal(formatPlainDate("2026-12-28"), "Monday 28 December 2026");
    });

    it("knows a real date from a look-alike", () => {
      assert.equal(isIsoDate("2028-02-29"), true);
      assert.equal(isIsoDate("2026-02-29"), false);
      assert.equal(isIsoDate("2026-13-01"), false);
      assert.equal(isIsoDate("2026-03-03T09:00"), false);
      assert.equal(isIsoDate(20260303), false);
    });
  });
});
