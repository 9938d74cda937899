// An email sent from a case, as the case records it (correspondence.ts has the rules). Its own module, so the case
// schema can hold a list of them without an import cycle.
import { z } from "zod";

/** What was sent: one of the letters, a message the officer wrote, or the case file for the Ombudsman. */
export const SENT_EMAIL_KINDS = ["acknowledgement", "holding", "final", "message", "ombudsman-file"] as const;
export type SentEmailKind = (typeof SENT_EMAIL_KINDS)[number];

export const SENT_EMAIL_LIMITS = {
  /** Emails a case records (older ones stay on the timeline). */
  count: 100,
  /** The text an officer writes, or a letter's. */
  text: 20_000,
  subject: 300,
} as const;

const person = z.object({ aadObjectId: z.string().min(1), name: z.string().max(200) });

export const SentEmailSchema = z.object({
  /** The send's id: the same id is never sent twice. */
  id: z.string().uuid(),
  kind: z.enum(SENT_EMAIL_KINDS),
  to: z.object({ name: z.string().max(200).optional(), address: z.string().max(320) }),
  subject: z.string().max(SENT_EMAIL_LIMITS.subject),
  /** The text while it is being sent; once sent it is on the timeline and left out here (the case document stays small). */
  text: z.string().max(SENT_EMAIL_LIMITS.text).optional(),
  documentIds: z.array(z.string().max(100)).max(50),
  status: z.enum(["sending", "sent", "failed"]),
  requestedBy: person,
  requestedAt: z.string().datetime({ offset: true }),
  sentAt: z.string().datetime({ offset: true }).optional(),
  /** The Message-ID it went with, so a reply finds the case. */
  messageId: z.string().max(1000).optional(),
  /** Why it could not be sent (a code, never the mail server's words). */
  failure: z.string().max(100).optional(),
});
export type SentEmail = z.infer<typeof SentEmailSchema>;
