import Holidays from "date-holidays";
import { LRUCache } from "lru-cache";
import { DateTime } from "luxon";

/** All deadlines and nudges are judged by the clock on the wall in England. */
export const LONDON_ZONE = "Europe/London";

const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const WALL_TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** True for a real calendar date written yyyy-mm-dd (so "2026-02-30" is false). */
export function isIsoDate(value: unknown): value is string {
  return typeof value === "string" && toEpochDay(value) !== undefined;
}

/**
 * Days since 1970-01-01 as plain calendar arithmetic in UTC: working-day counting must never
 * shift by an hour when the clocks change.
 */
function toEpochDay(dateIso: string): number | undefined {
  const m = ISO_DATE.exec(dateIso);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1000) return undefined; // Date.UTC maps years 0-99 to 1900-1999
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) {
    return undefined;
  }
  return ms / DAY_MS;
}

function epochDay(dateIso: string, what = "date"): number {
  const day = typeof dateIso === "string" ? toEpochDay(dateIso) : undefined;
  if (day === undefined) throw new Error(`Expected the ${what} as a real date in the form yyyy-mm-dd, got ${JSON.stringify(dateIso)}`);
  return day;
}

function fromEpochDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** 1 = Monday ... 7 = Sunday (1970-01-01 was a Thursday). */
function isoWeekday(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

function requireWholeDays(days: number, allowNegative: boolean): void {
  if (!Number.isInteger(days) || (!allowNegative && days < 0)) {
    throw new Error(`Expected a whole number of days${allowNegative ? "" : " (0 or more)"}, got ${days}`);
  }
}

// --- bank holidays -------------------------------------------------------------------------

let holidaysSource: Holidays | undefined;
const bankHolidaysByYear = new Map<number, ReadonlySet<string>>();

/**
 * England and Wales bank holidays for a year, as yyyy-mm-dd.
 * date-holidays also lists observances (Mother's Day, Easter Sunday) and the weekend date of a
 * holiday that has a weekday substitute (e.g. Boxing Day on Saturday 26 Dec 2026, off on Monday 28th),
 * so we keep only "public" days that fall Monday to Friday: the days people are actually off,
 * matching gov.uk's list.
 */
function bankHolidaySet(year: number): ReadonlySet<string> {
  let set = bankHolidaysByYear.get(year);
  if (!set) {
    holidaysSource ??= new Holidays("GB", "ENG");
    const days = holidaysSource
      .getHolidays(year)
      .filter((h) => h.type === "public")
      // h.date is the London calendar date; h.start is a UTC instant and reads as the day before in summer.
      .map((h) => h.date.slice(0, 10))
      .filter((d) => isoWeekday(epochDay(d)) <= 5);
    set = new Set(days.sort());
    bankHolidaysByYear.set(year, set);
  }
  return set;
}

/** England and Wales bank holidays in a year, in date order. */
export function bankHolidays(year: number): string[] {
  if (!Number.isInteger(year) || year < 1000 || year > 9999) throw new Error(`Expected a four-digit year, got ${year}`);
  return [...bankHolidaySet(year)];
}

export function isBankHoliday(dateIso: string): boolean {
  epochDay(dateIso);
  return bankHolidaySet(Number(dateIso.slice(0, 4))).has(dateIso);
}

function isWorkingEpochDay(day: number): boolean {
  if (isoWeekday(day) > 5) return false;
  const iso = fromEpochDay(day);
  return !bankHolidaySet(Number(iso.slice(0, 4))).has(iso);
}

/** Monday to Friday, less England and Wales bank holidays. */
export function isWorkingDay(dateIso: string): boolean {
  return isWorkingEpochDay(epochDay(dateIso));
}

// --- working-day arithmetic ----------------------------------------------------------------

/**
 * The date `days` working days after `dateIso`. Counting starts the working day after the date
 * (the day of receipt is day 0), so a Friday plus 1 is the next Monday unless that is a bank holiday.
 */
export function addWorkingDays(dateIso: string, days: number): string {
  let day = epochDay(dateIso);
  requireWholeDays(days, false);
  let left = days;
  while (left > 0) {
    day += 1;
    if (isWorkingEpochDay(day)) left -= 1;
  }
  return fromEpochDay(day);
}

/**
 * The working day that is `days` working days before `dateIso` (for "2 working days before it is due").
 * The inverse of addWorkingDays when `dateIso` is a working day.
 */
export function subtractWorkingDays(dateIso: string, days: number): string {
  let day = epochDay(dateIso);
  requireWholeDays(days, false);
  let left = days;
  while (left > 0) {
    day -= 1;
    if (isWorkingEpochDay(day)) left -= 1;
  }
  return fromEpochDay(day);
}

/** Weekdays among days [0, k) with k counted from a Monday; negative k counts backwards. */
function weekdaysBefore(k: number): number {
  return 5 * Math.floor(k / 7) + Math.min(((k % 7) + 7) % 7, 5);
}

/** Working days in (from, to]. */
function workingDaysAfterUpTo(from: number, to: number): number {
  // Epoch day -3 (1969-12-29) was a Monday.
  let count = weekdaysBefore(to + 4) - weekdaysBefore(from + 4);
  const fromIso = fromEpochDay(from);
  const toIso = fromEpochDay(to);
  for (let year = Number(fromIso.slice(0, 4)); year <= Number(toIso.slice(0, 4)); year++) {
    for (const holiday of bankHolidaySet(year)) if (holiday > fromIso && holiday <= toIso) count -= 1;
  }
  return count;
}

/**
 * Working days after `fromIso` up to and including `toIso`; negative when `toIso` is earlier.
 * workingDaysBetween(d, addWorkingDays(d, n)) === n.
 */
export function workingDaysBetween(fromIso: string, toIso: string): number {
  const from = epochDay(fromIso, "start date");
  const to = epochDay(toIso, "end date");
  return to >= from ? workingDaysAfterUpTo(from, to) : -workingDaysAfterUpTo(to, from);
}

// --- calendar arithmetic -------------------------------------------------------------------

export function addCalendarDays(dateIso: string, days: number): string {
  const day = epochDay(dateIso);
  requireWholeDays(days, true);
  return fromEpochDay(day + days);
}

/** Whole calendar months later (or earlier); 31 January + 1 month is 28 or 29 February. */
export function addCalendarMonths(dateIso: string, months: number): string {
  epochDay(dateIso);
  if (!Number.isInteger(months)) throw new Error(`Expected a whole number of months, got ${months}`);
  return DateTime.fromISO(dateIso, { zone: "utc" }).plus({ months }).toISODate()!;
}

/** Calendar days from `fromIso` to `toIso` (negative when earlier). */
export function calendarDaysBetween(fromIso: string, toIso: string): number {
  return epochDay(toIso, "end date") - epochDay(fromIso, "start date");
}

// --- London time ---------------------------------------------------------------------------

/** The London day last asked about, from its first millisecond to the next day's: every turn asks for today. */
let lastLondonDay: { readonly from: number; readonly to: number; readonly date: string } | undefined;

/** The calendar date in England at that instant (so 23:30 UTC in summer is already tomorrow). */
export function londonDate(instant: Date): string {
  if (!(instant instanceof Date) || Number.isNaN(instant.getTime())) throw new Error("Expected a valid Date");
  const ms = instant.getTime();
  if (lastLondonDay && ms >= lastLondonDay.from && ms < lastLondonDay.to) return lastLondonDay.date;
  const wall = DateTime.fromMillis(ms, { zone: LONDON_ZONE });
  // The day's bounds in London time: 23 or 25 hours long when the clocks change.
  const day = wall.startOf("day");
  lastLondonDay = { from: day.toMillis(), to: day.plus({ days: 1 }).toMillis(), date: wall.toISODate()! };
  return lastLondonDay.date;
}

/**
 * The instant the clocks in England show `time` ("HH:mm") on that date, in GMT or BST as it applies.
 * On the night the clocks go forward a time that never happens (01:30) moves on an hour;
 * on the night they go back a time that happens twice (01:30) means the second, in GMT.
 */
export function londonDateTime(dateIso: string, time: string): Date {
  epochDay(dateIso);
  if (typeof time !== "string" || !WALL_TIME.test(time)) throw new Error(`Expected a time as HH:mm, got ${JSON.stringify(time)}`);
  return DateTime.fromISO(`${dateIso}T${time}`, { zone: LONDON_ZONE }).toJSDate();
}

// Made once: toLocaleString with options builds a new formatter on every call, a card's costliest date work.
const LONDON_DATE_TIMES = {
  medium: new Intl.DateTimeFormat("en-GB", { timeZone: LONDON_ZONE, dateStyle: "medium", timeStyle: "short" }),
  long: new Intl.DateTimeFormat("en-GB", { timeZone: LONDON_ZONE, dateStyle: "long", timeStyle: "short" }),
};

/** An instant as the clocks in England showed it: "10 Mar 2026, 10:00" (medium) or "10 March 2026 at 10:00" (long). */
export function formatLondonDateTime(instant: string | Date, style: keyof typeof LONDON_DATE_TIMES = "medium"): string {
  const date = new Date(instant);
  return Number.isNaN(date.getTime()) ? "Invalid Date" : LONDON_DATE_TIMES[style].format(date);
}

/** A date as people write it in letters and cards: "Tuesday 3 March 2026". */
export function formatPlainDate(dateIso: string): string {
  const known = plainDates.get(dateIso);
  if (known !== undefined) return known;
  epochDay(dateIso);
  const plain = DateTime.fromISO(dateIso, { zone: "utc", locale: "en-GB" }).toFormat("cccc d LLLL yyyy");
  plainDates.set(dateIso, plain);
  return plain;
}

/** Cards show the same few dates (today, deadlines) again and again; luxon's formatting is a turn's costliest date work. */
const plainDates = new LRUCache<string, string>({ max: 5_000 });

/** "due in 3 working days" / "due today" / "overdue by 2 working days": how far off a due day is, in working days. */
export function dueInWords(dueOn: string, today: string): string {
  if (dueOn === today) return "due today";
  const days = Math.max(1, Math.abs(workingDaysBetween(today, dueOn)));
  const count = `${days} working day${days > 1 ? "s" : ""}`;
  return dueOn > today ? `due in ${count}` : `overdue by ${count}`;
}
