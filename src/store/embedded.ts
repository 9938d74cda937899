import { AsyncLocalStorage } from "node:async_hooks";
import type { RequestListener, Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createHttpServer } from "@vercel/cosmosdb-server";
import type Document from "@vercel/cosmosdb-server/lib/account/document";
import Documents from "@vercel/cosmosdb-server/lib/account/documents";
import cosmosQuery from "@zeit/cosmosdb-query";
import * as builtinFunctions from "@zeit/cosmosdb-query/lib/builtin-functions";
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the module object itself, whose stripUndefined is replaced below (a namespace import is a read-only copy)
import queryHelpers = require("@zeit/cosmosdb-query/lib/helpers");

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
 * The query package builds every result (each page's rows, and each array inside a row) with
 * `obj.reduce((o, v) => typeof v !== "undefined" ? [...o, stripUndefined(v)] : o, [])` in `stripUndefined`,
 * which copies the growing array once per row (issue 32: 10,000 report rows 0.6 s, 50,000 rows 92 s). Arrays are now built
 * in one pass; objects and everything else still go through the package's own code (which calls back here
 * for nested values), so results are the same.
 */
export function linearStripUndefined(strip: (value: unknown) => unknown): (value: unknown) => unknown {
  return (value) => {
    if (!Array.isArray(value)) return strip(value);
    const kept: unknown[] = [];
    for (let i = 0; i < value.length; i += 1) {
      const element: unknown = value[i];
      if (typeof element !== "undefined") kept.push(helpers.stripUndefined(element));
    }
    return kept;
  };
}

/** The package's helpers object, as its executor hands it to compiled queries; its recursion goes through this object too. */
const helpers = queryHelpers as { stripUndefined: (value: unknown) => unknown };

let resultsAreLinear = false;

function makeResultsLinear(): void {
  if (resultsAreLinear) return;
  if (typeof helpers.stripUndefined !== "function") throw new Error("@zeit/cosmosdb-query has changed: check linearStripUndefined in src/store/embedded.ts");
  helpers.stripUndefined = linearStripUndefined(helpers.stripUndefined);
  resultsAreLinear = true;
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

/** A JSON value an index can hold: the engine compares these by type and `===`. */
type Primitive = string | number | boolean | null;

function isPrimitive(value: unknown): value is Primitive {
  return value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean";
}

/** The value at a path, read exactly as the compiled query reads `c.a.b` or `c["a"][0]`. */
function valueAt(document: unknown, keys: readonly (string | number)[]): unknown {
  let value = document;
  for (const key of keys) value = typeof value === "object" && value ? (value as Record<string | number, unknown>)[key] : undefined;
  return value;
}

/** The documents of one scope (a partition, or the container) by the primitive value at one path, or by each primitive element of the array there. */
class PathIndex {
  readonly byValue = new Map<Primitive, Set<string>>();

  constructor(
    private readonly keys: readonly (string | number)[],
    private readonly elements: boolean,
  ) {}

  add(rid: string, document: Document): void {
    for (const value of this.valuesOf(document)) {
      const rids = this.byValue.get(value);
      if (rids) rids.add(rid);
      else this.byValue.set(value, new Set([rid]));
    }
  }

  remove(rid: string, document: Document): void {
    for (const value of this.valuesOf(document)) {
      const rids = this.byValue.get(value);
      rids?.delete(rid);
      if (rids?.size === 0) this.byValue.delete(value);
    }
  }

  private valuesOf(document: Document): Primitive[] {
    const value = valueAt(document.read(), this.keys);
    if (!this.elements) return isPrimitive(value) ? [value] : [];
    return Array.isArray(value) ? (value as unknown[]).filter(isPrimitive) : [];
  }
}

/** The scope of the container's own indexes, beside those of each partition. */
const WHOLE_CONTAINER = Symbol("the whole container");

/**
 * A container's documents by _rid, as the server keeps them, and beside them each partition's documents and
 * the lazily built path indexes of each scope, all kept by the same calls. `order` mirrors the Map's own
 * iteration order (a key set again keeps its place), so candidates can be handed over in the scan's order.
 */
class DocumentsByPartition extends Map<string, Document> {
  readonly partitions = new Map<unknown, Map<string, Document>>();
  private readonly indexes = new Map<unknown, Map<string, PathIndex>>();
  private readonly order = new Map<string, number>();
  private sequence = 0;

  constructor(
    private readonly partitionOf: (document: Document) => unknown,
    documents: Iterable<[string, Document]>,
  ) {
    super();
    for (const [rid, document] of documents) this.set(rid, document);
  }

  override set(rid: string, document: Document): this {
    const before = super.get(rid);
    if (before !== undefined) this.remove(this.partitionOf(before), rid, before);
    else this.order.set(rid, (this.sequence += 1));
    super.set(rid, document);
    const partition = this.partitionOf(document);
    this.partitions.set(partition, (this.partitions.get(partition) ?? new Map<string, Document>()).set(rid, document));
    for (const scope of [WHOLE_CONTAINER, partition]) for (const index of this.indexes.get(scope)?.values() ?? []) index.add(rid, document);
    return this;
  }

  override delete(rid: string): boolean {
    const document = super.get(rid);
    if (document !== undefined) this.remove(this.partitionOf(document), rid, document);
    this.order.delete(rid);
    return super.delete(rid);
  }

  override clear(): void {
    super.clear();
    this.partitions.clear();
    this.indexes.clear();
    this.order.clear();
  }

  /** The index of a path in a scope, built from the scope's documents on first use. */
  index(scope: unknown, documents: Map<string, Document>, keys: readonly (string | number)[], elements: boolean): PathIndex {
    const name = `${elements ? "elements" : "value"}:${JSON.stringify(keys)}`;
    const indexes = this.indexes.get(scope) ?? new Map<string, PathIndex>();
    this.indexes.set(scope, indexes);
    let index = indexes.get(name);
    if (!index) {
      index = new PathIndex(keys, elements);
      for (const [rid, document] of documents) index.add(rid, document);
      indexes.set(name, index);
    }
    return index;
  }

  /** The candidates as a document map in the scope's own order: sorted by sequence when few, else the scope filtered. */
  inScanOrder(rids: Set<string>, scope: Map<string, Document>): Map<string, Document> {
    const candidates = new Map<string, Document>();
    if (rids.size * Math.log2(rids.size + 1) < scope.size) {
      const sorted = [...rids].sort((a, b) => this.order.get(a)! - this.order.get(b)!);
      for (const rid of sorted) candidates.set(rid, super.get(rid)!);
    } else {
      for (const [rid, document] of scope) if (rids.has(rid)) candidates.set(rid, document);
    }
    return candidates;
  }

  private remove(partition: unknown, rid: string, document: Document): void {
    for (const scope of [WHOLE_CONTAINER, partition]) for (const index of this.indexes.get(scope)?.values() ?? []) index.remove(rid, document);
    const documents = this.partitions.get(partition);
    documents?.delete(rid);
    if (documents?.size === 0) {
      this.partitions.delete(partition);
      this.indexes.delete(partition);
    }
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

/** A query's WHERE, when it is one the index can narrow: over one plain collection, and unable to throw for some documents only. */
interface Narrowable {
  alias: string;
  condition: Node;
}

/** A node of the parsed query, as @zeit/cosmosdb-query builds it. */
type Node = { type: string; [key: string]: unknown };

/**
 * Functions that throw for no document: a WHERE calling any other (a UDF, REGEXMATCH on a bad pattern, the ST_
 * functions, a misspelt name) is left to the full scan, which would throw on the documents the index skips.
 */
const SAFE_FUNCTIONS = new Set(
  (
    "ABS ARRAY_CONCAT ARRAY_CONTAINS ARRAY_LENGTH ARRAY_SLICE CEILING CONCAT CONTAINS ENDSWITH FLOOR INDEX_OF IS_ARRAY IS_BOOL IS_DEFINED " +
    "IS_NULL IS_NUMBER IS_OBJECT IS_PRIMITIVE IS_STRING LEFT LENGTH LOWER LTRIM REPLACE REVERSE RIGHT ROUND RTRIM SIGN STARTSWITH SUBSTRING " +
    "TOSTRING TRIM TRUNC UPPER"
  ).split(" "),
);

const SAFE_NODES = new Set([
  "scalar_binary_expression",
  "scalar_unary_expression",
  "scalar_member_expression",
  "scalar_function_expression",
  "scalar_in_expression",
  "scalar_between_expression",
  "scalar_conditional_expression",
  "scalar_array_expression",
  "scalar_object_expression",
  "identifier",
  "parameter_name",
  "string_constant",
  "number_constant",
  "boolean_constant",
  "null_constant",
  "undefined_constant",
  "array_constant",
  "object_constant",
]);

/** Whether evaluating the expression could throw, for every document alike or for some (a builtin called with the wrong arity throws on each call). */
function cannotThrow(node: unknown, alias: string): boolean {
  if (Array.isArray(node)) return node.every((child) => cannotThrow(child, alias));
  if (typeof node !== "object" || node === null) return true;
  const { type } = node as Node;
  if (type === undefined) return Object.values(node).every((child) => cannotThrow(child, alias)); // an object constant's { key, value }
  if (!SAFE_NODES.has(type)) return false;
  const n = node as Node;
  switch (type) {
    case "identifier":
      return n.name === alias || n.name === "undefined";
    case "scalar_member_expression":
      return cannotThrow(n.object, alias) && (!n.computed || cannotThrow(n.property, alias));
    case "scalar_function_expression": {
      const name = String((n.name as Node).name).toUpperCase();
      const args = n.arguments as unknown[];
      if (n.udf || !SAFE_FUNCTIONS.has(name)) return false;
      try {
        (builtinFunctions as Record<string, (...a: unknown[]) => unknown>)[name](...args.map(() => undefined));
      } catch {
        return false; // the wrong number of arguments
      }
      return cannotThrow(args, alias);
    }
    default:
      return Object.entries(n).every(([key, child]) => key === "type" || cannotThrow(child, alias));
  }
}

const narrowables = new WeakMap<object, Narrowable | null>();

function narrowable(ast: { [key: string]: unknown }): Narrowable | undefined {
  let found = narrowables.get(ast);
  if (found === undefined) {
    found = null;
    const body = ast.body as Node | undefined;
    const from = body?.from as Node | undefined;
    const source = from?.source as Node | undefined;
    const collection = source?.expression as Node | undefined;
    const condition = (body?.where as Node | undefined)?.condition as Node | undefined;
    if (
      body?.type === "select_query" &&
      !(from?.joins as unknown[] | undefined)?.length &&
      source?.type === "from_source" &&
      collection?.type === "collection_expression"
    ) {
      const root = collection.expression as Node;
      const alias = ((source.alias as Node | null) ?? root).name;
      if (root.type === "identifier" && typeof alias === "string" && condition && cannotThrow(condition, alias)) found = { alias, condition };
    }
    narrowables.set(ast, found);
  }
  return found ?? undefined;
}

/** The keys of `<alias>.a.b` or `<alias>["a"][0]`, or undefined for anything else. */
function pathOf(node: Node, alias: string): (string | number)[] | undefined {
  const keys: (string | number)[] = [];
  let at = node;
  while (at.type === "scalar_member_expression") {
    const property = at.property as Node;
    if (!at.computed && property.type === "identifier") keys.unshift(property.name as string);
    else if (at.computed && (property.type === "string_constant" || property.type === "number_constant")) keys.unshift(property.value as string | number);
    else return undefined;
    at = at.object as Node;
  }
  return at.type === "identifier" && at.name === alias && keys.length > 0 ? keys : undefined;
}

const NO_VALUE = Symbol("no primitive value");

/** A constant's or parameter's value, when a primitive; objects, arrays, undefined and the rest are left to the scan. */
function constantOf(node: Node, parameters: Record<string, unknown>): Primitive | typeof NO_VALUE {
  let value: unknown = NO_VALUE;
  if (node.type === "string_constant" || node.type === "number_constant" || node.type === "boolean_constant") value = node.value;
  else if (node.type === "null_constant") value = null;
  else if (node.type === "parameter_name") value = parameters[(node.name as string).slice(1)];
  return isPrimitive(value) ? value : NO_VALUE;
}

const FLIPPED: Record<string, string> = { "<": ">", "<=": ">=", ">": "<", ">=": "<=" };

const typeOf = (value: Primitive) => (value === null ? "null" : typeof value);

function inRange(value: Primitive, operator: string, bound: Primitive): boolean {
  if (typeOf(value) !== typeOf(bound) || value === null || bound === null) return false;
  switch (operator) {
    case "<":
      return value < bound;
    case "<=":
      return value <= bound;
    case ">":
      return value > bound;
    default:
      return value >= bound;
  }
}

/** A superset of the documents of a scope for which a condition is `true`, as sets of _rid to union, with their total size. */
interface Candidates {
  sets: Set<string>[];
  size: number;
}

interface Scope {
  documents: DocumentsByPartition;
  key: unknown;
  scanned: Map<string, Document>;
  alias: string;
  parameters: Record<string, unknown>;
}

function candidatesFor(condition: Node, scope: Scope): Candidates | undefined {
  const { alias, parameters } = scope;
  const index = (keys: (string | number)[], elements: boolean) => scope.documents.index(scope.key, scope.scanned, keys, elements);
  const of = (sets: (Set<string> | undefined)[]): Candidates => {
    const found = sets.filter((set): set is Set<string> => set !== undefined);
    return { sets: found, size: found.reduce((size, set) => size + set.size, 0) };
  };
  if (condition.type === "boolean_constant" && condition.value === false) return of([]);
  if (condition.type === "scalar_binary_expression") {
    const left = condition.left as Node;
    const right = condition.right as Node;
    const operator = condition.operator as string;
    if (operator === "AND") {
      // Both must be true: either side's candidates will do, the fewer the better.
      const [a, b] = [candidatesFor(left, scope), candidatesFor(right, scope)];
      return a && b ? (a.size <= b.size ? a : b) : (a ?? b);
    }
    if (operator === "OR") {
      const [a, b] = [candidatesFor(left, scope), candidatesFor(right, scope)];
      return a && b ? { sets: [...a.sets, ...b.sets], size: a.size + b.size } : undefined;
    }
    if (operator === "=" || operator in FLIPPED) {
      let path = pathOf(left, alias);
      let value = constantOf(right, parameters);
      let comparison = operator;
      if (!path || value === NO_VALUE) {
        path = pathOf(right, alias);
        value = constantOf(left, parameters);
        comparison = FLIPPED[operator] ?? operator;
      }
      if (!path || value === NO_VALUE) return undefined;
      const byValue = index(path, false).byValue;
      if (comparison === "=") return of([byValue.get(value)]);
      if (value === null) return undefined;
      const bound = value;
      return of([...byValue].filter(([key]) => inRange(key, comparison, bound)).map(([, rids]) => rids));
    }
    return undefined;
  }
  if (condition.type === "scalar_function_expression" && !condition.udf && String((condition.name as Node).name).toUpperCase() === "ARRAY_CONTAINS") {
    const args = condition.arguments as Node[];
    if (args.length !== 2) return undefined; // the third argument asks for partial matches of objects
    const path = pathOf(args[0], alias);
    const value = constantOf(args[1], parameters);
    if (!path || value === NO_VALUE) return undefined;
    return of([index(path, true).byValue.get(value)]);
  }
  return undefined;
}

let indexing = true;

/** Turns the query index on or off (tests compare its answers with the full scan's). */
export function useQueryIndex(on: boolean): void {
  indexing = on;
}

/**
 * The documents a query need look at in a scope, when its WHERE narrows them: the candidates of a top-level
 * AND's (or OR's) equalities, ARRAY_CONTAINS and ranges on paths, in the scan's order. The engine still
 * evaluates the whole query on them, so the answer is the scan's.
 */
function narrowed(
  documents: DocumentsByPartition,
  key: unknown,
  scanned: Map<string, Document>,
  query: Narrowable,
  parameterList: { name: string; value: unknown }[] | undefined,
): Map<string, Document> | undefined {
  // As the executor reads parameters: the last of a name wins.
  const parameters: Record<string, unknown> = {};
  for (const { name, value } of parameterList ?? []) parameters[name.slice(1)] = value;
  const candidates = candidatesFor(query.condition, { documents, key, scanned, alias: query.alias, parameters });
  if (!candidates || candidates.size >= scanned.size) return undefined;
  const rids = candidates.sets.length === 1 ? candidates.sets[0] : new Set(candidates.sets.flatMap((set) => [...set]));
  return documents.inScanOrder(rids, scanned);
}

let scansByPartition = false;

/**
 * The server scanned every document of a container for a query, whatever partition key the client sent,
 * and left the WHERE clause to drop the other partitions: at a trust's real size most of a query's work.
 * A query sent with a partition key now scans that partition's documents only, as Azure Cosmos DB does,
 * and within its scope (that partition, or the container) only the candidates the index finds.
 */
function scanOnlyTheNamedPartition(): void {
  if (scansByPartition) return;
  const query = Documents.prototype.query;
  Documents.prototype.query = function (this: Documents, ...args: Parameters<Documents["query"]>) {
    // eslint-disable-next-line @typescript-eslint/no-unsafe-return -- the package types its query's rows as any; it is its own answer passed on
    if (!this._parent.read()) return query.apply(this, args);
    const partition = namedPartition(this, requestPartition.getStore());
    const all =
      this._data instanceof DocumentsByPartition ? this._data : new DocumentsByPartition((document) => this._getPartition(document.read()), this._data);
    const scanned = partition ? (all.partitions.get(partition.value) ?? new Map<string, Document>()) : all;
    let candidates: Map<string, Document> | undefined;
    if (indexing) {
      try {
        const found = narrowable(this._getQuery(args[0].query).ast);
        if (found) candidates = narrowed(all, partition ? partition.value : WHOLE_CONTAINER, scanned, found, args[0].parameters);
      } catch {
        candidates = undefined; // a query that does not parse: the package answers it as before
      }
    }
    // The package's query scans this._data: for this one synchronous call, the scope's documents or their candidates.
    this._data = candidates ?? scanned;
    try {
      // eslint-disable-next-line @typescript-eslint/no-unsafe-return -- as above
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
  makeResultsLinear();
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
