import { strict as assert } from "node:assert";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import sinon from "sinon";
import { parseConfig, type Config } from "../../src/config";
import type { ParsedEmail } from "../../src/domain/inbox/email";
import type { IncomingEmail } from "../../src/domain/ports";
import { botCredential } from "../../src/entra/credentials";
import { httpServer } from "../../src/http";
import type { Jobs } from "../../src/jobs/runtime";
import { createLogger } from "../../src/logger";
import {
  FIRST_SYNC_WINDOW_MS,
  GraphMailbox,
  MAX_NOTIFICATIONS,
  RENEW_WITHIN_MS,
  SUBSCRIPTION_MINUTES,
  unreadableEmail,
  type GraphMailboxOptions,
} from "../../src/mail/graphMailbox";
import type { Store } from "../../src/store/cosmos";
import type { TeamsEndpoint } from "../../src/teams/app";
import type { DownloadShelf } from "../../src/teams/reports/downloads";
import { GRAPH_BASE, LOGIN_HOST } from "../helpers/fakeEntra";
import { FakeGraphMail, MemoryMailboxStateStore } from "../helpers/fakeGraphMail";

const APP_ID = "6d1f2c3b-0000-4000-8000-00000000a99e";
const SECRET = "a-client-secret-that-is-never-logged";
const TENANT = "72f988bf-0000-4000-8000-0000000000aa";
const CLIENT_STATE = "the-subscription-client-state-secret-0123456789";
/** As configured (mixed case): PALS Desk hands it on in lower case. */
const ADDRESS = "PALS.Team@trust.nhs.uk";
const MAILBOX = ADDRESS.toLowerCase();
const POLL_SECONDS = 300;
const DELTA = /^GET \/v1\.0\/users\/[^/]+\/mailFolders\('inbox'\)\/messages\/delta$/;
const VALUE = /^GET \/v1\.0\/users\/[^/]+\/messages\/[^/]+\/\$value$/;
const CREATE = /^POST \/v1\.0\/subscriptions$/;
const RENEW = /^PATCH \/v1\.0\/subscriptions\//;

/** An email as a sender's mail system writes it; the subject carries a patient's name, which must never be logged. */
function mime(n: number, subject = `Complaint about Ward ${n}: Mrs Jane Patient-${n}`, padding = ""): string {
  return [
    `Message-ID: <message-${n}@sender.example.org>`,
    `From: Jane Patient <jane.patient@example.org>`,
    `To: ${ADDRESS}`,
    `Subject: ${subject}`,
    `Date: Tue, 10 Mar 2026 09:00:00 +0000`,
    `Content-Type: text/plain; charset=utf-8`,
    ``,
    `My mother was on ward ${n}.${padding}`,
  ].join("\r\n");
}

/** Stands in for src/mail/parseEmail.ts: the Message-ID and Subject header lines, and the body. */
async function stubParse(raw: Buffer, options: { receivedAt?: Date; now: Date }): Promise<ParsedEmail> {
  const text = raw.toString("utf8");
  return {
    messageId: /^Message-ID:[ \t]*(<[^>]+>)/im.exec(text)?.[1] ?? "<no-id@stub>",
    to: [],
    subject: /^Subject:[ \t]*(.*)$/im.exec(text)?.[1]?.trim() ?? "",
    receivedAt: (options.receivedAt ?? options.now).toISOString(),
    text: text
      .split(/\r?\n\r?\n/)
      .slice(1)
      .join("\n\n"),
    textCut: false,
    references: [],
    attachments: [],
  };
}

describe("the shared mailbox through Microsoft Graph (delta sync, subscriptions, notifications; fake Graph and token service on loopback)", () => {
  let graph: FakeGraphMail;
  let store: MemoryMailboxStateStore;
  let clock: Date;
  let logLines: Record<string, unknown>[];
  let sleeps: number[];
  let received: IncomingEmail[];
  let made: GraphMailbox[];
  /** Which instance the notification route reaches (a load balancer's choice). */
  let routeTo: GraphMailbox | undefined;
  let server: ReturnType<typeof httpServer>["server"];
  let endpoint: string;
  let timers: sinon.SinonFakeTimers | undefined;

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
    graph = await new FakeGraphMail(APP_ID, SECRET).start();
    // The real route of src/http.ts, as production mounts it (restify, its body parser and limits).
    ({ server } = httpServer({
      config: { turnsAtOnce: 2 } as Config,
      log,
      teams: {} as TeamsEndpoint,
      jobs: {} as Jobs,
      store: {} as Store,
      downloads: {} as DownloadShelf,
      mailNotifications: (request) => {
        if (!routeTo) throw new Error("no mailbox to route to");
        return routeTo.handleNotification(request);
      },
    }));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/mail/notifications`;
  });
  after(async () => {
    server.server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await graph.stop();
  });
  beforeEach(() => {
    graph.reset();
    clock = new Date("2026-03-10T10:00:00Z");
    graph.now = () => clock;
    graph.addMailbox(ADDRESS);
    store = new MemoryMailboxStateStore();
    logLines = [];
    sleeps = [];
    received = [];
    made = [];
    routeTo = undefined;
  });
  afterEach(async () => {
    for (const mailbox of made) await mailbox.stop();
    timers?.restore();
    timers = undefined;
    // Nothing of an email, a mailbox's address, a token or a secret is ever logged.
    const logged = JSON.stringify(logLines);
    for (const secret of ["Patient", "Ward", "trust.nhs.uk", "pals.team", "sender.example.org", CLIENT_STATE, SECRET, "graph-token-"]) {
      assert.ok(!logged.toLowerCase().includes(secret.toLowerCase()), `${secret} is not logged`);
    }
  });

  function mailbox(overrides: Partial<GraphMailboxOptions> = {}): GraphMailbox {
    const config = parseConfig({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: SECRET, ALLOWED_TENANT_IDS: TENANT });
    const made_ = new GraphMailbox({
      mailboxes: [{ trustId: "RXX", address: ADDRESS, tenantId: TENANT }],
      credentialFor: (tenantId) => botCredential(config.bot!, tenantId, { authorityHost: LOGIN_HOST, httpClient: graph.httpClient }),
      state: store,
      parse: stubParse,
      notificationUrl: endpoint,
      clientState: CLIENT_STATE,
      pollSeconds: POLL_SECONDS,
      log,
      now: () => clock,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      graphBaseUrl: GRAPH_BASE,
      fetch: graph.fetch,
      ...overrides,
    });
    made.push(made_);
    routeTo ??= made_;
    return made_;
  }

  const receive = async (incoming: IncomingEmail) => {
    received.push(incoming);
  };
  const subjects = () => received.map((incoming) => incoming.email.subject);
  const minutesAgo = (minutes: number) => new Date(clock.getTime() - minutes * 60_000);

  /** Started, with its first catch-up and subscription done. */
  async function started(overrides: Partial<GraphMailboxOptions> = {}, receiveWith = receive): Promise<GraphMailbox> {
    const source = mailbox(overrides);
    await source.start(receiveWith);
    await source.idle();
    return source;
  }

  /** The poll timer fires (sinon's fake setInterval), and what it started is awaited. */
  async function poll(...sources: GraphMailbox[]): Promise<void> {
    timers!.tick(POLL_SECONDS * 1000);
    for (const source of sources) await source.idle();
  }

  describe("delta sync", () => {
    it("catches up once at start, gives each new email once, saves the delta link, then gives only what is new", async () => {
      for (const n of [1, 2, 3]) await graph.deliver(ADDRESS, mime(n), { receivedAt: minutesAgo(30 - n) });
      const source = await started({ notificationUrl: undefined });

      assert.deepEqual(
        subjects(),
        [1, 2, 3].map((n) => `Complaint about Ward ${n}: Mrs Jane Patient-${n}`),
      );
      assert.deepEqual(
        received.map(({ trustId, mailbox: address, email }) => [trustId, address, email.messageId, email.receivedAt]),
        [1, 2, 3].map((n) => ["RXX", MAILBOX, `<message-${n}@sender.example.org>`, minutesAgo(30 - n).toISOString()]),
      );
      const link = store.state(MAILBOX).deltaLink;
      assert.match(String(link), /^https:\/\/graph\.entra\.test\/v1\.0\/users\/.+\/messages\/delta\?\$deltatoken=/);
      // One delta page for the three, and each message's MIME once: 4 Graph requests, all with a token.
      assert.equal(graph.callsTo(DELTA), 1);
      assert.equal(graph.callsTo(VALUE), 3);
      assert.equal(source.requests, 4);
      assert.ok(graph.graphCalls.every((call) => /^Bearer graph-token-/.test(call.authorization ?? "")));
      assert.equal(graph.tokenRequests.length, 1);
      // It asked for new messages only, their ids, received times and Message-IDs (no subject, no preview), 50 a page.
      const [first] = graph.deltaRequests;
      assert.deepEqual(Object.fromEntries(first.query), {
        changeType: "created",
        $select: "id,receivedDateTime,internetMessageId",
        $filter: `receivedDateTime ge ${new Date(clock.getTime() - FIRST_SYNC_WINDOW_MS).toISOString().replace(".000", "")}`,
      });
      assert.equal(first.pageSize, 50);

      assert.equal(await source.catchUp(), 0, "nothing new");
      assert.equal(received.length, 3);
      assert.equal(graph.callsTo(VALUE), 3, "no MIME read again");
      assert.notEqual(store.state(MAILBOX).deltaLink, undefined);

      await graph.deliver(ADDRESS, mime(4));
      assert.equal(await source.catchUp(), 1);
      assert.equal(await source.catchUp(), 0);
      assert.deepEqual(
        received.map((incoming) => incoming.email.messageId),
        [1, 2, 3, 4].map((n) => `<message-${n}@sender.example.org>`),
      );
      assert.equal(graph.callsTo(VALUE), 4);
    });

    it("does not import the mailbox's history on its first start: only email received in the hour before", async () => {
      await graph.deliver(ADDRESS, mime(1, "Old: Mrs Patient from last week"), { receivedAt: minutesAgo(7 * 24 * 60) });
      await graph.deliver(ADDRESS, mime(2, "Old: Mr Patient from this morning"), { receivedAt: new Date(clock.getTime() - FIRST_SYNC_WINDOW_MS - 60_000) });
      await graph.deliver(ADDRESS, mime(3, "New: Ward 3 during the switch-over"), { receivedAt: minutesAgo(10) });
      const source = await started({ notificationUrl: undefined });
      assert.deepEqual(subjects(), ["New: Ward 3 during the switch-over"]);
      assert.equal(graph.callsTo(VALUE), 1, "old email is not even fetched");

      // Later, a restart with the saved delta link reads what came meanwhile, whatever its age.
      await source.stop();
      await graph.deliver(ADDRESS, mime(4), { receivedAt: minutesAgo(5) });
      clock = new Date(clock.getTime() + 3 * 60 * 60_000);
      await started({ notificationUrl: undefined });
      assert.deepEqual(
        received.map((incoming) => incoming.email.messageId),
        ["<message-3@sender.example.org>", "<message-4@sender.example.org>"],
      );
    });

    it("follows @odata.nextLink pages (50 messages a page) and costs one request per email plus the shared delta pages", async () => {
      const source = await started({ notificationUrl: undefined });
      const before = source.requests;
      for (let n = 1; n <= 60; n += 1) await graph.deliver(ADDRESS, mime(n));
      assert.equal(await source.catchUp(), 60);
      assert.equal(new Set(received.map((incoming) => incoming.email.messageId)).size, 60);
      assert.equal(graph.callsTo(DELTA), 3, "the first sync, then two pages for 60 messages");
      const perEmail = (source.requests - before) / 60;
      assert.equal(source.requests - before, 62, "60 $value + 2 delta pages");
      assert.ok(perEmail < 1.04, `Graph requests per email: ${perEmail}`);
    });

    it("does not fetch again a message listed again (its read state changed), and skips deleted ones", async () => {
      const source = await started({ notificationUrl: undefined });
      const one = await graph.deliver(ADDRESS, mime(1));
      assert.equal(await source.catchUp(), 1);
      graph.markRead(ADDRESS, one.id);
      const two = await graph.deliver(ADDRESS, mime(2));
      graph.remove(ADDRESS, two.id); // listed as @removed
      const three = await graph.deliver(ADDRESS, mime(3));
      graph.failMail(VALUE, { status: 404, body: { error: { code: "ErrorItemNotFound", message: "gone" } } }); // deleted between the listing and the read
      await graph.deliver(ADDRESS, mime(4));
      assert.equal(await source.catchUp(), 1);
      assert.deepEqual(
        received.map((incoming) => incoming.email.messageId),
        ["<message-1@sender.example.org>", "<message-4@sender.example.org>"],
      );
      assert.equal(graph.callsTo(VALUE), 3, "message 1 once, 3 (404) and 4; never the removed one");
      assert.ok(three.id);
      assert.equal(await source.catchUp(), 0, "the delta link moved past them");
    });

    it("keeps the delta link when receive fails, and gives the email again at the next sync (not those before it)", async () => {
      let failing = true;
      const source = await started({ notificationUrl: undefined }, async (incoming) => {
        if (failing && incoming.email.messageId === "<message-2@sender.example.org>") throw new Error("Cosmos DB is down: Mrs Jane Patient-2");
        received.push(incoming);
      });
      const linkBefore = store.state(MAILBOX).deltaLink;
      assert.ok(linkBefore);
      for (const n of [1, 2, 3]) await graph.deliver(ADDRESS, mime(n));
      assert.equal(await source.catchUp(), 1);
      assert.deepEqual(subjects(), ["Complaint about Ward 1: Mrs Jane Patient-1"]);
      assert.equal(store.state(MAILBOX).deltaLink, linkBefore, "the delta link did not move");
      const error = logLines.find((line) => line.level === "error");
      assert.equal(error?.mailbox, 0);
      assert.equal((error?.err as { name?: string }).name, "Error");

      failing = false;
      assert.equal(await source.catchUp(), 2);
      assert.deepEqual(
        received.map((incoming) => incoming.email.messageId),
        [1, 2, 3].map((n) => `<message-${n}@sender.example.org>`),
      );
      assert.notEqual(store.state(MAILBOX).deltaLink, linkBefore);
      assert.equal(graph.callsTo(VALUE), 4, "message 1 is not fetched again; message 2 is");
    });

    it("runs one sync at a time per mailbox: syncs asked for meanwhile run once after it", async () => {
      const source = await started({ notificationUrl: undefined });
      await graph.deliver(ADDRESS, mime(1));
      const deltasBefore = graph.callsTo(DELTA);
      graph.graphDelayMs = 30;
      const counts = await Promise.all([source.catchUp(), source.catchUp(), source.catchUp(), source.catchUp()]);
      assert.equal(graph.callsTo(DELTA) - deltasBefore, 2, "the running sync, and one more after it");
      assert.deepEqual(
        counts.map((count) => count > 0),
        [true, false, false, false],
      );
      assert.equal(received.length, 1);
    });

    it("reads the last week again when Graph no longer knows the saved delta link (410)", async () => {
      const source = await started({ notificationUrl: undefined });
      await graph.deliver(ADDRESS, mime(1), { receivedAt: minutesAgo(3 * 24 * 60) });
      graph.expireDeltaTokens(ADDRESS);
      assert.equal(await source.catchUp(), 1);
      assert.ok(logLines.some((line) => line.level === "warn" && line.status === 410));
      assert.equal(await source.catchUp(), 0);
    });

    it("keeps an email larger than it reads as unreadable (too large), from the delta's facts, without reading it all", async () => {
      let parsed = 0;
      const source = await started({
        notificationUrl: undefined,
        maxRawBytes: 4096,
        parse: (raw, options) => {
          parsed += 1;
          return stubParse(raw, options);
        },
      });
      await graph.deliver(ADDRESS, mime(1, "Small", ""), { receivedAt: minutesAgo(3) });
      await graph.deliver(ADDRESS, mime(2, "Large: Mrs Jane Patient", "x".repeat(50_000)), { receivedAt: minutesAgo(2) });
      assert.equal(await source.catchUp(), 2);
      graph.chunkedValues = true; // no Content-Length: the reader counts
      await graph.deliver(ADDRESS, mime(3, "Large and chunked", "y".repeat(200_000)), { receivedAt: minutesAgo(1) });
      assert.equal(await source.catchUp(), 1);

      assert.equal(parsed, 1, "only the small one is parsed");
      assert.deepEqual(received[0].email.unreadable, undefined);
      for (const [index, n, minutes] of [
        [1, 2, 2],
        [2, 3, 1],
      ] as const) {
        assert.deepEqual(received[index].email, {
          messageId: `<message-${n}@sender.example.org>`,
          to: [],
          subject: "",
          receivedAt: minutesAgo(minutes).toISOString(),
          text: "",
          textCut: false,
          references: [],
          attachments: [],
          unreadable: "too-large",
        });
      }
      assert.equal(logLines.filter((line) => line.msg === "An email is larger than PALS Desk reads: kept as unreadable (too large)").length, 2);
    });

    it("stops between emails: waits for the one being received, gives no more, and keeps the delta link", async () => {
      let release: () => void = () => undefined;
      const held = new Promise<void>((resolve) => (release = resolve));
      for (const n of [1, 2]) await graph.deliver(ADDRESS, mime(n));
      const source = mailbox({ notificationUrl: undefined });
      let entered: () => void = () => undefined;
      const inReceive = new Promise<void>((resolve) => (entered = resolve));
      await source.start(async (incoming) => {
        entered();
        await held;
        received.push(incoming);
      });
      await inReceive;
      let stopped = false;
      const stopping = source.stop().then(() => (stopped = true));
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(stopped, false, "stop waits for the email being received");
      release();
      await stopping;
      assert.deepEqual(subjects(), ["Complaint about Ward 1: Mrs Jane Patient-1"]);
      assert.equal(store.state(MAILBOX).deltaLink, undefined, "the delta link did not move");
      assert.equal(logLines.filter((line) => line.level === "error").length, 0);

      // After a restart, the rest is read (and the first again: receive keeps it once).
      await started({ notificationUrl: undefined });
      assert.deepEqual(
        received.map((incoming) => incoming.email.messageId),
        [1, 1, 2].map((n) => `<message-${n}@sender.example.org>`),
      );
    });

    it("makes an unreadable email's Message-ID from Graph's id when the listing gave none", () => {
      const now = new Date("2026-03-10T10:00:00Z");
      const one = unreadableEmail("too-large", { mailbox: MAILBOX, graphId: "AAMk1=" }, now);
      assert.match(one.messageId, /^<[0-9a-f]{40}@graph\.pals-desk\.invalid>$/);
      assert.equal(unreadableEmail("too-large", { mailbox: MAILBOX, graphId: "AAMk1=" }, now).messageId, one.messageId, "the same every time");
      assert.notEqual(unreadableEmail("too-large", { mailbox: MAILBOX, graphId: "AAMk2=" }, now).messageId, one.messageId);
      assert.equal(one.receivedAt, now.toISOString());
      assert.equal(
        unreadableEmail("malformed", { mailbox: MAILBOX, graphId: "x", receivedDateTime: "2026-03-09T08:00:00Z" }, now).receivedAt,
        "2026-03-09T08:00:00.000Z",
      );
    });
  });

  describe("throttling and outages", () => {
    it("waits as long as Retry-After says (429, 503) and loses nothing", async () => {
      for (const n of [1, 2]) await graph.deliver(ADDRESS, mime(n));
      graph.failMail(DELTA, { status: 429, headers: { "retry-after": "1" }, body: { error: { code: "TooManyRequests", message: "Too many requests" } } });
      graph.failMail(VALUE, { status: 503, headers: { "retry-after": "3" } });
      await started({ notificationUrl: undefined });
      assert.equal(received.length, 2);
      assert.deepEqual(sleeps, [1000, 3000]);
      assert.equal(graph.callsTo(DELTA), 2);
      assert.equal(graph.callsTo(VALUE), 3);
      assert.equal(logLines.filter((line) => line.level === "error").length, 0);
      assert.deepEqual(
        logLines.filter((line) => line.level === "warn").map((line) => [line.status, line.attempt, line.waitMs]),
        [
          [429, 1, 1000],
          [503, 1, 3000],
        ],
      );
    });

    it("gives up a sync after 4 tries with backoff and jitter, logs the status only, and reads the email at the next sync", async () => {
      const source = await started({ notificationUrl: undefined });
      const link = store.state(MAILBOX).deltaLink;
      await graph.deliver(ADDRESS, mime(1));
      graph.failMail(DELTA, { status: 503 }, { status: 503 }, { status: 503 }, { status: 503 });
      assert.equal(await source.catchUp(), 0);
      assert.equal(sleeps.length, 3, "3 waits between 4 tries");
      sleeps.forEach((ms, i) => assert.ok(ms >= 500 * 2 ** i && ms <= 1000 * 2 ** i, `wait ${i + 1} was ${ms} ms`));
      const error = logLines.find((line) => line.level === "error");
      assert.equal(error?.status, 503);
      assert.deepEqual(error?.err, { name: "GraphFailure", code: "Scripted", statusCode: 503 });
      assert.equal(store.state(MAILBOX).deltaLink, link);
      assert.equal(received.length, 0);

      assert.equal(await source.catchUp(), 1);
      assert.equal(received.length, 1);
    });

    it("does not wait when Graph asks for longer than it will wait: the next poll reads the email", async () => {
      const source = await started({ notificationUrl: undefined });
      await graph.deliver(ADDRESS, mime(1));
      graph.failMail(DELTA, { status: 429, headers: { "retry-after": "3600" } });
      assert.equal(await source.catchUp(), 0);
      assert.deepEqual(sleeps, []);
      assert.equal(await source.catchUp(), 1);
    });
  });

  describe("subscriptions and notifications", () => {
    it("subscribes with Graph's validation handshake answered by the route, and a notification brings the email at once", async () => {
      const source = await started();
      assert.deepEqual(
        graph.validations.map((validation) => [validation.url, validation.ok]),
        [
          [endpoint, true],
          [endpoint, true],
        ],
        "the notification and lifecycle URLs are validated",
      );
      const [subscription] = graph.activeSubscriptions();
      assert.ok(subscription);
      assert.equal(graph.subscriptions.size, 1);
      assert.equal(subscription.changeType, "created");
      assert.equal(subscription.resource, `users/${MAILBOX}/mailFolders('inbox')/messages`);
      assert.equal(subscription.clientState, CLIENT_STATE);
      assert.equal(subscription.lifecycleNotificationUrl, endpoint);
      assert.equal(Date.parse(subscription.expirationDateTime), clock.getTime() + SUBSCRIPTION_MINUTES * 60_000);
      assert.deepEqual(store.state(MAILBOX).subscription, { id: subscription.id, expiresAt: subscription.expirationDateTime });

      const requestsBefore = source.requests;
      await graph.deliver(ADDRESS, mime(1));
      assert.deepEqual(
        graph.notificationsSent.map((sent) => sent.status),
        [202],
      );
      await source.idle();
      assert.deepEqual(subjects(), ["Complaint about Ward 1: Mrs Jane Patient-1"]);
      assert.equal(source.requests - requestsBefore, 2, "per notified email: one delta page and its MIME");
    });

    it("ignores a notification with the wrong clientState or for a subscription it does not know", async () => {
      const source = await started();
      const [subscription] = graph.activeSubscriptions();
      await graph.deliver(ADDRESS, mime(1), { notify: false });
      const deltas = graph.callsTo(DELTA);
      const notification = (overrides: Record<string, unknown>) => ({
        value: [
          {
            subscriptionId: subscription.id,
            clientState: CLIENT_STATE,
            changeType: "created",
            resource: "Users/x/Messages/y",
            resourceData: { id: "y" },
            ...overrides,
          },
        ],
      });
      assert.equal(await graph.post(endpoint, notification({ clientState: "a-guess" })), 202);
      assert.equal(await graph.post(endpoint, notification({ clientState: null })), 202);
      assert.equal(await graph.post(endpoint, notification({ subscriptionId: "3f0c2c51-0000-4000-8000-000000000000" })), 202);
      await source.idle();
      assert.equal(graph.callsTo(DELTA), deltas, "no sync");
      assert.equal(received.length, 0);
      assert.equal(logLines.filter((line) => line.msg === "Ignored mail notifications with the wrong clientState").length, 2);
      assert.equal(logLines.filter((line) => line.msg === "Ignored mail notifications for a subscription PALS Desk does not know").length, 1);

      // The genuine one does.
      assert.equal(await graph.post(endpoint, notification({})), 202);
      await source.idle();
      assert.equal(graph.callsTo(DELTA), deltas + 1);
      assert.equal(received.length, 1);
    });

    it("answers the validation handshake exactly, and refuses what is not Graph's shape", async () => {
      const source = await started({ notificationUrl: undefined });
      const token = "Validation: Testing client application reachability for subscription Request-Id: 1b2c+3d/4=";
      const answer = await fetch(`${endpoint}?validationToken=${encodeURIComponent(token)}`, {
        method: "POST",
        headers: { "content-type": "text/plain; charset=utf-8" },
      });
      assert.equal(answer.status, 200);
      assert.match(answer.headers.get("content-type") ?? "", /^text\/plain/);
      assert.equal(await answer.text(), token);

      assert.equal(source.handleNotification({ query: { validationToken: "x".repeat(1001) }, body: undefined }).status, 400);
      assert.equal(source.handleNotification({ query: { validationToken: ["a", "b"] }, body: undefined }).status, 400);
      assert.equal((await fetch(`${endpoint}?validationToken=a&validationToken=b`, { method: "POST" })).status, 400);
      const one = { subscriptionId: "s", clientState: CLIENT_STATE, changeType: "created" };
      assert.equal(source.handleNotification({ query: {}, body: { value: Array.from({ length: MAX_NOTIFICATIONS + 1 }, () => one) } }).status, 400);
      assert.equal(source.handleNotification({ query: {}, body: { value: Array.from({ length: MAX_NOTIFICATIONS }, () => one) } }).status, 202);
      assert.equal(source.handleNotification({ query: {}, body: "not json" }).status, 400);
      assert.equal(source.handleNotification({ query: {}, body: { value: [] } }).status, 400);
      assert.equal(await graph.post(endpoint, { value: [{ subscriptionId: 42 }] }), 400);
    });

    it("needs a clientState of 1 to 128 characters to subscribe; without one it accepts no notification", async () => {
      assert.throws(() => mailbox({ clientState: "" }), /clientState must be 1 to 128 characters/);
      assert.throws(() => mailbox({ clientState: "x".repeat(129) }), /clientState must be 1 to 128 characters/);
      const source = await started({ notificationUrl: undefined, clientState: "" });
      // Even for a subscription id it once knew (a state left from when notifications were on).
      await store.write(
        MAILBOX,
        { ...store.state(MAILBOX), subscription: { id: "old-subscription", expiresAt: clock.toISOString() } },
        store.documents.get(MAILBOX)?.etag,
      );
      await source.catchUp();
      const deltas = graph.callsTo(DELTA);
      const answer = source.handleNotification({
        query: {},
        body: { value: [{ subscriptionId: "old-subscription", clientState: "", changeType: "created" }] },
      });
      assert.equal(answer.status, 202);
      await source.idle();
      assert.equal(graph.callsTo(DELTA), deltas);
    });

    it("renews the subscription at the first poll less than a day before it expires, and only then", async () => {
      timers = sinon.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
      const source = await started();
      const [subscription] = graph.activeSubscriptions();
      const expiresAt = Date.parse(subscription.expirationDateTime);

      clock = new Date(clock.getTime() + 24 * 60 * 60_000);
      await poll(source);
      assert.equal(graph.callsTo(RENEW), 0, "6 days left: no renewal");

      clock = new Date(expiresAt - RENEW_WITHIN_MS - 60_000);
      await poll(source);
      assert.equal(graph.callsTo(RENEW), 0, "a day and a minute left");
      clock = new Date(expiresAt - RENEW_WITHIN_MS + 60_000);
      await poll(source);
      assert.equal(graph.callsTo(RENEW), 1);
      assert.equal(graph.callsTo(CREATE), 1, "renewed, not made again");
      const renewed = clock.getTime() + SUBSCRIPTION_MINUTES * 60_000;
      assert.equal(Date.parse(graph.subscriptions.get(subscription.id)!.expirationDateTime), renewed);
      assert.deepEqual(store.state(MAILBOX).subscription, { id: subscription.id, expiresAt: new Date(renewed).toISOString() });
      await poll(source);
      assert.equal(graph.callsTo(RENEW), 1);
    });

    it("makes a new subscription when the renewal finds the old one gone (404), and forgets the old id", async () => {
      timers = sinon.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
      const source = await started();
      const [old] = graph.activeSubscriptions();
      graph.dropSubscription(old.id);
      clock = new Date(Date.parse(old.expirationDateTime) - 2 * 60 * 60_000);
      await poll(source);
      assert.equal(graph.callsTo(RENEW), 1);
      assert.equal(graph.callsTo(CREATE), 2);
      const [fresh] = graph.activeSubscriptions();
      assert.notEqual(fresh.id, old.id);
      assert.equal(store.state(MAILBOX).subscription?.id, fresh.id);

      await graph.deliver(ADDRESS, mime(1));
      await source.idle();
      assert.equal(received.length, 1);
      // The old subscription's id is no longer one PALS Desk knows.
      const deltas = graph.callsTo(DELTA);
      await graph.post(endpoint, { value: [{ subscriptionId: old.id, clientState: CLIENT_STATE, changeType: "created" }] });
      await source.idle();
      assert.equal(graph.callsTo(DELTA), deltas);
    });

    it("acts on lifecycle notifications: reauthorizationRequired renews, subscriptionRemoved makes a new one, missed syncs", async () => {
      const source = await started();
      const [subscription] = graph.activeSubscriptions();
      await graph.deliver(ADDRESS, mime(1), { notify: false });

      assert.equal(await graph.sendLifecycle(subscription.id, "reauthorizationRequired"), 202);
      await source.idle();
      assert.equal(graph.callsTo(RENEW), 1);
      assert.equal(received.length, 1, "and the mailbox is read");

      await graph.deliver(ADDRESS, mime(2), { notify: false });
      assert.equal(await graph.sendLifecycle(subscription.id, "missed"), 202);
      await source.idle();
      assert.equal(received.length, 2);

      graph.dropSubscription(subscription.id);
      assert.equal(await graph.sendLifecycle(subscription.id, "subscriptionRemoved"), 202);
      await source.idle();
      assert.equal(graph.callsTo(CREATE), 2);
      assert.equal(graph.activeSubscriptions().length, 1);
      assert.notEqual(store.state(MAILBOX).subscription?.id, subscription.id);

      const creates = graph.callsTo(CREATE);
      assert.equal(await graph.sendLifecycle(subscription.id, "subscriptionRemoved", "a-guess"), 202);
      await source.idle();
      assert.equal(graph.callsTo(CREATE), creates, "a forged lifecycle notification does nothing");
    });

    it("has two instances sharing one state store make one subscription, and either one acts on its notifications", async () => {
      timers = sinon.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
      const one = mailbox();
      const two = mailbox();
      await Promise.all([one.start(receive), two.start(receive)]);
      await Promise.all([one.idle(), two.idle()]);
      assert.equal(graph.callsTo(CREATE), 1, "one subscription made");
      assert.equal(graph.subscriptions.size, 1);
      const [subscription] = graph.activeSubscriptions();
      assert.equal(store.state(MAILBOX).subscription?.id, subscription.id);

      for (const [n, instance] of [
        [1, one],
        [2, two],
      ] as const) {
        routeTo = instance;
        await graph.deliver(ADDRESS, mime(n));
        await Promise.all([one.idle(), two.idle()]);
      }
      assert.deepEqual(
        received.map((incoming) => incoming.email.messageId),
        ["<message-1@sender.example.org>", "<message-2@sender.example.org>"],
      );

      // Both due for renewal at once: one renews, or both renew the same subscription; never a second one.
      clock = new Date(Date.parse(subscription.expirationDateTime) - 60 * 60_000);
      await poll(one, two);
      assert.ok(graph.callsTo(RENEW) >= 1);
      assert.equal(graph.callsTo(CREATE), 1);
      assert.equal(graph.subscriptions.size, 1);
      assert.equal(store.state(MAILBOX).subscription?.id, subscription.id);
    });

    it("subscribes again at the next poll when the handshake fails, and reads mail by polling meanwhile", async () => {
      timers = sinon.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
      const source = await started({ notificationUrl: endpoint.replace(/notifications$/, "nowhere") });
      assert.equal(graph.activeSubscriptions().length, 0);
      assert.deepEqual(
        graph.validations.map((validation) => validation.status),
        [404],
      );
      assert.equal(store.state(MAILBOX).subscription, undefined, "the claim is given up");
      const error = logLines.find((line) => line.level === "error");
      assert.equal(error?.status, 400);
      await graph.deliver(ADDRESS, mime(1));
      await poll(source);
      assert.equal(received.length, 1);
      assert.equal(graph.callsTo(CREATE), 2, "tried again at the poll");
    });
  });

  it("answers 404 on the notification route when PALS Desk reads no mailbox through Graph", async () => {
    const { server: bare } = httpServer({
      config: { turnsAtOnce: 1 } as Config,
      log,
      teams: {} as TeamsEndpoint,
      jobs: {} as Jobs,
      store: {} as Store,
      downloads: {} as DownloadShelf,
    });
    await new Promise<void>((resolve) => bare.listen(0, "127.0.0.1", () => resolve()));
    try {
      const answer = await fetch(`http://127.0.0.1:${(bare.address() as AddressInfo).port}/api/mail/notifications?validationToken=x`, { method: "POST" });
      assert.equal(answer.status, 404);
    } finally {
      bare.server.closeAllConnections();
      await new Promise<void>((resolve) => bare.close(() => resolve()));
    }
  });
});
