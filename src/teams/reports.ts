// `report`, `report ko41a <year>`, `export cases <from> <to>` and `export case <reference>`: managers only.
import type { Application } from "@microsoft/teams-ai";
import { ActivityTypes, type TurnContext } from "botbuilder";
import { z } from "zod";
import {
  checkPeriod,
  financialYear,
  formatCaseReference,
  isPeriodPreset,
  ko41aReturn,
  mayReport,
  isValidNhsNumber,
  normaliseNhsNumber,
  parseCaseReference,
  parseExportCommand,
  parseReportCommand,
  presetPeriod,
  previousPeriod,
  serviceReport,
  type ReportPeriod,
} from "../domain";
import { callerOrRefuse, tell, todayFor } from "./caller";
import { normaliseCommandText } from "./commands";
import { cardMessage } from "./cards";
import type { BotDeps } from "./deps";
import { sendFile, type Delivery, type FileRequest } from "./files";
import type { Caller } from "./identity";
import { answerWithCard, answerWithMessage } from "./invoke";
import { ko41aCard, reportCard } from "./reportCards";
import { turnLog } from "./turnLog";


const ONLY_MANAGERS = "Only PALS managers can see reports and exports. Ask your PALS manager if you need the figures.";

/** The caller when they may see reports; otherwise they are told no and the refusal is logged (no patient data). */
async function manager(context: TurnContext, deps: BotDeps, what: string): Promise<Caller | undefined> {
  const caller = await callerOrRefuse(context, deps);
  if (!caller) return undefined;
  if (!mayReport(caller.roles)) {
    turnLog(context, deps.log).warn({ what }, "Refused a report or export: the caller is not a manager");
    await tell(context, "Not available", ONLY_MANAGERS);
    return undefined;
  }
  return caller;
}

async function serviceReportCard(deps: BotDeps, caller: Caller, period: ReportPeriod, banner?: string): Promise<Record<string, unknown>> {
  const previous = previousPeriod(period);
  const cases = await deps.cases.listForReport(caller.tenantId, previous.from, period.to);
  return reportCard(serviceReport(cases, period, todayFor(deps)), { today: todayFor(deps), banner, trustName: deps.config.trustName });
}

async function ko41aReportCard(deps: BotDeps, caller: Caller, year: number, inChannel: boolean): Promise<Record<string, unknown>> {
  const period = financialYear(year);
  const ret = ko41aReturn(await deps.cases.listForReport(caller.tenantId, period.from, period.to), year);
  return ko41aCard(ret, { today: todayFor(deps), trustName: deps.config.trustName, inChannel });
}

function inPersonalChat(context: TurnContext): boolean {
  return context.activity.conversation?.conversationType === "personal";
}

async function say(context: TurnContext, delivery: Delivery): Promise<void> {
  if (!delivery.ok) await context.sendActivity(`**${delivery.title}.** ${delivery.text}`);
}

async function reportCommand(context: TurnContext, deps: BotDeps, rest: string): Promise<void> {
  const caller = await manager(context, deps, "report");
  if (!caller) return;
  const command = parseReportCommand(rest, todayFor(deps));
  const log = turnLog(context, deps.log);
  if (command.kind === "problem") {
    await context.sendActivity(command.message);
    return;
  }
  if (command.kind === "service") {
    await context.sendActivity(cardMessage(await serviceReportCard(deps, caller, command.period)));
    log.info({ from: command.period.from, to: command.period.to }, "Report shown");
    return;
  }
  await context.sendActivity(cardMessage(await ko41aReportCard(deps, caller, command.year, !inPersonalChat(context))));
  log.info({ year: command.year }, "KO41a return shown");
  if (inPersonalChat(context)) await say(context, await sendFile(context, deps, caller, { kind: "ko41a", year: command.year }));
}

async function exportCasesCommand(context: TurnContext, deps: BotDeps, rest: string): Promise<void> {
  const caller = await manager(context, deps, "export cases");
  if (!caller) return;
  const command = parseExportCommand(rest, todayFor(deps));
  if (command.kind === "problem") {
    await context.sendActivity(command.message);
    return;
  }
  const request: FileRequest = { kind: "cases", from: command.from, to: command.to, withPatientDetails: command.withPatientDetails };
  const delivery = await sendFile(context, deps, caller, request);
  if (!delivery.ok) return say(context, delivery);
  await context.sendActivity(
    command.withPatientDetails
      ? "This export **includes patient details** (names, NHS numbers, dates of birth, contact details). Keep it on NHS systems and delete it when you are done."
      : "This export has **no patient details**. Add **with patient details** to the command if you need them.",
  );
}

/** `subject access <NHS number>`: a subject access request answered from PALS Desk's records. */
async function subjectAccessCommand(context: TurnContext, deps: BotDeps, rest: string): Promise<void> {
  const caller = await manager(context, deps, "subject access");
  if (!caller) return;
  const nhsNumber = normaliseNhsNumber(rest.trim());
  if (!isValidNhsNumber(nhsNumber)) {
    await context.sendActivity("Type **subject access** and the patient's NHS number (10 digits, checked), for example **subject access 943 476 5919**.");
    return;
  }
  await say(context, await sendFile(context, deps, caller, { kind: "subject-access", nhsNumber }));
}

async function exportCaseCommand(context: TurnContext, deps: BotDeps, rest: string): Promise<void> {
  const caller = await manager(context, deps, "export case");
  if (!caller) return;
  const parsed = parseCaseReference(rest);
  if (!parsed) {
    await context.sendActivity("Type **export case** and a reference, for example **export case PALS-2026-000123**.");
    return;
  }
  const reference = formatCaseReference(parsed.year, parsed.sequence);
  const found = await deps.cases.findByReference(caller.tenantId, reference);
  if (!found) {
    await context.sendActivity(`There is no case ${reference}. Check the reference.`);
    return;
  }
  await say(context, await sendFile(context, deps, caller, { kind: "case-file", caseId: found.value.id }));
}

const PeriodAction = z.object({
  period: z.string().max(30),
  reportFrom: z.string().max(20).optional(),
  reportTo: z.string().max(20).optional(),
});
const YearAction = z.object({ year: z.coerce.number().int().min(2000).max(2100) });

/** A period button (or "Choose dates") on the report card: the new report replaces the card for this person. */
async function periodAction(context: TurnContext, deps: BotDeps, data: unknown): Promise<void> {
  const caller = await manager(context, deps, "report.period");
  if (!caller) return;
  const parsed = PeriodAction.safeParse(data);
  const today = todayFor(deps);
  if (!parsed.success) {
    await tell(context, "Report not available", "That button could not be read. Type **report** to start again.");
    return;
  }
  const { period, reportFrom, reportTo } = parsed.data;
  if (isPeriodPreset(period)) {
    await answerWithCard(context, await serviceReportCard(deps, caller, presetPeriod(period, today)));
    return;
  }
  const check = period === "custom" ? checkPeriod((reportFrom ?? "").trim(), (reportTo ?? "").trim(), today) : undefined;
  if (!check?.ok) {
    const last = presetPeriod("last-month", today);
    await answerWithCard(context, await serviceReportCard(deps, caller, last, check ? check.problem : "Choose a period from the buttons."));
    return;
  }
  await answerWithCard(context, await serviceReportCard(deps, caller, check.period));
}

async function ko41aAction(context: TurnContext, deps: BotDeps, data: unknown, file: boolean): Promise<void> {
  const caller = await manager(context, deps, file ? "report.ko41aFile" : "report.ko41a");
  if (!caller) return;
  const parsed = YearAction.safeParse(data);
  if (!parsed.success || financialYear(parsed.data.year).from > todayFor(deps)) {
    await tell(context, "Report not available", "Choose a financial year that has started. Type **report ko41a 2025**, for example.");
    return;
  }
  if (!file) {
    await answerWithCard(context, await ko41aReportCard(deps, caller, parsed.data.year, !inPersonalChat(context)));
    return;
  }
  const delivery = await sendFile(context, deps, caller, { kind: "ko41a", year: parsed.data.year });
  if (delivery.ok) await answerWithMessage(context, delivery.text);
  else await tell(context, delivery.title, delivery.text);
}

export function registerReports(app: Application, deps: BotDeps): void {
  const command = (pattern: RegExp) => async (context: TurnContext) =>
    context.activity.type === ActivityTypes.Message && pattern.test(normaliseCommandText(context.activity.text));
  app.message(command(/^reports?\b/i), async (context) => reportCommand(context, deps, normaliseCommandText(context.activity.text).replace(/^reports?\b/i, "")));
  app.message(command(/^export cases\b/i), async (context) => exportCasesCommand(context, deps, normaliseCommandText(context.activity.text).replace(/^export cases\b/i, "")));
  app.message(command(/^subject access\b/i), async (context) => subjectAccessCommand(context, deps, normaliseCommandText(context.activity.text).replace(/^subject access\b/i, "")));
  app.message(command(/^export case\b/i), async (context) => exportCaseCommand(context, deps, normaliseCommandText(context.activity.text).replace(/^export case\b/i, "")));
  app.adaptiveCards.actionExecute("report.period", async (context, _state, data) => (await periodAction(context, deps, data), ""));
  app.adaptiveCards.actionExecute("report.ko41a", async (context, _state, data) => (await ko41aAction(context, deps, data, false), ""));
  app.adaptiveCards.actionExecute("report.ko41aFile", async (context, _state, data) => (await ko41aAction(context, deps, data, true), ""));
}
