import { randomUUID } from "node:crypto";
import http from "node:http";
import { closeNow, listenOnLoopback } from "./ports";

/** One call the bot made to the Bot Connector service. */
export interface ConnectorCall {
  readonly method: string;
  readonly path: string;
  /** Decoded conversation id from the path, when the path names one. */
  readonly conversationId?: string;
  /** The activity id being replied to or updated, when the path names one. */
  readonly activityId?: string;
  readonly body: any;
  readonly authorization?: string;
  /** The query string's parameters (pageSize and continuationToken of a paged members request). */
  readonly query: URLSearchParams;
}

/** A member of a team as the Bot Connector lists it (TeamsChannelAccount). */
export interface TeamMember {
  readonly id: string;
  readonly name: string;
  readonly aadObjectId?: string;
  readonly userRole?: string;
}

export interface ScriptedFailure {
  readonly status: number;
  readonly headers?: Record<string, string>;
}

/**
 * A small stand-in for the Bot Connector (the service Teams runs at serviceUrl) on loopback:
 * it records every send, reply, update and conversation creation, and can be told to fail.
 */
export class FakeConnector {
  readonly calls: ConnectorCall[] = [];
  private readonly server = http.createServer((req, res) => void this.handle(req, res));
  private readonly failures: ScriptedFailure[] = [];
  /** Each team's members (by team id), and how many a page of `pagedmembers` holds. */
  private readonly teams = new Map<string, { readonly members: readonly TeamMember[]; readonly pageSize: number }>();
  private waiters: { predicate: () => boolean; resolve: () => void }[] = [];
  private readonly holds: Promise<void>[] = [];
  url = "";
  /** Off for load benchmarks, where keeping every call would only grow memory. */
  recordCalls = true;

  async start(): Promise<this> {
    this.url = `${await listenOnLoopback(this.server)}/`;
    return this;
  }

  async stop(): Promise<void> {
    await closeNow(this.server);
  }

  /** The next calls answer with these statuses, in order, before normal service resumes. */
  failNext(...failures: ScriptedFailure[]): void {
    this.failures.push(...failures);
  }

  /** The next call is recorded at once but answered only when `release` is called: a turn held in progress. */
  holdNext(): { release: () => void } {
    let release = () => {};
    this.holds.push(new Promise<void>((resolve) => (release = resolve)));
    return { release: () => release() };
  }

  /** The members GET /v3/conversations/{teamId}/pagedmembers lists, `pageSize` a page, with continuation tokens. */
  setTeamMembers(teamId: string, members: readonly TeamMember[], pageSize = 2): void {
    this.teams.set(teamId, { members, pageSize });
  }

  /** The paged members requests made so far. */
  get pagedMembersCalls(): ConnectorCall[] {
    return this.calls.filter((call) => call.method === "GET" && call.path.endsWith("/pagedmembers"));
  }

  reset(): void {
    this.calls.length = 0;
    this.failures.length = 0;
  }

  /** Activities the bot sent (new messages and replies), typing indicators left out. */
  get sentActivities(): any[] {
    return this.calls
      .filter((call) => call.method === "POST" && /\/activities(\/[^/]+)?$/.test(call.path) && call.body?.type !== "typing")
      .map((call) => call.body);
  }

  /** Resolves once the recorded calls satisfy the predicate (checked after every call). */
  waitFor(predicate: () => boolean): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ predicate, resolve }));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const [path, search = ""] = (req.url ?? "/").split("?");
    const match = /^\/v3\/conversations\/([^/]+)(?:\/activities(?:\/([^/]+))?)?/.exec(path);
    const call: ConnectorCall = {
      method: req.method ?? "GET",
      path,
      conversationId: match ? decodeURIComponent(match[1]) : undefined,
      activityId: match?.[2] ? decodeURIComponent(match[2]) : undefined,
      // File uploads (PUT to a consent card's upload URL) are kept as the raw text.
      body: raw ? (/json/.test(String(req.headers["content-type"] ?? "application/json")) ? JSON.parse(raw) : raw) : undefined,
      authorization: req.headers.authorization,
      query: new URLSearchParams(search),
    };
    if (this.recordCalls) this.calls.push(call);
    const hold = this.holds.shift();
    if (hold) {
      this.notifyWaiters();
      await hold;
    }

    const failure = this.failures.shift();
    if (failure) {
      res.writeHead(failure.status, { "content-type": "application/json", ...failure.headers });
      res.end(JSON.stringify({ error: { code: "Scripted", message: `scripted ${failure.status}` } }));
    } else if (call.method === "GET" && path.endsWith("/pagedmembers") && call.conversationId !== undefined) {
      this.pagedMembers(res, call);
    } else if (call.method === "POST" && path === "/v3/conversations") {
      // A new channel thread's conversation id is the channel's id plus the first message's id, as in Teams.
      const channelId: string | undefined = call.body?.channelData?.channel?.id;
      const activityId = String(1_700_000_000_000 + this.calls.length);
      const id = channelId ? `${channelId};messageid=${activityId}` : `a:created-${randomUUID()}`;
      this.json(res, 201, { id, activityId, serviceUrl: this.url });
    } else {
      this.json(res, 200, { id: randomUUID() });
    }
    this.notifyWaiters();
  }

  private notifyWaiters(): void {
    this.waiters = this.waiters.filter((waiter) => {
      if (!waiter.predicate()) return true;
      waiter.resolve();
      return false;
    });
  }

  private pagedMembers(res: http.ServerResponse, call: ConnectorCall): void {
    const team = this.teams.get(call.conversationId ?? "");
    if (!team) return this.json(res, 404, { error: { code: "ConversationNotFound", message: "Conversation not found." } });
    // The continuation token is the index of the page's first member, as an opaque string.
    const start = Number(/^page-(\d+)$/.exec(call.query.get("continuationToken") ?? "")?.[1] ?? 0);
    const members = team.members.slice(start, start + team.pageSize);
    const next = start + team.pageSize < team.members.length ? `page-${start + team.pageSize}` : undefined;
    this.json(res, 200, { members, ...(next ? { continuationToken: next } : {}) });
  }

  private json(res: http.ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  }
}
