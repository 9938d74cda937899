// Correspondence drafts: the trust's letter templates (Mustache) filled from a case. Pure: the templates are
// read elsewhere and passed in as text. Officers copy the draft into the trust's letterhead; nothing is sent.
import Mustache from "mustache";
import { z } from "zod";
import { type Case, outcomeTitle } from "../case/caseSchema";
import { formatPlainDate, workingDaysBetween } from "../calendar/calendar";
import { tierWorkingDays, type DeadlineRules } from "../deadlines/deadlines";
import { NATIONAL_BODIES } from "../deadlines/nations";
import type { Rules } from "../deadlines/rules";
import { idsOf, titleOf } from "../case/choice";
import type { ActionContext, ActionResult } from "../case/change";
import { investigationsOf } from "../investigations/investigations";
import { subjectTitle } from "../reports/ko41a";
import { CaseRuleError } from "../case/errors";
import type { SignpostEntry } from "../signposting/directory";
import type { CaseEvent } from "../case/timeline";

export const LETTER_KINDS = [
  { id: "acknowledgement", title: "Acknowledgement letter" },
  { id: "holding", title: "Holding letter (response date extended)" },
  { id: "final", title: "Final response" },
] as const;

export const LetterKindSchema = z.enum(idsOf(LETTER_KINDS));
export type LetterKind = z.infer<typeof LetterKindSchema>;
export const letterTitle = (id: LetterKind): string => titleOf(LETTER_KINDS, id);

/**
 * Every field a template may use, with the placeholder shown when the case doesn't have it yet. Trusts
 * editing templates use these names; docs/user-guide.md (Letters) lists them.
 */
export const LETTER_FIELDS = {
  letterDate: "date",
  reference: "case reference",
  addresseeName: "name of the person who complained",
  patientName: "patient's name",
  receivedDate: "date received",
  eventDate: "date of the events",
  topics: "what the complaint is about",
  summary: "summary of the complaint",
  desiredOutcome: "what they would like to happen",
  division: "division",
  service: "service",
  ward: "ward or department",
  acknowledgeByDate: "acknowledgement date",
  responseDate: "response date",
  responseWorkingDays: "number of working days",
  previousResponseDate: "previous response date",
  extensionReason: "reason for the delay",
  backstopDate: "6-month date",
  officerName: "your name",
  ownerName: "case officer's name",
  trustName: "trust name",
  findings: "what we found",
  actions: "actions we are taking",
  learning: "what we have learned",
  outcome: "upheld / partially upheld / not upheld",
  advocacyHelp: "where to get free help to complain",
  phsoName: "Ombudsman's name",
  phsoPhone: "Ombudsman's phone number",
  phsoWeb: "Ombudsman's website",
  phsoEmail: "Ombudsman's email",
  phsoPost: "Ombudsman's postal address",
} as const;

export type LetterField = keyof typeof LETTER_FIELDS;

/** What a template is filled with: text fields (absent when unknown) and the investigation list. */
export type LetterView = Partial<Record<LetterField, string>> & {
  /** One entry per clinical lead asked for input, for "how we looked into it". */
  investigations: { division: string; leadName: string; dueDate: string; answered: boolean }[];
};

export interface LetterContext {
  readonly today: string;
  /** The officer drafting the letter. */
  readonly officerName: string;
  readonly trustName?: string;
  /**
   * The Ombudsman's entry of the signposting directory (the nation's: the PHSO in England, the PSOW in Wales).
   * Template fields keep the name "phso..." so trusts' own templates go on working.
   */
  readonly ombudsman?: SignpostEntry;
  /** The case timeline, for the previous response date and the reason it changed. */
  readonly events: readonly CaseEvent[];
  /** The trust's rules: how many working days a complexity tier gives, and the nation's bodies. */
  readonly rules: Pick<Rules, "deadlines" | "nation">;
}

function words(list: readonly string[]): string | undefined {
  if (list.length === 0) return undefined;
  if (list.length === 1) return list[0];
  return `${list.slice(0, -1).join(", ")} and ${list[list.length - 1]}`;
}

function nonBlank(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== "" ? value.trim() : undefined;
}

/**
 * The working days the stored response date gives (the trust's rules decide them: 25 for England's standard
 * tier, 30 in Wales). A date agreed with the person keeps the tier's number, as before.
 */
function responseWorkingDays(c: Case, rules: Readonly<DeadlineRules>): string | undefined {
  if (!c.complexity) return undefined;
  const start = c.escalatedFromConcernOn ?? c.receivedOn;
  if (c.deadlines.respondByAgreed || !c.deadlines.respondBy) return String(tierWorkingDays(rules, c.complexity));
  return String(workingDaysBetween(start, c.deadlines.respondBy));
}

/** The case's details as letter fields; anything unknown is left out, so the letter shows a placeholder. */
export function letterView(c: Case, ctx: LetterContext): LetterView {
  const change = [...ctx.events].reverse().find((e) => e.kind === "response-date-changed");
  const before = change?.changes?.find((ch) => ch.field === "deadlines.respondBy")?.before;
  const answers = investigationsOf(c).filter((r) => r.answer);
  const view: LetterView = {
    letterDate: formatPlainDate(ctx.today),
    reference: c.reference,
    addresseeName: c.raisedBy !== "patient" && c.raiser?.name ? c.raiser.name : c.patient.name,
    patientName: c.patient.name,
    receivedDate: formatPlainDate(c.escalatedFromConcernOn ?? c.receivedOn),
    eventDate: c.eventOn ? formatPlainDate(c.eventOn) : undefined,
    topics: words(c.subjects.map((s) => subjectTitle(s).toLowerCase())),
    summary: c.summary,
    desiredOutcome: nonBlank(c.desiredOutcome),
    division: c.division,
    service: nonBlank(c.service),
    ward: nonBlank(c.ward),
    acknowledgeByDate: c.deadlines.acknowledgeBy ? formatPlainDate(c.deadlines.acknowledgeBy) : undefined,
    responseDate: c.deadlines.respondBy ? formatPlainDate(c.deadlines.respondBy) : undefined,
    responseWorkingDays: responseWorkingDays(c, ctx.rules.deadlines),
    previousResponseDate: typeof before === "string" && before !== c.deadlines.respondBy ? formatPlainDate(before) : undefined,
    extensionReason: nonBlank(change?.detail),
    backstopDate: c.deadlines.backstop ? formatPlainDate(c.deadlines.backstop) : undefined,
    officerName: nonBlank(ctx.officerName),
    ownerName: nonBlank(c.owner?.name),
    trustName: nonBlank(ctx.trustName),
    findings: nonBlank(
      answers
        .map((r) => r.answer!.findings)
        .filter(Boolean)
        .join("\n\n"),
    ),
    actions: nonBlank(
      answers
        .map((r) => r.answer!.actions)
        .filter(Boolean)
        .join("\n\n"),
    ),
    learning: nonBlank(
      c.learning ??
        answers
          .map((r) => r.answer!.learning)
          .filter(Boolean)
          .join("\n\n"),
    ),
    outcome: c.type === "complaint" && c.outcome ? outcomeTitle(c.outcome).toLowerCase() : undefined,
    advocacyHelp: NATIONAL_BODIES[ctx.rules.nation].advocacy.letterText,
    phsoName: ctx.ombudsman?.name ?? NATIONAL_BODIES[ctx.rules.nation].ombudsman.name,
    phsoPhone: ctx.ombudsman?.contact.phone,
    phsoWeb: ctx.ombudsman?.contact.web,
    phsoEmail: ctx.ombudsman?.contact.email,
    phsoPost: ctx.ombudsman?.contact.post,
    investigations: investigationsOf(c).map((r) => ({
      division: r.division,
      leadName: r.lead.name,
      dueDate: formatPlainDate(r.dueOn),
      answered: r.status === "answered",
    })),
  };
  for (const key of Object.keys(view) as (keyof LetterView)[]) if (view[key] === undefined) delete view[key];
  return view;
}

type Span = [string, string, number, number, Span[]?, ...unknown[]];

/** The names a template uses as values and as sections, however deeply nested. */
function templateNames(spans: readonly Span[], into = { values: new Set<string>(), sections: new Set<string>() }) {
  for (const span of spans) {
    const [type, name, , , children] = span;
    if (type === "name" || type === "&") into.values.add(name);
    if (type === "#" || type === "^") into.sections.add(name);
    if (Array.isArray(children)) templateNames(children, into);
  }
  return into;
}

/** "responseDate" → "response date", for a field the trust's template uses that PALS Desk doesn't know. */
function spokenName(name: string): string {
  return name
    .replace(/[._-]+/g, " ")
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .trim();
}

export class LetterTemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LetterTemplateError";
  }
}

/** Checks a template parses, naming the problem so the trust can fix its file. */
export function checkLetterTemplate(template: string): void {
  try {
    Mustache.parse(template);
  } catch (error) {
    throw new LetterTemplateError((error as Error).message);
  }
}

/**
 * Fills a template. A field the case doesn't have yet (or a name the template made up) shows as a clear
 * placeholder such as "[response date]", never as "undefined" or a gap. Text is not HTML-escaped: letters
 * are plain text.
 */
export function fillLetter(template: string, view: LetterView): string {
  const filled: Record<string, unknown> = { ...view };
  const { values, sections } = templateNames(Mustache.parse(template) as unknown as Span[]);
  for (const name of values) {
    // A section ({{#name}}...{{/name}}) is how a template says "only if we have it": no placeholder then.
    // Dotted names reach into list items; "." is the item itself.
    if (sections.has(name) || name === "." || name.includes(".")) continue;
    const value = filled[name];
    // Inside {{#investigations}} a name like leadName comes from the item; this top-level value is only the fallback.
    if (value === undefined || value === null || value === "") {
      filled[name] = `[${name in LETTER_FIELDS ? LETTER_FIELDS[name as LetterField] : spokenName(name)}]`;
    }
  }
  return Mustache.render(template, filled, {}, { escape: (text: unknown) => String(text) });
}

/** Letters are for formal complaints; the case card only offers them there. */
export function letterDraftRefusal(c: Pick<Case, "type">): string | undefined {
  return c.type === "complaint" ? undefined : "Letters are for formal complaints. Escalate the concern to a complaint first if that is what it has become.";
}

/** "Letter sent" on the timeline: which letter, when and who (the event's time and author). The case itself is unchanged. */
export function recordLetterSent(c: Case, kind: LetterKind, _ctx: ActionContext): ActionResult {
  const refusal = letterDraftRefusal(c);
  if (refusal) throw new CaseRuleError(refusal);
  return {
    updated: c,
    event: { kind: "letter-sent", summary: `${letterTitle(kind)} sent`, changes: [{ field: "letter", after: kind }] },
  };
}

/** Placeholders the officer still has to fill in, e.g. "[response date]". */
export function gapsIn(text: string): string[] {
  return [...new Set(text.match(/\[[^\]\n]{1,80}\]/g) ?? [])];
}
