// PALS Desk's HTTP server (restify): the Teams endpoint behind the turn queue, the sweep endpoint, Graph's mail notifications, one-time
// downloads and the health probes, with the limits every request meets first. src/index.ts builds what it serves.
import { randomUUID, timingSafeEqual } from "node:crypto";
import type { Server } from "node:http";
import type { OpenedDocument } from "./cases/documents";
import restify, { type Request, type Response } from "restify";
import type { Config } from "./config";
import type { Jobs } from "./jobs/runtime";
import type { Logger } from "./logger";
import type { Store } from "./store/cosmos";
import { activityProblem } from "./teams/activityEnvelope";
import type { TeamsEndpoint } from "./teams/app";
import type { DownloadShelf } from "./teams/reports/downloads";
import { turnQueue } from "./turnQueue";

/** The largest request body read: far above any activity Teams sends, far below what could strain the memory. */
const MAX_BODY_BYTES = 1024 * 1024;

export interface HttpParts {
  readonly config: Config;
  readonly log: Logger;
  readonly teams: TeamsEndpoint;
  readonly jobs: Jobs;
  readonly store: Store;
  readonly downloads: DownloadShelf;
  /** Microsoft Graph's mail change notifications (src/mail/graphMailbox.ts handleNotification); absent: 404. */
  readonly mailNotifications?: (request: { query: Record<string, unknown>; body: unknown }) => { status: number; contentType: string; body: string };
  /** A case's document through its link (src/cases/documents.ts openDocumentLink): the link and the person's role are checked there. */
  readonly openDocument?: (link: string) => Promise<OpenedDocument>;
}

/** The server with every route, not yet listening, and the work in progress it tracks for a clean stop. */
export function httpServer({ config, log, teams, jobs, store, downloads, mailNotifications, openDocument }: HttpParts): {
  server: restify.Server;
  inFlight: ReturnType<typeof workInProgress>;
} {
  const server = restify.createServer({ name: "pals-desk", handleUncaughtExceptions: false });
  const inFlight = workInProgress(server.server);
  // restify counts a gzip body's compressed bytes only, so a small gzip bomb could fill the memory: the Bot
  // Connector sends plain JSON, and so must everyone else.
  server.pre((req, res, next) => {
    const encoding = String(req.headers["content-encoding"] ?? "identity")
      .trim()
      .toLowerCase();
    if (encoding === "identity" || encoding === "") return next();
    log.warn({ path: req.path() }, "Refused a compressed request body");
    res.send(415, { error: "PALS Desk accepts only uncompressed JSON. Send the request without Content-Encoding." });
    return next(false);
  });
  server.use(restify.plugins.bodyParser({ maxBodySize: MAX_BODY_BYTES, mapParams: false }));
  // Bigger than any activity Teams sends (it caps a message at about 28 KB): say so plainly, without a stack.
  server.on("PayloadTooLarge", (req: Request, res: Response, _error: unknown, done: () => void) => {
    log.warn({ path: req.path(), bytes: Number(req.headers["content-length"]) || undefined }, "Refused a request over 1 MB");
    res.send(413, { error: "That request is larger than PALS Desk accepts (1 MB). If you pasted a long text into a card, shorten it and try again." });
    done();
  });

  const turns = turnQueue(config.turnsAtOnce, {
    onWait: (waiting) => log.debug({ waiting, turnsAtOnce: config.turnsAtOnce }, "A Teams request waits for its turn"),
  });
  // restify takes only async functions (or ones with next) as handlers.
  server.post("/api/messages", async (req, res) => inFlight.track(() => turns.run(() => handleActivity(req, res))));
  async function handleActivity(req: Request, res: Response): Promise<void> {
    const activity = (req.body ?? {}) as { id?: unknown; type?: unknown; channelId?: unknown; conversation?: { conversationType?: unknown } };
    const requestLog = log.child({
      requestId: typeof activity.id === "string" && activity.id.length <= 200 ? activity.id : randomUUID(),
    });
    requestLog.debug(
      { activityType: activity.type, channelId: activity.channelId, conversationType: activity.conversation?.conversationType },
      "Activity received",
    );
    const problem = activityProblem(req.body);
    if (problem) {
      requestLog.warn({ problem: problem.slice(0, 300) }, "Refused a malformed activity");
      res.send(400, { error: "This is not a Bot Framework activity PALS Desk can handle.", problem });
      return;
    }
    await teams.process(req, res, requestLog);
  }

  // For an external timer (Azure Functions, Logic Apps, cron): off unless SWEEP_SECRET is set.
  server.post("/api/jobs/sweep", async (req, res) => inFlight.track(() => handleSweepRequest(req, res)));
  async function handleSweepRequest(req: Request, res: Response): Promise<void> {
    const given = Buffer.from(String(req.headers.authorization ?? "").replace(/^Bearer\s+/i, ""));
    const expected = Buffer.from(config.sweepSecret ?? "");
    if (!config.sweepSecret) {
      res.send(404, { error: "The sweep endpoint is off. Set SWEEP_SECRET to use it." });
      return;
    }
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      log.warn("Refused a sweep request without the right secret");
      res.send(401, { error: "Send the sweep secret as: Authorization: Bearer <SWEEP_SECRET>" });
      return;
    }
    res.send(200, await jobs.sweepNow());
  }

  // Microsoft Graph's change notifications for the shared mailbox: no Bot Framework token (Graph proves itself with
  // the subscription's clientState, checked by the handler); the body is bounded like every other (1 MB). The
  // handler answers at once (Graph wants an answer within 3 seconds) and reads the mailbox in the background.
  server.post("/api/mail/notifications", (req, res, next) => {
    if (!mailNotifications) {
      res.send(404, { error: "Mail notifications are off: PALS Desk reads no mailbox through Microsoft Graph." });
      return next();
    }
    const query: Record<string, unknown> = {};
    for (const [key, value] of new URL(req.url ?? "/", "http://localhost").searchParams) {
      const before = query[key];
      query[key] = before === undefined ? value : ([] as unknown[]).concat(before, value);
    }
    const answer = mailNotifications({ query, body: req.body as unknown });
    res.writeHead(answer.status, {
      "Content-Type": `${answer.contentType}; charset=utf-8`,
      "Content-Length": Buffer.byteLength(answer.body),
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    });
    res.end(answer.body);
    return next();
  });

  // Local mode only (config refuses link delivery with bot credentials): one-time downloads of exports.
  server.get("/api/files/:token", (req, res, next) => {
    const file = downloads.take(String((req.params as Record<string, unknown> | undefined)?.token ?? ""));
    if (!file) {
      res.send(404, { error: "This download link has expired or was already used. Ask PALS Desk for the file again." });
      return next();
    }
    res.writeHead(200, {
      "Content-Type": `${file.contentType}; charset=utf-8`,
      "Content-Disposition": `attachment; filename="${file.name.replace(/[^\w.-]/g, "_")}"`,
      "Content-Length": file.content.length,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    });
    res.end(file.content);
    log.info(file.logged, "File downloaded");
    return next();
  });

  // A case's document, opened from the case card's link. Never shown in the browser (no script can run from it):
  // downloaded, under its own name, with nothing cached.
  // The link is a query parameter: it is longer than a path parameter may be (find-my-way stops at 100 characters).
  server.get("/api/documents", async (req, res) =>
    inFlight.track(async () => {
      const link = (new URL(req.url ?? "/", "http://localhost").searchParams.get("link") ?? "").slice(0, 3000);
      const opened = openDocument ? await openDocument(link) : { ok: false as const, status: 404 as const, message: "Documents are not kept here." };
      if (!opened.ok) {
        res.writeHead(opened.status, { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" });
        res.end(opened.message);
        return;
      }
      res.writeHead(200, {
        "Content-Type": "application/octet-stream",
        "Content-Disposition": `attachment; filename="${opened.name.replace(/[^\w.() -]/g, "_")}"; filename*=UTF-8''${encodeURIComponent(opened.name)}`,
        "Content-Length": opened.content.length,
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox; default-src 'none'",
      });
      res.end(opened.content);
    }),
  );

  server.get("/healthz", (_req, res, next) => {
    res.send(200, { status: "ok" });
    next();
  });

  server.get("/readyz", async (_req, res) => {
    const cosmosReachable = await store.isReachable();
    res.send(cosmosReachable ? 200 : 503, { status: cosmosReachable ? "ready" : "not ready", cosmos: cosmosReachable ? "reachable" : "unreachable" });
  });

  return { server, inFlight };
}

/**
 * The work of requests in progress, so a stop can let it finish: closing the server only stops new
 * connections, idle keep-alive connections would hold it open, and a caller that hangs up does not
 * stop our handler (its save must finish before the store closes).
 */
function workInProgress(server: Server): { track<T>(work: () => Promise<T>): Promise<T>; drain(graceMs: number): Promise<boolean> } {
  let active = 0;
  let idle: (() => void) | undefined;
  let draining: Promise<boolean> | undefined;
  return {
    async track(work) {
      active += 1;
      try {
        return await work();
      } finally {
        active -= 1;
        if (active === 0) idle?.();
      }
    },
    drain: (graceMs) =>
      (draining ??= new Promise<boolean>((resolve) => {
        const closed = new Promise<void>((done) => server.close(() => done()));
        const finish = (drained: boolean) => {
          clearTimeout(timer);
          idle = undefined;
          server.closeAllConnections(); // every connection left is idle now, or out of time
          void closed.then(() => resolve(drained));
        };
        const timer = setTimeout(() => finish(false), graceMs);
        idle = () => finish(true);
        if (active === 0) finish(true);
        else server.closeIdleConnections();
      })),
  };
}
