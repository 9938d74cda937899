// A Teams message an officer logs as a contact ("Log as a PALS contact" on any message): what is kept of it, how
// it prefills the quick-capture form, and how it shows on the case's timeline. The message is client data:
// everything here is bounded, and its text is only ever plain text.
import { z } from "zod";
import { formatLondonDateTime, londonDate } from "../calendar/calendar";
import { LIMITS } from "./caseSchema";
import type { CaseEventDraft } from "./change";
import { htmlToPlainText } from "./plainText";

/** The most of a message kept: the summary's own limit, so the whole kept text fits the form's summary. */
export const MESSAGE_TEXT_LIMIT = LIMITS.summary;
/** Raw message bodies are cut to this before conversion (a long email's HTML), so the work stays bounded. */
const RAW_BODY_LIMIT = 200_000;
const LINK_LIMIT = 2000;
/** Where a link back to a Teams message may point; any other address is dropped (it is never a live link anyway). */
const TEAMS_HOSTS = new Set(["teams.microsoft.com", "teams.cloud.microsoft", "gov.teams.microsoft.us", "dod.teams.microsoft.us"]);

/** What PALS Desk keeps of the message: its text (plain), when it was sent, whether it came by email, and its link. */
export interface MessageSource {
  readonly text: string;
  /** ISO instant the message was posted. */
  readonly sentAt: string;
  /** Posted in a channel through the channel's email address. */
  readonly viaEmail: boolean;
  readonly link?: string;
}

const teamsLink = z
  .string()
  .max(LINK_LIMIT)
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === "https:" && TEAMS_HOSTS.has(url.hostname) && url.username === "" && url.password === "";
    } catch {
      return false;
    }
  });

/** The kept message, as the form carries it back (card data: forged as easily as typed, so checked again). */
export const MessageSourceSchema = z
  .object({
    text: z.string().trim().min(1).max(MESSAGE_TEXT_LIMIT),
    sentAt: z.string().max(40).datetime({ offset: true }),
    viaEmail: z.boolean(),
    link: teamsLink.optional(),
  })
  .strip();

const boundedText = (max: number) => z.preprocess((value) => (typeof value === "string" ? value.slice(0, max) : value), z.string());

/**
 * The message as Teams sends it in a message action's `messagePayload` (the Graph chatMessage shape). Only what
 * is used is read; its ids are never trusted for anything.
 */
const MessagePayloadSchema = z.object({
  createdDateTime: z.string().max(40).datetime({ offset: true }).nullish().catch(undefined),
  subject: boundedText(1000).nullish().catch(undefined),
  body: z.object({
    contentType: z.string().max(20).nullish(),
    content: boundedText(RAW_BODY_LIMIT).nullish(),
  }),
  from: z
    .object({
      user: z
        .object({ userIdentityType: z.string().max(100).nullish() })
        .passthrough()
        .nullish(),
    })
    .passthrough()
    .nullish()
    .catch(undefined),
  linkToMessage: z.string().max(LINK_LIMIT).nullish().catch(undefined),
});

export type MessageSourceResult = { readonly ok: true; readonly source: MessageSource } | { readonly ok: false; readonly problem: "not-a-message" | "no-text" };

/**
 * What is kept of a message from its `messagePayload`. An email sent to a channel's email address is posted with its
 * sender as an "emailUser" (Microsoft Graph's Teams messaging schema, `from.user.userIdentityType`); a message
 * without a usable timestamp counts as sent `now`.
 */
export function messageSourceFromPayload(payload: unknown, now: Date): MessageSourceResult {
  const parsed = MessagePayloadSchema.safeParse(payload);
  if (!parsed.success) return { ok: false, problem: "not-a-message" };
  const { body, subject, createdDateTime, from, linkToMessage } = parsed.data;
  const content = body.content ?? "";
  const bodyText = body.contentType?.toLowerCase() === "text" ? plainLines(content) : htmlToText(content);
  const subjectText = plainLines(subject ?? "");
  const text = clip([subjectText, bodyText].filter(Boolean).join("\n\n"), MESSAGE_TEXT_LIMIT);
  if (text === "") return { ok: false, problem: "no-text" };
  const link = teamsLink.safeParse(linkToMessage ?? "");
  return {
    ok: true,
    source: {
      text,
      sentAt: createdDateTime ? new Date(createdDateTime).toISOString() : now.toISOString(),
      viaEmail: from?.user?.userIdentityType === "emailUser",
      ...(link.success ? { link: link.data } : {}),
    },
  };
}

/** The kept message a submitted form carries (`messageSource`), or undefined when there is none or it is not valid. */
export function messageSourceOf(submitted: unknown): MessageSource | undefined {
  const holder = submitted !== null && typeof submitted === "object" ? (submitted as Record<string, unknown>) : {};
  if (holder.messageSource === undefined) return undefined;
  const parsed = MessageSourceSchema.safeParse(holder.messageSource);
  return parsed.success ? parsed.data : undefined;
}

/** The quick-capture inputs the message fills in: summary, date received (London), and "email" when it came by email. */
export function contactPrefill(source: MessageSource): { summary: string; receivedOn: string; receivedVia?: "email" } {
  return { summary: source.text, receivedOn: londonDate(new Date(source.sentAt)), ...(source.viaEmail ? { receivedVia: "email" as const } : {}) };
}

/**
 * The "created" timeline entry of a contact logged from a message: it says so, and keeps the original text and
 * link as the entry's free text (shown only to those who may see it, and cleared by the retention schedule).
 */
export function withMessageSource(event: CaseEventDraft, source: MessageSource | undefined): CaseEventDraft {
  if (!source) return event;
  const sent = formatLondonDateTime(source.sentAt);
  const heading = `Logged from a Teams message${source.viaEmail ? " (an email sent to a channel)" : ""}, sent ${sent}.`;
  const lines = [heading, ...(source.link ? [`Link to the message: ${source.link}`] : []), "Original text:", source.text];
  return { ...event, summary: `${event.summary}, from a Teams message`, detail: lines.join("\n") };
}

// --- text ----------------------------------------------------------------------------------------

/** Lines trimmed, runs of spaces folded, at most one blank line in a row; no control characters. */
function plainLines(text: string): string {
  return (
    text
      .replace(/\r\n?/g, "\n")
      // Control characters are what is being removed.
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "")
      .split("\n")
      .map((line) => line.replace(/[ \t\u00a0]+/g, " ").trim())
      .join("\n")
      .replace(/\n{3,}/g, "\n\n")
      .trim()
  );
}

/**
 * A message body's HTML as the plain text a person reads: tags gone (mentions and emoji keep their text), entities
 * decoded; markup nested too deep for a tree is read flat (plainText.ts).
 */
export function htmlToText(html: string): string {
  return plainLines(htmlToPlainText(html));
}

/** At most `max` characters, cut at a word where one is near, marked with "…". */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.search(/\s\S*$/);
  return `${(space > max - 200 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
