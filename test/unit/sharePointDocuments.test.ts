import { strict as assert } from "node:assert";
import { randomBytes, randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { parseConfig } from "../../src/config";
import { botCredential } from "../../src/entra/credentials";
import { createLogger } from "../../src/logger";
import {
  MAX_TRIES,
  SIMPLE_UPLOAD_MAX_BYTES,
  SharePointDocuments,
  UPLOAD_FRAGMENT_BYTES,
  type SharePointDocumentError,
  type SharePointDocumentsOptions,
} from "../../src/mail/sharePointDocuments";
import { GRAPH_BASE, LOGIN_HOST } from "../helpers/fakeEntra";
import { FakeGraphDrive, FRAGMENT_MULTIPLE } from "../helpers/fakeGraphDrive";

const APP_ID = "6d1f2c3b-0000-4000-8000-00000000d0c5";
const SECRET = "a-client-secret-that-is-never-logged";
const TENANT = "72f988bf-0000-4000-8000-0000000000aa";
const TRUST = "RXX";
const SITE = "nhs-trust.sharepoint.test,2c1f0a4e-0000-4000-8000-000000000001,7d2e1b5f-0000-4000-8000-000000000002";
const DRIVE = "b!TmhzVHJ1c3RQYWxzRG9jdW1lbnRzTGlicmFyeQ";
/** A library of another site, which the app was not granted. */
const OTHER_SITE = "nhs-trust.sharepoint.test,9a9a9a9a-0000-4000-8000-000000000003,8b8b8b8b-0000-4000-8000-000000000004";
const OTHER_DRIVE = "b!T3RoZXJTaXRlRG9jdW1lbnRzTGlicmFyeQ";
const NINE_MB = 9 * 1024 * 1024;
const CONTENT_PUT = /^PUT \/v1\.0\/drives\/[^/]+\/root:\/.+:\/content$/;
const CONTENT_GET = /^GET \/v1\.0\/drives\/[^/]+\/root:\/.+:\/content$/;
const CREATE_SESSION = /^POST \/v1\.0\/drives\/[^/]+\/root:\/.+:\/createUploadSession$/;
const FRAGMENT = /^PUT \/sites\/pals\/_api\/v2\.0\/drives\/[^/]+\/items\/[^/]+\/uploadSession$/;
/** What a document log line may hold: statuses, codes, sizes and the trust's id. */
const LOGGED_FIELDS = new Set(["level", "time", "name", "msg", "trustId", "operation", "status", "code", "attempt", "waitMs", "tries", "bytes", "fragments"]);

/** A letter about a patient: its words must never reach a log line. */
function letter(padding = 0): Buffer {
  return Buffer.concat([Buffer.from("Dear Mrs Jane Patient, about your mother's care on Ward 7.\n"), randomBytes(padding)]);
}

describe("documents in the PALS team's SharePoint library through Microsoft Graph (Sites.Selected; fake Graph, SharePoint and token service on loopback)", () => {
  let graph: FakeGraphDrive;
  let logLines: Record<string, unknown>[];
  let sleeps: number[];
  /** Ids in keys this test used: never logged. */
  let ids: string[];

  const log = createLogger(
    "debug",
    new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split("\n")) if (line.trim()) logLines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    }),
  );

  before(async () => {
    graph = await new FakeGraphDrive(APP_ID, SECRET).start();
  });
  after(async () => {
    await graph.stop();
  });
  beforeEach(() => {
    graph.reset();
    graph.addDrive(SITE, DRIVE).grantSite(SITE, "write");
    graph.addDrive(OTHER_SITE, OTHER_DRIVE);
    logLines = [];
    sleeps = [];
    ids = [];
  });
  afterEach(() => {
    // Log lines hold statuses, codes, sizes and the trust's id: no content, no key, no path, no token.
    for (const line of logLines) {
      for (const field of Object.keys(line)) assert.ok(LOGGED_FIELDS.has(field), `${field} is not a document log field`);
    }
    const logged = JSON.stringify(logLines).toLowerCase();
    for (const secret of ["Patient", "Ward", "PALS Desk", "cases", "emails", "sharepoint.test", "tempauth", DRIVE, SECRET, "graph-token-", ...ids]) {
      assert.ok(!logged.includes(secret.toLowerCase()), `${secret} is not logged`);
    }
  });

  function documents(overrides: Partial<SharePointDocumentsOptions> = {}): SharePointDocuments {
    const config = parseConfig({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: SECRET, ALLOWED_TENANT_IDS: TENANT });
    return new SharePointDocuments({
      sites: [{ trustId: TRUST, siteId: SITE, driveId: DRIVE, tenantId: TENANT }],
      credentialFor: (tenantId) => botCredential(config.bot!, tenantId, { authorityHost: LOGIN_HOST, httpClient: graph.httpClient }),
      log,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      graphBaseUrl: GRAPH_BASE,
      fetch: graph.fetch,
      ...overrides,
    });
  }

  /** A case document's key, made of ids as PALS Desk makes them. */
  function caseKey(caseId = randomUUID(), documentId = randomUUID()): string {
    ids.push(caseId, documentId);
    return `cases/${caseId}/${documentId}`;
  }

  async function refusal(work: Promise<unknown>): Promise<SharePointDocumentError> {
    try {
      await work;
    } catch (error) {
      return error as SharePointDocumentError;
    }
    assert.fail("expected the operation to fail");
  }

  it("keeps a small file with one PUT under '<folder>/<key>', and reads it back (GET answers 302; the download URL is fetched)", async () => {
    const store = documents();
    const key = caseKey();
    const content = letter(100_000);

    await store.put(TRUST, key, content, "application/pdf");
    assert.equal(store.requests, 1);
    assert.equal(graph.callsTo(CONTENT_PUT), 1);
    assert.equal(graph.callsTo(CREATE_SESSION), 0);
    assert.deepEqual(graph.files(DRIVE), [`PALS Desk/${key}`]);
    assert.deepEqual(graph.item(DRIVE, `PALS Desk/${key}`)?.content, content);
    assert.equal(graph.item(DRIVE, `PALS Desk/${key}`)?.mimeType, "application/pdf");
    // The case's folder was made by the path: one folder per case.
    assert.equal(graph.item(DRIVE, `PALS Desk/${key.split("/").slice(0, 2).join("/")}`)?.folder, true);

    const read = await store.get(TRUST, key);
    assert.ok(read && read.equals(content), "the same bytes come back");
    assert.equal(store.requests, 3, "a get is two requests: Graph's 302, then the download URL");
    assert.equal(graph.callsTo(CONTENT_GET), 1);
    assert.deepEqual(
      graph.downloadRequests.map((request) => request.status),
      [200],
    );
  });

  it("sends a 9 MB file through an upload session in 320 KiB-multiple fragments, without the token, and reads it back byte-identical", async () => {
    const store = documents();
    const key = caseKey();
    const content = letter(NINE_MB - letter().length);
    assert.equal(content.length, NINE_MB);

    await store.put(TRUST, key, content, "application/pdf");
    assert.equal(graph.callsTo(CONTENT_PUT), 0, "never a simple upload above 4 MiB (Graph answers 413)");
    assert.equal(graph.callsTo(CREATE_SESSION), 1);
    const fragments = graph.fragmentRequests;
    assert.deepEqual(
      fragments.map(({ method, contentRange, status }) => [method, contentRange, status]),
      [
        ["PUT", `bytes 0-${UPLOAD_FRAGMENT_BYTES - 1}/${NINE_MB}`, 202],
        ["PUT", `bytes ${UPLOAD_FRAGMENT_BYTES}-${2 * UPLOAD_FRAGMENT_BYTES - 1}/${NINE_MB}`, 202],
        ["PUT", `bytes ${2 * UPLOAD_FRAGMENT_BYTES}-${NINE_MB - 1}/${NINE_MB}`, 201],
      ],
    );
    assert.equal(UPLOAD_FRAGMENT_BYTES % FRAGMENT_MULTIPLE, 0);
    assert.ok(
      fragments.every((fragment) => fragment.authorization === undefined),
      "the upload URL's requests carry no Authorization header",
    );
    assert.equal(store.requests, 4, "createUploadSession, then three fragments");
    assert.equal(graph.openSessions, 0);

    const read = await store.get(TRUST, key);
    assert.ok(read && read.equals(content), "the same 9 MB come back");
    assert.equal(store.requests, 6);
  });

  it("puts exactly 4 MiB in one request, and 4 MiB and a byte through a session", async () => {
    const store = documents();
    const small = caseKey();
    const large = caseKey();
    await store.put(TRUST, small, randomBytes(SIMPLE_UPLOAD_MAX_BYTES), "application/octet-stream");
    assert.equal(store.requests, 1);
    await store.put(TRUST, large, randomBytes(SIMPLE_UPLOAD_MAX_BYTES + 1), "application/octet-stream");
    assert.equal(store.requests, 1 + 1 + 2);
    assert.equal(graph.callsTo(CREATE_SESSION), 1);
  });

  it("replaces the file when the same key is written again (small and large)", async () => {
    const store = documents();
    const small = caseKey();
    const large = caseKey();
    await store.put(TRUST, small, Buffer.from("first"), "text/plain");
    await store.put(TRUST, small, Buffer.from("second"), "text/plain");
    assert.equal((await store.get(TRUST, small))?.toString(), "second");

    const first = randomBytes(5 * 1024 * 1024);
    const second = randomBytes(5 * 1024 * 1024 + 7);
    await store.put(TRUST, large, first, "application/pdf");
    await store.put(TRUST, large, second, "application/pdf");
    assert.ok((await store.get(TRUST, large))?.equals(second));
    assert.deepEqual(graph.files(DRIVE), [`PALS Desk/${large}`, `PALS Desk/${small}`].sort());
    assert.equal(graph.openSessions, 0);
  });

  it("gives undefined for a key that has no file, after one request", async () => {
    const store = documents();
    assert.equal(await store.get(TRUST, caseKey()), undefined);
    assert.equal(store.requests, 1);
    assert.equal(graph.downloadRequests.length, 0);
  });

  it("deleteUnder removes a case's folder (to the recycle bin) and nothing else; 1 when it was there, 0 when not", async () => {
    const store = documents();
    const caseId = randomUUID();
    const other = randomUUID();
    const emailId = randomUUID();
    ids.push(emailId);
    const [a, b, c] = [caseKey(caseId), caseKey(caseId), caseKey(other)];
    for (const key of [a, b, c, `emails/${emailId}/1`]) await store.put(TRUST, key, letter(10), "application/pdf");
    const before = store.requests;

    assert.equal(await store.deleteUnder(TRUST, `cases/${caseId}`), 1);
    assert.equal(store.requests, before + 1, "one DELETE of the folder");
    assert.deepEqual(graph.files(DRIVE), [`PALS Desk/${c}`, `PALS Desk/emails/${emailId}/1`].sort());
    assert.equal(graph.item(DRIVE, `PALS Desk/cases/${caseId}`), undefined);
    assert.equal(await store.get(TRUST, a), undefined);
    assert.equal(await store.get(TRUST, b), undefined);
    assert.deepEqual(graph.recycleBin.map((item) => item.path).sort(), [`PALS Desk/cases/${caseId}`, `PALS Desk/${a}`, `PALS Desk/${b}`].sort());

    assert.equal(await store.deleteUnder(TRUST, `cases/${caseId}`), 0);
    assert.equal(await store.deleteUnder(TRUST, `emails/${emailId}`), 1);
    assert.deepEqual(graph.files(DRIVE), [`PALS Desk/${c}`]);
  });

  it("refuses a key with path characters, '..' or empty segments before any request (and a trust with no library)", async () => {
    const store = documents();
    const bad = [
      "../x",
      "cases/../../etc/passwd",
      "cases/..",
      "cases/./x",
      "cases/a b",
      "cases/a\\b",
      "cases/a:b",
      "cases/a?b",
      "cases/a#b",
      "cases/%2e%2e/x",
      "cases//x",
      "cases/x/",
      "/cases/x",
      "",
      ".hidden/x",
      "cases/~x",
      `cases/${"x".repeat(129)}`,
    ];
    for (const key of bad) {
      await assert.rejects(store.put(TRUST, key, letter(), "application/pdf"), /made of ids/, `put ${JSON.stringify(key)}`);
      await assert.rejects(store.get(TRUST, key), /made of ids/, `get ${JSON.stringify(key)}`);
      await assert.rejects(store.deleteUnder(TRUST, key), /made of ids/, `deleteUnder ${JSON.stringify(key)}`);
    }
    await assert.rejects(store.put("RYY", caseKey(), letter(), "application/pdf"), /No SharePoint document library/);
    assert.equal(store.requests, 0);
    assert.equal(graph.graphCalls.length, 0);
    assert.equal(graph.tokenRequests.length, 0);
  });

  describe("throttling and outages", () => {
    const throttled = (seconds: string) => ({
      status: 429,
      headers: { "Retry-After": seconds },
      body: { error: { code: "activityLimitReached", message: "The request has been throttled" } },
    });

    it("waits as long as Retry-After says on 429, then succeeds", async () => {
      const store = documents();
      const key = caseKey();
      graph.failDrive(CONTENT_PUT, throttled("7"));
      graph.failDrive(CONTENT_GET, throttled("2"));
      const content = letter(64);
      await store.put(TRUST, key, content, "text/plain");
      assert.ok((await store.get(TRUST, key))?.equals(content));
      assert.deepEqual(sleeps, [7_000, 2_000]);
      assert.equal(store.requests, 2 + 3);
    });

    it("retries a fragment the upload URL throttled (503 with Retry-After) and completes the upload", async () => {
      const store = documents();
      const key = caseKey();
      const content = randomBytes(NINE_MB);
      graph.failDrive(FRAGMENT, { status: 503, headers: { "Retry-After": "3" }, body: { error: { code: "serviceNotAvailable", message: "busy" } } });
      await store.put(TRUST, key, content, "application/pdf");
      assert.deepEqual(sleeps, [3_000]);
      assert.equal(store.requests, 1 + 1 + 3);
      assert.ok((await store.get(TRUST, key))?.equals(content));
    });

    it("resumes from the session's nextExpectedRanges when a fragment Graph kept was answered with a failure (416 on the retry)", async () => {
      const store = documents();
      const key = caseKey();
      const content = randomBytes(NINE_MB);
      graph.loseFragmentAnswers = 1;
      await store.put(TRUST, key, content, "application/pdf");
      assert.deepEqual(
        graph.fragmentRequests.map(({ method, status }) => `${method} ${status}`),
        ["PUT 503", "PUT 416", "GET 200", "PUT 202", "PUT 201"],
      );
      assert.equal(store.requests, 6);
      assert.ok((await store.get(TRUST, key))?.equals(content));
    });

    it("gives up after MAX_TRIES with an error named for what happened (SharePointThrottled, Graph's code), never the path", async () => {
      const store = documents();
      const key = caseKey();
      graph.failDrive(CONTENT_PUT, ...Array.from({ length: MAX_TRIES }, () => throttled("1")));
      const error = await refusal(store.put(TRUST, key, letter(), "text/plain"));
      assert.equal(error.name, "SharePointThrottled");
      assert.equal(error.code, "activityLimitReached");
      assert.equal(error.statusCode, 429);
      assert.equal(store.requests, MAX_TRIES);
      assert.deepEqual(sleeps, [1_000, 1_000, 1_000]);
      for (const id of key.split("/")) assert.ok(!error.message.includes(id) && !String(error.stack).includes(id));
      assert.equal(graph.files(DRIVE).length, 0);
    });

    it("fails at once when Retry-After asks for longer than it waits", async () => {
      const store = documents();
      graph.failDrive(CONTENT_GET, throttled("3600"));
      const error = await refusal(store.get(TRUST, caseKey()));
      assert.equal(error.name, "SharePointThrottled");
      assert.deepEqual(sleeps, []);
      assert.equal(store.requests, 1);
    });

    it("cancels the upload session when a fragment is refused, and says why by code", async () => {
      const store = documents();
      graph.failDrive(FRAGMENT, { status: 507, body: { error: { code: "quotaLimitReached", message: "Insufficient Storage" } } });
      const error = await refusal(store.put(TRUST, caseKey(), randomBytes(NINE_MB), "application/pdf"));
      assert.equal(error.code, "quotaLimitReached");
      assert.equal(error.statusCode, 507);
      assert.equal(graph.openSessions, 0, "the session was deleted");
      assert.deepEqual(
        graph.fragmentRequests.map(({ method, authorization }) => [method, authorization]),
        [["DELETE", undefined]],
      );
      assert.equal(graph.files(DRIVE).length, 0);
    });
  });

  describe("least privilege (Sites.Selected)", () => {
    it("a library of a site the app was not granted answers 403, and the error says so by code (no retry)", async () => {
      const store = documents({ sites: [{ trustId: TRUST, siteId: OTHER_SITE, driveId: OTHER_DRIVE, tenantId: TENANT }] });
      for (const work of [
        store.put(TRUST, caseKey(), letter(), "text/plain"),
        store.get(TRUST, caseKey()),
        store.deleteUnder(TRUST, `cases/${randomUUID()}`),
      ]) {
        const error = await refusal(work);
        assert.equal(error.name, "SharePointAccessDenied");
        assert.equal(error.code, "accessDenied");
        assert.equal(error.statusCode, 403);
      }
      assert.equal(store.requests, 3);
      assert.deepEqual(sleeps, []);
      assert.equal(graph.files(OTHER_DRIVE).length, 0);
    });

    it("a read-only grant reads but does not write", async () => {
      const store = documents();
      const key = caseKey();
      await store.put(TRUST, key, letter(), "text/plain");
      graph.grantSite(SITE, "read");
      assert.equal((await refusal(store.put(TRUST, caseKey(), letter(), "text/plain"))).code, "accessDenied");
      assert.ok(await store.get(TRUST, key));
    });

    it("sends the app's bearer token to Graph only: never to the download URL or the upload URL", async () => {
      const store = documents();
      const key = caseKey();
      await store.put(TRUST, key, randomBytes(NINE_MB), "application/pdf");
      await store.get(TRUST, key);
      const graphRequests = graph.graphCalls.filter((call) => call.path.startsWith("/v1.0/"));
      assert.equal(graphRequests.length, 2);
      assert.ok(graphRequests.every((call) => /^Bearer graph-token-/.test(call.authorization ?? "")));
      assert.equal(graph.downloadRequests.length, 1);
      assert.equal(graph.downloadRequests[0].authorization, undefined, "the pre-authenticated download URL is fetched without the token");
      assert.ok(graph.fragmentRequests.length > 0 && graph.fragmentRequests.every((request) => request.authorization === undefined));
      assert.deepEqual(
        graph.tokenRequests.map((request) => request.tenantId),
        [TENANT],
        "one app-only token, from the trust's tenant",
      );
    });
  });

  describe("configuration", () => {
    it("keeps everything under the folder it is given", async () => {
      const store = documents({ folder: "Patient Relations/PALS Desk" });
      const key = caseKey();
      await store.put(TRUST, key, letter(), "text/plain");
      assert.deepEqual(graph.files(DRIVE), [`Patient Relations/PALS Desk/${key}`]);
      assert.equal(await store.deleteUnder(TRUST, key.split("/").slice(0, 2).join("/")), 1);
      assert.deepEqual(graph.files(DRIVE), []);
    });

    it("refuses a folder that is not plain names, and two trusts sharing one library", () => {
      for (const folder of ["..", "a/../b", "a:b", "a/", "~tmp", "a.", "a#b", ""]) assert.throws(() => documents({ folder }), /plain names/, folder);
      assert.throws(
        () =>
          documents({
            sites: [
              { trustId: "RXX", siteId: SITE, driveId: DRIVE, tenantId: TENANT },
              { trustId: "RYY", siteId: SITE, driveId: DRIVE, tenantId: TENANT },
            ],
          }),
        /same SharePoint document library/,
      );
    });
  });
});
