// Emails from the case card ("Email the complainant", and "Email it" on a letter): a preview of exactly what will
// go, then Send; the case's documents (Open, through a link checked again when it is used); and a file sent to
// PALS Desk in its chat with a case reference, kept with that case.
import { z } from "zod";
import type { EmailPreview, EmailRequest } from "../../cases/correspondence";
import { formatLondonDateTime, formatPlainDate, londonDate, SENT_EMAIL_KINDS, sizeText, type CaseDocument } from "../../domain";
import { callerOrRefuse, cardContext, inPersonalChat, say, tell, tellRefused, viewerOf } from "../caller";
import { expandCard } from "../cards";
import { caseCardFor } from "../cases/caseView";
import type { TeamsDeps } from "../deps";
import type { BotRoutes, Turn } from "../sdk/turn";
import { fromApp, said } from "../text";

const MessageText = z.string().max(40_000).optional();
/** A multi-select's value: the chosen ids, comma-separated. */
const DocumentIds = z
  .string()
  .max(2_000)
  .optional()
  .transform((value) =>
    (value ?? "")
      .split(",")
      .map((id) => id.trim())
      .filter((id) => id !== ""),
  );

const Compose = z.object({
  caseId: z.string().uuid(),
  emailKind: z.enum(SENT_EMAIL_KINDS),
  emailMessage: MessageText,
  emailDocuments: DocumentIds,
});
const Send = Compose.extend({ sendId: z.string().uuid(), hash: z.string().min(1).max(64) });
const OpenDocument = z.object({ caseId: z.string().uuid(), documentId: z.string().min(1).max(100) });

function requestOf(input: z.infer<typeof Compose>): EmailRequest {
  return { kind: input.emailKind, message: input.emailMessage, documentIds: input.emailDocuments };
}

/** Exactly what will go: to, subject, the text line by line (plain text), the attachments. */
export function emailPreviewCard(preview: EmailPreview, request: EmailRequest, note = ""): Record<string, unknown> {
  const lines: { text: string; spacing: string }[] = [];
  let gap = false;
  for (const line of preview.text.split("\n")) {
    if (line.trim() === "") {
      gap = lines.length > 0;
      continue;
    }
    lines.push({ text: line, spacing: gap ? "Medium" : "None" });
    gap = false;
  }
  return expandCard("emailPreview", {
    note,
    heading: `Check the email before it goes: ${preview.reference}`,
    facts: [
      { title: "To", value: preview.to.name ? `${preview.to.name} <${preview.to.address}>` : preview.to.address },
      { title: "From", value: "The PALS shared mailbox" },
      { title: "Subject", value: preview.subject },
      {
        title: "Attached",
        value: preview.attachments.length
          ? preview.attachments.map((a) => (a.size === undefined ? `${a.name} (made on Send)` : `${a.name} (${sizeText(a.size)})`)).join(", ")
          : "nothing",
      },
    ],
    lines,
    gapsText: preview.gaps.length
      ? `The letter still has gaps: ${preview.gaps.join(", ")}. Complete the case's details so PALS Desk can fill them, then preview it again. It can't be sent with gaps.`
      : "",
    canSend: preview.gaps.length === 0,
    caseId: preview.caseId,
    sendId: preview.sendId,
    hash: preview.hash,
    emailKind: request.kind,
    emailMessage: request.message ?? "",
    emailDocuments: request.documentIds.join(","),
  });
}

async function preview(turn: Turn, deps: TeamsDeps, data: unknown): Promise<void> {
  const caller = await callerOrRefuse(turn);
  if (!caller) return;
  const parsed = Compose.safeParse(data);
  if (!parsed.success) {
    turn.log.warn({ verb: "mail.preview" }, "An email form that could not be read");
    return tell(turn, "Not done", "Choose what to send (a letter, or your message) and press Preview again.");
  }
  const request = requestOf(parsed.data);
  const result = await deps.desk.correspondence.previewEmail(caller, parsed.data.caseId, request);
  if (!result.ok) return tellRefused(turn, result);
  await turn.answerCard(emailPreviewCard(result.preview, request));
}

async function send(turn: Turn, deps: TeamsDeps, data: unknown): Promise<void> {
  const caller = await callerOrRefuse(turn);
  if (!caller) return;
  const parsed = Send.safeParse(data);
  if (!parsed.success) {
    turn.log.warn({ verb: "mail.send" }, "A Send button that could not be read");
    return tell(turn, "Not sent", "This card is out of date. Open the case again and press Email the complainant.");
  }
  const request = requestOf(parsed.data);
  const result = await deps.desk.correspondence.sendEmail(caller, parsed.data.caseId, request, parsed.data.sendId, parsed.data.hash);
  if (!result.ok) {
    if ("preview" in result && result.preview) return turn.answerCard(emailPreviewCard(result.preview, request, result.message));
    return tellRefused(turn, result);
  }
  const to = result.sent.to.name ?? result.sent.to.address;
  const banner =
    result.status === "sent"
      ? { text: `Sent to ${to} at ${formatLondonDateTime(result.sent.sentAt ?? new Date().toISOString())}. It is on the timeline.`, style: "good" as const }
      : result.status === "sending"
        ? {
            text: `Still sending to ${to}: the mailbox is slow. PALS Desk will tell you in your chat when it has gone; don't send it again.`,
            style: "accent" as const,
          }
        : {
            text: `Not sent to ${to}: the mailbox refused it (${result.sent.failure ?? "no reason given"}). Check the address on the case and send it again.`,
            style: "attention" as const,
          };
  const view = { record: result.record, staff: [], leads: [] };
  await turn.answerCard(caseCardFor(view, viewerOf(caller), cardContext(deps), { banner }));
}

async function openDocument(turn: Turn, deps: TeamsDeps, data: unknown): Promise<void> {
  const caller = await callerOrRefuse(turn);
  if (!caller) return;
  const parsed = OpenDocument.safeParse(data);
  if (!parsed.success) return tell(turn, "Document not found", "This card is out of date. Open the case again and choose the document.");
  const result = await deps.desk.documents.documentLink(caller, parsed.data.caseId, parsed.data.documentId);
  if (!result.ok) return tellRefused(turn, result, "Document not found");
  await turn.answerCard(documentLinkCard(parsed.data.caseId, result.document, result.url));
}

/** One document's Open link, for the person who asked, for a few minutes. */
export function documentLinkCard(caseId: string, document: Pick<CaseDocument, "name" | "size" | "addedAt">, url: string): Record<string, unknown> {
  return expandCard("documentLink", {
    caseId,
    name: document.name,
    meta: ` · ${sizeText(document.size)} · added ${formatPlainDate(londonDate(new Date(document.addedAt)))}`,
    expiryText: "The link works for 10 minutes, for anyone who has it: don't forward it. PALS Desk checks your role again when it is opened.",
    url,
  });
}

/** A file sent to PALS Desk in its chat: kept with the case its message names. */
async function fileInChat(turn: Turn, deps: TeamsDeps): Promise<void> {
  const files = turn.incoming.files ?? [];
  const caller = await callerOrRefuse(turn);
  if (!caller) return;
  if (!inPersonalChat(turn)) {
    await say(turn, "Send documents to PALS Desk in your own chat with it, with the case reference in the message: not in a channel or group chat.");
    return;
  }
  if (files.length !== 1) {
    await say(turn, "Send one file at a time, each with the case reference in the message.");
    return;
  }
  const file = files[0];
  const downloaded = await turn.downloadFile(file);
  if (!downloaded.ok) {
    await say(
      turn,
      downloaded.tooLarge ? "The file is over 25 MB: PALS Desk keeps files up to 25 MB." : "PALS Desk couldn't fetch the file from Teams. Send it again.",
    );
    return;
  }
  const result = await deps.desk.documents.addDocument(caller, turn.incoming.text, {
    name: file.name,
    contentType: file.contentType,
    content: downloaded.content,
  });
  if (!result.ok) {
    await say(turn, fromApp(result.message));
    return;
  }
  await say(turn, said`Kept with ${result.reference}: ${result.document.name} (${sizeText(result.document.size)}). It is listed on the case card's Documents.`);
}

export function registerCorrespondence(routes: BotRoutes, deps: TeamsDeps): void {
  routes.verb("mail.preview", (turn, data) => preview(turn, deps, data));
  routes.verb("mail.send", (turn, data) => send(turn, deps, data));
  routes.verb("case.openDocument", (turn, data) => openDocument(turn, deps, data));
  routes.files((turn) => fileInChat(turn, deps));
}
