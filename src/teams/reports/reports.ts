// `report`, `report ko41a <year>`, `export cases <from> <to>`, `export case <reference>` and `subject access`:
// managers only (the application layer checks it again).
import { parseExportCommand, parseReportCommand } from "./commands";
import { trustNameOf } from "../../config";
import { z } from "zod";
import { ONLY_MANAGERS, parseCaseQuery } from "../../cases";
import {
  checkPeriod,
  financialYear,
  isPeriodPreset,
  isValidNhsNumber,
  mayReport,
  normaliseNhsNumber,
  presetPeriod,
  type Caller,
  type ReportPeriod,
} from "../../domain";
import { callerOrRefuse, inPersonalChat, tell, tellRefused, todayFor } from "../caller";
import type { TeamsDeps } from "../deps";
import { sendFile, type Delivery, type FileRequest } from "./files";
import { ALL_SITES, ko41aCard, reportCard } from "./reportCards";
import type { BotRoutes, Turn } from "../sdk/turn";

/** The caller when they may see reports; otherwise they are told no and the refusal is logged (no patient data). */
export async function manager(turn: Turn, what: string): Promise<Caller | undefined> {
  const caller = await callerOrRefuse(turn);
  if (!caller) return undefined;
  if (!mayReport(caller.roles)) {
    turn.log.warn({ what }, "Refused a report or export: the caller is not a manager");
    await tell(turn, "Not available", ONLY_MANAGERS);
    return undefined;
  }
  return caller;
}

/** The report card, or undefined when the person has been told why not. */
async function serviceReportCard(
  turn: Turn,
  deps: TeamsDeps,
  caller: Caller,
  period: ReportPeriod,
  banner?: string,
): Promise<Record<string, unknown> | undefined> {
  const result = await deps.desk.reports.serviceReport(caller, period);
  if (!result.ok) return void (await tellRefused(turn, result));
  return reportCard(result.report, {
    today: result.today,
    banner,
    trustName: trustNameOf(deps.config, caller.trustId),
    acknowledgeWorkingDays: deps.config.rules.deadlines.acknowledgeWorkingDays,
  });
}

/** The KO41a card for the whole trust, or one site chosen on the card (a site not among the return's: the whole trust, saying so). */
async function ko41aReportCard(turn: Turn, deps: TeamsDeps, caller: Caller, year: number, site?: string): Promise<Record<string, unknown> | undefined> {
  const result = await deps.desk.reports.ko41a(caller, year);
  if (!result.ok) return void (await tellRefused(turn, result));
  const known = site === undefined || site === ALL_SITES || result.ko41a.sites.some((s) => s.key === site);
  if (!known) turn.log.warn({ year }, "KO41a card asked for a site that is not the trust's; showing the whole trust");
  return ko41aCard(result.ko41a, {
    today: result.today,
    trustName: trustNameOf(deps.config, caller.trustId),
    inChannel: !inPersonalChat(turn),
    ...(known ? { site } : { banner: "That site isn't in this trust's list of sites, so the whole trust's figures are shown. Choose a site from the list." }),
  });
}

async function say(turn: Turn, delivery: Delivery): Promise<void> {
  if (!delivery.ok) await turn.send(`**${delivery.title}.** ${delivery.text}`);
}

async function reportCommand(turn: Turn, deps: TeamsDeps, rest: string): Promise<void> {
  const caller = await manager(turn, "report");
  if (!caller) return;
  const command = parseReportCommand(rest, todayFor(deps));
  if (command.kind === "problem") return turn.send(command.message);
  if (command.kind === "service") {
    const card = await serviceReportCard(turn, deps, caller, command.period);
    if (!card) return;
    await turn.sendCard(card);
    turn.log.info({ from: command.period.from, to: command.period.to }, "Report shown");
    return;
  }
  const card = await ko41aReportCard(turn, deps, caller, command.year);
  if (!card) return;
  await turn.sendCard(card);
  turn.log.info({ year: command.year }, "KO41a return shown");
  if (inPersonalChat(turn)) await say(turn, await sendFile(turn, deps, caller, { kind: "ko41a", year: command.year }));
}

async function exportCasesCommand(turn: Turn, deps: TeamsDeps, rest: string): Promise<void> {
  const caller = await manager(turn, "export cases");
  if (!caller) return;
  const command = parseExportCommand(rest, todayFor(deps));
  if (command.kind === "problem") return turn.send(command.message);
  const request: FileRequest = { kind: "cases", from: command.from, to: command.to, withPatientDetails: command.withPatientDetails };
  const delivery = await sendFile(turn, deps, caller, request);
  if (!delivery.ok) return say(turn, delivery);
  await turn.send(
    command.withPatientDetails
      ? "This export **includes patient details** (names, NHS numbers, dates of birth, contact details). Keep it on NHS systems and delete it when you are done."
      : "This export has **no patient details**. Add **with patient details** to the command if you need them.",
  );
}

/** `subject access <NHS number>`: a subject access request answered from PALS Desk's records. */
async function subjectAccessCommand(turn: Turn, deps: TeamsDeps, rest: string): Promise<void> {
  const caller = await manager(turn, "subject access");
  if (!caller) return;
  const nhsNumber = normaliseNhsNumber(rest.trim());
  if (!isValidNhsNumber(nhsNumber)) {
    await turn.send("Type **subject access** and the patient's NHS number (10 digits, checked), for example **subject access 943 476 5919**.");
    return;
  }
  await say(turn, await sendFile(turn, deps, caller, { kind: "subject-access", nhsNumber }));
}

async function exportCaseCommand(turn: Turn, deps: TeamsDeps, rest: string): Promise<void> {
  const caller = await manager(turn, "export case");
  if (!caller) return;
  const query = parseCaseQuery(rest);
  if (!("reference" in query) || !query.reference) {
    await turn.send("Type **export case** and a reference, for example **export case PALS-2026-000123**.");
    return;
  }
  const found = await deps.desk.cases.find(caller, query, 1);
  if (!found.ok) return tellRefused(turn, found);
  const c = found.cases[0];
  if (!c) return turn.send(`There is no case ${query.reference}. Check the reference.`);
  await say(turn, await sendFile(turn, deps, caller, { kind: "case-file", caseId: c.id }));
}

const PeriodAction = z.object({
  period: z.string().max(30),
  reportFrom: z.string().max(20).optional(),
  reportTo: z.string().max(20).optional(),
});
/** A KO41a card's button: the year, and the site chosen on the card (checked against the trust's own list). */
const YearAction = z.object({ year: z.coerce.number().int().min(2000).max(2100), site: z.string().trim().max(20).optional() });

/** A period button (or "Choose dates") on the report card: the new report replaces the card for this person. */
async function periodAction(turn: Turn, deps: TeamsDeps, data: unknown): Promise<void> {
  const caller = await manager(turn, "report.period");
  if (!caller) return;
  const parsed = PeriodAction.safeParse(data);
  const today = todayFor(deps);
  if (!parsed.success) return tell(turn, "Report not available", "That button could not be read. Type **report** to start again.");
  const { period, reportFrom, reportTo } = parsed.data;
  let card: Record<string, unknown> | undefined;
  if (isPeriodPreset(period)) {
    card = await serviceReportCard(turn, deps, caller, presetPeriod(period, today));
  } else {
    const check = period === "custom" ? checkPeriod((reportFrom ?? "").trim(), (reportTo ?? "").trim(), today) : undefined;
    card = check?.ok
      ? await serviceReportCard(turn, deps, caller, check.period)
      : await serviceReportCard(turn, deps, caller, presetPeriod("last-month", today), check ? check.problem : "Choose a period from the buttons.");
  }
  if (card) await turn.answerCard(card);
}

async function ko41aAction(turn: Turn, deps: TeamsDeps, data: unknown, file: boolean): Promise<void> {
  const caller = await manager(turn, file ? "report.ko41aFile" : "report.ko41a");
  if (!caller) return;
  const parsed = YearAction.safeParse(data);
  if (!parsed.success || financialYear(parsed.data.year).from > todayFor(deps)) {
    return tell(turn, "Report not available", "Choose a financial year that has started. Type **report ko41a 2025**, for example.");
  }
  if (!file) {
    const card = await ko41aReportCard(turn, deps, caller, parsed.data.year, parsed.data.site || undefined);
    if (card) await turn.answerCard(card);
    return;
  }
  const delivery = await sendFile(turn, deps, caller, { kind: "ko41a", year: parsed.data.year });
  if (delivery.ok) await turn.answerMessage(delivery.text);
  else await tell(turn, delivery.title, delivery.text);
}

export function registerReports(routes: BotRoutes, deps: TeamsDeps): void {
  routes.command(/^reports?\b/i, (turn, rest) => reportCommand(turn, deps, rest));
  routes.command(/^export cases\b/i, (turn, rest) => exportCasesCommand(turn, deps, rest));
  routes.command(/^subject access\b/i, (turn, rest) => subjectAccessCommand(turn, deps, rest));
  routes.command(/^export case\b/i, (turn, rest) => exportCaseCommand(turn, deps, rest));
  routes.verb("report.period", (turn, data) => periodAction(turn, deps, data));
  routes.verb("report.ko41a", (turn, data) => ko41aAction(turn, deps, data, false));
  routes.verb("report.ko41aFile", (turn, data) => ko41aAction(turn, deps, data, true));
}
