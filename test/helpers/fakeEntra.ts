import { randomUUID } from "node:crypto";
import http from "node:http";
import { createDefaultHttpClient, type HttpClient } from "@azure/core-rest-pipeline";
import { closeNow, listenOnLoopback } from "./ports";

/** The https names the code under test is given; requests to them are carried to this loopback server. */
export const LOGIN_HOST = "https://login.entra.test";
export const GRAPH_BASE = "https://graph.entra.test/";

export interface TokenRequest {
  readonly tenantId: string;
  readonly form: URLSearchParams;
}

export interface GraphCall {
  readonly method: string;
  readonly path: string;
  readonly userId?: string;
  readonly groupIds: readonly string[];
  readonly authorization?: string;
}

/** A Graph request other than checkMemberGroups, for a subclass's routes (see FakeGraphMail). */
export interface GraphRouteRequest {
  readonly method: string;
  /** The path and query as sent. */
  readonly url: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** The body's bytes as sent (file content is not text). */
  readonly rawBody: Buffer;
  /** Whether the bearer token is one this token service issued. */
  readonly authorized: boolean;
}

export interface ScriptedAnswer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
}

/**
 * Entra ID's token service and Microsoft Graph on loopback, for the ROLE_*_GROUPS lookups: the OpenID metadata
 * and token endpoint (client credentials) of any tenant, and POST /v1.0/users/{id}/checkMemberGroups answered
 * from a membership model with nested groups (transitive, 20 group ids a request at most, as Graph).
 * @azure/identity insists on an https authority, so the code under test is given https names and the
 * transports here (`httpClient` for @azure/identity, `fetch` for the Graph client) carry them to http://127.0.0.1.
 */
export class FakeEntra {
  readonly tokenRequests: TokenRequest[] = [];
  readonly graphCalls: GraphCall[] = [];
  /** Members of each group: user object ids or other groups' ids (nesting). */
  readonly members = new Map<string, Set<string>>();
  /** Object ids Graph does not know (404 Request_ResourceNotFound). */
  readonly absentUsers = new Set<string>();
  private readonly issued = new Set<string>();
  private readonly graphFailures: ScriptedAnswer[] = [];
  private tokenFailure?: ScriptedAnswer;
  /** How long Graph takes to answer (real milliseconds). */
  graphDelayMs = 0;
  private readonly server = http.createServer((req, res) => void this.handle(req, res));
  url = "";

  constructor(
    readonly appId: string,
    readonly appSecret: string,
  ) {}

  async start(): Promise<this> {
    this.url = await listenOnLoopback(this.server);
    return this;
  }

  async stop(): Promise<void> {
    await closeNow(this.server);
  }

  /** `member` (a user or a group) joins `group`. */
  addMember(group: string, member: string): this {
    const set = this.members.get(group) ?? new Set<string>();
    set.add(member);
    this.members.set(group, set);
    return this;
  }

  /** The next Graph requests answer with these, in order, before normal service resumes. */
  failGraph(...answers: ScriptedAnswer[]): void {
    this.graphFailures.push(...answers);
  }

  /** Every token request answers this until cleared (undefined). */
  failTokens(answer: ScriptedAnswer | undefined): void {
    this.tokenFailure = answer;
  }

  reset(): void {
    this.tokenRequests.length = 0;
    this.graphCalls.length = 0;
    this.graphFailures.length = 0;
    this.tokenFailure = undefined;
    this.graphDelayMs = 0;
  }

  private rewrite(url: string): string {
    return url.replace(LOGIN_HOST, this.url).replace(GRAPH_BASE.replace(/\/$/, ""), this.url);
  }

  /** For the Graph client: fetch, with the fake hosts carried to loopback. */
  readonly fetch: typeof fetch = (input, init) => fetch(this.rewrite(String(input instanceof Request ? input.url : input)), init);

  /** For @azure/identity's credentials: its default HTTP client, with the fake hosts carried to loopback. */
  get httpClient(): HttpClient {
    const inner = createDefaultHttpClient();
    return {
      sendRequest: (request) => {
        request.url = this.rewrite(request.url);
        request.allowInsecureConnection = true;
        return inner.sendRequest(request);
      },
    };
  }

  /**
   * More Graph routes, for a subclass: answers the request (after the scripted failures and the delay) and
   * returns true, or returns false for Graph's 404.
   */
  protected async graphRoute(_request: GraphRouteRequest, _res: http.ServerResponse): Promise<boolean> {
    return false;
  }

  /** The groups `id` is in, directly or through nested groups. */
  private groupsOf(id: string, seen = new Set<string>()): Set<string> {
    for (const [group, members] of this.members) {
      if (members.has(id) && !seen.has(group)) {
        seen.add(group);
        this.groupsOf(group, seen);
      }
    }
    return seen;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks);
    const raw = rawBody.toString("utf8");
    const path = (req.url ?? "/").split("?")[0];
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(body));
    };

    const metadata = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(path);
    if (metadata) {
      const base = `${LOGIN_HOST}/${metadata[1]}`;
      return send(200, {
        issuer: `${base}/v2.0`,
        token_endpoint: `${base}/oauth2/v2.0/token`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        jwks_uri: `${base}/discovery/v2.0/keys`,
        response_types_supported: ["code"],
      });
    }
    const token = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(path);
    if (token && req.method === "POST") {
      const form = new URLSearchParams(raw);
      this.tokenRequests.push({ tenantId: token[1], form });
      if (this.tokenFailure) return send(this.tokenFailure.status, this.tokenFailure.body ?? {}, this.tokenFailure.headers);
      const valid =
        form.get("grant_type") === "client_credentials" &&
        form.get("client_id") === this.appId &&
        form.get("client_secret") === this.appSecret &&
        form.get("scope") === "https://graph.microsoft.com/.default";
      if (!valid) return send(401, { error: "invalid_client", error_description: "AADSTS7000215: Invalid client secret provided." });
      const accessToken = `graph-token-${randomUUID()}`;
      this.issued.add(accessToken);
      return send(200, { token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599, access_token: accessToken });
    }

    const check = /^\/v1\.0\/users\/([^/]+)\/checkMemberGroups$/.exec(path);
    let body: { groupIds?: string[] };
    try {
      body = raw ? (JSON.parse(raw) as { groupIds?: string[] }) : {};
    } catch {
      body = {}; // not JSON: a subclass's route may take it
    }
    const call: GraphCall = {
      method: req.method ?? "GET",
      path,
      userId: check ? decodeURIComponent(check[1]) : undefined,
      groupIds: body.groupIds ?? [],
      authorization: req.headers.authorization,
    };
    this.graphCalls.push(call);
    if (this.graphDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.graphDelayMs));
    const failure = this.graphFailures.shift();
    if (failure) return send(failure.status, failure.body ?? { error: { code: "Scripted", message: `scripted ${failure.status}` } }, failure.headers);
    const bearer = (call.authorization ?? "").replace(/^Bearer /, "");
    if (!check) {
      const route = { method: call.method, url: req.url ?? "/", path, headers: req.headers, body: raw, rawBody, authorized: this.issued.has(bearer) };
      if (await this.graphRoute(route, res)) return;
    }
    if (!check || req.method !== "POST") return send(404, { error: { code: "Request_ResourceNotFound", message: "no such route" } });
    if (!this.issued.has(bearer)) return send(401, { error: { code: "InvalidAuthenticationToken", message: "Access token is empty or invalid." } });
    if (call.groupIds.length === 0 || call.groupIds.length > 20)
      return send(400, { error: { code: "Request_BadRequest", message: "Between 1 and 20 group ids." } });
    if (this.absentUsers.has(call.userId!))
      return send(404, { error: { code: "Request_ResourceNotFound", message: `Resource '${call.userId}' does not exist.` } });
    const groups = this.groupsOf(call.userId!);
    return send(200, {
      "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(Edm.String)",
      value: call.groupIds.filter((id) => groups.has(id)),
    });
  }
}
