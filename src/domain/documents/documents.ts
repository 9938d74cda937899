// The case's documents: the attachments of emails that became or joined it, files officers add, the letters made
// from it. The case keeps a list of them (name, size, who added, when, where the content is kept); the content
// itself is in the document store (SharePoint in production, a folder locally). Pure: no I/O.
import type { Case, PersonRef } from "../case/caseSchema";
import type { CaseEventDraft } from "../case/change";
import { CaseRuleError } from "../case/errors";
import { DOCUMENT_LIMITS, type CaseDocument } from "./documentSchema";

/** Programs are never kept: by their name (the content is checked where files are read). */
const PROGRAM = /\.(exe|com|bat|cmd|msi|msp|scr|ps1|psm1|vbs|vbe|js|jse|wsf|wsh|hta|cpl|jar|dll|lnk|iso|img|apk|app|sh|reg|pif|scf|msc|gadget|application)$/i;

/**
 * A file name a person or an email gave, checked for showing and storing: no path, no control characters, no
 * program. Refused with a plain reason rather than changed behind the person's back.
 */
export function checkDocumentName(name: string): string {
  const trimmed = name.normalize("NFC").trim();
  if (trimmed === "") throw new CaseRuleError("The file has no name. Give it a name and send it again.");
  if (trimmed.length > DOCUMENT_LIMITS.name) throw new CaseRuleError(`Shorten the file's name to ${DOCUMENT_LIMITS.name} characters or fewer.`);
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  if (/[/\\\u0000-\u001f\u007f]/.test(trimmed) || trimmed.startsWith(".")) {
    throw new CaseRuleError("The file's name has characters PALS Desk can't keep (slashes, or it starts with a dot). Rename it and send it again.");
  }
  if (PROGRAM.test(trimmed)) throw new CaseRuleError("PALS Desk doesn't keep programs or scripts. Send the document itself (a PDF, a photo, a Word file).");
  return trimmed;
}

/** Adds documents to the case within its limits; those already listed (same id) are left as they are. */
export function withDocuments(c: Case, documents: readonly CaseDocument[]): Case {
  const have = new Set((c.documents ?? []).map((d) => d.id));
  const added = documents.filter((d) => !have.has(d.id));
  if (added.length === 0) return c;
  const all = [...(c.documents ?? []), ...added];
  if (all.length > DOCUMENT_LIMITS.count)
    throw new CaseRuleError(`A case keeps at most ${DOCUMENT_LIMITS.count} documents. Put the rest in the trust's records system.`);
  const bytes = all.reduce((sum, d) => sum + d.size, 0);
  if (bytes > DOCUMENT_LIMITS.caseBytes)
    throw new CaseRuleError("This case's documents would be over 250 MB together. Put the largest in the trust's records system.");
  for (const d of added) if (d.size > DOCUMENT_LIMITS.fileBytes) throw new CaseRuleError(`${d.name} is over 25 MB: PALS Desk keeps files up to 25 MB.`);
  return { ...c, documents: all };
}

/** The timeline line for documents added by a person (an email's attachments are named on its own entry). */
export function documentsAddedEvent(documents: readonly Pick<CaseDocument, "name">[], by: PersonRef): CaseEventDraft {
  return {
    kind: "document-added",
    summary: documents.length === 1 ? "Document added" : `${documents.length} documents added`,
    detail: `${documents.map((d) => d.name).join("\n")}\nAdded by ${by.name}.`,
    changes: [{ field: "documents", after: documents.length }],
  };
}

/** "2.4 MB", "180 KB". */
export function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
