// What managers type after `report`, `export cases` and `you said we did`: read into a period (or why not), with
// the help text a person sees. Chat words belong to Teams; the periods they name are the domain's (reports.ts).
import { checkPeriod, financialYearOf, financialYearTitle, lastFullMonth, MONTHS, presetPeriod, type PeriodPreset, type ReportPeriod } from "../../domain";

export type ReportCommand =
  | { readonly kind: "service"; readonly period: ReportPeriod }
  | { readonly kind: "ko41a"; readonly year: number }
  | { readonly kind: "problem"; readonly message: string };

const PRESET_WORDS: readonly [RegExp, PeriodPreset][] = [
  [/^this month$/, "this-month"],
  [/^last month$/, "last-month"],
  [/^this quarter$/, "this-quarter"],
  [/^last quarter$/, "last-quarter"],
  [/^(last|past) (12|twelve) months$/, "last-12-months"],
];

const REPORT_HELP =
  "Type **report** for last month, **report this month**, **report this quarter**, **report last 12 months**, " +
  "**report 2026-01-01 2026-03-31** for your own dates, or **report ko41a 2025** for the KO41a return.";

/** Two dates, "from to", "from - to" or "from to to". */
function twoDates(text: string): [string, string] | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})\s*(?:to|-|–|until)?\s*(\d{4}-\d{2}-\d{2})$/.exec(text);
  return m ? [m[1], m[2]] : undefined;
}

/** `report ...` after the word report: a period, or the KO41a return for a financial year (the current one if none). */
export function parseReportCommand(rest: string, today: string): ReportCommand {
  const text = rest.trim().toLowerCase().replace(/\s+/g, " ");
  if (text === "") return { kind: "service", period: lastFullMonth(today) };
  const ko41a = /^ko41a(?: (?:for )?(?:fy ?)?(\d{4})(?:[-/](\d{2}|\d{4}))?)?$/.exec(text);
  if (ko41a) {
    if (!ko41a[1]) return { kind: "ko41a", year: financialYearOf(today) };
    const year = Number(ko41a[1]);
    const end = ko41a[2];
    if (end && Number(end.slice(-2)) !== (year + 1) % 100) {
      return { kind: "problem", message: `A financial year runs April to March: type **report ko41a ${year}** for ${financialYearTitle(year)}.` };
    }
    if (year < 2000 || `${year}-04-01` > today) return { kind: "problem", message: `The ${financialYearTitle(year)} financial year hasn't started.` };
    return { kind: "ko41a", year };
  }
  for (const [pattern, preset] of PRESET_WORDS) if (pattern.test(text)) return { kind: "service", period: presetPeriod(preset, today) };
  const dates = twoDates(text);
  if (dates) {
    const check = checkPeriod(dates[0], dates[1], today);
    return check.ok ? { kind: "service", period: check.period } : { kind: "problem", message: `${check.problem} ${REPORT_HELP}` };
  }
  return { kind: "problem", message: REPORT_HELP };
}

export type ExportCommand =
  | { readonly kind: "cases"; readonly from: string; readonly to: string; readonly withPatientDetails: boolean }
  | { readonly kind: "problem"; readonly message: string };

const EXPORT_HELP =
  "Type **export cases 2026-01-01 2026-03-31** for the cases received in those dates (without patient details), " +
  "and add **with patient details** to include names, NHS numbers, dates of birth and contact details.";

/** `export cases <from> <to> [with patient details]` after the words "export cases". */
export function parseExportCommand(rest: string, today: string): ExportCommand {
  let text = rest.trim().toLowerCase().replace(/\s+/g, " ");
  const withPatientDetails = / with patient(?:s'?|'s)? details$/.test(` ${text}`);
  text = ` ${text}`.replace(/ with patient(?:s'?|'s)? details$/, "").trim();
  const dates = twoDates(text);
  if (!dates) return { kind: "problem", message: EXPORT_HELP };
  const check = checkPeriod(dates[0], dates[1], today);
  return check.ok
    ? { kind: "cases", from: check.period.from, to: check.period.to, withPatientDetails }
    : { kind: "problem", message: `${check.problem} ${EXPORT_HELP}` };
}

export type YouSaidWeDidCommand =
  { readonly kind: "summary"; readonly period: ReportPeriod; readonly division?: string } | { readonly kind: "problem"; readonly message: string };

export const YOU_SAID_WE_DID_HELP =
  "Type **you said we did** for last month, or add a period and a division: **you said we did this quarter**, " +
  "**you said we did April Surgery**, **you said we did 2026-04-01 to 2026-06-30 Medicine**.";

const MONTH_WORDS = MONTHS.map((m) => m.toLowerCase());

/** A month by name ("april", "apr", "april 2026"): the latest one that has started when no year is given. */
function monthPeriod(word: string, year: string | undefined, today: string): ReportPeriod | undefined {
  const index = MONTH_WORDS.findIndex((m) => m === word || (word.length >= 3 && m.startsWith(word)));
  if (index < 0) return undefined;
  const month = String(index + 1).padStart(2, "0");
  let y = year ? Number(year) : Number(today.slice(0, 4));
  if (!year && `${y}-${month}-01` > today) y -= 1;
  const from = `${y}-${month}-01`;
  const last = new Date(Date.UTC(y, index + 1, 0)).getUTCDate();
  return { from, to: `${y}-${month}-${String(last).padStart(2, "0")}` };
}

/**
 * `you said we did [period] [division]` after the command words. The period is read as `report` reads it (this
 * month, last quarter, two dates...) or is a month's name; whatever follows is the division. None: last month.
 */
export function parseYouSaidWeDid(rest: string, today: string): YouSaidWeDidCommand {
  const words = rest.trim().split(/\s+/).filter(Boolean);
  const lower = words.map((w) => w.toLowerCase());
  const divisionAfter = (n: number) => {
    const division = words.slice(n).join(" ").trim();
    return division ? { division } : {};
  };
  // Two dates: "2026-04-01 2026-06-30", "... to ...", "... - ...".
  const first = lower[0] ?? "";
  if (/^\d{4}-\d{2}-\d{2}$/.test(first)) {
    const joined = ["to", "-", "–", "until"].includes(lower[1] ?? "") ? 1 : 0;
    const second = lower[1 + joined] ?? "";
    if (!/^\d{4}-\d{2}-\d{2}$/.test(second)) return { kind: "problem", message: `Give two dates, the first and the last day. ${YOU_SAID_WE_DID_HELP}` };
    const check = checkPeriod(first, second, today);
    return check.ok
      ? { kind: "summary", period: check.period, ...divisionAfter(2 + joined) }
      : { kind: "problem", message: `${check.problem} ${YOU_SAID_WE_DID_HELP}` };
  }
  // A month by name, with a year or not.
  const hasYear = /^\d{4}$/.test(lower[1] ?? "");
  const month = monthPeriod(first, hasYear ? lower[1] : undefined, today);
  if (month) {
    const check = checkPeriod(month.from, month.to, today);
    return check.ok
      ? { kind: "summary", period: check.period, ...divisionAfter(hasYear ? 2 : 1) }
      : { kind: "problem", message: `${check.problem} ${YOU_SAID_WE_DID_HELP}` };
  }
  // The report's own words for a period ("this quarter", "last 12 months"): the longest that reads as one.
  for (let n = Math.min(4, words.length); n >= 2; n--) {
    const read = parseReportCommand(lower.slice(0, n).join(" "), today);
    if (read.kind === "service") return { kind: "summary", period: read.period, ...divisionAfter(n) };
  }
  if (/^\d/.test(first)) return { kind: "problem", message: YOU_SAID_WE_DID_HELP };
  return { kind: "summary", period: lastFullMonth(today), ...divisionAfter(0) };
}
