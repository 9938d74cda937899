// Reports and files for managers: the service report, the KO41a return, case exports, the Ombudsman case
// file and subject access requests. Read-only; each checks the caller may see reports, in their own trust.
import { z } from "zod";
import {
  caseFileHtml,
  casesCsv,
  checkPeriod,
  financialYear,
  financialYearTitle,
  isIsoDate,
  ko41aCsv,
  ko41aReturn,
  londonDate,
  mayReport,
  previousPeriod,
  serviceReport as serviceReportOf,
  type Caller,
  type Ko41aReturn,
  type ReportPeriod,
  type ServiceReport,
  type YouSaidWeDid,
  youSaidWeDidCsv,
} from "../domain";
import { activityLog } from "../logger";
import { rulesOf, sitesOf, type CaseDeskDeps } from "./deps";
import { refused, type Result } from "./results";
import { readYouSaidWeDid } from "./youSaidWeDid";

export const ONLY_MANAGERS = "Only PALS managers can see reports and exports. Ask your PALS manager if you need the figures.";

function managersOnly(deps: CaseDeskDeps, caller: Caller, what: string): ReturnType<typeof refused> | undefined {
  if (mayReport(caller.roles)) return undefined;
  activityLog(deps.log).warn({ what }, "Refused a report or export: the caller is not a manager");
  return refused("not-allowed", ONLY_MANAGERS);
}

/** The service report for a period, against the period before it. */
export async function serviceReport(
  deps: CaseDeskDeps,
  caller: Caller,
  period: ReportPeriod,
): Promise<Result<{ readonly report: ServiceReport; readonly today: string }>> {
  const notAllowed = managersOnly(deps, caller, "report");
  if (notAllowed) return notAllowed;
  const today = londonDate(deps.now());
  const cases = await deps.cases.listForReport(caller.trustId, previousPeriod(period).from, period.to);
  return { ok: true, report: serviceReportOf(cases, period, today, rulesOf(deps).updates.workingDays), today };
}

/** The KO41a return for the financial year starting 1 April `year`. */
export async function ko41a(deps: CaseDeskDeps, caller: Caller, year: number): Promise<Result<{ readonly ko41a: Ko41aReturn; readonly today: string }>> {
  const notAllowed = managersOnly(deps, caller, "report ko41a");
  if (notAllowed) return notAllowed;
  const period = financialYear(year);
  const cases = await deps.cases.listForReport(caller.trustId, period.from, period.to);
  return { ok: true, ko41a: ko41aReturn(cases, year, sitesOf(deps, caller.trustId)), today: londonDate(deps.now()) };
}

/** "You said, we did" for a period, and a division when given (youSaidWeDid.ts). */
export async function youSaidWeDid(
  deps: CaseDeskDeps,
  caller: Caller,
  period: ReportPeriod,
  division?: string,
): Promise<Result<{ readonly summary: YouSaidWeDid; readonly today: string }>> {
  const notAllowed = managersOnly(deps, caller, "you said we did");
  if (notAllowed) return notAllowed;
  const read = await readYouSaidWeDid(deps, caller.trustId, period, division);
  return read.ok ? { ok: true, summary: read.summary, today: londonDate(deps.now()) } : read;
}

const isoDate = z.string().refine(isIsoDate);

/** What a manager asked for; travels in the consent card's accept context, so it is checked again on return. */
export const FileRequestSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("ko41a"), year: z.number().int().min(2000).max(2100) }),
  z.object({ kind: z.literal("cases"), from: isoDate, to: isoDate, withPatientDetails: z.boolean() }),
  z.object({ kind: z.literal("case-file"), caseId: z.string().uuid() }),
  z.object({ kind: z.literal("subject-access"), nhsNumber: z.string().regex(/^\d{10}$/) }),
  z.object({ kind: z.literal("you-said-we-did"), from: isoDate, to: isoDate, division: z.string().trim().min(1).max(200).optional() }),
]);
export type FileRequest = z.infer<typeof FileRequestSchema>;

export interface OutgoingFile {
  readonly name: string;
  readonly contentType: "text/csv" | "text/html" | "application/json";
  readonly content: Buffer;
  /** Shown on the consent card and with the file: what it is, never patient data. */
  readonly description: string;
  /** Counts and ids for the log. */
  readonly logged: Record<string, unknown>;
}

export type Built = { readonly ok: true; readonly file: OutgoingFile } | { readonly ok: false; readonly title: string; readonly text: string };

function stamp(now: Date): string {
  return now.toISOString().slice(0, 16).replace(/[-:]/g, "").replace("T", "-");
}

/** Builds the file the person asked for, checking their role and trust as if the request were new. */
export async function buildFile(deps: CaseDeskDeps, caller: Caller, request: FileRequest): Promise<Built> {
  if (!mayReport(caller.roles)) return { ok: false, title: "Not available", text: ONLY_MANAGERS };
  const now = deps.now();
  switch (request.kind) {
    case "ko41a": {
      const period = financialYear(request.year);
      const ret = ko41aReturn(await deps.cases.listForReport(caller.trustId, period.from, period.to), request.year, sitesOf(deps, caller.trustId));
      const name = `KO41a-${financialYearTitle(request.year)}-${stamp(now)}.csv`;
      return {
        ok: true,
        file: {
          name,
          contentType: "text/csv",
          content: Buffer.from(ko41aCsv(ret), "utf8"),
          description: `KO41a counts for ${financialYearTitle(request.year)} (1 April ${request.year} to 31 March ${request.year + 1})${ret.hasSites ? ", for the whole trust and site by site" : ""}`,
          logged: { kind: request.kind, year: request.year, complaints: ret.received },
        },
      };
    }
    case "cases": {
      const check = checkPeriod(request.from, request.to, londonDate(now));
      if (!check.ok) return { ok: false, title: "Check the dates", text: check.problem };
      // The export's rows carry what the report does not read (patient details, service, ward, risk).
      const cases = (await deps.cases.listForReport(caller.trustId, request.from, request.to, "whole cases")).filter(
        (c) => c.receivedOn >= request.from && c.receivedOn <= request.to,
      );
      if (cases.length === 0) return { ok: false, title: "Nothing to export", text: `No cases were received from ${request.from} to ${request.to}.` };
      const detail = request.withPatientDetails ? "-with-patient-details" : "";
      return {
        ok: true,
        file: {
          name: `PALS-cases-${request.from}-to-${request.to}${detail}-${stamp(now)}.csv`,
          contentType: "text/csv",
          content: Buffer.from(
            casesCsv(cases, {
              withPatientDetails: request.withPatientDetails,
              rules: rulesOf(deps),
            }),
            "utf8",
          ),
          description: `${cases.length} case${cases.length === 1 ? "" : "s"} received ${request.from} to ${request.to}, ${request.withPatientDetails ? "WITH patient details" : "without patient details"}`,
          logged: { kind: request.kind, cases: cases.length, withPatientDetails: request.withPatientDetails },
        },
      };
    }
    case "you-said-we-did": {
      const check = checkPeriod(request.from, request.to, londonDate(now));
      if (!check.ok) return { ok: false, title: "Check the dates", text: check.problem };
      const read = await readYouSaidWeDid(deps, caller.trustId, check.period, request.division);
      if (!read.ok) return { ok: false, title: "Division not found", text: read.message };
      const { summary } = read;
      // The division goes in the name as letters and digits only: the name is shown as markdown on the file card.
      const words = (summary.division ?? "")
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-|-$/g, "");
      const slug = words ? `-${words}` : "";
      return {
        ok: true,
        file: {
          name: `you-said-we-did-${request.from}-to-${request.to}${slug}-${stamp(now)}.csv`,
          contentType: "text/csv",
          content: Buffer.from(youSaidWeDidCsv(summary), "utf8"),
          description: `You said, we did: themes raised and actions completed, ${request.from} to ${request.to}${summary.division ? ", one division" : ""} (no patient details)`,
          logged: { kind: request.kind, themes: summary.themes.length, actions: summary.done },
        },
      };
    }
    case "subject-access": {
      // UK GDPR article 15: everything held about one patient, found by NHS number, as one JSON document.
      const cases = await deps.cases.listForPatient(caller.trustId, request.nhsNumber);
      if (cases.length === 0) return { ok: false, title: "Nothing held", text: "PALS Desk holds no cases with that NHS number." };
      const withTimelines = await Promise.all(cases.map(async (c) => ({ case: c, timeline: await deps.timeline.list(c.id) })));
      const document = { generatedAt: now.toISOString(), generatedBy: caller.actor.name, nhsNumber: request.nhsNumber, cases: withTimelines };
      return {
        ok: true,
        file: {
          name: `subject-access-${stamp(now)}.json`,
          contentType: "application/json",
          content: Buffer.from(JSON.stringify(document, null, 2), "utf8"),
          description: `Everything PALS Desk holds about one NHS number: ${cases.length} case${cases.length === 1 ? "" : "s"} with their timelines`,
          logged: { kind: request.kind, cases: cases.length },
        },
      };
    }
    case "case-file": {
      const found = await deps.cases.get(caller.trustId, request.caseId);
      if (!found) return { ok: false, title: "Case not found", text: "We couldn't find that case. Type **export case** and the reference." };
      const c = found.value;
      const events = await deps.timeline.list(c.id);
      const html = caseFileHtml(c, events, {
        generatedAt: now,
        generatedBy: caller.actor.name,
        trustName: deps.trustNameOf?.(c.trustId),
        rules: rulesOf(deps),
      });
      return {
        ok: true,
        file: {
          name: `${c.reference}-case-file-${stamp(now)}.html`,
          contentType: "text/html",
          content: Buffer.from(html, "utf8"),
          description: `Case file for ${c.reference}: the case, its timeline, investigation answers and letters (open in a browser to print or save as PDF)`,
          logged: { kind: request.kind, caseId: c.id, reference: c.reference, events: events.length },
        },
      };
    }
  }
}
