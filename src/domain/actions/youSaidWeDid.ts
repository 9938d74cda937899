// "You said, we did": what people raised with PALS (KO41a subjects of concerns and complaints) and the actions
// completed for each, in words a trust can publish. Pure: the store finds the cases, this counts and words them.
// Nothing here reaches the output but themes, counts, action texts (scrubbed), divisions and months.
import { z } from "zod";
import type { ReportCase } from "../case/caseSchema";
import { isIsoDate } from "../calendar/calendar";
import { toCsv } from "../reports/exports";
import { KO41A_SUBJECTS, type Subject, SubjectSchema, subjectTitle } from "../reports/ko41a";
import { LearningActionSchema } from "./learningActionSchema";
import { findFolded, findIdentifiers, identifiersOf, withoutIdentifiers, type KnownIdentifiers } from "../case/identifiers";
import type { ReportPeriod } from "../reports/reports";

// --- what the store reads ----------------------------------------------------------------------

const named = z.object({ name: z.string().optional() }).default({});
/** The patient as the query reads them: only what is removed from action texts. */
const patient = z.object({ name: z.string().optional(), nhsNumber: z.string().optional(), dateOfBirth: z.string().optional() }).default({});

/**
 * A case with actions done on or after a day, as the one bounded query reads it: its subjects, division and
 * actions, and the patient's name, NHS number and date of birth, the raiser's and owner's names, read only to
 * remove them from action texts.
 */
export const CaseWithDoneActionsSchema = z.object({
  id: z.string(),
  subjects: z.array(SubjectSchema).default([]),
  division: z.string().optional(),
  actions: z.array(LearningActionSchema).default([]),
  patient,
  raiser: named,
  owner: named,
});
export type CaseWithDoneActions = z.infer<typeof CaseWithDoneActionsSchema>;

// --- removing patient details from action texts ------------------------------------------------

/** What stands in for anything removed from a published text. */
export const REMOVED = "[removed]";

/** A case reference, as people write it (PALS-2026-000123, "pals 2026 123"), in folded text (identifiers.ts). */
const REFERENCES = /(?<![\p{L}\p{N}])pals[\s-]*\d{4}[\s-]*\d{1,6}(?![\p{L}\p{N}])/gu;

/**
 * A text as it may be published: any case reference, and every identifier findIdentifiers finds (identifiers.ts:
 * NHS numbers and other long numbers however split, the patient's and raiser's names whole or in part in any case
 * and spelling, their date of birth; staff names whole, or a part written with a capital) is replaced by
 * "[removed]". Defence in depth: the action form already refuses words with patient details, but actions written
 * before it did, or through a change of name, are still read here.
 */
export function publishable(text: string, known: KnownIdentifiers): string {
  let out = String(text ?? "");
  for (const span of findFolded(out, REFERENCES).reverse()) out = out.slice(0, span.start) + REMOVED + out.slice(span.end);
  return withoutIdentifiers(out, known, REMOVED);
}

/** What a case read for "You said, we did" knows to remove: its patient and raiser, and the staff named. */
function knownOf(c: CaseWithDoneActions, staff: readonly (string | undefined)[] = []): KnownIdentifiers {
  return { ...identifiersOf(c), staff: [c.owner.name, ...staff] };
}

// --- the summary -------------------------------------------------------------------------------

/** The theme of an action that names no subject, on a case with none coded. */
export const NOT_CODED = { id: "not-coded", title: "Not coded" } as const;
export type Theme = Subject | typeof NOT_CODED.id;

/** Shown under a theme with no action completed in the period. */
export const LOOKING_AT_THIS = "We are looking at this.";

export interface PublishedAction {
  /** What will change (the action's description), scrubbed. */
  readonly description: string;
  /** What changed (the evidence given when it was marked done), scrubbed. */
  readonly evidence: string;
  readonly division: string;
  readonly doneOn: string;
  /** "April 2026". */
  readonly month: string;
}

export interface YouSaidWeDidTheme {
  readonly theme: Theme;
  readonly title: string;
  /** Concerns and complaints received in the period with this subject (a case counts under each of its subjects). */
  readonly raised: number;
  readonly actions: readonly PublishedAction[];
}

export interface YouSaidWeDid {
  readonly period: ReportPeriod;
  /** The division as cases write it, when one was asked for. */
  readonly division?: string;
  /** Concerns and complaints received in the period (and division). */
  readonly received: number;
  /** Actions completed in the period (and division). */
  readonly done: number;
  /** Raised most first; then themes with actions done but not raised in the period. */
  readonly themes: readonly YouSaidWeDidTheme[];
  /** True when the store's limit cut the cases read for actions: some completed actions may be missing. */
  readonly cut: boolean;
}

/** Month names, January first. */
export const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/** "2026-04-17" as "April 2026". */
export function monthTitle(day: string): string {
  return `${MONTHS[Number(day.slice(5, 7)) - 1]} ${day.slice(0, 4)}`;
}

const key = (division: string | undefined) => (division ?? "").trim().toLowerCase();
const within = (day: string | undefined, period: ReportPeriod): day is string => day !== undefined && day >= period.from && day <= period.to;

/**
 * Divisions named on these cases and their actions, each once whatever its letters' case, as most often written
 * (trimmed). A division carrying a patient identifier (findIdentifiers, with what its case knows) is never listed,
 * so it can't be chosen or named back: its actions still count for the whole trust, with the division scrubbed.
 */
export function divisionsIn(
  raised: readonly Pick<ReportCase, "division">[],
  withActions: readonly (Pick<CaseWithDoneActions, "division" | "actions"> & Partial<Pick<CaseWithDoneActions, "patient" | "raiser">>)[],
): string[] {
  const spellings = new Map<string, Map<string, number>>();
  const add = (name: string | undefined, known: KnownIdentifiers = {}) => {
    const k = key(name);
    if (!k || findIdentifiers(name!, known).length > 0) return;
    const counts = spellings.get(k) ?? new Map<string, number>();
    counts.set(name!.trim(), (counts.get(name!.trim()) ?? 0) + 1);
    spellings.set(k, counts);
  };
  raised.forEach((c) => add(c.division));
  withActions.forEach((c) => {
    const known = identifiersOf(c);
    add(c.division, known);
    c.actions.forEach((a) => add(a.division, known));
  });
  // Ties go to capitals first ("Medicine" before "medicine").
  const usual = (counts: Map<string, number>) => [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0][0];
  return [...spellings.values()].map(usual).sort((a, b) => a.localeCompare(b));
}

/** The division as cases write it, matched case-insensitively (spaces trimmed); undefined when no case uses it. */
export function matchDivision(typed: string, known: readonly string[]): string | undefined {
  const k = key(typed.replace(/\s+/g, " "));
  return known.find((name) => key(name.replace(/\s+/g, " ")) === k);
}

/**
 * The summary for a period, and a division when given (as matchDivision found it). `raised` may hold any cases
 * (the report's projection): only concerns and complaints received in the period count. `withActions` may hold
 * any cases too: only actions done in the period (and division) count, each under its own subject, else its
 * case's first subject, else "Not coded". `cut`: the store's limit was reached.
 */
export function youSaidWeDid(
  raised: readonly ReportCase[],
  withActions: readonly CaseWithDoneActions[],
  period: ReportPeriod,
  options: { readonly division?: string; readonly cut?: boolean } = {},
): YouSaidWeDid {
  const inDivision = (name: string | undefined) => options.division === undefined || key(name) === key(options.division);
  const received = raised.filter((c) => (c.type === "concern" || c.type === "complaint") && within(c.receivedOn, period) && inDivision(c.division));
  const counts = new Map<Theme, number>();
  for (const c of received) for (const subject of new Set(c.subjects)) counts.set(subject, (counts.get(subject) ?? 0) + 1);

  const done = new Map<Theme, PublishedAction[]>();
  let doneCount = 0;
  for (const c of withActions) {
    for (const action of c.actions) {
      if (action.status !== "done" || !action.done || !within(action.done.on, period) || !inDivision(action.division)) continue;
      const known = knownOf(c, [action.owner.name, action.createdBy.name, action.done.by.name]);
      const scrub = (text: string) => publishable(text, known);
      const theme: Theme = action.subject ?? c.subjects[0] ?? NOT_CODED.id;
      const list = done.get(theme) ?? [];
      list.push({
        description: scrub(action.description),
        evidence: scrub(action.done.evidence),
        division: scrub(action.division.trim()),
        doneOn: action.done.on,
        month: monthTitle(action.done.on),
      });
      done.set(theme, list);
      doneCount += 1;
    }
  }

  const titleOf = (theme: Theme) => (theme === NOT_CODED.id ? NOT_CODED.title : subjectTitle(theme));
  const order = [...KO41A_SUBJECTS.map((s) => s.id as Theme), NOT_CODED.id];
  const themes = order
    .filter((theme) => counts.has(theme) || done.has(theme))
    .map((theme) => ({
      theme,
      title: titleOf(theme),
      raised: counts.get(theme) ?? 0,
      actions: (done.get(theme) ?? []).sort((a, b) => a.doneOn.localeCompare(b.doneOn) || a.description.localeCompare(b.description)),
    }))
    .sort((a, b) => b.raised - a.raised || b.actions.length - a.actions.length || a.title.localeCompare(b.title));
  return {
    period,
    ...(options.division !== undefined ? { division: options.division } : {}),
    received: received.length,
    done: doneCount,
    themes,
    cut: options.cut === true,
  };
}

export function isEmptySummary(summary: YouSaidWeDid): boolean {
  return summary.received === 0 && summary.done === 0;
}

/** One row per action done (a theme with none: one row saying we are looking at it), as the card shows them. */
export function youSaidWeDidCsv(summary: YouSaidWeDid): string {
  const rows = summary.themes.flatMap((t) =>
    t.actions.length === 0
      ? [[t.title, t.raised, LOOKING_AT_THIS, "", "", ""]]
      : t.actions.map((a) => [t.title, t.raised, a.description, a.evidence, a.division, a.month]),
  );
  return toCsv(["Theme", "Times raised", "What we did", "Evidence", "Division", "Month done"], rows);
}

/** What a card's CSV button sends back; checked again on return (the card can be forged). */
export const YouSaidWeDidRequestSchema = z.object({
  from: z.string().refine(isIsoDate),
  to: z.string().refine(isIsoDate),
  division: z.string().trim().min(1).max(200).optional(),
});
