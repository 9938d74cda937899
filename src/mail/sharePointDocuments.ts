// Attachments and documents in the PALS team's SharePoint document library, through Microsoft Graph (production):
// one file per key under a folder PALS Desk keeps to itself ("PALS Desk" by default), so a case's documents are
// one folder (`PALS Desk/cases/<caseId>/...`) and an email's attachments another (`PALS Desk/emails/<emailId>/...`).
// Keys are made by PALS Desk from ids and checked again here (src/mail/documentKeys.ts), before any request.
//
// Least privilege: the app has the Microsoft Graph application permission `Sites.Selected` (admin consent in the
// trust's tenant), which by itself opens no site at all, and a `write` grant on the PALS team's site only. A
// SharePoint administrator (or an app holding Sites.FullControl.All) makes that grant once per site:
//
//   POST https://graph.microsoft.com/v1.0/sites/{siteId}/permissions
//   Content-Type: application/json
//   { "roles": ["write"], "grantedToIdentities": [{ "application": { "id": "<bot app id>", "displayName": "PALS Desk" } }] }
//
// (https://learn.microsoft.com/graph/api/site-post-permissions, https://learn.microsoft.com/graph/permissions-selected-overview).
// Every request below addresses the library by drive id (`/v1.0/drives/{driveId}/root:/<path>...`), which
// Sites.Selected allows inside the granted site; any other site's library answers 403 accessDenied.
//
// Graph requests per operation (none are made for a key that is not made of ids):
//   put, up to 4 MiB: 1 (PUT .../root:/<path>:/content);
//   put, larger: 1 (POST .../createUploadSession) + one PUT per 3.125 MiB fragment to the upload URL (9 MiB: 4 requests in all);
//   get: 2 (GET .../root:/<path>:/content answers 302; the pre-authenticated download URL is fetched without the token);
//   deleteUnder: 1 (DELETE .../root:/<folder>/<prefix>: the folder goes to the site's recycle bin).
// A throttled or failing request (429, 502, 503, 504, no answer) is tried again, as long as Retry-After says.
import { setTimeout as delay } from "node:timers/promises";
import type { TokenCredential } from "@azure/identity";
import { ResponseType } from "@microsoft/microsoft-graph-client";
import { z } from "zod";
import type { DocumentStore } from "../domain/ports";
import { graphErrorCode, isTokenError, readBounded, RequestCounter, retryAfterSeconds, TenantClients } from "../entra/graphClient";
import type { Logger } from "../logger";
import { documentKeySegments } from "./documentKeys";

/** The library folder PALS Desk keeps everything under, unless told otherwise. */
export const DEFAULT_FOLDER = "PALS Desk";
/** Content up to this size goes in one PUT (Graph's simple upload); larger content goes through an upload session. */
export const SIMPLE_UPLOAD_MAX_BYTES = 4 * 1024 * 1024;
/** An upload session's fragments must be a multiple of 320 KiB (Graph); ours are 10 x 320 KiB (3.125 MiB). */
export const UPLOAD_FRAGMENT_BYTES = 10 * 320 * 1024;
/** A throttled or failing request is tried at most this many times. */
export const MAX_TRIES = 4;
/** Graph asking for a longer wait than this fails the operation at once (the caller tries again later). */
export const MAX_RETRY_AFTER_MS = 120_000;
/** A document larger than this is not read into memory. */
export const MAX_DOCUMENT_BYTES = 256 * 1024 * 1024;
/** Exponential backoff (with jitter) when Graph gives no Retry-After. */
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;
/** Time limits on one request: Graph's JSON answers, and a request carrying content. */
const JSON_TIMEOUT_MS = 60_000;
const CONTENT_TIMEOUT_MS = 5 * 60_000;
const MAX_JSON_BYTES = 1024 * 1024;
const RETRYABLE = new Set([0, 429, 502, 503, 504]);
/** A library folder name: no SharePoint-reserved characters, no leading `~` or `.`, no trailing `.` or space. */
const FOLDER_SEGMENT = /^[A-Za-z0-9](?:[A-Za-z0-9 ._-]{0,126}[A-Za-z0-9_-])?$/;

export interface SharePointSite {
  readonly trustId: string;
  /** The site the Sites.Selected grant is on (the PALS team's site). */
  readonly siteId: string;
  /** Its document library (a drive id, `b!...`). */
  readonly driveId: string;
  readonly tenantId: string;
}

export interface SharePointDocumentsOptions {
  /** One library per trust; two trusts never share one. */
  readonly sites: readonly SharePointSite[];
  /** The bot's identity in a tenant (credentials.ts botCredential): app-only tokens for Graph (Sites.Selected). */
  readonly credentialFor: (tenantId: string) => TokenCredential;
  readonly log: Logger;
  /** Tests: waits without real time. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Tests only: another Graph (an https address) and the transport that reaches it. */
  readonly graphBaseUrl?: string;
  readonly fetch?: typeof fetch;
  /** The library folder PALS Desk keeps everything under (DEFAULT_FOLDER); `/` makes a deeper folder. */
  readonly folder?: string;
}

type Operation = "put" | "get" | "delete";

/**
 * A document operation SharePoint refused or could not do: its name says what happened (throttled, unavailable,
 * access denied...), `code` is Graph's error code (or one of ours), `statusCode` the HTTP status (0: no answer).
 * It never carries the document's path or content.
 */
export class SharePointDocumentError extends Error {
  constructor(
    readonly operation: Operation,
    readonly statusCode: number,
    readonly code: string,
    readonly retryAfterMs?: number,
  ) {
    super(`SharePoint could not ${operation === "put" ? "save" : operation === "get" ? "read" : "delete"} a document: ${statusCode || "no answer"} (${code})`);
    this.name =
      statusCode === 429
        ? "SharePointThrottled"
        : RETRYABLE.has(statusCode)
          ? "SharePointUnavailable"
          : statusCode === 401 || statusCode === 403
            ? "SharePointAccessDenied"
            : statusCode === 404
              ? "SharePointNotFound"
              : "SharePointDocumentError";
  }
}

/** The default code when Graph gives none. */
function codeForStatus(status: number): string {
  if (status === 0) return "noAnswer";
  if (status === 429) return "throttled";
  if (status === 401) return "unauthenticated";
  if (status === 403) return "accessDenied";
  if (status === 404) return "itemNotFound";
  if (RETRYABLE.has(status)) return "serviceNotAvailable";
  return `http${status}`;
}

const UploadSessionSchema = z.object({
  uploadUrl: z.string().url().max(8_000),
  nextExpectedRanges: z.array(z.string().max(100)).max(1_000).optional(),
});

const UploadProgressSchema = z.object({ nextExpectedRanges: z.array(z.string().max(100)).max(1_000).optional() });

interface Library {
  readonly trustId: string;
  readonly siteId: string;
  readonly driveId: string;
  readonly tenantId: string;
}

/** The trusts' documents in their SharePoint document libraries, through Microsoft Graph. */
export class SharePointDocuments implements DocumentStore {
  private readonly libraries = new Map<string, Library>();
  private readonly counter = new RequestCounter();
  private readonly clients: TenantClients;
  private readonly folder: readonly string[];
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly send: typeof fetch;

  constructor(private readonly options: SharePointDocumentsOptions) {
    this.clients = new TenantClients(options, () => [this.counter]);
    const drives = new Set<string>();
    for (const site of options.sites) {
      if (!site.trustId || !site.siteId || !site.driveId || !site.tenantId)
        throw new Error("A SharePoint document library needs a trust, site, drive and tenant id");
      if (this.libraries.has(site.trustId)) throw new Error("A trust has two SharePoint document libraries configured");
      if (drives.has(site.driveId)) throw new Error("Two trusts are configured with the same SharePoint document library");
      drives.add(site.driveId);
      this.libraries.set(site.trustId, { ...site, tenantId: site.tenantId.toLowerCase() });
    }
    const folder = (options.folder ?? DEFAULT_FOLDER).split("/");
    if (!folder.every((segment) => FOLDER_SEGMENT.test(segment)))
      throw new Error("The SharePoint documents folder must be plain names (letters, digits, spaces, . _ -)");
    this.folder = folder;
    this.sleep = options.sleep ?? ((ms) => delay(ms));
    this.send = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** HTTP requests sent so far for documents (every try of a retried request counts), for the bench and the docs. */
  get requests(): number {
    return this.counter.count;
  }

  async put(trustId: string, key: string, content: Buffer, contentType: string): Promise<void> {
    const library = this.libraryOf(trustId);
    const path = this.pathOf(documentKeySegments(key));
    if (content.length <= SIMPLE_UPLOAD_MAX_BYTES) {
      // The same key always has the same content: writing it again replaces the file with itself.
      const response = await this.graph(library, "put", "PUT", `${this.itemPath(library, path)}:/content?@microsoft.graph.conflictBehavior=replace`, {
        body: content,
        headers: { "Content-Type": safeContentType(contentType) },
        timeoutMs: CONTENT_TIMEOUT_MS,
        accept: [200, 201],
      });
      await discard(response);
      return;
    }
    await this.uploadInSession(library, path, content);
  }

  async get(trustId: string, key: string): Promise<Buffer | undefined> {
    const library = this.libraryOf(trustId);
    const path = this.pathOf(documentKeySegments(key));
    // Graph answers 302 to a short-lived pre-authenticated URL (on SharePoint), or may send the content itself.
    const answer = await this.graph(library, "get", "GET", `${this.itemPath(library, path)}:/content`, {
      timeoutMs: CONTENT_TIMEOUT_MS,
      accept: [200, 302, 303, 307, 404],
    });
    if (answer.status === 404) {
      await discard(answer);
      return undefined;
    }
    if (answer.status === 200) return this.readContent(answer);
    const location = answer.headers.get("location");
    await discard(answer);
    if (!location || !isHttps(location)) throw new SharePointDocumentError("get", answer.status, "invalidRedirect");
    // The download URL carries its own authorisation: Graph's token is never sent to it.
    const download = await this.direct(library, "get", location, { method: "GET", timeoutMs: CONTENT_TIMEOUT_MS, accept: [200, 404] });
    if (download.status === 404) {
      await discard(download);
      return undefined;
    }
    return this.readContent(download);
  }

  /**
   * Deletes the folder `<folder>/<prefix>` (Graph moves it, with what it holds, to the site's recycle bin).
   * Resolves with 1 when it was there and 0 when it was not: Graph does not say how many files it held.
   */
  async deleteUnder(trustId: string, prefix: string): Promise<number> {
    const library = this.libraryOf(trustId);
    const path = this.pathOf(documentKeySegments(prefix));
    const response = await this.graph(library, "delete", "DELETE", this.itemPath(library, path), { timeoutMs: JSON_TIMEOUT_MS, accept: [204, 200, 404] });
    await discard(response);
    return response.status === 404 ? 0 : 1;
  }

  // ---- upload sessions ----

  /**
   * Content over SIMPLE_UPLOAD_MAX_BYTES: an upload session, then its fragments in order to the session's URL
   * (without the token, as Graph asks), until Graph answers 200 or 201 with the file. A fragment whose answer
   * was lost and that Graph already has (416) is skipped after asking the session where it has got to.
   */
  private async uploadInSession(library: Library, path: string, content: Buffer): Promise<void> {
    const total = content.length;
    const created = await this.graph(library, "put", "POST", `${this.itemPath(library, path)}:/createUploadSession`, {
      body: { item: { "@microsoft.graph.conflictBehavior": "replace", fileSize: total } },
      timeoutMs: JSON_TIMEOUT_MS,
      accept: [200],
    });
    const session = UploadSessionSchema.safeParse(await readJson(created));
    if (!session.success || !isHttps(session.data.uploadUrl)) throw new SharePointDocumentError("put", created.status, "invalidUploadSession");
    const uploadUrl = session.data.uploadUrl;
    // Each fragment is sent once, plus once more for each time Graph asks for part of it again.
    const maxFragments = 2 * Math.ceil(total / UPLOAD_FRAGMENT_BYTES) + MAX_TRIES;
    let offset = 0;
    try {
      for (let fragments = 0; ; fragments += 1) {
        if (fragments >= maxFragments) throw new SharePointDocumentError("put", 0, "uploadSessionIncomplete");
        const end = Math.min(offset + UPLOAD_FRAGMENT_BYTES, total) - 1;
        const response = await this.direct(library, "put", uploadUrl, {
          method: "PUT",
          body: content.subarray(offset, end + 1),
          headers: { "Content-Range": `bytes ${offset}-${end}/${total}` },
          timeoutMs: CONTENT_TIMEOUT_MS,
          accept: [200, 201, 202, 416],
        });
        if (response.status === 200 || response.status === 201) {
          await discard(response);
          this.options.log.info(
            { trustId: library.trustId, bytes: total, fragments: fragments + 1 },
            "Saved a document to SharePoint through an upload session",
          );
          return;
        }
        let next: number | undefined;
        if (response.status === 202) {
          next = nextOffset(await readJson(response).catch(() => undefined), total);
        } else {
          // 416: Graph already has (part of) this fragment, its answer was lost: ask where the session has got to.
          await discard(response);
          const status = await this.direct(library, "put", uploadUrl, { method: "GET", timeoutMs: JSON_TIMEOUT_MS, accept: [200] });
          next = nextOffset(await readJson(status).catch(() => undefined), total);
          if (next === undefined) throw new SharePointDocumentError("put", 416, "invalidRange");
        }
        offset = next ?? end + 1;
        if (offset >= total) throw new SharePointDocumentError("put", response.status, "uploadSessionIncomplete");
      }
    } catch (error) {
      // The session's part-written file is cleaned up now rather than when the session expires.
      await this.send(uploadUrl, { method: "DELETE", redirect: "manual", signal: AbortSignal.timeout(JSON_TIMEOUT_MS) })
        .then(discard)
        .catch(() => undefined);
      this.counter.count += 1;
      throw error;
    }
  }

  // ---- requests ----

  /** A Graph request (with the app's token) for the library, tried again on throttling and outages. */
  private graph(
    library: Library,
    operation: Operation,
    method: "GET" | "PUT" | "POST" | "DELETE",
    path: string,
    options: { body?: unknown; headers?: Record<string, string>; timeoutMs: number; accept: readonly number[] },
  ): Promise<Response> {
    const client = this.clients.for(library.tenantId);
    return this.tried(library, operation, options.accept, async () => {
      let request = client
        .api(path)
        .responseType(ResponseType.RAW)
        .option("signal", AbortSignal.timeout(options.timeoutMs))
        // A redirect is answered to us, never followed with the token (the download URL is fetched without it).
        .option("redirect", "manual");
      for (const [name, value] of Object.entries(options.headers ?? {})) request = request.header(name, value);
      return (await (method === "GET"
        ? request.get()
        : method === "PUT"
          ? request.put(options.body)
          : method === "POST"
            ? request.post(options.body)
            : request.delete())) as Response;
    });
  }

  /** A request to a URL Graph gave (an upload session, a download): no token, tried again on throttling and outages. */
  private direct(
    library: Library,
    operation: Operation,
    url: string,
    options: { method: "GET" | "PUT"; body?: Buffer; headers?: Record<string, string>; timeoutMs: number; accept: readonly number[] },
  ): Promise<Response> {
    return this.tried(library, operation, options.accept, () => {
      this.counter.count += 1;
      return this.send(url, {
        method: options.method,
        headers: options.headers,
        body: options.body,
        redirect: "manual",
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    });
  }

  /**
   * One request, tried again on throttling (429) and outages (502, 503, 504, no answer): as long as Graph's
   * Retry-After says (up to MAX_RETRY_AFTER_MS), else exponential backoff with jitter; MAX_TRIES in all.
   * An answer whose status is not in `accept` becomes a SharePointDocumentError.
   */
  private async tried(library: Library, operation: Operation, accept: readonly number[], attempt: () => Promise<Response>): Promise<Response> {
    for (let tries = 1; ; tries += 1) {
      let failure: SharePointDocumentError;
      try {
        const response = await attempt();
        if (accept.includes(response.status)) return response;
        failure = await failureOf(operation, response);
      } catch (error) {
        const { statusCode, code } = (error ?? {}) as { statusCode?: unknown; code?: unknown };
        if (typeof statusCode === "number" && statusCode > 0) throw error;
        // No token could be had: not worth another try now.
        if (isTokenError(code)) throw new SharePointDocumentError(operation, 401, code as string);
        const name = typeof code === "string" ? code : (error as { name?: unknown } | undefined)?.name;
        failure = new SharePointDocumentError(operation, 0, name === "TimeoutError" ? "timeout" : "noAnswer");
      }
      const wait = retryWait(failure, tries);
      if (wait === undefined) {
        this.options.log.warn(
          { trustId: library.trustId, operation, status: failure.statusCode, code: failure.code, tries },
          "SharePoint refused or could not do a document operation",
        );
        throw failure;
      }
      this.options.log.warn(
        { trustId: library.trustId, operation, status: failure.statusCode, code: failure.code, attempt: tries, waitMs: Math.round(wait) },
        "SharePoint is throttling or unavailable: trying again after a wait",
      );
      await this.sleep(wait);
    }
  }

  private async readContent(response: Response): Promise<Buffer> {
    const content = await readBounded(response, MAX_DOCUMENT_BYTES);
    if (!content) throw new SharePointDocumentError("get", response.status, "documentTooLarge");
    return content;
  }

  // ---- paths ----

  private libraryOf(trustId: string): Library {
    const library = this.libraries.get(trustId);
    if (!library) throw new Error("No SharePoint document library is configured for this trust");
    return library;
  }

  /** `<folder>/<key>`, each segment percent-encoded (the folder's spaces). */
  private pathOf(keySegments: readonly string[]): string {
    return [...this.folder, ...keySegments].map(encodeURIComponent).join("/");
  }

  private itemPath(library: Library, path: string): string {
    return `/drives/${encodeURIComponent(library.driveId)}/root:/${path}`;
  }
}

function retryWait(failure: SharePointDocumentError, tries: number): number | undefined {
  if (tries >= MAX_TRIES || !RETRYABLE.has(failure.statusCode)) return undefined;
  if (failure.retryAfterMs !== undefined && failure.retryAfterMs > 0) return failure.retryAfterMs <= MAX_RETRY_AFTER_MS ? failure.retryAfterMs : undefined;
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (tries - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** Where an upload session wants the next fragment to start (the first of `nextExpectedRanges`), if it says. */
function nextOffset(body: unknown, total: number): number | undefined {
  const parsed = UploadProgressSchema.safeParse(body);
  const first = parsed.success ? parsed.data.nextExpectedRanges?.[0] : undefined;
  const match = first ? /^(\d+)-(\d*)$/.exec(first) : null;
  const start = match ? Number(match[1]) : Number.NaN;
  return Number.isSafeInteger(start) && start >= 0 && start < total ? start : undefined;
}

/** A MIME type fit for a header (an attachment's may come from an email): anything else is sent as bytes. */
function safeContentType(contentType: string): string {
  const type = contentType.split(";")[0].trim().toLowerCase();
  return /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/.test(type) ? type : "application/octet-stream";
}

function isHttps(url: string): boolean {
  try {
    return new URL(url).protocol === "https:";
  } catch {
    return false;
  }
}

/** A failed answer's status, Graph's error code and Retry-After (the body is read only for the code, bounded). */
async function failureOf(operation: Operation, response: Response): Promise<SharePointDocumentError> {
  const code = await graphErrorCode(response);
  const retryAfter = response.headers.get("retry-after") ? retryAfterSeconds(response) * 1000 : undefined;
  return new SharePointDocumentError(operation, response.status, code ?? codeForStatus(response.status), retryAfter);
}

async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}

async function readJson(response: Response): Promise<unknown> {
  const raw = await readBounded(response, MAX_JSON_BYTES);
  if (!raw || raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString("utf8")) as unknown;
  } catch {
    return undefined;
  }
}
