// NHS England's KO41a return (hospital and community health services written complaints) for one financial year,
// for the whole trust and for each of its sites: pure, worked out from the cases, so every figure can be checked by
// hand. The sections, categories and where they come from are in ko41a.ts.
import { type Outcome, OUTCOMES, type ReportCase } from "../case/caseSchema";
import { titleOf } from "../case/choice";
import { addCalendarDays } from "../calendar/calendar";
import {
  AGE_NOT_KNOWN,
  ageBandOf,
  CLINICAL_TREATMENT,
  complainantStatusOf,
  KO41A_AGE_BANDS,
  KO41A_CLINICAL_AREAS,
  KO41A_COMPLAINANT_STATUSES,
  KO41A_PROFESSIONS,
  KO41A_SERVICE_AREAS,
  KO41A_SUBJECTS,
  type OrganisationSite,
} from "./ko41a";
import { closedBy, closedWithin, complaintStartedOn, financialYear, inPeriod, type ReportPeriod } from "./reports";

export interface CountRow {
  readonly id: string;
  readonly title: string;
  readonly count: number;
}

/** The figures of one return (a site's, or the whole trust's). */
export interface Ko41aFigures {
  /** Section 2. Complaints received before the year and not resolved by its first day. */
  readonly broughtForward: number;
  /** Section 2. New written complaints received in the year (a concern escalated to a complaint counts from its escalation day). */
  readonly received: number;
  /** Section 2. Complaints resolved (closed) in the year, of those brought forward and those new. */
  readonly resolved: number;
  /** Section 2. The resolved complaints by outcome: upheld, partially upheld, not upheld. */
  readonly outcomes: readonly CountRow[];
  /** Section 2. Complaints brought forward or new and not resolved by the year's last day. */
  readonly carriedForward: number;
  /** Section 3: new complaints by the patient's age on the day received. */
  readonly ageBands: readonly CountRow[];
  /** Section 4: new complaints by who made them. */
  readonly complainantStatuses: readonly CountRow[];
  /** Section 5. A complaint is counted under each one it covers, as are sections 7 and 8. */
  readonly serviceAreas: readonly CountRow[];
  /** Section 6: new complaints with Clinical Treatment among their subjects, by clinical area. */
  readonly clinicalAreas: readonly CountRow[];
  /** Section 7. */
  readonly subjects: readonly CountRow[];
  /** Section 8. */
  readonly professions: readonly CountRow[];
}

/** Whose figures: a site of the trust, complaints with no site recorded, or the whole trust (a trust with no sites set up). */
export interface Ko41aSiteFigures extends Ko41aFigures {
  /** The site's code; "not-recorded" for complaints with no site yet; "trust" when the trust has no list of sites. */
  readonly key: string;
  readonly title: string;
}

export interface Ko41aReturn extends Ko41aFigures {
  readonly year: number;
  readonly period: ReportPeriod;
  /** Whether the trust has a list of sites (the figures by site are then the sites'); without one the return has one site, the trust. */
  readonly hasSites: boolean;
  /**
   * The figures for each site, in the trust's order, then any code no longer in its list, then complaints with no
   * site recorded (when there are some). Without a list of sites: one entry, the whole trust.
   */
  readonly sites: readonly Ko41aSiteFigures[];
}

// Quick capture leaves KO41a coding to when the details are completed: such complaints still count, here.
const NOT_RECORDED = { id: "not-recorded", title: "Not yet coded" } as const;
const NO_OUTCOME = { id: "not-recorded", title: "Closed with no KO41a outcome" } as const;
export const SITE_NOT_RECORDED = { key: "not-recorded", title: "Site not recorded yet" } as const;
export const WHOLE_TRUST = { key: "trust", title: "The whole trust" } as const;

const KO41A_OUTCOMES: readonly Outcome[] = ["upheld", "partially-upheld", "not-upheld"];

/** Every category of a list with its count (zeros too, as the return lists them); a "missing" row when some had none. */
function countEach(
  ids: readonly { id: string; title: string }[],
  values: readonly (readonly string[])[],
  missing: { readonly id: string; readonly title: string } | undefined = NOT_RECORDED,
): CountRow[] {
  const counts = new Map<string, number>();
  for (const list of values) {
    const distinct = new Set(list);
    if (distinct.size === 0 && missing) distinct.add(missing.id);
    for (const id of distinct) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const rows = ids.map(({ id, title }) => ({ id, title, count: counts.get(id) ?? 0 }));
  const none = missing ? (counts.get(missing.id) ?? 0) : 0;
  return missing && none > 0 ? [...rows, { ...missing, count: none }] : rows;
}

/** The figures for a set of complaints (a site's, or all of them), by the rules above. */
function figuresOf(complaints: readonly ReportCase[], period: ReportPeriod): Ko41aFigures {
  const dayBefore = addCalendarDays(period.from, -1);
  // Still to resolve on the year's first day: received by its end and not resolved before it began.
  const inYear = complaints.filter((c) => complaintStartedOn(c) <= period.to && !closedBy(c, dayBefore));
  const received = complaints.filter((c) => inPeriod(complaintStartedOn(c), period));
  const resolved = inYear.filter((c) => closedWithin(c, period));
  const clinical = received.filter((c) => c.subjects.includes(CLINICAL_TREATMENT));
  return {
    broughtForward: inYear.filter((c) => complaintStartedOn(c) < period.from).length,
    received: received.length,
    resolved: resolved.length,
    outcomes: countEach(
      KO41A_OUTCOMES.map((id) => ({ id, title: titleOf(OUTCOMES, id) })),
      resolved.map((c) => (c.outcome && KO41A_OUTCOMES.includes(c.outcome) ? [c.outcome] : [])),
      NO_OUTCOME,
    ),
    carriedForward: inYear.filter((c) => !closedBy(c, period.to)).length,
    ageBands: countEach(
      [...KO41A_AGE_BANDS, AGE_NOT_KNOWN],
      received.map((c) => [ageBandOf(c.patient.dateOfBirth, complaintStartedOn(c))]),
      undefined,
    ),
    complainantStatuses: countEach(
      KO41A_COMPLAINANT_STATUSES,
      received.map((c) => [complainantStatusOf(c.raisedBy)]),
      undefined,
    ),
    serviceAreas: countEach(
      KO41A_SERVICE_AREAS,
      received.map((c) => (c.serviceArea ? [c.serviceArea] : [])),
    ),
    clinicalAreas: countEach(
      KO41A_CLINICAL_AREAS,
      clinical.map((c) => (c.clinicalArea ? [c.clinicalArea] : [])),
    ),
    subjects: countEach(
      KO41A_SUBJECTS,
      received.map((c) => c.subjects),
    ),
    professions: countEach(
      KO41A_PROFESSIONS,
      received.map((c) => c.professions),
    ),
  };
}

/** Which site's return a complaint is on: its site; the only site of a trust with one; "not-recorded"; or the trust. */
function siteKeyOf(c: ReportCase, sites: readonly OrganisationSite[]): string {
  if (sites.length === 0) return WHOLE_TRUST.key;
  if (c.site) return c.site;
  return sites.length === 1 ? sites[0].code : SITE_NOT_RECORDED.key;
}

/**
 * The figures NHS England's KO41a return asks for, for the financial year starting 1 April `startYear`, for the
 * whole trust and each of its `sites`. `cases` must hold every case received in, or open during, the year (the
 * repository's listForReport does); others are ignored.
 */
export function ko41aReturn(cases: readonly ReportCase[], startYear: number, sites: readonly OrganisationSite[] = []): Ko41aReturn {
  const period = financialYear(startYear);
  const complaints = cases.filter((c) => c.type === "complaint");
  const bySite = new Map<string, ReportCase[]>();
  for (const c of complaints) {
    const key = siteKeyOf(c, sites);
    bySite.set(key, [...(bySite.get(key) ?? []), c]);
  }
  const listed = sites.length > 0 ? sites.map((s) => s.code) : [WHOLE_TRUST.key];
  const others = [...bySite.keys()].filter((key) => !listed.includes(key) && key !== SITE_NOT_RECORDED.key).sort();
  const siteFigures = [...listed, ...others, SITE_NOT_RECORDED.key].flatMap((key): Ko41aSiteFigures[] => {
    const figures = figuresOf(bySite.get(key) ?? [], period);
    const named = sites.find((s) => s.code === key);
    if (key === SITE_NOT_RECORDED.key || others.includes(key)) {
      // Shown only when they hold something for this year.
      if (figures.broughtForward + figures.received + figures.resolved + figures.carriedForward === 0) return [];
    }
    const title =
      key === WHOLE_TRUST.key
        ? WHOLE_TRUST.title
        : key === SITE_NOT_RECORDED.key
          ? SITE_NOT_RECORDED.title
          : named
            ? `${named.code} ${named.name}`
            : `${key} (no longer in the trust's list of sites)`;
    return [{ key, title, ...figures }];
  });
  return { year: startYear, period, hasSites: sites.length > 0, ...figuresOf(complaints, period), sites: siteFigures };
}
