// Files for managers (KO41a CSV, cases CSV, the Ombudsman case file) and how they reach them.
// Teams lets a bot send a file in a personal chat only through the file consent card: the person accepts,
// Teams gives an upload URL in their OneDrive, the bot uploads and posts a file card. Channels and group
// chats would need Microsoft Graph, so files are only sent in personal chats. The Agents Playground (local
// mode) has no OneDrive and shows no file attachments, so there the file is a one-time download link served
// by PALS Desk itself (downloads.ts). The consent card carries only what was asked for (never the data): on
// accept the file is built again, with the person's role and trust checked again.
import type { Application } from "@microsoft/teams-ai";
import type { FileConsentCardResponse, TurnContext } from "botbuilder";
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
  mayReport,
} from "../domain";
import { todayFor } from "./caller";
import { expandCard } from "./cards";
import type { BotDeps } from "./deps";
import { identify, type Caller } from "./identity";
import { turnLog } from "./turnLog";

const isoDate = z.string().refine(isIsoDate);

/** What a manager asked for; travels in the consent card's accept context, so it is checked again on return. */
export const FileRequestSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("ko41a"), year: z.number().int().min(2000).max(2100) }),
  z.object({ kind: z.literal("cases"), from: isoDate, to: isoDate, withPatientDetails: z.boolean() }),
  z.object({ kind: z.literal("case-file"), caseId: z.string().uuid() }),
  z.object({ kind: z.literal("subject-access"), nhsNumber: z.string().regex(/^\d{10}$/) }),
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

const ONLY_MANAGERS = "Only PALS managers can get reports and exports. Ask your PALS manager if you need one.";

function stamp(now: Date): string {
  return now.toISOString().slice(0, 16).replace(/[-:]/g, "").replace("T", "-");
}

/** Builds the file the person asked for, checking their role and trust as if the request were new. */
export async function buildFile(deps: BotDeps, caller: Caller, request: FileRequest): Promise<Built> {
  if (!mayReport(caller.roles)) return { ok: false, title: "Not available", text: ONLY_MANAGERS };
  const now = deps.now();
  switch (request.kind) {
    case "ko41a": {
      const period = financialYear(request.year);
      const ret = ko41aReturn(await deps.cases.listForReport(caller.tenantId, period.from, period.to), request.year);
      const name = `KO41a-${financialYearTitle(request.year)}-${stamp(now)}.csv`;
      return {
        ok: true,
        file: {
          name,
          contentType: "text/csv",
          content: Buffer.from(ko41aCsv(ret), "utf8"),
          description: `KO41a counts for ${financialYearTitle(request.year)} (1 April ${request.year} to 31 March ${request.year + 1})`,
          logged: { kind: request.kind, year: request.year, complaints: ret.received },
        },
      };
    }
    case "cases": {
      const check = checkPeriod(request.from, request.to, todayFor(deps));
      if (!check.ok) return { ok: false, title: "Check the dates", text: check.problem };
      const cases = (await deps.cases.listForReport(caller.tenantId, request.from, request.to)).filter(
        (c) => c.receivedOn >= request.from && c.receivedOn <= request.to,
      );
      if (cases.length === 0) return { ok: false, title: "Nothing to export", text: `No cases were received from ${request.from} to ${request.to}.` };
      const detail = request.withPatientDetails ? "-with-patient-details" : "";
      return {
        ok: true,
        file: {
          name: `PALS-cases-${request.from}-to-${request.to}${detail}-${stamp(now)}.csv`,
          contentType: "text/csv",
          content: Buffer.from(casesCsv(cases, { withPatientDetails: request.withPatientDetails }), "utf8"),
          description: `${cases.length} case${cases.length === 1 ? "" : "s"} received ${request.from} to ${request.to}, ${request.withPatientDetails ? "WITH patient details" : "without patient details"}`,
          logged: { kind: request.kind, cases: cases.length, withPatientDetails: request.withPatientDetails },
        },
      };
    }
    case "subject-access": {
      // UK GDPR article 15: everything held about one patient, found by NHS number, as one JSON document.
      const cases = await deps.cases.listForPatient(caller.tenantId, request.nhsNumber);
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
      const found = await deps.cases.get(caller.tenantId, request.caseId);
      if (!found) return { ok: false, title: "Case not found", text: "We couldn't find that case. Type **export case** and the reference." };
      const c = found.value;
      const events = await deps.timeline.list(c.id);
      const html = caseFileHtml(c, events, { generatedAt: now, generatedBy: caller.actor.name, trustName: deps.config.trustName });
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

/** Consent (Teams' OneDrive upload) or link (a one-time download from PALS Desk, local mode only). */
export function deliveryMode(deps: BotDeps): "consent" | "link" {
  const mode = deps.config.fileDelivery;
  return mode === "auto" ? (deps.config.bot ? "consent" : "link") : mode;
}

export type Delivery = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly title: string; readonly text: string };

/**
 * Builds and sends a file in the person's personal chat. Returns what to tell them (in the chat or as the
 * answer to a card button); never sends a file in a channel or group chat, where everyone would get it.
 */
export async function sendFile(context: TurnContext, deps: BotDeps, caller: Caller, request: FileRequest): Promise<Delivery> {
  const log = turnLog(context, deps.log);
  if (!mayReport(caller.roles)) {
    log.warn({ kind: request.kind }, "Refused a file export: the caller is not a manager");
    return { ok: false, title: "Not available", text: ONLY_MANAGERS };
  }
  if (context.activity.conversation?.conversationType !== "personal") {
    return { ok: false, title: "Files come in your personal chat", text: "Files are only sent in your personal chat with PALS Desk, so nobody else gets them. Type the command there." };
  }
  const built = await buildFile(deps, caller, request);
  if (!built.ok) return built;
  const { file } = built;
  if (deliveryMode(deps) === "link") {
    const url = deps.downloads.put(file);
    await context.sendActivity({
      type: "message",
      attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", content: expandCard("file", { name: file.name, description: file.description, url }) }],
    });
    log.info({ ...file.logged, delivery: "link", bytes: file.content.length }, "File offered as a one-time download link");
    return { ok: true, text: `${file.name} is ready below: the link works once, for 10 minutes.` };
  }
  await context.sendActivity({
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.teams.card.file.consent",
        name: file.name,
        content: { description: file.description, sizeInBytes: file.content.length, acceptContext: request, declineContext: request },
      },
    ],
  });
  log.info({ ...file.logged, delivery: "consent", bytes: file.content.length }, "File offered with a consent card");
  return { ok: true, text: `Choose **Allow** on the card below to save ${file.name} to your OneDrive and open it.` };
}

/** Upload URLs come from Teams and point at the person's OneDrive (SharePoint); refuse anything else. */
function uploadAllowed(deps: BotDeps, url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  // In local mode (tests, the Playground) there is no OneDrive, so any http(s) address will do.
  if (!deps.config.bot) return parsed.protocol === "http:" || parsed.protocol === "https:";
  return parsed.protocol === "https:" && /(^|\.)(sharepoint\.com|sharepoint-df\.com|sharepoint\.us|sharepoint-mil\.us|sharepoint\.cn|sharepoint\.de)$/i.test(parsed.hostname);
}

async function onAccept(context: TurnContext, deps: BotDeps, response: FileConsentCardResponse): Promise<void> {
  const log = turnLog(context, deps.log);
  const identified = identify(context, deps.config);
  const request = FileRequestSchema.safeParse(response?.context);
  const upload = response?.uploadInfo;
  if (!identified.ok || !request.success || !upload?.uploadUrl || !upload.contentUrl) {
    log.warn({ identified: identified.ok, request: request.success }, "Refused a file consent answer that could not be read");
    await context.sendActivity("That file card is out of date. Type the command again to get the file.");
    return;
  }
  const caller = identified.caller;
  if (!uploadAllowed(deps, upload.uploadUrl)) {
    log.warn({ kind: request.data.kind }, "Refused a file upload to an address outside OneDrive");
    await context.sendActivity("The file could not be saved: Teams gave an unexpected upload address. Try again.");
    return;
  }
  const built = await buildFile(deps, caller, request.data);
  if (!built.ok) {
    log.warn({ kind: request.data.kind }, "File consent accepted but the file was refused");
    await context.sendActivity(`**${built.title}.** ${built.text}`);
    return;
  }
  const { file } = built;
  const size = file.content.length;
  const put = await fetch(upload.uploadUrl, {
    method: "PUT",
    headers: { "Content-Type": file.contentType, "Content-Range": `bytes 0-${size - 1}/${size}` },
    body: file.content,
  }).catch((error: Error) => ({ ok: false, status: error.name }) as const);
  if (!put.ok) {
    log.warn({ kind: request.data.kind, status: put.status }, "Uploading a file to OneDrive failed");
    await context.sendActivity("The file could not be saved to your OneDrive. Type the command again to retry.");
    return;
  }
  await context.sendActivity({
    type: "message",
    text: `${file.description}.`,
    attachments: [
      {
        contentType: "application/vnd.microsoft.teams.card.file.info",
        contentUrl: upload.contentUrl,
        name: upload.name ?? file.name,
        content: { uniqueId: upload.uniqueId, fileType: upload.fileType },
      },
    ],
  });
  log.info({ ...file.logged, bytes: size }, "File uploaded to the person's OneDrive");
}

export function registerFiles(app: Application, deps: BotDeps): void {
  app.fileConsentAccept(async (context, _state, response) => onAccept(context, deps, response));
  app.fileConsentDecline(async (context, _state, response) => {
    const request = FileRequestSchema.safeParse(response?.context);
    turnLog(context, deps.log).info({ kind: request.success ? request.data.kind : "unknown" }, "File declined");
    await context.sendActivity("No file was saved. Type the command again if you change your mind.");
  });
}
