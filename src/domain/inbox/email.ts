// An email to the PALS team's shared mailbox, as PALS Desk keeps it: read from MIME by src/mail (the folder
// mailbox or Microsoft Graph), checked here, and worked from its triage card (inbox.ts).
import { z } from "zod";
import { PersonRefSchema } from "../case/caseSchema";
import { ConversationAddressSchema } from "../messages/conversations";

/** Bounds on everything read from an email: it comes from anyone on the internet. */
export const EMAIL_LIMITS = {
  /** Raw MIME read at most (Exchange Online's largest message is 150 MB; NHSmail's 35 MB). Beyond it the email is kept unread. */
  rawBytes: 40 * 1024 * 1024,
  /** One attachment kept at most; larger ones are listed as refused. */
  attachmentBytes: 25 * 1024 * 1024,
  attachments: 50,
  subject: 500,
  /** The plain text kept (a long thread's quoted history is cut, with a note). */
  text: 100_000,
  /** The triage card shows the first lines. */
  previewChars: 600,
  previewLines: 8,
  name: 200,
  address: 320,
  /** Message ids kept from In-Reply-To and References. */
  references: 50,
  messageId: 998,
  /** HTML nested deeper than this is read as flat text (no element tree). */
  htmlDepth: 200,
} as const;

/** Why an attachment was kept out of PALS Desk (it is listed on the card, never opened). */
export const REFUSED_ATTACHMENT_REASONS = ["executable", "password-protected", "too-large", "too-many", "unreadable"] as const;
export type RefusedAttachmentReason = (typeof REFUSED_ATTACHMENT_REASONS)[number];

/** Mail sent by a machine: never a triage card or a case, and never answered (so no mail loops). */
export const AUTOMATIC_KINDS = ["auto-reply", "out-of-office", "bounce", "bulk"] as const;
export type AutomaticKind = (typeof AUTOMATIC_KINDS)[number];

export interface ParsedAttachment {
  /** The file name as sent, made safe to show and store (no path characters); "attachment" when absent. */
  readonly name: string;
  readonly contentType: string;
  readonly size: number;
  /** Set when kept out: the content is then not given. */
  readonly refused?: RefusedAttachmentReason;
  readonly content?: Buffer;
}

/** An email as read from MIME (src/mail/parseEmail.ts): every field bounded, the text plain. */
export interface ParsedEmail {
  /** The Internet Message-ID, angle brackets kept; made from a hash of the message when it has none. */
  readonly messageId: string;
  readonly from?: { readonly name?: string; readonly address?: string };
  readonly to: readonly string[];
  readonly subject: string;
  /** ISO instant: the mailbox's received time, else the Date header, else when PALS Desk read it. */
  readonly receivedAt: string;
  /** Plain text (from the text part, or the HTML made plain), bounded. */
  readonly text: string;
  /** True when the text was cut to EMAIL_LIMITS.text. */
  readonly textCut: boolean;
  readonly inReplyTo?: string;
  readonly references: readonly string[];
  /** Set for auto-replies, out-of-office, bounces and bulk mail. */
  readonly automatic?: AutomaticKind;
  readonly attachments: readonly ParsedAttachment[];
  /** Set when the MIME could not be read as an email (the email is still kept and listed, with what could be read). */
  readonly unreadable?: "malformed" | "too-large";
}

export const INBOX_STATES = ["untriaged", "taken", "logged", "added", "not-a-case", "filed", "automatic"] as const;
export type InboxState = (typeof INBOX_STATES)[number];

export const NOT_A_CASE_REASONS = [
  { id: "spam", title: "Spam or phishing" },
  { id: "misdirected", title: "Sent to the wrong team" },
  { id: "internal", title: "Internal, not a patient contact" },
  { id: "duplicate", title: "A duplicate of another email" },
] as const;
export type NotACaseReason = (typeof NOT_A_CASE_REASONS)[number]["id"];
export const NotACaseReasonSchema = z.enum(NOT_A_CASE_REASONS.map((r) => r.id) as [NotACaseReason, ...NotACaseReason[]]);

const instant = z.string().datetime({ offset: true });

export const InboxAttachmentSchema = z.object({
  /** Stable within the email: its position. */
  id: z.string().min(1).max(20),
  name: z.string().max(EMAIL_LIMITS.name),
  contentType: z.string().max(200),
  size: z.number().int().min(0),
  refused: z.enum(REFUSED_ATTACHMENT_REASONS).optional(),
  /** Where the content is kept (the document store's key); absent when refused. */
  documentKey: z.string().max(1000).optional(),
});
export type InboxAttachment = z.infer<typeof InboxAttachmentSchema>;

/** What became of an email: who did what, when. */
export const InboxOutcomeSchema = z.object({
  by: PersonRefSchema,
  at: instant,
  caseId: z.string().optional(),
  reference: z.string().optional(),
  reason: NotACaseReasonSchema.optional(),
});
export type InboxOutcome = z.infer<typeof InboxOutcomeSchema>;

/** The triage card in the inbox channel, so it can be updated for everyone. */
export const TriageCardSchema = z.object({ address: ConversationAddressSchema, activityId: z.string().min(1) });

/** An email as stored (one document per email, in the trust's partition of the inbox container). */
export const InboxEmailSchema = z.object({
  id: z.string().min(1),
  trustId: z.string().min(1),
  mailbox: z.string().max(EMAIL_LIMITS.address),
  messageId: z.string().max(EMAIL_LIMITS.messageId + 2),
  from: z.object({ name: z.string().max(EMAIL_LIMITS.name).optional(), address: z.string().max(EMAIL_LIMITS.address).optional() }).optional(),
  to: z.array(z.string().max(EMAIL_LIMITS.address)).max(100),
  subject: z.string().max(EMAIL_LIMITS.subject),
  receivedAt: instant,
  text: z.string().max(EMAIL_LIMITS.text + 200),
  textCut: z.boolean(),
  inReplyTo: z
    .string()
    .max(EMAIL_LIMITS.messageId + 2)
    .optional(),
  references: z.array(z.string().max(EMAIL_LIMITS.messageId + 2)).max(EMAIL_LIMITS.references),
  automatic: z.enum(AUTOMATIC_KINDS).optional(),
  unreadable: z.enum(["malformed", "too-large"]).optional(),
  attachments: z.array(InboxAttachmentSchema).max(EMAIL_LIMITS.attachments + 1),
  state: z.enum(INBOX_STATES),
  /** "I'll take it": who is dealing with it. */
  takenBy: PersonRefSchema.optional(),
  /** Set once it is logged, added to a case, filed on its case as a reply, or found not a case. */
  outcome: InboxOutcomeSchema.optional(),
  card: TriageCardSchema.optional(),
  /** When PALS Desk read it (ISO instant). */
  readAt: instant,
});
export type InboxEmail = z.infer<typeof InboxEmailSchema>;

/** Still to be worked: shown in `inbox` and the managers' digest. */
export function isOpen(email: Pick<InboxEmail, "state">): boolean {
  return email.state === "untriaged" || email.state === "taken";
}

/** "Jane Smith <jane@example.org>", or whichever part the email gave; never trusted as an identity. */
export function senderText(email: Pick<InboxEmail, "from">): string {
  const name = email.from?.name?.trim();
  const address = email.from?.address?.trim();
  if (name && address) return `${name} <${address}>`;
  return name || address || "an unknown sender";
}

/** The first lines of the text, for the card. */
export function previewOf(text: string): string {
  const lines = text
    .split("\n")
    .map((line) => line.trimEnd())
    .filter((line, i, all) => line !== "" || (i > 0 && all[i - 1] !== ""));
  const first = lines.slice(0, EMAIL_LIMITS.previewLines).join("\n").trim();
  const cut = first.length > EMAIL_LIMITS.previewChars ? `${first.slice(0, EMAIL_LIMITS.previewChars - 1).trimEnd()}…` : first;
  return cut.length < text.trim().length && !cut.endsWith("…") ? `${cut}\n…` : cut;
}
