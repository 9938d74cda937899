import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A loopback proxy in front of the embedded Cosmos DB server, so tests can take the database away
 * (connections refused), bring it back with its data, or make it answer 429 "too many requests".
 */
export class CosmosProxy {
  private server?: http.Server;
  private port = 0;
  private throttled = 0;
  /** Requests answered 429 so far. */
  throttledCount = 0;

  constructor(private readonly target: string) {}

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    const server = http.createServer((req, res) => this.forward(req, res));
    await new Promise<void>((resolve) => server.listen(this.port, "127.0.0.1", () => resolve()));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** The database goes away: new connections are refused until start() again. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The next `count` document requests are answered 429 with a short x-ms-retry-after-ms. */
  throttleNext(count: number): void {
    this.throttled = count;
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (this.throttled > 0 && (req.url ?? "").includes("/docs")) {
      this.throttled -= 1;
      this.throttledCount += 1;
      req.resume();
      res.writeHead(429, { "content-type": "application/json", "x-ms-retry-after-ms": "5", "x-ms-substatus": "3200" });
      res.end(JSON.stringify({ code: "TooManyRequests", message: "Request rate is large" }));
      return;
    }
    forwardTo(this.target, req, res);
  }
}

/**
 * Sends a request on to the store and its answer back; `onAnswer`, when given, takes the store's answer
 * instead (to lose or hold it) and returns true.
 */
export function forwardTo(store: string, req: http.IncomingMessage, res: http.ServerResponse, onAnswer?: (answer: http.IncomingMessage) => boolean): void {
  const target = new URL(req.url ?? "/", store);
  const upstream = http.request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
    if (onAnswer?.(answer)) return;
    // The store keeps connections alive and never closes them idle; this server would close them after 5 s,
    // racing the client's next request on them (ECONNRESET). One connection per request, as before.
    const { connection: _connection, "keep-alive": _keepAlive, ...headers } = answer.headers;
    res.writeHead(answer.statusCode ?? 502, { ...headers, connection: "close" });
    answer.pipe(res);
  });
  upstream.on("error", () => {
    res.writeHead(502);
    res.end();
  });
  req.pipe(upstream);
}
