// The case's documents: a file an officer sends PALS Desk with a case reference, kept with the case; and opening
// one through a link that is checked twice: when it is given (the case card's Open) and when it is opened (the
// person's roles as they are then, so a role taken away or a case restricted since closes the door).
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import {
  canSeeSafeguardingDetail,
  CaseRuleError,
  checkDocumentName,
  documentsAddedEvent,
  DOCUMENT_LIMITS,
  formatCaseReference,
  may,
  parseCaseReference,
  refusal,
  withDocuments,
  type Caller,
  type Case,
  type CaseDocument,
  type Role,
} from "../domain";
import { activityLog } from "../logger";
import { changeCase } from "./changes";
import type { CaseDeskDeps } from "./deps";
import { CASE_NOT_FOUND, refused, type Result } from "./results";

/** A document link works this long after the Open press (the role is checked again when it is used). */
export const DOCUMENT_LINK_MS = 10 * 60_000;

/** Where a case's own documents are kept (one folder per case): made of ids only. */
export function caseDocumentFolder(caseId: string): string {
  return `cases/${caseId}`;
}

export function caseDocumentKey(caseId: string, documentId: string): string {
  return `${caseDocumentFolder(caseId)}/${documentId}`;
}

const RESTRICTED =
  "This case is restricted (a safeguarding concern): its documents are for PALS officers and managers. Ask one of them if you need something from it.";

/** Whether these roles may open this case's documents: those who may see the case, and for a restricted case only full PALS staff. */
function mayOpenDocuments(roles: ReadonlySet<Role>, c: Case): string | undefined {
  if (!may(roles, "view-case", c)) return refusal("view-case", c, roles);
  if (c.safeguarding && !canSeeSafeguardingDetail(roles)) return RESTRICTED;
  return undefined;
}

const LinkSchema = z.object({ t: z.string().max(100), c: z.string().uuid(), d: z.string().max(100), u: z.string().max(100), e: z.number().int() });
type LinkClaims = z.infer<typeof LinkSchema>;

function sign(deps: Pick<CaseDeskDeps, "documentLinks">, payload: string): string {
  return createHmac("sha256", deps.documentLinks.secret).update(payload).digest("base64url");
}

/** A link for one person to one document, for a few minutes. Signed, so its case, document and person can't be changed. */
function linkFor(deps: CaseDeskDeps, claims: LinkClaims): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
  return `${deps.documentLinks.baseUrl()}/api/documents?link=${payload}.${sign(deps, payload)}`;
}

/** The case card's Open: a link to the document, when the person may open it now. */
export async function documentLink(
  deps: CaseDeskDeps,
  caller: Caller,
  caseId: string,
  documentId: string,
): Promise<Result<{ readonly document: CaseDocument; readonly url: string; readonly expiresAt: Date }>> {
  const record = await deps.cases.get(caller.trustId, caseId);
  if (!record) return refused("not-found", CASE_NOT_FOUND);
  const c = record.value;
  const notAllowed = mayOpenDocuments(caller.roles, c);
  if (notAllowed) {
    activityLog(deps.log).warn({ caseId }, "Refused a document the caller's role does not open");
    return refused("not-allowed", notAllowed);
  }
  const document = c.documents?.find((d) => d.id === documentId);
  if (!document) return refused("not-found", "That document is no longer on the case. Open the case again to see its documents.");
  const expiresAt = new Date(deps.now().getTime() + DOCUMENT_LINK_MS);
  const url = linkFor(deps, { t: caller.trustId, c: caseId, d: documentId, u: caller.actor.aadObjectId, e: expiresAt.getTime() });
  return { ok: true, document, url, expiresAt };
}

export type OpenedDocument =
  | { readonly ok: true; readonly name: string; readonly contentType: string; readonly content: Buffer }
  | { readonly ok: false; readonly status: 403 | 404 | 410; readonly message: string };

/** GET /api/documents?link=...: the document, if the link is genuine and in time and its person may open it now. */
export async function openDocumentLink(deps: CaseDeskDeps, link: string): Promise<OpenedDocument> {
  const gone = { ok: false as const, status: 404 as const, message: "This link doesn't open anything. Open the case in Teams and press Open again." };
  const [payload, signature] = link.split(".");
  if (!payload || !signature || payload.length > 2000) return gone;
  const expected = Buffer.from(sign(deps, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    activityLog(deps.log).warn("A document link with a wrong signature was refused");
    return gone;
  }
  let claims: LinkClaims;
  try {
    claims = LinkSchema.parse(JSON.parse(Buffer.from(payload, "base64url").toString("utf8")));
  } catch {
    return gone;
  }
  if (deps.now().getTime() > claims.e) {
    return { ok: false, status: 410, message: "This link has expired: links work for 10 minutes. Open the case in Teams and press Open again." };
  }
  // The person's roles now, not when the link was made.
  const { roles } = await deps.roles.lookup(claims.t, claims.u);
  const record = await deps.cases.get(claims.t, claims.c);
  if (!record) return gone;
  const notAllowed = mayOpenDocuments(roles, record.value);
  if (notAllowed) {
    activityLog(deps.log).warn({ caseId: claims.c }, "A document link was refused: the person may no longer open it");
    return { ok: false, status: 403, message: notAllowed.replace(/\*\*/g, "") };
  }
  const document = record.value.documents?.find((d) => d.id === claims.d);
  const content = document ? await deps.documents.get(claims.t, document.key) : undefined;
  if (!document || !content) return gone;
  activityLog(deps.log).info({ caseId: claims.c, documentId: document.id }, "A document was opened");
  return { ok: true, name: document.name, contentType: document.contentType, content };
}

/** A file an officer sends PALS Desk in its chat, with the case's reference in the message: kept with the case. */
export async function addDocument(
  deps: CaseDeskDeps,
  caller: Caller,
  referenceText: string,
  file: { readonly name: string; readonly contentType: string; readonly content: Buffer },
): Promise<Result<{ readonly reference: string; readonly caseId: string; readonly document: CaseDocument }>> {
  if (!may(caller.roles, "add-document")) return refused("not-allowed", refusal("add-document", undefined, caller.roles));
  const parsed = parseCaseReference(referenceText);
  if (!parsed) {
    return refused("rule", "Which case is it for? Send the file again with the case's reference in the message, for example PALS-2026-000123.");
  }
  const reference = formatCaseReference(parsed.year, parsed.sequence);
  const record = await deps.cases.findByReference(caller.trustId, reference);
  if (!record) return refused("not-found", `There is no case ${reference}. Check the reference and send the file again.`);
  const notAllowed =
    mayOpenDocuments(caller.roles, record.value) ??
    (may(caller.roles, "add-document", record.value) ? undefined : refusal("add-document", record.value, caller.roles));
  if (notAllowed) return refused("not-allowed", notAllowed);
  let name: string;
  try {
    name = checkDocumentName(file.name);
  } catch (error) {
    if (error instanceof CaseRuleError) return refused("rule", error.message);
    throw error;
  }
  if (file.content.length > DOCUMENT_LIMITS.fileBytes) return refused("rule", `${name} is over 25 MB: PALS Desk keeps files up to 25 MB.`);
  const refusedFile = deps.checkFile?.(name, file.contentType, file.content);
  if (refusedFile) return refused("rule", refusedFile);
  const now = deps.now();
  const id = randomUUID();
  const document: CaseDocument = {
    id,
    name,
    contentType: file.contentType.slice(0, 200) || "application/octet-stream",
    size: file.content.length,
    key: caseDocumentKey(record.value.id, id),
    source: "upload",
    addedBy: { aadObjectId: caller.actor.aadObjectId, name: caller.actor.name },
    addedAt: now.toISOString(),
  };
  // The content first: a case never lists a document whose content isn't kept.
  await deps.documents.put(caller.trustId, document.key, file.content, document.contentType);
  const outcome = await changeCase(deps, {
    trustId: caller.trustId,
    caseId: record.value.id,
    actor: caller.actor,
    loaded: record,
    apply: (c) => ({ updated: withDocuments(c, [document]), events: [documentsAddedEvent([document], caller.actor)] }),
  });
  if (outcome.kind === "not-found") return refused("not-found", CASE_NOT_FOUND);
  if (outcome.kind === "refused") {
    await deps.documents.deleteUnder(caller.trustId, document.key).catch(() => undefined);
    return refused("rule", outcome.error.message);
  }
  activityLog(deps.log).info({ caseId: record.value.id, reference, documentId: id, size: document.size }, "A document was added to a case");
  return { ok: true, reference, caseId: record.value.id, document };
}
