import {
  AGE_BANDS,
  type ContactType,
  type DeadlineTally,
  financialYearTitle,
  formatPlainDate,
  type CountRow,
  type Ko41aFigures,
  type Ko41aReturn,
  KO41A_SECTIONS,
  ko41aSummaryRows,
  PERIOD_PRESETS,
  periodTitle,
  type ServiceReport,
  shortDate,
  workingDaysText,
} from "../../domain";
import { expandCard } from "../cards";

/** Colours from Teams' chart palette (learn.microsoft.com, "Charts in Adaptive Cards"). */
type ChartColor = "good" | "attention" | "neutral" | "categoricalBlue" | "categoricalMarigold" | "categoricalRed" | "categoricalGreen";

/**
 * A Teams chart (Chart.VerticalBar.Grouped: one bar per series at each x, side by side or stacked) drawn from a
 * section's own table, which is the chart's `fallback`: clients without Teams' charts (the Agents Playground,
 * the adaptivecards renderer) show the table. Labels are our words (titles from fixed lists) and the numbers counts.
 */
export interface Chart {
  readonly xAxisTitle: string;
  readonly yAxisTitle: string;
  readonly stacked: boolean;
  readonly data: readonly { readonly legend: string; readonly color: ChartColor; readonly values: readonly { readonly x: string; readonly y: number }[] }[];
}

/** A table on a report card, and the chart drawn from it when it has one. */
interface Section {
  readonly title: string;
  readonly note: string;
  readonly columns: readonly { width: number }[];
  readonly header: readonly string[];
  readonly rows: readonly { cells: readonly string[] }[];
  readonly empty: string;
  readonly chart?: Chart;
}

/** Long lists (divisions, officers) are cut here so the card stays well under Teams' 80 KB. */
export const REPORT_ROW_LIMIT = 15;

function section(
  title: string,
  note: string,
  header: readonly string[],
  widths: readonly number[],
  rows: readonly (readonly (string | number)[])[],
  empty = "None.",
  limit = REPORT_ROW_LIMIT,
): Section {
  const shown = rows.slice(0, limit).map((row) => ({ cells: row.map(String) }));
  const more = rows.length - shown.length;
  return {
    title,
    note: more > 0 ? `${note ? `${note} ` : ""}Showing the first ${limit} of ${rows.length}.` : note,
    columns: widths.map((width) => ({ width })),
    header,
    rows: shown,
    empty,
  };
}

function withChart(chart: Chart | undefined, s: Section): Section {
  return chart ? { ...s, chart } : s;
}

const TYPE_COLORS: Readonly<Record<ContactType, ChartColor>> = {
  enquiry: "categoricalBlue",
  concern: "categoricalMarigold",
  complaint: "categoricalRed",
  compliment: "categoricalGreen",
};

/** Open cases by age band, a stacked bar per band with a part per type; none when nothing is open. */
function openByAgeChart(report: ServiceReport): Chart | undefined {
  if (report.openTotal === 0) return undefined;
  return {
    xAxisTitle: "Working days open",
    yAxisTitle: "Open cases",
    stacked: true,
    data: report.openByType
      .filter((row) => row.total > 0)
      .map((row) => ({ legend: row.title, color: TYPE_COLORS[row.type], values: AGE_BANDS.map((band, i) => ({ x: band.title, y: row.bands[i] })) })),
  };
}

/** "Acknowledgement (3 working days)": the trust's acknowledgement period. */
const acknowledgementTitle = (workingDays = 3) => `Acknowledgement (${workingDaysText(workingDays)})`;
const RESPONSE = "Response (date agreed or set)";

/** Complaint deadlines met, missed and not yet due, a stacked bar per deadline; none when none fell due. */
function deadlinesChart(report: ServiceReport, acknowledgement: string): Chart | undefined {
  if (report.acknowledgements.due + report.responses.due === 0) return undefined;
  const bars: [string, DeadlineTally][] = [
    [acknowledgement, report.acknowledgements],
    [RESPONSE, report.responses],
  ];
  const series = (legend: string, color: ChartColor, count: (t: DeadlineTally) => number) => ({
    legend,
    color,
    values: bars.map(([x, t]) => ({ x, y: count(t) })),
  });
  return {
    xAxisTitle: "Deadline",
    yAxisTitle: "Complaints",
    stacked: true,
    data: [series("Met", "good", (t) => t.met), series("Missed", "attention", (t) => t.missed), series("Not yet due", "neutral", (t) => t.pending)],
  };
}

/** KO41a subjects this period against the previous one, side by side; none when neither has any. */
function themesChart(themes: ServiceReport["themes"]): Chart | undefined {
  if (themes.length === 0) return undefined;
  return {
    xAxisTitle: "KO41a subject",
    yAxisTitle: "Complaints and concerns",
    stacked: false,
    data: [
      { legend: "This period", color: "categoricalBlue", values: themes.map((t) => ({ x: t.title, y: t.count })) },
      { legend: "Previous period", color: "neutral", values: themes.map((t) => ({ x: t.title, y: t.previous })) },
    ],
  };
}

function percent(part: number, whole: number): string {
  // Not "-": a lone hyphen renders as a bullet point in Teams' markdown.
  return whole === 0 ? "n/a" : `${Math.round((part / whole) * 100)}%`;
}

function tallyRow(name: string, t: DeadlineTally): string[] {
  return [name, String(t.due), String(t.met), String(t.missed), String(t.pending), percent(t.met, t.met + t.missed)];
}

function change(now: number, before: number): string {
  if (before === 0) return now === 0 ? "0" : "new";
  const diff = now - before;
  return diff === 0 ? "no change" : diff > 0 ? `up ${diff}` : `down ${-diff}`;
}

export interface ReportCardOptions {
  readonly today: string;
  /** Shown above the title, e.g. a problem with typed dates. */
  readonly banner?: string;
  readonly trustName?: string;
  /** The trust's acknowledgement period (its rules); England's 3 working days when left out. */
  readonly acknowledgeWorkingDays?: number;
}

/**
 * The managers' report for a period: tables, three of them drawn as Teams charts (open cases by age, complaint
 * deadlines met and missed, themes against the previous period) with the table as each chart's fallback.
 */
/** "1 enquiry", "2 enquiries", "0 complaints". */
function countedAs(title: string, count: number): string {
  const word = title.toLowerCase();
  if (count === 1) return word;
  return word.endsWith("y") ? `${word.slice(0, -1)}ies` : `${word}s`;
}

export function reportCard(report: ServiceReport, options: ReportCardOptions): Record<string, unknown> {
  const asOf = shortDate(report.asOf);
  const themes = report.themes.slice(0, 10);
  const acknowledgement = acknowledgementTitle(options.acknowledgeWorkingDays);
  const sections: Section[] = [
    withChart(
      openByAgeChart(report),
      section(
        `Open cases on ${asOf}, by type and age`,
        "Age is in working days since the case was received.",
        ["Type", ...AGE_BANDS.map((b) => b.title), "Total"],
        [3, 1, 1, 1, 1, 1],
        [
          ...report.openByType.map((row) => [row.title, ...row.bands.map(String), String(row.total)]),
          ["All", ...report.openTotals.map(String), String(report.openTotal)],
        ],
      ),
    ),
    withChart(
      deadlinesChart(report, acknowledgement),
      section(
        "Complaint deadlines due in the period",
        "Met: acknowledged, or answered (closed), by the date. Missed: late, or overdue and not done. Not yet due: due today or later.",
        ["Deadline", "Due", "Met", "Missed", "Not yet due", "On time"],
        [2, 1, 1, 1, 1, 1],
        [tallyRow(acknowledgement, report.acknowledgements), tallyRow(RESPONSE, report.responses)],
      ),
    ),
    section(
      "Cases by division",
      "Received in the period, and open at its end.",
      ["Division", "Received", "Complaints", `Open on ${asOf}`],
      [3, 1, 1, 1],
      report.divisions.map((d) => [d.division, d.received, d.complaints, d.openAtEnd]),
      "No cases in the period.",
    ),
    withChart(
      themesChart(themes),
      section(
        "Themes: KO41a subjects",
        `Complaints and concerns received, each counted under every subject it covers. Previous period: ${periodTitle(report.previous)}.`,
        ["Subject", "This period", "Previous period", "Change"],
        [3, 1, 1, 1],
        themes.map((t) => [t.title, t.count, t.previous, change(t.count, t.previous)]),
        "No subjects recorded in either period.",
      ),
    ),
    section(
      "Outcomes",
      `${report.closed} case${report.closed === 1 ? "" : "s"} closed in the period.`,
      ["Outcome", "Cases"],
      [3, 1],
      report.outcomes.map((o) => [o.title, o.count]),
    ),
    section(
      `Open workload on ${asOf}`,
      "Open cases by owner (as owned now). Overdue: a deadline passed and not met by that day.",
      ["Owner", "Open", "Complaints", "Overdue"],
      [3, 1, 1, 1],
      report.workload.map((w) => [w.owner, w.open, w.complaints, w.overdue]),
      "No open cases.",
    ),
  ];
  return expandCard("report", {
    banner: options.banner ?? "",
    title: "PALS report",
    subtitle: `${periodTitle(report.period)}${options.trustName ? ` · ${options.trustName}` : ""}`,
    facts: [
      { title: "Received", value: `${report.received} (${report.receivedByType.map((t) => `${t.count} ${countedAs(t.title, t.count)}`).join(", ")})` },
      { title: "Closed", value: String(report.closed) },
      { title: `Open on ${asOf}`, value: String(report.openTotal) },
      {
        title: "Possible patient safety incidents",
        value: `${report.patientSafety.flagged} received, ${report.patientSafety.referenced} with an incident reference`,
      },
      // Open on the snapshot day with the next update to the complainant due before it.
      { title: `Complaints with an update overdue on ${asOf}`, value: String(report.updatesOverdue) },
    ],
    sections,
    footer: `Worked out on ${formatPlainDate(options.today)}. Working days leave out weekends and England and Wales bank holidays. Type **report ko41a** for the KO41a return.`,
    presets: PERIOD_PRESETS.filter((p) => p.id !== "last-quarter"),
    period: report.period,
  });
}

/** What the KO41a card shows: the whole trust, or one of `ret.sites` by its key (a site's code, or "not-recorded"). */
export interface Ko41aCardOptions extends ReportCardOptions {
  readonly inChannel?: boolean;
  readonly site?: string;
}

/** The choice that shows the whole trust on the KO41a card's site list. */
export const ALL_SITES = "all";

/**
 * The KO41a return for a financial year, with the CSV offered as a file: every figure the return asks for (its
 * sections 2 to 8), for the whole trust or, chosen from the card's list, one of its sites (section 1).
 */
export function ko41aCard(ret: Ko41aReturn, options: Ko41aCardOptions): Record<string, unknown> {
  const yearTitle = financialYearTitle(ret.year);
  const chosen = options.site === undefined || options.site === ALL_SITES ? undefined : ret.sites.find((s) => s.key === options.site);
  const figures: Ko41aFigures = chosen ?? ret;
  const rows = (list: readonly CountRow[]) => list.map((r) => [r.title, r.count]);
  const coded = "A complaint is counted under every one it covers, so this column can add up to more than the new complaints.";
  const running = options.today < ret.period.to;
  const next = financialYearTitle(ret.year + 1);
  const outcomes = figures.outcomes
    .filter((o) => o.id !== "not-recorded" || o.count > 0)
    .map((o) => `${o.count} ${o.title.charAt(0).toLowerCase()}${o.title.slice(1)}`)
    .join(", ");
  const notes: Record<(typeof KO41A_SECTIONS)[number]["key"], string> = {
    ageBands: "New complaints, by the patient's age on the day the complaint was received, worked out from the date of birth.",
    complainantStatuses: "New complaints, by who made them: worked out from who raised each one.",
    serviceAreas: `New complaints. ${coded}`,
    clinicalAreas: "New complaints with Clinical Treatment among their subjects, by clinical area.",
    subjects: `New complaints. ${coded}`,
    professions: `New complaints. ${coded}`,
  };
  const sections = [
    ...(ret.hasSites && !chosen
      ? [
          section(
            "By site",
            "Choose a site below to see all its figures.",
            ["Site", "Brought forward", "New", "Resolved", "Carried forward"],
            [3, 1, 1, 1, 1],
            ret.sites.map((s) => [s.title, s.broughtForward, s.received, s.resolved, s.carriedForward]),
            "None.",
            50,
          ),
        ]
      : []),
    section(
      "Section 2: Summary",
      `Resolved: closed in the year (upheld, partially upheld or not upheld). Carried forward: brought forward or new, and not resolved by 31 March ${ret.year + 1}${running ? " (so far: not resolved yet)" : ""}.`,
      ["Figure", "Complaints"],
      [3, 1],
      ko41aSummaryRows(figures, ret.year, ret.outcomes).map((r) => [r.title, r.count]),
      "None.",
      50,
    ),
    // Every KO41a category shows, zeros too, as the return lists them.
    ...KO41A_SECTIONS.map(({ key, title, column }) => section(title, notes[key], [column, "Complaints"], [3, 1], rows(figures[key]), "None.", 50)),
  ];
  return expandCard("ko41a", {
    banner: options.banner ?? "",
    title: `KO41a return ${yearTitle}${chosen ? `: ${chosen.title}` : ""}`,
    subtitle: `Financial year 1 April ${ret.year} to 31 March ${ret.year + 1}, as the KO41a return uses${running ? ` (so far, to ${shortDate(options.today)})` : ""}.${options.trustName ? ` ${options.trustName}.` : ""}${ret.hasSites && !chosen ? " All sites." : ""}`,
    facts: [
      { title: `Brought forward from ${financialYearTitle(ret.year - 1)}`, value: String(figures.broughtForward) },
      { title: "New complaints received", value: String(figures.received) },
      { title: "Resolved in the year", value: `${figures.resolved} (${outcomes})` },
      { title: running ? `Not resolved yet (to carry forward to ${next})` : `Carried forward to ${next}`, value: String(figures.carriedForward) },
    ],
    sections,
    footer: `${
      options.inChannel
        ? "The CSV file comes in your personal chat with PALS Desk: type the same command there."
        : "Escalated concerns count from the day they became complaints. The CSV file has the same counts, one row each, with a column for each site."
    } The categories of sections 3, 4 and 6 are our reading of NHS England's KO41a guidance: check them against its current lookup file before you submit.`,
    year: ret.year,
    previousYear: ret.year - 1,
    nextYear: ret.year + 1,
    hasNextYear: ret.period.to < options.today,
    hasSites: ret.hasSites,
    selectedSite: chosen?.key ?? ALL_SITES,
    siteChoices: [{ id: ALL_SITES, title: "All sites" }, ...ret.sites.map((s) => ({ id: s.key, title: s.title }))],
  });
}
