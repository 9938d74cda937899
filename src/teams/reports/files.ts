// Files for managers (KO41a CSV, cases CSV, the Ombudsman case file) and how they reach them.
// Teams lets a bot send a file in a personal chat only through the file consent card: the person accepts,
// Teams gives an upload URL in their OneDrive, the bot uploads and posts a file card. Channels and group
// chats would need Microsoft Graph, so files are only sent in personal chats. The Agents Playground (local
// mode) has no OneDrive and shows no file attachments, so there the file is a one-time download link served
// by PALS Desk itself (downloads.ts). The consent card carries only what was asked for (never the data): on
// accept the file is built again, with the person's role and trust checked again.
import { FileRequestSchema, ONLY_MANAGERS, type FileRequest } from "../../cases";
import { mayReport, type Caller } from "../../domain";
import { expandCard } from "../cards";
import type { TeamsDeps } from "../deps";
import type { BotRoutes, FileConsentAnswer, Turn } from "../sdk/turn";

export { FileRequestSchema, type FileRequest };

/** Consent (Teams' OneDrive upload) or link (a one-time download from PALS Desk, local mode only). */
export function deliveryMode(deps: Pick<TeamsDeps, "config">): "consent" | "link" {
  const mode = deps.config.fileDelivery;
  return mode === "auto" ? (deps.config.bot ? "consent" : "link") : mode;
}

export type Delivery = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly title: string; readonly text: string };

/**
 * Builds and sends a file in the person's personal chat. Returns what to tell them (in the chat or as the
 * answer to a card button); never sends a file in a channel or group chat, where everyone would get it.
 */
export async function sendFile(turn: Turn, deps: TeamsDeps, caller: Caller, request: FileRequest): Promise<Delivery> {
  if (!mayReport(caller.roles)) {
    turn.log.warn({ kind: request.kind }, "Refused a file export: the caller is not a manager");
    return { ok: false, title: "Not available", text: ONLY_MANAGERS };
  }
  if (turn.incoming.conversationType !== "personal") {
    return {
      ok: false,
      title: "Files come in your personal chat",
      text: "Files are only sent in your personal chat with PALS Desk, so nobody else gets them. Type the command there.",
    };
  }
  const built = await deps.desk.reports.buildFile(caller, request);
  if (!built.ok) return built;
  const { file } = built;
  if (deliveryMode(deps) === "link") {
    const url = deps.downloads.put(file);
    await turn.sendCard(expandCard("file", { name: file.name, description: file.description, url }));
    turn.log.info({ ...file.logged, delivery: "link", bytes: file.content.length }, "File offered as a one-time download link");
    return { ok: true, text: `${file.name} is ready below: the link works once, for 10 minutes.` };
  }
  await turn.sendFile({
    contentType: "application/vnd.microsoft.teams.card.file.consent",
    name: file.name,
    content: { description: file.description, sizeInBytes: file.content.length, acceptContext: request, declineContext: request },
  });
  turn.log.info({ ...file.logged, delivery: "consent", bytes: file.content.length }, "File offered with a consent card");
  return { ok: true, text: `Choose **Allow** on the card below to save ${file.name} to your OneDrive and open it.` };
}

/** Upload URLs come from Teams and point at the person's OneDrive (SharePoint); refuse anything else. */
function uploadAllowed(deps: Pick<TeamsDeps, "config">, url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  // In local mode (tests, the Playground) there is no OneDrive, so any http(s) address will do.
  if (!deps.config.bot) return parsed.protocol === "http:" || parsed.protocol === "https:";
  return (
    parsed.protocol === "https:" &&
    /(^|\.)(sharepoint\.com|sharepoint-df\.com|sharepoint\.us|sharepoint-mil\.us|sharepoint\.cn|sharepoint\.de)$/i.test(parsed.hostname)
  );
}

async function onAccept(turn: Turn, deps: TeamsDeps, answer: FileConsentAnswer): Promise<void> {
  const request = FileRequestSchema.safeParse(answer.context);
  const upload = answer.upload;
  if (!turn.identified.ok || !request.success || !upload?.uploadUrl || !upload.contentUrl) {
    turn.log.warn({ identified: turn.identified.ok, request: request.success }, "Refused a file consent answer that could not be read");
    await turn.send("That file card is out of date. Type the command again to get the file.");
    return;
  }
  const caller = turn.identified.caller;
  if (!uploadAllowed(deps, upload.uploadUrl)) {
    turn.log.warn({ kind: request.data.kind }, "Refused a file upload to an address outside OneDrive");
    await turn.send("The file could not be saved: Teams gave an unexpected upload address. Try again.");
    return;
  }
  const built = await deps.desk.reports.buildFile(caller, request.data);
  if (!built.ok) {
    turn.log.warn({ kind: request.data.kind }, "File consent accepted but the file was refused");
    await turn.send(`**${built.title}.** ${built.text}`);
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
    turn.log.warn({ kind: request.data.kind, status: put.status }, "Uploading a file to OneDrive failed");
    await turn.send("The file could not be saved to your OneDrive. Type the command again to retry.");
    return;
  }
  await turn.sendFile(
    {
      contentType: "application/vnd.microsoft.teams.card.file.info",
      contentUrl: upload.contentUrl,
      name: upload.name ?? file.name,
      content: { uniqueId: upload.uniqueId, fileType: upload.fileType },
    },
    `${file.description}.`,
  );
  turn.log.info({ ...file.logged, bytes: size }, "File uploaded to the person's OneDrive");
}

export function registerFiles(routes: BotRoutes, deps: TeamsDeps): void {
  routes.fileConsent({
    accept: (turn, answer) => onAccept(turn, deps, answer),
    decline: async (turn, answer) => {
      const request = FileRequestSchema.safeParse(answer.context);
      turn.log.info({ kind: request.success ? request.data.kind : "unknown" }, "File declined");
      await turn.send("No file was saved. Type the command again if you change your mind.");
    },
  });
}
