import { AsyncLocalStorage } from "node:async_hooks";
import type { RequestListener, Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createHttpServer } from "@vercel/cosmosdb-server";
import type Document from "@vercel/cosmosdb-server/lib/account/document";
import Documents from "@vercel/cosmosdb-server/lib/account/documents";
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

/** Each request is handled with its partition key header at hand, for its query's scan. */
function withRequestPartition(server: Server): Server {
  const handle = server.listeners("request")[0] as RequestListener;
  server.removeAllListeners("request");
  server.on("request", (req, res) => {
    const partition = req.headers["x-ms-documentdb-partitionkey"];
    if (typeof partition === "string") requestPartition.run(partition, () => handle(req, res));
    else handle(req, res);
  });
  return server;
}

/** The partition key header of the request being handled (a JSON array, e.g. `["tenant-1"]`). */
const requestPartition = new AsyncLocalStorage<string>();

/**
 * A container's documents by _rid, as the server keeps them, and beside them each partition's documents,
 * kept by the same calls. The order of a scan never shows: a query sorts by its ORDER BY, then by _rid.
 */
class DocumentsByPartition extends Map<string, Document> {
  readonly partitions = new Map<unknown, Map<string, Document>>();

  constructor(
    private readonly partitionOf: (document: Document) => unknown,
    documents: Iterable<[string, Document]>,
  ) {
    super();
    for (const [rid, document] of documents) this.set(rid, document);
  }

  override set(rid: string, document: Document): this {
    const before = super.get(rid);
    if (before !== undefined) this.remove(this.partitionOf(before), rid);
    super.set(rid, document);
    const partition = this.partitionOf(document);
    this.partitions.set(partition, (this.partitions.get(partition) ?? new Map<string, Document>()).set(rid, document));
    return this;
  }

  override delete(rid: string): boolean {
    const document = super.get(rid);
    if (document !== undefined) this.remove(this.partitionOf(document), rid);
    return super.delete(rid);
  }

  override clear(): void {
    super.clear();
    this.partitions.clear();
  }

  private remove(partition: unknown, rid: string): void {
    const documents = this.partitions.get(partition);
    documents?.delete(rid);
    if (documents?.size === 0) this.partitions.delete(partition);
  }
}

/** The single partition key value a header names, when the container has one partition key path. */
function namedPartition(documents: Documents, header: string | undefined): { value: unknown } | undefined {
  const paths = documents._parent.read()?.partitionKey?.paths ?? [];
  if (header === undefined || paths.length !== 1 || paths[0] === "/_partitionKey") return undefined;
  let values: unknown;
  try {
    values = JSON.parse(header);
  } catch {
    return undefined;
  }
  if (!Array.isArray(values) || values.length !== 1) return undefined;
  const [value] = values as unknown[];
  return ["string", "number", "boolean"].includes(typeof value) ? { value } : undefined;
}

let scansByPartition = false;

/**
 * The server scanned every document of a container for a query, whatever partition key the client sent,
 * and left the WHERE clause to drop the other partitions: at a trust's real size most of a query's work.
 * A query sent with a partition key now scans that partition's documents only, as Azure Cosmos DB does.
 * Queries without one (cross-partition) scan the whole container as before.
 */
function scanOnlyTheNamedPartition(): void {
  if (scansByPartition) return;
  const query = Documents.prototype.query;
  Documents.prototype.query = function (this: Documents, ...args: Parameters<Documents["query"]>) {
    const partition = namedPartition(this, requestPartition.getStore());
    if (!partition) return query.apply(this, args);
    const all = this._data instanceof DocumentsByPartition ? this._data : new DocumentsByPartition((document) => this._getPartition(document.read()), this._data);
    // The package's query scans this._data: for this one synchronous call, that is the partition's documents.
    this._data = all.partitions.get(partition.value) ?? new Map();
    try {
      return query.apply(this, args);
    } finally {
      this._data = all;
    }
  };
  scansByPartition = true;
}

/**
 * The server closed the connection after every response (it sends `Connection: close` unless made with
 * keepAlive), so the client opened a new one per request. With keepAlive alone, Node closes a connection
 * idle for its keepAliveTimeout (5 s) while @azure/cosmos's agent keeps idle sockets with no timeout (and
 * then Node's agent ignores the server's Keep-Alive hint): a request sent on a socket as the server closed
 * it failed with ECONNRESET ("socket hang up"). So the server never closes an idle connection; the client does.
 */
function keptAlive(server: Server): Server {
  server.keepAliveTimeout = 0;
  return server;
}

/**
 * Starts an in-memory Cosmos DB-compatible server on loopback, in this process, so local runs and
 * tests use the real @azure/cosmos client and the same repository code as Azure. Data is lost on exit.
 */
export async function startEmbeddedCosmos(port = 0): Promise<EmbeddedCosmos> {
  makeScanLinear();
  scanOnlyTheNamedPartition();
  const server: Server = keptAlive(withRequestPartition(withoutQueryPlans(createHttpServer({ keepAlive: true }))));
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
