import type { RequestListener, Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createHttpServer } from "@vercel/cosmosdb-server";
import cosmosQuery from "@zeit/cosmosdb-query";

export interface EmbeddedCosmos {
  readonly endpoint: string;
  /** The embedded server accepts any key; the client still needs one of the right shape. */
  readonly key: string;
  stop(): Promise<void>;
}

/**
 * The query compiler behind the embedded server turns `FROM c` into
 * `$c.reduce(($, c) => typeof c !== "undefined" ? [...$, { c: c }] : $, [])`, which copies the growing
 * array once per document: a query over 10,000 documents took 1.6 s, over 20,000 more than 5 s (the
 * Cosmos client's timeout). The same step as a filter and a map is linear. Only the compiled code of
 * the embedded server changes; results are the same.
 */
const QUADRATIC_SCAN = /\$c\.reduce\(\(\$, (\w+)\) => typeof \1 !== "undefined" \? \[\.\.\.\$, \{\s*(\w+): \1\s*\}\] : \$, \[\]\)/g;

export function linearScan(code: string): string {
  return code.replace(QUADRATIC_SCAN, '$c.filter($1 => typeof $1 !== "undefined").map($1 => ({ $2: $1 }))');
}

let scanIsLinear = false;

function makeScanLinear(): void {
  if (scanIsLinear) return;
  const prototype = Object.getPrototypeOf(cosmosQuery("SELECT * FROM c")) as object;
  const compiled = Object.getOwnPropertyDescriptor(prototype, "code")?.get;
  if (!compiled) throw new Error("@zeit/cosmosdb-query has changed: check linearScan in src/store/embedded.ts");
  Object.defineProperty(prototype, "code", {
    configurable: true,
    get(this: unknown) {
      return linearScan(compiled.call(this) as string);
    },
  });
  scanIsLinear = true;
}

/**
 * @azure/cosmos asks for a query plan beside every query and uses it only when the plain query is refused
 * as needing one, which the embedded server never does. The embedded server does not know query plans: it
 * ran the whole query again to answer. It now refuses the plan at once, and every query runs once.
 */
function withoutQueryPlans(server: Server): Server {
  const handle = server.listeners("request")[0] as RequestListener;
  server.removeAllListeners("request");
  server.on("request", (req, res) => {
    if (String(req.headers["x-ms-cosmos-is-query-plan-request"]).toLowerCase() === "true") {
      req.resume();
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ code: "BadRequest", message: "The embedded server does not make query plans." }));
      return;
    }
    handle(req, res);
  });
  return server;
}

/**
 * Starts an in-memory Cosmos DB-compatible server on loopback, in this process, so local runs and
 * tests use the real @azure/cosmos client and the same repository code as Azure. Data is lost on exit.
 */
export async function startEmbeddedCosmos(port = 0): Promise<EmbeddedCosmos> {
  makeScanLinear();
  const server: Server = withoutQueryPlans(createHttpServer());
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port: actualPort } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${actualPort}`,
    key: Buffer.from("pals-desk-embedded-cosmos").toString("base64"),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
