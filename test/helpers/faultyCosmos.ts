import http from "node:http";
import type { AddressInfo } from "node:net";
import { forwardTo } from "./cosmosProxy";

/** What happens at the chosen write. */
export type Fault =
  /** The write never reaches the store, and the bot can reach nothing after it: a crash just before it. */
  | "crash-before"
  /** The write is applied, its answer is lost, and the bot can reach nothing after it: a crash just after it. */
  | "crash-after"
  /** The write is applied and its answer never comes (the client times out); other requests go through. */
  | "hang";

/**
 * A loopback proxy in front of the embedded Cosmos DB server that counts the document writes going
 * through it and fails one of them as a crash would. Writes are creates, upserts, replaces, patches and
 * deletes of documents; queries (POSTs marked as queries) and reads are not writes. After a crash every
 * request is answered 500, which the Cosmos client does not retry: the crashed bot writes nothing more,
 * at once (a refused connection would have it retry reads for 10 seconds each).
 */
export class FaultyCosmos {
  private server?: http.Server;
  private plan?: { readonly at: number; readonly fault: Fault };
  private dead = false;
  private readonly held: http.ServerResponse[] = [];
  /** Document writes forwarded since the last reset. */
  writes = 0;

  constructor(private readonly target: string) {}

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => this.forward(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", () => resolve()));
    return this;
  }

  async stop(): Promise<void> {
    this.release();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Counts writes from zero, with no fault planned. */
  reset(): void {
    this.release();
    this.writes = 0;
    this.plan = undefined;
    this.dead = false;
  }

  /** The `at`-th write from now (1 for the next) suffers `fault`. */
  failWrite(at: number, fault: Fault): void {
    this.reset();
    this.plan = { at, fault };
  }

  /** Answers the writes held by a "hang" (the client has given up on them by then). */
  release(): void {
    for (const res of this.held.splice(0)) res.destroy();
  }

  /** What a crashed process gets from the store: nothing it can use, and nothing written. */
  private gone(req: http.IncomingMessage, res: http.ServerResponse): void {
    req.resume();
    res.writeHead(500, { "content-type": "application/json" });
    res.end(JSON.stringify({ code: "InternalServerError", message: "The bot crashed (fault injection)" }));
  }

  private isWrite(req: http.IncomingMessage): boolean {
    if (!/\/docs(\/|$)/.test(req.url ?? "")) return false;
    if (req.method === "PUT" || req.method === "PATCH" || req.method === "DELETE") return true;
    return req.method === "POST" && !req.headers["x-ms-documentdb-isquery"] && !req.headers["x-ms-cosmos-is-query-plan-request"];
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (this.dead) return this.gone(req, res);
    let fault: Fault | undefined;
    if (this.isWrite(req)) {
      this.writes += 1;
      if (this.plan && this.writes === this.plan.at) fault = this.plan.fault;
    }
    if (fault === "crash-before") {
      this.dead = true;
      return this.gone(req, res);
    }
    if (fault === "crash-after") this.dead = true;
    forwardTo(this.target, req, res, (answer) => {
      if (fault === "crash-after") {
        answer.resume();
        answer.on("end", () => this.gone(req, res));
        return true;
      }
      if (fault === "hang") {
        answer.resume();
        this.held.push(res);
        return true;
      }
      return false;
    });
  }
}
