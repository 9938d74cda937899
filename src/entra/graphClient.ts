// The Microsoft Graph client as PALS Desk builds it, for every Graph feature (group roles, the shared mailbox):
// an app-only token from the bot's identity, the caller's own middleware (retries, counting), and a final step
// that sends the request with a fetch the caller may choose (tests carry fake https hosts to loopback).
import type { TokenCredential } from "@azure/identity";
import { AuthenticationHandler, Client, type Context, type Middleware } from "@microsoft/microsoft-graph-client";
import { TokenCredentialAuthenticationProvider } from "@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials";
import { z } from "zod";
import { GRAPH_SCOPE } from "./credentials";

/** The last step of the Graph client's middleware chain: the HTTP request itself (what HTTPMessageHandler does, with a fetch we can choose). */
export class FetchHandler implements Middleware {
  constructor(private readonly send: typeof fetch) {}

  async execute(context: Context): Promise<void> {
    context.response = await this.send(context.request as string, context.options as RequestInit);
  }
}

/** The Retry-After of a throttled answer, in seconds (0 when absent; infinite when unreadable). */
export function retryAfterSeconds(response: Pick<Response, "headers"> | undefined, now = Date.now()): number {
  const value = response?.headers.get("retry-after");
  if (!value) return 0;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, (date - now) / 1000) : Number.POSITIVE_INFINITY;
}

/** Counts every HTTP request the Graph client sends (each try of a retried request included): the figure docs quote. */
export class RequestCounter implements Middleware {
  private next?: Middleware;
  count = 0;

  async execute(context: Context): Promise<void> {
    this.count += 1;
    await this.next!.execute(context);
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}

/** A response's body, or undefined when it is longer than `max` bytes (it is then not read further). */
export async function readBounded(response: Response, max: number): Promise<Buffer | undefined> {
  const length = Number(response.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(length) && length > max) {
    await response.body?.cancel().catch(() => undefined);
    return undefined;
  }
  if (!response.body) return Buffer.alloc(0);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** @azure/identity's errors when no token could be had (the Graph client wraps them, their name as its code). */
const TOKEN_ERRORS = new Set(["AuthenticationError", "AuthenticationRequiredError", "CredentialUnavailableError", "AggregateAuthenticationError"]);

export function isTokenError(code: unknown): boolean {
  return typeof code === "string" && TOKEN_ERRORS.has(code);
}

const GraphErrorSchema = z.object({ error: z.object({ code: z.string().max(100).optional() }) });
/** A failed answer's body is read this far, for its code only. */
const MAX_ERROR_BYTES = 64 * 1024;

/** Graph's error code of a failed answer, when it is a short identifier (never prose: it goes to the logs). */
export async function graphErrorCode(response: Response): Promise<string | undefined> {
  const raw = await readBounded(response, MAX_ERROR_BYTES).catch(() => undefined);
  let given: unknown;
  try {
    given = raw && raw.length > 0 ? GraphErrorSchema.safeParse(JSON.parse(raw.toString("utf8"))).data?.error.code : undefined;
  } catch {
    given = undefined;
  }
  return typeof given === "string" && /^[\w.]{1,80}$/.test(given) ? given : undefined;
}

export interface GraphClientOptions {
  /** The bot's identity in the tenant (see credentials.ts botCredential): app-only tokens for GRAPH_SCOPE. */
  readonly credential: TokenCredential;
  /** Steps between the token and the request (a RetryHandler, a request counter), in order. */
  readonly middleware?: readonly Middleware[];
  /** Tests only: another Graph (an https address) and the transport that reaches it. */
  readonly graphBaseUrl?: string;
  readonly fetch?: typeof fetch;
}

/** A Graph client (v1.0) for one tenant. Requests to hosts other than Graph's (or graphBaseUrl's) carry no token. */
export function graphClient(options: GraphClientOptions): Client {
  const authProvider = new TokenCredentialAuthenticationProvider(options.credential, { scopes: [GRAPH_SCOPE] });
  const send = options.fetch ?? ((input, init) => fetch(input, init));
  const middleware: Middleware[] = [new AuthenticationHandler(authProvider), ...(options.middleware ?? []), new FetchHandler(send)];
  const baseUrl = options.graphBaseUrl;
  return Client.initWithMiddleware({
    middleware,
    defaultVersion: "v1.0",
    ...(baseUrl ? { baseUrl, customHosts: new Set([new URL(baseUrl).hostname]) } : {}),
  });
}

/** What every Graph adapter is given: the bot's identity per tenant, and (tests only) another Graph and transport. */
export interface TenantGraphOptions {
  readonly credentialFor: (tenantId: string) => TokenCredential;
  readonly graphBaseUrl?: string;
  readonly fetch?: typeof fetch;
}

/** One Graph client per tenant, made on first use and kept (with its credential's token cache). */
export class TenantClients {
  private readonly clients = new Map<string, Client>();

  /** `middleware`: the adapter's own steps (a request counter, a RetryHandler), made for each tenant's client. */
  constructor(
    private readonly options: TenantGraphOptions,
    private readonly middleware: () => readonly Middleware[] = () => [],
  ) {}

  for(tenantId: string): Client {
    let client = this.clients.get(tenantId);
    if (!client) {
      const { credentialFor, graphBaseUrl, fetch } = this.options;
      client = graphClient({ credential: credentialFor(tenantId), middleware: this.middleware(), graphBaseUrl, fetch });
      this.clients.set(tenantId, client);
    }
    return client;
  }
}
