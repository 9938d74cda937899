// A document as the case lists it (documents.ts has the rules). Its own module, so the case schema can hold a
// list of them without an import cycle.
import { z } from "zod";

export const DOCUMENT_LIMITS = {
  /** One file at most (an email's attachment is refused above it when read). */
  fileBytes: 25 * 1024 * 1024,
  /** A case's documents together. */
  caseBytes: 250 * 1024 * 1024,
  /** Documents a case lists. */
  count: 200,
  name: 200,
} as const;

export const DOCUMENT_SOURCES = ["email", "upload", "letter", "ombudsman-file"] as const;
export type DocumentSource = (typeof DOCUMENT_SOURCES)[number];

export const CaseDocumentSchema = z.object({
  id: z.string().min(1).max(100),
  name: z.string().min(1).max(DOCUMENT_LIMITS.name),
  contentType: z.string().max(200),
  size: z.number().int().min(0),
  /** The document store's key (made of ids): never shown. */
  key: z.string().min(1).max(300),
  source: z.enum(DOCUMENT_SOURCES),
  addedBy: z.object({ aadObjectId: z.string().min(1), name: z.string().max(200) }),
  addedAt: z.string().datetime({ offset: true }),
  /** The email it came with, for an attachment. */
  emailId: z.string().max(100).optional(),
});
export type CaseDocument = z.infer<typeof CaseDocumentSchema>;
