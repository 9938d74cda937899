import { strict as assert } from "node:assert";
import https from "node:https";
import type { AddressInfo } from "node:net";
import type { RequestListener } from "node:http";
import { Writable } from "node:stream";
import type { AccessToken, TokenCredential } from "@azure/identity";
import { CredentialUnavailableError } from "@azure/identity";
import { createHttpsServer } from "@vercel/cosmosdb-server";
import { createLogger } from "../../src/logger";
import { openStore, type Store } from "../../src/store/cosmos";

const quiet = () => createLogger("silent", new Writable({ write: (_chunk, _encoding, done) => done() }));

/**
 * @azure/cosmos sends Entra ID tokens over https only, so these tests use the in-memory server's https listener
 * (its own certificate, expired in 2021: trusted by an agent for this loopback server only).
 */
const loopbackAgent = () => new https.Agent({ rejectUnauthorized: false });

const TOKEN = "eyJ0eXAiOiJKV1QifQ.fake-entra-token-for-cosmos.c2lnbmF0dXJl";

/** A token credential as @azure/identity's are: records the scopes asked for. */
class FakeCredential implements TokenCredential {
  readonly scopes: string[][] = [];
  constructor(private readonly fail?: Error) {}
  async getToken(scopes: string | string[]): Promise<AccessToken> {
    this.scopes.push([scopes].flat());
    if (this.fail) throw this.fail;
    return { token: TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 };
  }
}

interface AccountOnLoopback {
  readonly endpoint: string;
  /** Every request's Authorization header, in order. */
  readonly authorizations: string[];
  /** Every request's method and path, in order. */
  readonly requests: string[];
  stop(): Promise<void>;
}

/** The in-memory server on https, recording the Authorization headers; `answer` may take a request instead (a refusal). */
async function httpsAccount(answer?: (res: import("node:http").ServerResponse) => void): Promise<AccountOnLoopback> {
  const server = createHttpsServer();
  const authorizations: string[] = [];
  const requests: string[] = [];
  const handle = server.listeners("request")[0] as RequestListener;
  server.removeAllListeners("request");
  server.on("request", (req, res) => {
    authorizations.push(String(req.headers.authorization ?? ""));
    requests.push(`${req.method} ${req.url}`);
    if (answer) {
      req.resume();
      answer(res);
    } else handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    endpoint: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    authorizations,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe("Cosmos DB without keys: Entra ID tokens and data-plane RBAC", () => {
  let account: AccountOnLoopback | undefined;
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    await account?.stop();
    store = undefined;
    account = undefined;
  });

  /** What infra/azure.bicep makes before PALS Desk starts: the database and containers (made here with a key). */
  async function provisioned(target: AccountOnLoopback): Promise<void> {
    const made = await openStore(
      { account: { endpoint: target.endpoint, key: Buffer.from("an-account-key").toString("base64") }, database: "pals", agent: loopbackAgent() },
      quiet(),
    );
    await made.close();
    target.authorizations.length = 0;
    target.requests.length = 0;
  }

  it("signs every request with the credential's token (type=aad&ver=1.0&sig=<token>) for the account's scope", async () => {
    account = await httpsAccount();
    await provisioned(account);
    const credential = new FakeCredential();
    store = await openStore({ account: { endpoint: account.endpoint, credential }, database: "pals", agent: loopbackAgent() }, quiet());
    await store.containers.jobs.items.create({ id: "written-with-a-token", trustId: "_system" });
    const { resource } = await store.containers.jobs.item("written-with-a-token", "_system").read();
    assert.equal(resource?.id, "written-with-a-token");
    assert.ok(account.authorizations.length >= 6, `${account.authorizations.length} requests`);
    for (const header of account.authorizations) assert.equal(header, `type=aad&ver=1.0&sig=${TOKEN}`);
    assert.deepEqual(credential.scopes[0], [`${account.endpoint}/.default`]);
  });

  it("creates and changes no database or container with an identity (data-plane roles can't), and names what is missing", async () => {
    account = await httpsAccount();
    await assert.rejects(
      openStore({ account: { endpoint: account.endpoint, credential: new FakeCredential() }, database: "pals", agent: loopbackAgent() }, quiet()),
      (error: Error) => {
        assert.equal(error.name, "StoreUnavailableError");
        assert.match(
          error.message,
          /The Cosmos DB database "pals" does not exist \(COSMOS_DATABASE\)\. With a managed identity PALS Desk can't create or change databases and containers: create them with infra\/azure\.bicep/,
        );
        return true;
      },
    );
    assert.deepEqual(
      account.requests.filter((r) => !r.startsWith("GET ")),
      [],
      "only reads",
    );

    // A container made before a newer composite index: reported, not replaced.
    await provisioned(account);
    const keyed = await openStore(
      { account: { endpoint: account.endpoint, key: Buffer.from("an-account-key").toString("base64") }, database: "pals", agent: loopbackAgent() },
      quiet(),
    );
    const { resource } = await keyed.containers.cases.read();
    await keyed.containers.cases.replace({ ...resource!, indexingPolicy: { ...resource!.indexingPolicy, compositeIndexes: [] } });
    await keyed.close();
    account.requests.length = 0;
    await assert.rejects(
      openStore({ account: { endpoint: account.endpoint, credential: new FakeCredential() }, database: "pals", agent: loopbackAgent() }, quiet()),
      (error: Error) => {
        assert.match(
          error.message,
          /The Cosmos DB container "trust-cases" lacks (a composite index|\d+ composite indexes) PALS Desk's queries need\. With a managed identity/,
        );
        return true;
      },
    );
    assert.deepEqual(
      account.requests.filter((r) => !r.startsWith("GET ")),
      [],
      "only reads",
    );
  });

  it("keeps the key when one is given (no token is asked for)", async () => {
    account = await httpsAccount();
    store = await openStore(
      { account: { endpoint: account.endpoint, key: Buffer.from("an-account-key").toString("base64") }, database: "pals", agent: loopbackAgent() },
      quiet(),
    );
    assert.ok(account.authorizations.length > 0);
    for (const header of account.authorizations) assert.match(header, /^type%3Dmaster%26ver%3D1\.0%26sig%3D/);
  });

  it("says what to check when no token can be had (no managed identity here, no az login), naming the role and AZURE_CLIENT_ID", async () => {
    account = await httpsAccount();
    const credential = new FakeCredential(new CredentialUnavailableError("ManagedIdentityCredential: no managed identity endpoint found"));
    await assert.rejects(
      openStore({ account: { endpoint: account.endpoint, credential }, database: "pals", agent: loopbackAgent(), connectTimeoutMs: 10_000 }, quiet()),
      (error: Error) => {
        assert.equal(error.name, "StoreUnavailableError");
        assert.match(error.message, /could not get an Entra ID token for Cosmos DB at https:\/\/127\.0\.0\.1:\d+ \(CredentialUnavailableError\)/);
        assert.match(error.message, /Cosmos DB Built-in Data Contributor/);
        assert.match(error.message, /AZURE_CLIENT_ID/);
        assert.doesNotMatch(error.message, /COSMOS_KEY|no managed identity endpoint/, "no key advice, and not the library's own words");
        return true;
      },
    );
    assert.equal(account.authorizations.length, 0, "nothing was sent without a token");
  });

  it("says what to check when the account refuses the identity (403: no data-plane role assignment), without the token", async () => {
    account = await httpsAccount((res) => {
      res.writeHead(403, { "content-type": "application/json", "x-ms-substatus": "5301" });
      res.end(JSON.stringify({ code: "Forbidden", message: `Request blocked by Auth: principal does not have required RBAC permissions. ${TOKEN}` }));
    });
    await assert.rejects(
      openStore({ account: { endpoint: account.endpoint, credential: new FakeCredential() }, database: "pals", agent: loopbackAgent() }, quiet()),
      (error: Error) => {
        assert.match(error.message, /Cosmos DB at https:\/\/127\.0\.0\.1:\d+ refused PALS Desk's identity \(403\)/);
        assert.match(error.message, /Cosmos DB Built-in Data Contributor on the account \(az cosmosdb sql role assignment create;/);
        assert.match(error.message, /AZURE_CLIENT_ID/);
        assert.ok(!error.message.includes(TOKEN) && !error.message.includes("fake-entra-token"), "no token in the message");
        return true;
      },
    );
  });
});
