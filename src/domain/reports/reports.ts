// Managers' figures: pure functions over arrays of cases, so the store only has to find the cases and every
// number can be checked by hand. Dates are London calendar dates (yyyy-mm-dd); ages are in working days.
import { type Case, CONTACT_TYPES, type ContactType, type Outcome, OUTCOMES, outcomeTitle, type ReportCase } from "../case/caseSchema";
import { addCalendarDays, addCalendarMonths, calendarDaysBetween, formatPlainDate, isIsoDate, workingDaysBetween } from "../calendar/calendar";
import { updateOverdueOn } from "../deadlines/complainantUpdates";
import { KO41A_SUBJECTS, type Subject, subjectTitle } from "./ko41a";

// --- periods -------------------------------------------------------------------------------

/** A reporting period, both days included. */
export interface ReportPeriod {
  readonly from: string;
  readonly to: string;
}

export const PERIOD_PRESETS = [
  { id: "this-month", title: "This month" },
  { id: "last-month", title: "Last month" },
  { id: "this-quarter", title: "This quarter" },
  { id: "last-quarter", title: "Last quarter" },
  { id: "last-12-months", title: "Last 12 months" },
] as const;
export type PeriodPreset = (typeof PERIOD_PRESETS)[number]["id"];

export function isPeriodPreset(value: unknown): value is PeriodPreset {
  return typeof value === "string" && PERIOD_PRESETS.some((p) => p.id === value);
}

/** The longest period a report covers: longer ones are slow to read and unreadable on a card. */
export const MAX_REPORT_DAYS = 3 * 366;

function monthStart(day: string): string {
  return `${day.slice(0, 7)}-01`;
}

function monthEnd(day: string): string {
  return addCalendarDays(addCalendarMonths(monthStart(day), 1), -1);
}

/** Quarters start in January, April, July and October (the NHS financial quarters fall on the same months). */
function quarterStart(day: string): string {
  const month = Number(day.slice(5, 7));
  const first = month - ((month - 1) % 3);
  return `${day.slice(0, 4)}-${String(first).padStart(2, "0")}-01`;
}

/** A preset period as of today; "this" periods run up to today. */
export function presetPeriod(preset: PeriodPreset, today: string): ReportPeriod {
  switch (preset) {
    case "this-month":
      return { from: monthStart(today), to: today };
    case "last-month": {
      const from = addCalendarMonths(monthStart(today), -1);
      return { from, to: monthEnd(from) };
    }
    case "this-quarter":
      return { from: quarterStart(today), to: today };
    case "last-quarter": {
      const from = addCalendarMonths(quarterStart(today), -3);
      return { from, to: addCalendarDays(quarterStart(today), -1) };
    }
    case "last-12-months":
      return { from: addCalendarDays(addCalendarMonths(today, -12), 1), to: today };
  }
}

/** The default report: the last full calendar month. */
export function lastFullMonth(today: string): ReportPeriod {
  return presetPeriod("last-month", today);
}

/** The period of the same number of days that ends the day before this one starts (for "versus last time"). */
export function previousPeriod(period: ReportPeriod): ReportPeriod {
  const days = calendarDaysBetween(period.from, period.to) + 1;
  const to = addCalendarDays(period.from, -1);
  return { from: addCalendarDays(to, -(days - 1)), to };
}

/** A KO41a year runs 1 April to 31 March: 2025 is 1 April 2025 to 31 March 2026 ("2025-26"). */
export function financialYear(startYear: number): ReportPeriod {
  return { from: `${startYear}-04-01`, to: `${startYear + 1}-03-31` };
}

/** The financial year a day falls in (its starting calendar year). */
export function financialYearOf(day: string): number {
  const year = Number(day.slice(0, 4));
  return day.slice(5) >= "04-01" ? year : year - 1;
}

export function financialYearTitle(startYear: number): string {
  return `${startYear}-${String((startYear + 1) % 100).padStart(2, "0")}`;
}

export function periodTitle(period: ReportPeriod): string {
  return `${shortDate(period.from)} to ${shortDate(period.to)}`;
}

/** "3 March 2026": the weekday is noise in a period title. */
export function shortDate(day: string): string {
  return formatPlainDate(day).replace(/^\S+ /, "");
}

export type PeriodCheck = { ok: true; period: ReportPeriod } | { ok: false; problem: string };

/** Checks dates typed by a manager: real dates, in order, not wholly in the future, not too long. */
export function checkPeriod(from: string, to: string, today: string): PeriodCheck {
  if (!isIsoDate(from) || !isIsoDate(to)) return { ok: false, problem: "Give the dates as year-month-day, for example 2026-01-01 2026-03-31." };
  if (from > to) return { ok: false, problem: "The first date must be on or before the second." };
  if (from > today) return { ok: false, problem: "That period hasn't started yet." };
  if (calendarDaysBetween(from, to) + 1 > MAX_REPORT_DAYS) return { ok: false, problem: "Choose a period of 3 years or less." };
  return { ok: true, period: { from, to } };
}

// --- the service report --------------------------------------------------------------------

export const AGE_BANDS = [
  { id: "0-10", title: "0-10", min: 0, max: 10 },
  { id: "11-25", title: "11-25", min: 11, max: 25 },
  { id: "26-40", title: "26-40", min: 26, max: 40 },
  { id: "41+", title: "41+", min: 41, max: Number.POSITIVE_INFINITY },
] as const;

/** Index into AGE_BANDS for a case open this many working days. */
export function ageBandIndex(workingDays: number): number {
  return AGE_BANDS.findIndex((band) => workingDays >= band.min && workingDays <= band.max);
}

export interface DeadlineTally {
  readonly due: number;
  readonly met: number;
  readonly missed: number;
  /** Due later than today, or today, and not met yet. */
  readonly pending: number;
}

export interface OpenByTypeRow {
  readonly type: ContactType;
  readonly title: string;
  /** Counts per AGE_BANDS entry. */
  readonly bands: readonly number[];
  readonly total: number;
}

export interface DivisionRow {
  readonly division: string;
  readonly received: number;
  readonly complaints: number;
  readonly openAtEnd: number;
}

export interface ThemeRow {
  readonly subject: Subject;
  readonly title: string;
  readonly count: number;
  readonly previous: number;
}

export interface OutcomeRow {
  readonly outcome: Outcome;
  readonly title: string;
  readonly count: number;
}

export interface WorkloadRow {
  readonly owner: string;
  readonly open: number;
  readonly complaints: number;
  readonly overdue: number;
}

export interface ServiceReport {
  readonly period: ReportPeriod;
  readonly previous: ReportPeriod;
  /** The day the open-case snapshot is taken: the end of the period, or today if that is earlier. */
  readonly asOf: string;
  readonly receivedByType: readonly { readonly type: ContactType; readonly title: string; readonly count: number }[];
  readonly received: number;
  readonly openByType: readonly OpenByTypeRow[];
  readonly openTotals: readonly number[];
  readonly openTotal: number;
  readonly acknowledgements: DeadlineTally;
  readonly responses: DeadlineTally;
  readonly divisions: readonly DivisionRow[];
  /** KO41a subjects of complaints and concerns received, a case counted under each of its subjects; busiest first. */
  readonly themes: readonly ThemeRow[];
  readonly outcomes: readonly OutcomeRow[];
  readonly closed: number;
  readonly workload: readonly WorkloadRow[];
  /** Cases received in the period flagged as possible patient safety incidents, and how many have an incident reference. */
  readonly patientSafety: { readonly flagged: number; readonly referenced: number };
  /** Complaints open on `asOf` whose next update to the complainant was due before that day (the trust's cadence). */
  readonly updatesOverdue: number;
}

/** Cases logged by quick capture have no division until their details are completed. */
const DIVISION_NOT_RECORDED = "Not recorded yet";

/** A day within a period, both ends included. */
export function inPeriod(day: string | undefined, period: ReportPeriod): day is string {
  return day !== undefined && day >= period.from && day <= period.to;
}
const within = inPeriod;

/**
 * Closed by the end of that day. For a complaint this is "resolved" in KO41a's words (investigated and upheld,
 * partially upheld or not upheld: closing a complaint needs one of the three). The one definition the service
 * report, the open-case counts and the KO41a return's resolved, brought forward and carried forward all use.
 * A reopened case is open again: its earlier close no longer counts.
 */
export function closedBy(c: Pick<Case, "closedOn" | "status">, day: string): boolean {
  return c.status === "closed" && c.closedOn !== undefined && c.closedOn <= day;
}

/** Closed (a complaint: resolved) within the period, both days included. */
export function closedWithin(c: Pick<Case, "closedOn" | "status">, period: ReportPeriod): boolean {
  return c.status === "closed" && within(c.closedOn, period);
}

/** Open at the end of that day: received by then and not closed by then (a later close still counts as open). */
export function openOn(c: Pick<Case, "receivedOn" | "closedOn" | "status">, day: string): boolean {
  return c.receivedOn <= day && !closedBy(c, day);
}

/** A deadline passed by that day and not met by then. */
export function overdueOn(c: Pick<Case, "deadlines" | "receivedOn" | "closedOn" | "status">, day: string): boolean {
  const d = c.deadlines;
  if (d.acknowledgeBy && d.acknowledgeBy < day && !(d.acknowledgedOn && d.acknowledgedOn <= day)) return true;
  return d.respondBy !== undefined && d.respondBy < day && openOn(c, day);
}

/** When the complaint clock started: the escalation day for a concern that became a complaint. */
export function complaintStartedOn(c: Pick<Case, "receivedOn" | "escalatedFromConcernOn">): string {
  return c.escalatedFromConcernOn ?? c.receivedOn;
}

function tallyAcknowledgements(complaints: readonly ReportCase[], period: ReportPeriod, today: string): DeadlineTally {
  let met = 0;
  let missed = 0;
  let pending = 0;
  const due = complaints.filter((c) => within(c.deadlines.acknowledgeBy, period));
  for (const c of due) {
    const by = c.deadlines.acknowledgeBy!;
    const sent = c.deadlines.acknowledgedOn;
    if (sent && sent <= by) met++;
    else if (sent || by < today) missed++;
    else pending++;
  }
  return { due: due.length, met, missed, pending };
}

/** The response counts as sent on the day the complaint was closed, against the response date in force. */
function tallyResponses(complaints: readonly ReportCase[], period: ReportPeriod, today: string): DeadlineTally {
  let met = 0;
  let missed = 0;
  let pending = 0;
  const due = complaints.filter((c) => within(c.deadlines.respondBy, period));
  for (const c of due) {
    const by = c.deadlines.respondBy!;
    const sent = c.status === "closed" ? c.closedOn : undefined;
    if (sent && sent <= by) met++;
    else if (sent || by < today) missed++;
    else pending++;
  }
  return { due: due.length, met, missed, pending };
}

function subjectCounts(cases: readonly ReportCase[], period: ReportPeriod): Map<Subject, number> {
  const counts = new Map<Subject, number>();
  for (const c of cases) {
    if ((c.type !== "complaint" && c.type !== "concern") || !within(c.receivedOn, period)) continue;
    for (const subject of new Set(c.subjects)) counts.set(subject, (counts.get(subject) ?? 0) + 1);
  }
  return counts;
}

/**
 * The managers' report for a period. `cases` must hold every case received in, or open during, the
 * period and the one before it (the repository's listForReport does); any others are ignored.
 */
export function serviceReport(cases: readonly ReportCase[], period: ReportPeriod, today: string, updateWorkingDays: number): ServiceReport {
  const previous = previousPeriod(period);
  const asOf = period.to < today ? period.to : today;
  const receivedIn = cases.filter((c) => within(c.receivedOn, period));
  const openAtEnd = cases.filter((c) => openOn(c, asOf));

  const openByType = CONTACT_TYPES.map(({ id, title }) => {
    const bands = AGE_BANDS.map(() => 0);
    for (const c of openAtEnd) if (c.type === id) bands[ageBandIndex(Math.max(0, workingDaysBetween(c.receivedOn, asOf)))] += 1;
    return { type: id, title, bands, total: bands.reduce((a, b) => a + b, 0) };
  });
  const openTotals = AGE_BANDS.map((_, i) => openByType.reduce((sum, row) => sum + row.bands[i], 0));

  const complaints = cases.filter((c) => c.type === "complaint");

  const divisions = new Map<string, { division: string; received: number; complaints: number; openAtEnd: number }>();
  const divisionRow = (name: string) => {
    const key = name.trim().toLowerCase();
    let row = divisions.get(key);
    if (!row) divisions.set(key, (row = { division: name.trim(), received: 0, complaints: 0, openAtEnd: 0 }));
    return row;
  };
  for (const c of receivedIn) {
    const row = divisionRow(c.division ?? DIVISION_NOT_RECORDED);
    row.received += 1;
    if (c.type === "complaint") row.complaints += 1;
  }
  for (const c of openAtEnd) divisionRow(c.division ?? DIVISION_NOT_RECORDED).openAtEnd += 1;

  const now = subjectCounts(cases, period);
  const before = subjectCounts(cases, previous);
  const themes = KO41A_SUBJECTS.map(({ id }) => ({ subject: id, title: subjectTitle(id), count: now.get(id) ?? 0, previous: before.get(id) ?? 0 }))
    .filter((row) => row.count > 0 || row.previous > 0)
    .sort((a, b) => b.count - a.count || b.previous - a.previous || a.title.localeCompare(b.title));

  const closedIn = cases.filter((c) => closedWithin(c, period));
  const outcomes = OUTCOMES.map(({ id }) => ({ outcome: id, title: outcomeTitle(id), count: closedIn.filter((c) => c.outcome === id).length })).filter(
    // The three KO41a outcomes always show, so a month with no upheld complaints says 0.
    (row) => row.count > 0 || ["upheld", "partially-upheld", "not-upheld"].includes(row.outcome),
  );

  const owners = new Map<string, { owner: string; open: number; complaints: number; overdue: number }>();
  for (const c of openAtEnd) {
    const key = c.owner?.aadObjectId ?? "";
    let row = owners.get(key);
    if (!row) owners.set(key, (row = { owner: c.owner?.name || "No owner", open: 0, complaints: 0, overdue: 0 }));
    row.open += 1;
    if (c.type === "complaint") row.complaints += 1;
    if (overdueOn(c, asOf)) row.overdue += 1;
  }

  return {
    period,
    previous,
    asOf,
    receivedByType: CONTACT_TYPES.map(({ id, title }) => ({ type: id, title, count: receivedIn.filter((c) => c.type === id).length })),
    received: receivedIn.length,
    openByType,
    openTotals,
    openTotal: openAtEnd.length,
    acknowledgements: tallyAcknowledgements(complaints, period, today),
    responses: tallyResponses(complaints, period, today),
    divisions: [...divisions.values()].sort((a, b) => b.received - a.received || b.openAtEnd - a.openAtEnd || a.division.localeCompare(b.division)),
    themes,
    outcomes,
    closed: closedIn.length,
    workload: [...owners.values()].sort((a, b) => b.open - a.open || a.owner.localeCompare(b.owner)),
    patientSafety: {
      flagged: receivedIn.filter((c) => c.safetyIncident).length,
      referenced: receivedIn.filter((c) => c.safetyIncident && c.incidentReference).length,
    },
    updatesOverdue: openAtEnd.filter((c) => updateOverdueOn(c, asOf, updateWorkingDays)).length,
  };
}
