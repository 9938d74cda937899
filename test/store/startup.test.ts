import { strict as assert } from "node:assert";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { createLogger } from "../../src/logger";
import { CONTAINERS, openStore, type Store } from "../../src/store/cosmos";
import { startEmbeddedCosmos, type EmbeddedCosmos } from "../../src/store/embedded";
import { freePort } from "../helpers/ports";

const quiet = () => createLogger("silent", new Writable({ write: (_chunk, _encoding, done) => done() }));

/**
 * In front of a fresh embedded server: every create of a database or container is first made by "another
 * instance" (the proxy sends it once itself), so the real request meets the 409 a race between
 * instances gives, deterministically.
 */
async function raceEveryCreate(target: string): Promise<{ endpoint: string; conflicts: () => number; stop: () => Promise<void> }> {
  let conflicts = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on(
      "end",
      () =>
        void (async () => {
          const body = Buffer.concat(chunks);
          const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => name !== "host" && name !== "connection")) as Record<
            string,
            string
          >;
          const send = () =>
            fetch(`${target}${req.url}`, { method: req.method, headers, body: req.method === "GET" || req.method === "HEAD" ? undefined : body });
          const isCreate = req.method === "POST" && /^\/dbs(\/[^/]+\/colls)?\/?$/.test((req.url ?? "").split("?")[0]);
          if (isCreate) await send(); // the other instance wins
          const answer = await send();
          if (isCreate && answer.status === 409) conflicts += 1;
          const answerHeaders: Record<string, string> = {};
          answer.headers.forEach((value, name) => {
            if (name !== "content-length" && name !== "transfer-encoding" && name !== "connection" && name !== "content-encoding") answerHeaders[name] = value;
          });
          res.writeHead(answer.status, answerHeaders);
          res.end(Buffer.from(await answer.arrayBuffer()));
        })(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    conflicts: () => conflicts,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe("opening the store when several instances start at once", () => {
  let cosmos: EmbeddedCosmos;
  const opened: Store[] = [];

  beforeEach(async () => {
    cosmos = await startEmbeddedCosmos();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
    await cosmos.stop();
  });

  it("reads what another instance created in the meantime instead of failing with 409 conflict", async () => {
    const proxy = await raceEveryCreate(cosmos.endpoint);
    try {
      const store = await openStore({ account: { endpoint: proxy.endpoint, key: cosmos.key }, database: "pals" }, quiet());
      opened.push(store);
      assert.equal(proxy.conflicts(), 1 + Object.keys(CONTAINERS).length, "the database and every container met a conflict");
      await store.containers.jobs.items.create({ id: "written", trustId: "_system" });
    } finally {
      await proxy.stop();
    }
  });

  it("lets three instances open one fresh account in parallel", async () => {
    const stores = await Promise.all(
      Array.from({ length: 3 }, () => openStore({ account: { endpoint: cosmos.endpoint, key: cosmos.key }, database: "pals" }, quiet())),
    );
    opened.push(...stores);
    for (const store of stores) assert.equal((await store.containers.cases.read()).resource?.id, "trust-cases");
  });
});

describe("opening a store that cannot be reached", () => {
  it("names the settings to check, without the key", async () => {
    const key = Buffer.from("a-secret-account-key-that-must-not-be-shown").toString("base64");
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    await assert.rejects(openStore({ account: { endpoint, key }, database: "pals" }, quiet()), (error: Error) => {
      assert.match(error.message, /COSMOS_ENDPOINT/);
      assert.match(error.message, /COSMOS_KEY/);
      assert.match(error.message, new RegExp(endpoint.replace(/[.:/]/g, "\\$&")));
      assert.ok(!error.message.includes(key), "the key is not shown");
      return true;
    });
  });

  it("gives up within its deadline on an account that does not answer, naming the setting to check", async () => {
    // A listener that accepts the connection and never answers (as a firewall that drops packets would look).
    const silent = http.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", () => resolve()));
    const endpoint = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const started = Date.now();
    try {
      await assert.rejects(
        openStore({ account: { endpoint, key: "a2V5" }, database: "pals", connectTimeoutMs: 1000 }, quiet()),
        /did not answer.*COSMOS_ENDPOINT/s,
      );
      assert.ok(Date.now() - started < 5000, `gave up after ${Date.now() - started} ms`);
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
