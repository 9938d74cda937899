// Files for managers: CSV for spreadsheets and Datix / Ulysses imports, and the case file for the Ombudsman.
// Pure: they turn cases into text; sending the text is the Teams layer's job.
import { stringify } from "csv-stringify/sync";
import Mustache from "mustache";
import { type Case, consentTitle, contactTypeTitle, incidentSystemTitle, outcomeTitle, raisedByTitle, receivedViaTitle } from "../case/caseSchema";
import { formatLondonDateTime, formatPlainDate } from "../calendar/calendar";
import { investigationsOf } from "../investigations/investigations";
import { upheldViewTitle } from "../investigations/investigationSchema";
import { professionTitle, serviceAreaTitle, subjectTitle } from "./ko41a";
import { letterTitle, LetterKindSchema } from "../letters/letters";
import { ombudsmanStageTitle } from "../ombudsman/ombudsmanSchema";
import { NATIONAL_BODIES } from "../deadlines/nations";
import type { Rules } from "../deadlines/rules";
import { financialYearTitle, shortDate } from "./reports";
import type { CountRow, Ko41aFigures, Ko41aReturn } from "./ko41aReturn";
import { NAME_NOT_GIVEN } from "../case/completeness";
import { RISK_NOT_ASSESSED, riskBand, riskBandTitle, riskText } from "../case/risk";
import type { CaseEvent } from "../case/timeline";
import { backstopLabel } from "../deadlines/deadlines";
import { caseFlagTitle } from "../deadlines/ruleTexts";
import { lastUpdateGiven, nextUpdateDue } from "../deadlines/complainantUpdates";

// --- CSV -----------------------------------------------------------------------------------

export type CsvCell = string | number | boolean | undefined | null;

/**
 * Spreadsheets run a cell that starts with = + - @ (or a tab or carriage return) as a formula, so a summary
 * typed as "=HYPERLINK(...)" could run on a manager's machine. A leading apostrophe makes it text (OWASP).
 * Full-width forms count too: some spreadsheets treat them alike. So do leading spaces and line breaks,
 * which an import that trims cells removes.
 */
export function neutraliseFormula(value: string): string {
  return /^\s*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]|^[\t\r\n]/.test(value) ? `'${value}` : value;
}

/**
 * RFC 4180 CSV (CRLF line ends, quotes doubled, fields with commas, quotes or line breaks quoted) with a
 * UTF-8 byte order mark so Excel shows accented names correctly. Numbers stay numbers; text is neutralised.
 */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  const clean = (cell: CsvCell): string | number =>
    cell === undefined || cell === null ? "" : typeof cell === "number" ? cell : typeof cell === "boolean" ? (cell ? "Yes" : "No") : neutraliseFormula(cell);
  return stringify([header.map((h) => neutraliseFormula(h)), ...rows.map((row) => row.map(clean))], {
    bom: true,
    record_delimiter: "windows",
    quoted_match: /^\s|\s$/,
  });
}

/** Columns of the cases export; patient-identifying ones only when asked for. */
const CASE_COLUMNS = [
  "Reference",
  "Received date",
  "Received via",
  "Raised by",
  "Type",
  "Status",
  "Division",
  "Service",
  "Ward or department",
  "KO41a subjects",
  "KO41a professions",
  "KO41a service area",
  "Risk score",
  "Risk band",
  "Safeguarding",
  "Possible patient safety incident",
  "Incident reference",
  "Flags",
  "Outcome",
  "Closed date",
  "Acknowledge by",
  "Acknowledged on",
  "Response due",
  "Response date agreed",
  "Escalated from concern on",
  "Ombudsman referred on",
  "Ombudsman stage",
  "Owner",
  "Last update to the complainant",
  "Next update due",
] as const;

const PATIENT_COLUMNS = ["Patient name", "NHS number", "Date of birth", "Contact details", "Raised by (name)", "Consent"] as const;

export interface CaseExportOptions {
  readonly withPatientDetails: boolean;
  /** The trust's rules, which name the out-of-time period and set the update cadence ("Next update due"). */
  readonly rules: Pick<Rules, "deadlines" | "updates">;
}

/** Several values in one cell, as Datix and Ulysses import multi-select fields. */
const LIST_SEPARATOR = "; ";

/** One row per case, in reference order. Dates are yyyy-mm-dd (unambiguous for any import). */
export function casesCsv(cases: readonly Case[], options: CaseExportOptions): string {
  const header: string[] = [...CASE_COLUMNS, ...(options.withPatientDetails ? PATIENT_COLUMNS : [])];
  const rows = [...cases]
    .sort((a, b) => a.reference.localeCompare(b.reference))
    .map((c) => {
      const row: CsvCell[] = [
        c.reference,
        c.receivedOn,
        receivedViaTitle(c.receivedVia),
        raisedByTitle(c.raisedBy),
        contactTypeTitle(c.type),
        c.status === "open" ? "Open" : "Closed",
        c.division,
        c.service,
        c.ward,
        c.subjects.map(subjectTitle).join(LIST_SEPARATOR),
        c.professions.map(professionTitle).join(LIST_SEPARATOR),
        c.serviceArea ? serviceAreaTitle(c.serviceArea) : "",
        c.risk?.score,
        c.risk ? riskBandTitle(riskBand(c.risk.score)) : RISK_NOT_ASSESSED,
        c.safeguarding,
        c.safetyIncident === true,
        c.incidentReference ? `${incidentSystemTitle(c.incidentReference.system)} ${c.incidentReference.reference}` : "",
        c.flags.map((flag) => caseFlagTitle(flag, options.rules.deadlines)).join(LIST_SEPARATOR),
        c.outcome ? outcomeTitle(c.outcome) : "",
        c.closedOn,
        c.deadlines.acknowledgeBy,
        c.deadlines.acknowledgedOn,
        c.deadlines.respondBy,
        c.deadlines.respondBy ? c.deadlines.respondByAgreed === true : "",
        c.escalatedFromConcernOn,
        c.ombudsman?.referredOn,
        c.ombudsman ? ombudsmanStageTitle(c.ombudsman.stage) : "",
        c.owner?.name ?? "",
        lastUpdateGiven(c)?.on,
        nextUpdateDue(c, options.rules.updates.workingDays),
      ];
      if (options.withPatientDetails) {
        row.push(
          c.patient.name ?? NAME_NOT_GIVEN,
          c.patient.nhsNumber,
          c.patient.dateOfBirth,
          c.patient.contactDetails,
          c.raiser?.name,
          c.consent ? consentTitle(c.consent) : "",
        );
      }
      return row;
    });
  return toCsv(header, rows);
}

/** The KO41a return's sections as its guidance numbers them (ko41a.ts), and which list of counts each is. */
export const KO41A_SECTIONS = [
  { key: "ageBands", title: "Section 3: Age of patient", column: "Age" },
  { key: "complainantStatuses", title: "Section 4: Status of complainant", column: "Made by" },
  { key: "serviceAreas", title: "Section 5: Service area", column: "Service area" },
  { key: "clinicalAreas", title: "Section 6: Clinical treatment, by clinical area", column: "Clinical area" },
  { key: "subjects", title: "Section 7: Subject area", column: "Subject" },
  { key: "professions", title: "Section 8: Profession (staff group)", column: "Profession" },
] as const satisfies readonly { key: keyof Ko41aFigures; title: string; column: string }[];

/** Section 2 as rows: title, code and the figure, for the whole trust or one site. */
export function ko41aSummaryRows(
  figures: Ko41aFigures,
  year: number,
  outcomeRows: readonly CountRow[] = figures.outcomes,
): { title: string; id: string; count: number }[] {
  const count = (id: string) => figures.outcomes.find((r) => r.id === id)?.count ?? 0;
  return [
    { title: `Brought forward from ${financialYearTitle(year - 1)}`, id: "brought-forward", count: figures.broughtForward },
    { title: "New complaints received", id: "received", count: figures.received },
    ...outcomeRows.map((r) => ({ title: r.title, id: r.id, count: count(r.id) })),
    { title: "Total resolved", id: "resolved", count: figures.resolved },
    { title: `Carried forward to ${financialYearTitle(year + 1)}`, id: "carried-forward", count: figures.carriedForward },
  ];
}

/**
 * The KO41a return as rows a spreadsheet can total: section, category, KO41a code (our id), the whole trust's
 * count and, for a trust with sites, one column per site (the guidance asks for each site's figures).
 */
export function ko41aCsv(ret: Ko41aReturn): string {
  const columns: readonly Ko41aFigures[] = ret.hasSites ? [ret, ...ret.sites] : [ret];
  const header = ["Section", "Category", "Code", ...(ret.hasSites ? ["All sites", ...ret.sites.map((s) => s.title)] : ["Count"])];
  const rows: CsvCell[][] = [
    ["Period", `Financial year ${financialYearTitle(ret.year)} (${ret.period.from} to ${ret.period.to})`, "", ...columns.map(() => "")],
  ];
  // The whole trust's rows name every category any site has (a site's "not yet coded" row included); a site without one counts 0.
  const summary = (figures: Ko41aFigures) => ko41aSummaryRows(figures, ret.year, ret.outcomes);
  summary(ret).forEach((row, i) => rows.push(["Section 2: Summary", row.title, row.id, ...columns.map((figures) => summary(figures)[i].count)]));
  for (const { key, title } of KO41A_SECTIONS) {
    for (const row of ret[key]) rows.push([title, row.title, row.id, ...columns.map((figures) => figures[key].find((r) => r.id === row.id)?.count ?? 0)]);
  }
  return toCsv(header, rows);
}

// --- the case file for the Ombudsman -------------------------------------------------------

export interface CaseFileContext {
  readonly generatedAt: Date;
  readonly generatedBy: string;
  readonly trustName?: string;
  /** The trust's rules, which name the backstop, the out-of-time period and the nation's Ombudsman. */
  readonly rules: Pick<Rules, "deadlines" | "nation">;
}

const CASE_FILE_TEMPLATE = `<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>Case file {{reference}}</title>
<style>
body { font-family: Arial, Helvetica, sans-serif; font-size: 11pt; line-height: 1.4; margin: 2em; color: #212b32; }
h1 { font-size: 18pt; margin-bottom: 0; } h2 { font-size: 14pt; border-bottom: 2px solid #005eb8; margin-top: 1.6em; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0; } th, td { border: 1px solid #aeb7bd; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #f0f4f5; width: 30%; } .text { white-space: pre-wrap; } .muted { color: #4c6272; }
@media print { body { margin: 0; } h2 { page-break-after: avoid; } }
</style>
</head>
<body>
<h1>Case file: {{reference}}</h1>
<p class="muted">{{typeTitle}}{{#trustName}} · {{trustName}}{{/trustName}} · prepared for the {{ombudsmanName}}{{#phsoReference}} ({{ombudsmanShortName}} reference {{phsoReference}}){{/phsoReference}} by {{generatedBy}} on {{generatedOn}}. Contains patient-identifiable information: send it only through a secure route.</p>

<h2>The case</h2>
<table>{{#caseFacts}}<tr><th>{{label}}</th><td>{{value}}</td></tr>{{/caseFacts}}</table>

<h2>The patient and the person who raised it</h2>
<table>{{#personFacts}}<tr><th>{{label}}</th><td>{{value}}</td></tr>{{/personFacts}}</table>

<h2>What they told us</h2>
<p class="text">{{summary}}</p>
{{#desiredOutcome}}<h3>What they wanted to happen</h3><p class="text">{{desiredOutcome}}</p>{{/desiredOutcome}}

<h2>Deadlines</h2>
<table>{{#deadlineFacts}}<tr><th>{{label}}</th><td>{{value}}</td></tr>{{/deadlineFacts}}</table>

<h2>Outcome</h2>
<table>{{#outcomeFacts}}<tr><th>{{label}}</th><td>{{value}}</td></tr>{{/outcomeFacts}}</table>
{{#learning}}<h3>Learning</h3><p class="text">{{learning}}</p>{{/learning}}

<h2>Ombudsman ({{ombudsmanShortName}})</h2>
{{#ombudsmanFacts.length}}<table>{{#ombudsmanFacts}}<tr><th>{{label}}</th><td>{{value}}</td></tr>{{/ombudsmanFacts}}</table>{{/ombudsmanFacts.length}}
{{^ombudsmanFacts.length}}<p>No referral recorded.</p>{{/ombudsmanFacts.length}}

<h2>Investigation requests and answers</h2>
{{^investigations.length}}<p>None.</p>{{/investigations.length}}
{{#investigations}}
<h3>{{leadName}} ({{division}}), requested {{requestedOn}} by {{requestedBy}}, due {{dueOn}}</h3>
<table>
<tr><th>Summary given to the lead</th><td class="text">{{summary}}</td></tr>
<tr><th>Questions</th><td class="text">{{questions}}</td></tr>
{{#answer}}
<tr><th>Answered</th><td>{{answeredOn}} by {{answeredBy}}</td></tr>
<tr><th>Findings</th><td class="text">{{findings}}</td></tr>
<tr><th>Actions</th><td class="text">{{actions}}</td></tr>
<tr><th>Learning</th><td class="text">{{learning}}</td></tr>
<tr><th>Lead's view</th><td>{{upheldView}}</td></tr>
{{/answer}}
{{^answer}}<tr><th>Answer</th><td>Not answered</td></tr>{{/answer}}
</table>
{{/investigations}}

<h2>Letters sent</h2>
{{^letters.length}}<p>No letters recorded.</p>{{/letters.length}}
{{#letters.length}}<table><tr><th>Letter</th><td><strong>Recorded as sent</strong></td></tr>{{#letters}}<tr><th>{{title}}</th><td>{{when}} by {{who}}</td></tr>{{/letters}}</table>{{/letters.length}}

<h2>Timeline</h2>
<table>
<tr><th>When and who</th><td><strong>What happened</strong></td></tr>
{{#events}}<tr><th>{{when}}<br>{{who}}</th><td>{{summary}}{{#detail}}<div class="text muted">{{detail}}</div>{{/detail}}</td></tr>{{/events}}
</table>
</body>
</html>
`;

type Fact = { label: string; value: string };

function facts(pairs: [string, string | undefined][]): Fact[] {
  return pairs.filter((p): p is [string, string] => p[1] !== undefined && p[1] !== "").map(([label, value]) => ({ label, value }));
}

const when = (instant: string) => formatLondonDateTime(instant, "long");

const plain = (day: string | undefined) => (day ? formatPlainDate(day) : undefined);

/**
 * The whole case as one HTML document (prints to PDF from any browser): the case, its people, deadlines,
 * outcome, the Ombudsman referral, investigation answers, letters recorded and the full timeline.
 * Every value is HTML-escaped by Mustache.
 */
export function caseFileHtml(c: Case, events: readonly CaseEvent[], ctx: CaseFileContext): string {
  const d = c.deadlines;
  const view = {
    reference: c.reference,
    typeTitle: contactTypeTitle(c.type),
    trustName: ctx.trustName,
    generatedBy: ctx.generatedBy,
    generatedOn: when(ctx.generatedAt.toISOString()),
    phsoReference: c.ombudsman?.reference,
    ombudsmanName: NATIONAL_BODIES[ctx.rules.nation].ombudsman.name,
    ombudsmanShortName: NATIONAL_BODIES[ctx.rules.nation].ombudsman.shortName,
    summary: c.summary,
    desiredOutcome: c.desiredOutcome,
    learning: c.learning,
    caseFacts: facts([
      ["Reference", c.reference],
      ["Type", contactTypeTitle(c.type)],
      ["Status", c.status === "open" ? "Open" : "Closed"],
      ["Received", `${formatPlainDate(c.receivedOn)} (${receivedViaTitle(c.receivedVia).toLowerCase()})`],
      ["Date of the events", plain(c.eventOn)],
      ["Escalated from a PALS concern", plain(c.escalatedFromConcernOn)],
      ["Division", c.division],
      ["Service", c.service],
      ["Ward or department", c.ward],
      ["KO41a service area", c.serviceArea ? serviceAreaTitle(c.serviceArea) : undefined],
      ["KO41a subjects", c.subjects.map(subjectTitle).join(", ")],
      ["KO41a professions", c.professions.map(professionTitle).join(", ")],
      ["Risk", riskText(c.risk)],
      ["Safeguarding", c.safeguarding ? "Yes" : "No"],
      [
        "Possible patient safety incident",
        c.safetyIncident
          ? c.incidentReference
            ? `Yes: reported (${incidentSystemTitle(c.incidentReference.system)} ${c.incidentReference.reference})`
            : "Yes: not yet reported on the incident system"
          : "No",
      ],
      ["Flags", c.flags.map((flag) => caseFlagTitle(flag, ctx.rules.deadlines)).join("; ")],
      ["Owner", c.owner?.name],
      ["Logged by", c.createdBy.name],
    ]),
    personFacts: facts([
      ["Patient", c.patient.name ?? NAME_NOT_GIVEN],
      ["NHS number", c.patient.nhsNumber],
      ["Date of birth", plain(c.patient.dateOfBirth)],
      ["Contact details", c.patient.contactDetails],
      ["Communication needs", c.patient.communicationNeeds],
      ["Raised by", raisedByTitle(c.raisedBy) + (c.raiser?.name ? `: ${c.raiser.name}` : "")],
      ["Consent", c.consent ? consentTitle(c.consent) : undefined],
    ]),
    deadlineFacts: facts([
      ["Acknowledge by", plain(d.acknowledgeBy)],
      ["Acknowledged on", plain(d.acknowledgedOn)],
      ["Response due", d.respondBy ? `${formatPlainDate(d.respondBy)}${d.respondByAgreed ? " (agreed with the complainant)" : ""}` : undefined],
      [backstopLabel(ctx.rules.deadlines), d.backstop ? `${formatPlainDate(d.backstop)}${d.longerPeriodAgreed ? " (longer period agreed)" : ""}` : undefined],
    ]),
    outcomeFacts: facts([
      ["Outcome", c.outcome ? outcomeTitle(c.outcome) : "Not decided yet"],
      ["Closed", plain(c.closedOn)],
    ]),
    ombudsmanFacts: c.ombudsman
      ? facts([
          ["Referred on", formatPlainDate(c.ombudsman.referredOn)],
          ["Ombudsman's reference", c.ombudsman.reference],
          ["Stage", ombudsmanStageTitle(c.ombudsman.stage)],
          ["Ombudsman's response due", plain(c.ombudsman.responseDueOn)],
        ])
      : [],
    investigations: investigationsOf(c).map((r) => ({
      leadName: r.lead.name,
      division: r.division,
      requestedOn: shortDate(r.requestedAt.slice(0, 10)),
      requestedBy: r.requestedBy.name,
      dueOn: shortDate(r.dueOn),
      summary: r.summary,
      questions: r.questions,
      answer: r.answer
        ? {
            answeredOn: shortDate(r.answer.answeredOn),
            answeredBy: r.answer.by.name,
            findings: r.answer.findings,
            actions: r.answer.actions || "None given",
            learning: r.answer.learning || "None given",
            upheldView: upheldViewTitle(r.answer.upheldView),
          }
        : undefined,
    })),
    letters: events
      .filter((e) => e.kind === "letter-sent")
      .map((e) => {
        const kind = LetterKindSchema.safeParse(e.changes?.find((ch) => ch.field === "letter")?.after);
        return { title: kind.success ? letterTitle(kind.data) : e.summary, when: when(e.at), who: e.by.name };
      }),
    events: events.map((e) => ({ when: when(e.at), who: e.by.name, summary: e.summary, detail: e.detail })),
  };
  return Mustache.render(CASE_FILE_TEMPLATE, view);
}
