import { randomBytes, randomUUID } from "node:crypto";
import type http from "node:http";
import type { GraphRouteRequest, ScriptedAnswer } from "./fakeEntra";
import { FakeGraphMail } from "./fakeGraphMail";

/** The https name of the trust's SharePoint (upload session and download URLs); requests to it reach this fake too. */
export const SHAREPOINT_HOST = "https://nhs-trust.sharepoint.test";
/** Graph's simple upload (PUT .../content) refuses more than this (413); larger files need an upload session. */
export const SIMPLE_UPLOAD_LIMIT = 4 * 1024 * 1024;
/** An upload session's fragments: a multiple of 320 KiB (except the last), less than 60 MiB. */
export const FRAGMENT_MULTIPLE = 320 * 1024;
export const MAX_FRAGMENT_BYTES = 60 * 1024 * 1024;
/** Pre-authenticated download URLs live a few minutes; upload sessions a while, extended by each fragment. */
const DOWNLOAD_URL_MS = 5 * 60_000;
const UPLOAD_SESSION_MS = 20 * 60_000;
/** Characters SharePoint does not allow in a file or folder name. */
const RESERVED = /["*:<>?/\\|#%]/;

export type SiteRole = "read" | "write" | "owner" | "fullcontrol";

export interface FakeDriveItem {
  readonly id: string;
  /** Its path from the library's root, as first written (SharePoint keeps the case it was given). */
  readonly path: string;
  readonly folder: boolean;
  content?: Buffer;
  mimeType?: string;
  readonly createdDateTime: string;
  lastModifiedDateTime: string;
  version: number;
}

interface FakeDrive {
  readonly id: string;
  readonly siteId: string;
  /** By path in lower case: SharePoint's names are case-insensitive. */
  readonly items: Map<string, FakeDriveItem>;
}

interface UploadSession {
  readonly id: string;
  readonly driveId: string;
  readonly path: string;
  readonly conflictBehavior: string;
  readonly fileSize?: number;
  readonly tempauth: string;
  total?: number;
  readonly parts: Buffer[];
  received: number;
  expires: number;
}

interface DownloadTicket {
  readonly driveId: string;
  readonly itemId: string;
  readonly expires: number;
}

/** A request to an upload session's URL: what it carried and what it was answered. */
export interface UploadRequest {
  readonly method: string;
  readonly authorization?: string;
  readonly contentRange?: string;
  readonly bytes: number;
  readonly status: number;
}

/** A request to a pre-authenticated download URL. */
export interface DownloadRequest {
  readonly authorization?: string;
  readonly status: number;
}

/**
 * A SharePoint document library through Microsoft Graph, on loopback, with FakeEntra's token service (every Graph
 * request must carry a token it issued): the routes PALS Desk uses, addressed by path under a drive, with Graph's
 * shapes and status codes. Simple upload (PUT .../root:/{path}:/content, 413 above 4 MiB), upload sessions
 * (createUploadSession, then fragments to an upload URL on SharePoint that refuses the bearer token, checks
 * Content-Range, order and the 320 KiB multiple: 202 with nextExpectedRanges, then 201 or 200 with the driveItem;
 * GET for the session's progress, DELETE to cancel), download (302 to a short-lived pre-authenticated URL that
 * needs no token), DELETE of a file or folder (to the recycle bin), and Sites.Selected: only drives of sites the
 * app was granted answer; any other drive id answers 403 accessDenied.
 */
export class FakeGraphDrive extends FakeGraphMail {
  readonly drives = new Map<string, FakeDrive>();
  /** The app's Sites.Selected grants (POST /sites/{siteId}/permissions), by site id. */
  readonly siteGrants = new Map<string, SiteRole>();
  readonly fragmentRequests: UploadRequest[] = [];
  readonly downloadRequests: DownloadRequest[] = [];
  /** What DELETE moved to the site's recycle bin (a folder and everything under it). */
  readonly recycleBin: FakeDriveItem[] = [];
  /** The next n fragments are kept but answered 503, as if the answer were lost on its way back. */
  loseFragmentAnswers = 0;
  private readonly sessions = new Map<string, UploadSession>();
  private readonly tickets = new Map<string, DownloadTicket>();

  override reset(): void {
    super.reset();
    this.drives.clear();
    this.siteGrants.clear();
    this.fragmentRequests.length = 0;
    this.downloadRequests.length = 0;
    this.recycleBin.length = 0;
    this.loseFragmentAnswers = 0;
    this.sessions.clear();
    this.tickets.clear();
  }

  /** The transport FakeGraphMail gives (login, Graph and its upload hosts to loopback), for SharePoint's host to be added to it. */
  private readonly mailFetch = (this as FakeGraphMail).fetch;
  /** For the code under test: fetch, with the fake hosts (login, Graph, Outlook uploads, SharePoint) carried to loopback. */
  override readonly fetch: typeof fetch = (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    return url.startsWith(`${SHAREPOINT_HOST}/`) ? fetch(this.url + url.slice(SHAREPOINT_HOST.length), init) : this.mailFetch(input, init);
  };

  /** A document library (a drive) of a site. */
  addDrive(siteId: string, driveId: string): this {
    if (!this.drives.has(driveId)) this.drives.set(driveId, { id: driveId, siteId, items: new Map() });
    return this;
  }

  /** Sites.Selected: the app gets `role` on the site (as a SharePoint administrator's POST /sites/{siteId}/permissions does). */
  grantSite(siteId: string, role: SiteRole = "write"): this {
    this.siteGrants.set(siteId, role);
    return this;
  }

  /** The next Graph or SharePoint requests whose method and path (`PUT /v1.0/drives/...`, decoded) match answer with these, in order. */
  failDrive(match: RegExp, ...answers: ScriptedAnswer[]): void {
    this.failMail(match, ...answers);
  }

  /** The item at a path from the library's root (`PALS Desk/cases/...`), if there is one. */
  item(driveId: string, path: string): FakeDriveItem | undefined {
    return this.drives.get(driveId)?.items.get(path.toLowerCase());
  }

  /** The files of a drive (paths as written), sorted. */
  files(driveId: string): string[] {
    return [...(this.drives.get(driveId)?.items.values() ?? [])]
      .filter((item) => !item.folder)
      .map((item) => item.path)
      .sort();
  }

  /** Upload sessions created and not yet finished or cancelled. */
  get openSessions(): number {
    return this.sessions.size;
  }

  protected override async graphRoute(request: GraphRouteRequest, res: http.ServerResponse): Promise<boolean> {
    if (await super.graphRoute(request, res)) return true;
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { ...(body === undefined ? {} : { "content-type": "application/json; charset=utf-8" }), ...headers });
      res.end(body === undefined ? undefined : JSON.stringify(body));
      return true;
    };
    const error = (status: number, code: string, message: string, inner?: string) =>
      send(status, {
        error: {
          code,
          message,
          innerError: {
            ...(inner ? { code: inner } : {}),
            date: this.now()
              .toISOString()
              .replace(/\.\d{3}Z$/, ""),
            "request-id": randomUUID(),
          },
        },
      });

    if (/^\/sites\/[^/]+\/_api\/v2\.0\/drives\/[^/]+\/items\/[^/]+\/uploadSession$/.test(request.path)) return this.uploadFragment(request, send, error);
    if (request.path === "/sites/pals/_layouts/15/download.aspx") return this.download(request, res, error);

    // Graph: /v1.0/drives/{driveId}/root:/{path}[:[/content|/createUploadSession]], or the same under /v1.0/sites/{siteId}.
    const route = /^\/v1\.0\/(?:sites\/([^/]+)\/)?drives\/([^/]+)\/root(?::(\/[^:]*)(:(\/content|\/createUploadSession)?)?)?$/.exec(request.path);
    if (!/^\/v1\.0\/(sites\/[^/]+\/)?drives\//.test(request.path)) return false;
    if (!request.authorized) return error(401, "InvalidAuthenticationToken", "Access token is empty or invalid.");
    if (!route) return error(400, "invalidRequest", "Invalid request");
    const [, siteId, rawDriveId, rawPath, , action] = route;
    const driveId = decodeURIComponent(rawDriveId);
    const drive = this.drives.get(driveId);
    const role = drive ? this.siteGrants.get(drive.siteId) : undefined;
    // Sites.Selected: a drive of a site the app was not granted (or that does not exist) is refused.
    if (!drive || !role || (siteId !== undefined && decodeURIComponent(siteId) !== drive.siteId)) return error(403, "accessDenied", "Access denied");
    if (request.method !== "GET" && role === "read") return error(403, "accessDenied", "Access denied");
    const segments = (rawPath ?? "").split("/").slice(1).map(safeDecode);
    if (segments.length === 0 || segments.some((segment) => segment === undefined || segment === "" || RESERVED.test(segment) || /[. ]$/.test(segment)))
      return error(400, "invalidRequest", "The provided path is not valid.", "invalidPath");
    const path = (segments as string[]).join("/");

    if (action === "/content" && request.method === "PUT") return this.simpleUpload(drive, path, request, send, error);
    if (action === "/content" && request.method === "GET") {
      const item = drive.items.get(path.toLowerCase());
      if (!item) return error(404, "itemNotFound", "The resource could not be found.");
      if (item.folder) return error(400, "invalidRequest", "Only files can be downloaded.");
      const token = randomBytes(24).toString("base64url");
      this.tickets.set(token, { driveId, itemId: item.id, expires: this.now().getTime() + DOWNLOAD_URL_MS });
      const location = `${SHAREPOINT_HOST}/sites/pals/_layouts/15/download.aspx?UniqueId=${item.id}&Translate=false&tempauth=${token}&ApiVersion=2.0`;
      // Not chained: restify (loaded by other test files) replaces writeHead with one that returns nothing.
      res.writeHead(302, { location, "content-length": "0" });
      res.end();
      return true;
    }
    if (action === "/createUploadSession" && request.method === "POST") {
      let body: { item?: { "@microsoft.graph.conflictBehavior"?: unknown; fileSize?: unknown } };
      try {
        body = request.body ? (JSON.parse(request.body) as typeof body) : {};
      } catch {
        return error(400, "invalidRequest", "The request body is not valid JSON.");
      }
      const conflictBehavior = body.item?.["@microsoft.graph.conflictBehavior"] ?? "fail";
      if (!["fail", "replace", "rename"].includes(String(conflictBehavior))) return error(400, "invalidRequest", "Invalid conflict behavior.");
      const fileSize = body.item?.fileSize;
      if (fileSize !== undefined && (typeof fileSize !== "number" || !Number.isSafeInteger(fileSize) || fileSize < 0))
        return error(400, "invalidRequest", "Invalid fileSize.");
      const session: UploadSession = {
        id: randomUUID(),
        driveId,
        path,
        conflictBehavior: String(conflictBehavior),
        fileSize,
        tempauth: randomBytes(24).toString("base64url"),
        parts: [],
        received: 0,
        expires: this.now().getTime() + UPLOAD_SESSION_MS,
      };
      this.sessions.set(session.id, session);
      return send(200, {
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.uploadSession",
        uploadUrl: this.uploadUrl(session),
        expirationDateTime: new Date(session.expires).toISOString(),
        nextExpectedRanges: ["0-"],
      });
    }
    if (action === undefined && request.method === "DELETE") {
      const key = path.toLowerCase();
      const item = drive.items.get(key);
      if (!item) return error(404, "itemNotFound", "The resource could not be found.");
      for (const [other, entry] of [...drive.items]) {
        if (other === key || other.startsWith(`${key}/`)) {
          drive.items.delete(other);
          this.recycleBin.push(entry);
        }
      }
      res.writeHead(204);
      res.end();
      return true;
    }
    return error(405, "invalidRequest", "The HTTP method is not allowed on this resource.");
  }

  private simpleUpload(
    drive: FakeDrive,
    path: string,
    request: GraphRouteRequest,
    send: (status: number, body: unknown) => boolean,
    error: (status: number, code: string, message: string, inner?: string) => boolean,
  ): boolean {
    if (request.rawBody.length > SIMPLE_UPLOAD_LIMIT)
      return error(413, "invalidRequest", "The request is larger than a simple upload takes: use an upload session.", "maxFileSizeExceeded");
    const query = new URL(request.url, "http://graph").searchParams;
    const conflictBehavior = query.get("@microsoft.graph.conflictBehavior") ?? "replace"; // Graph's default for PUT
    const written = this.write(drive, path, request.rawBody, String(request.headers["content-type"] ?? ""), conflictBehavior);
    if (typeof written === "string") return error(409, "nameAlreadyExists", written);
    return send(written.created ? 201 : 200, this.itemJson(drive, written.item));
  }

  private uploadFragment(
    request: GraphRouteRequest,
    send: (status: number, body: unknown) => boolean,
    error: (status: number, code: string, message: string, inner?: string) => boolean,
  ): boolean {
    const query = new URL(request.url, "http://sharepoint").searchParams;
    const session = this.sessions.get((query.get("guid") ?? "").replace(/^'|'$/g, ""));
    const record = (status: number) => {
      this.fragmentRequests.push({
        method: request.method,
        authorization: request.headers.authorization,
        contentRange: request.headers["content-range"],
        bytes: request.rawBody.length,
        status,
      });
    };
    const answer = (status: number, body: unknown) => {
      record(status);
      return send(status, body);
    };
    const fail = (status: number, code: string, message: string, inner?: string) => {
      record(status);
      return error(status, code, message, inner);
    };
    // Graph: including the Authorization header with the upload URL's requests may result in 401.
    if (request.headers.authorization) return fail(401, "unauthenticated", "The upload URL carries its own authorization: do not send a token.");
    if (!session || query.get("tempauth") !== session.tempauth || session.expires <= this.now().getTime()) {
      if (session && session.expires <= this.now().getTime()) this.sessions.delete(session.id);
      return fail(404, "itemNotFound", "The upload session was not found.", "uploadSessionNotFound");
    }
    const progress = () => ({
      expirationDateTime: new Date(session.expires).toISOString(),
      nextExpectedRanges: [`${session.received}-${session.total === undefined ? "" : session.total - 1}`],
    });
    if (request.method === "GET") return answer(200, progress());
    if (request.method === "DELETE") {
      this.sessions.delete(session.id);
      record(204);
      return send(204, undefined);
    }
    if (request.method !== "PUT") return fail(405, "invalidRequest", "The HTTP method is not allowed on this resource.");
    const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(String(request.headers["content-range"] ?? ""));
    if (!range) return fail(400, "invalidRequest", "The Content-Range header is missing or malformed.", "invalidRange");
    const [start, end, total] = range.slice(1).map(Number);
    const length = end - start + 1;
    if (end < start || end >= total || length !== request.rawBody.length || String(length) !== request.headers["content-length"])
      return fail(400, "invalidRequest", "The Content-Range does not match the content sent.", "invalidRange");
    if ((session.total ?? session.fileSize ?? total) !== total)
      return fail(400, "invalidRequest", "Declared total size for this fragment is different from that of the upload session.", "fragmentLengthMismatch");
    if (length > MAX_FRAGMENT_BYTES) return fail(413, "invalidRequest", "A fragment must be less than 60 MiB.", "maxFragmentLengthExceeded");
    if (end !== total - 1 && length % FRAGMENT_MULTIPLE !== 0)
      return fail(400, "invalidRequest", "A fragment's size must be a multiple of 320 KiB.", "invalidRange");
    if (start < session.received) return fail(416, "invalidRange", "Uploaded fragment overlaps with existing data.", "fragmentOverlap");
    if (start > session.received) return fail(416, "invalidRange", "Uploaded fragment is out of order.", "fragmentOutOfOrder");
    session.total = total;
    session.parts.push(Buffer.from(request.rawBody));
    session.received = end + 1;
    session.expires = this.now().getTime() + UPLOAD_SESSION_MS;
    if (session.received < total) {
      if (this.loseFragmentAnswers > 0) {
        this.loseFragmentAnswers -= 1;
        return fail(503, "serviceNotAvailable", "The service is not available.");
      }
      return answer(202, progress());
    }
    const drive = this.drives.get(session.driveId)!;
    const written = this.write(drive, session.path, Buffer.concat(session.parts), "application/octet-stream", session.conflictBehavior);
    // A conflict keeps the session (Graph lets the app commit it another way until it expires).
    if (typeof written === "string") return fail(409, "nameAlreadyExists", written);
    this.sessions.delete(session.id);
    return answer(written.created ? 201 : 200, this.itemJson(drive, written.item));
  }

  private download(request: GraphRouteRequest, res: http.ServerResponse, error: (status: number, code: string, message: string) => boolean): boolean {
    const query = new URL(request.url, "http://sharepoint").searchParams;
    const ticket = this.tickets.get(query.get("tempauth") ?? "");
    const record = (status: number) => this.downloadRequests.push({ authorization: request.headers.authorization, status });
    if (request.method !== "GET") {
      record(405);
      return error(405, "invalidRequest", "Only GET.");
    }
    if (!ticket || ticket.expires <= this.now().getTime() || query.get("UniqueId") !== ticket.itemId) {
      record(401);
      return error(401, "unauthenticated", "The download URL has expired or is not valid.");
    }
    const item = [...(this.drives.get(ticket.driveId)?.items.values() ?? [])].find((entry) => entry.id === ticket.itemId);
    if (!item?.content) {
      record(404);
      return error(404, "itemNotFound", "The file was not found.");
    }
    record(200);
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(item.content.length) });
    res.end(item.content);
    return true;
  }

  /** Writes a file, making the folders above it; a reason string when it cannot (a conflict). */
  private write(
    drive: FakeDrive,
    path: string,
    content: Buffer,
    contentType: string,
    conflictBehavior: string,
  ): { item: FakeDriveItem; created: boolean } | string {
    const key = path.toLowerCase();
    const existing = drive.items.get(key);
    if (existing?.folder) return "A folder with that name already exists.";
    if (existing && conflictBehavior === "fail") return "The specified item name already exists.";
    if (existing && conflictBehavior === "rename") return "The fake does not rename.";
    const segments = path.split("/");
    for (let depth = 1; depth < segments.length; depth += 1) {
      const folderPath = segments.slice(0, depth).join("/");
      const folder = drive.items.get(folderPath.toLowerCase());
      if (folder && !folder.folder) return "A file is in the way of a folder of the path.";
      if (!folder) drive.items.set(folderPath.toLowerCase(), this.newItem(folderPath, true));
    }
    const now = this.now().toISOString();
    if (existing) {
      existing.content = Buffer.from(content);
      existing.mimeType = contentType || "application/octet-stream";
      existing.lastModifiedDateTime = now;
      existing.version += 1;
      return { item: existing, created: false };
    }
    const item = { ...this.newItem(path, false), content: Buffer.from(content), mimeType: contentType || "application/octet-stream" };
    drive.items.set(key, item);
    return { item, created: true };
  }

  private newItem(path: string, folder: boolean): FakeDriveItem {
    const now = this.now().toISOString();
    return { id: `01${randomBytes(20).toString("hex").toUpperCase().slice(0, 32)}`, path, folder, createdDateTime: now, lastModifiedDateTime: now, version: 1 };
  }

  private uploadUrl(session: UploadSession): string {
    return (
      `${SHAREPOINT_HOST}/sites/pals/_api/v2.0/drives/${encodeURIComponent(session.driveId)}/items/01${session.id.replace(/-/g, "").toUpperCase()}/uploadSession` +
      `?guid='${session.id}'&overwrite=True&rename=False&dc=0&tempauth=${session.tempauth}`
    );
  }

  private itemJson(drive: FakeDrive, item: FakeDriveItem): Record<string, unknown> {
    const segments = item.path.split("/");
    const name = segments.pop()!;
    const parent = segments.length > 0 ? drive.items.get(segments.join("/").toLowerCase()) : undefined;
    return {
      "@odata.context": `https://graph.microsoft.com/v1.0/$metadata#drives('${drive.id}')/items/$entity`,
      createdDateTime: item.createdDateTime,
      eTag: `"{${item.id.slice(2, 10)}-0000-4000-8000-000000000000},${item.version}"`,
      id: item.id,
      lastModifiedDateTime: item.lastModifiedDateTime,
      name,
      webUrl: `${SHAREPOINT_HOST}/sites/pals/Shared%20Documents/${item.path.split("/").map(encodeURIComponent).join("/")}`,
      cTag: `"c:{${item.id.slice(2, 10)}-0000-4000-8000-000000000000},${item.version}"`,
      size: item.content?.length ?? 0,
      createdBy: { application: { id: this.appId, displayName: "PALS Desk" } },
      lastModifiedBy: { application: { id: this.appId, displayName: "PALS Desk" } },
      parentReference: {
        driveType: "documentLibrary",
        driveId: drive.id,
        id: parent?.id,
        name: segments.at(-1) ?? "root",
        path: `/drives/${drive.id}/root:${segments.length > 0 ? `/${segments.join("/")}` : ""}`,
        siteId: drive.siteId,
      },
      file: { mimeType: item.mimeType ?? "application/octet-stream" },
      fileSystemInfo: { createdDateTime: item.createdDateTime, lastModifiedDateTime: item.lastModifiedDateTime },
    };
  }
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
