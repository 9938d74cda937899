// The PALS inbox through Microsoft Graph, end to end: three instances of the real bot (real restify, real Bot
// Framework token checks, @azure/identity and the Graph client) over one store, a fake Graph and token service on
// loopback implementing the real routes. Graph's notifications reach one instance; every instance polls. Each email
// is kept once, gets one triage card and becomes one case.
import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import { channelMessage, MANAGER, OFFICER, TENANT_ID } from "../helpers/activities";
import { cardText, startTestBot, type TestBot } from "../helpers/bot";
import { TestTokenIssuer } from "../helpers/botFrameworkTokens";
import { contactForm } from "../helpers/caseFixtures";
import { GRAPH_BASE, LOGIN_HOST } from "../helpers/fakeEntra";
import { FakeGraphDrive } from "../helpers/fakeGraphDrive";
import { freePort } from "../helpers/ports";
import { startEmbeddedCosmos, type EmbeddedCosmos } from "../../src/store/embedded";
import type { GraphMailbox } from "../../src/mail/graphMailbox";

const APP_ID = "6d1f2c3b-0000-4000-8000-00000000a99e";
const SECRET = "the-bot-registration-client-secret";
const MAILBOX = "pals.exampletrust@nhs.net";
const CLIENT_STATE = "graph-notifications-client-state-0123456789";
const SITE_ID = "trust.sharepoint.test,5b2c1e0a-0000-4000-8000-000000000001,5b2c1e0a-0000-4000-8000-000000000002";
const DRIVE_ID = "b!palsDeskLibrary0001";

function mime(n: number): string {
  return [
    `Message-ID: <graph-${n}@example.org>`,
    "From: Sam Example <sam.example@example.org>",
    `To: ${MAILBOX}`,
    `Subject: Appointment letter ${n}`,
    "Date: Tue, 10 Mar 2026 09:00:00 +0000",
    "MIME-Version: 1.0",
    'Content-Type: multipart/mixed; boundary="b1"',
    "",
    "--b1",
    "Content-Type: text/plain; charset=utf-8",
    "",
    `My appointment letter ${n} never arrived.`,
    "--b1",
    `Content-Type: application/pdf; name="letter-${n}.pdf"`,
    `Content-Disposition: attachment; filename="letter-${n}.pdf"`,
    "Content-Transfer-Encoding: base64",
    "",
    Buffer.from(`%PDF-1.4\nletter ${n}\n%%EOF\n`).toString("base64"),
    "--b1--",
    "",
  ].join("\r\n");
}

describe("the PALS inbox through Microsoft Graph, three instances over one store (fake Graph on loopback)", function () {
  this.timeout(60_000);
  let issuer: TestTokenIssuer;
  let graph: FakeGraphDrive;
  let cosmos: EmbeddedCosmos;
  let bots: TestBot[];
  const clock = new Date("2026-03-10T10:00:00Z");

  before(async () => {
    issuer = await new TestTokenIssuer().start();
    graph = await new FakeGraphDrive(APP_ID, SECRET).start();
    graph.addDrive(SITE_ID, DRIVE_ID).grantSite(SITE_ID);
    graph.now = () => clock;
    graph.addMailbox(MAILBOX);
    cosmos = await startEmbeddedCosmos(0);
    const port = await freePort();
    const env = (p: number) => ({
      PORT: String(p),
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: SECRET,
      MicrosoftAppType: "MultiTenant" as const,
      BOT_OPENID_METADATA_URL: issuer.metadataUrl,
      ALLOWED_TENANT_IDS: TENANT_ID,
      ROLE_OFFICERS: OFFICER.aadObjectId,
      ROLE_MANAGERS: MANAGER.aadObjectId,
      COSMOS_ENDPOINT: cosmos.endpoint,
      COSMOS_KEY: cosmos.key,
      MAILBOX: "graph",
      MAILBOX_ADDRESSES: MAILBOX,
      // Graph's notifications go to the first instance (a load balancer's choice); all three poll.
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      MAIL_CLIENT_STATE: CLIENT_STATE,
      // The case's documents in the PALS team's SharePoint library (Sites.Selected on its site).
      DOCUMENTS: "sharepoint",
      SHAREPOINT_SITE_ID: SITE_ID,
      SHAREPOINT_DRIVE_ID: DRIVE_ID,
      MAILBOX_TRUST: TENANT_ID,
      DOCUMENT_LINK_SECRET: "a-document-link-secret-shared-by-every-instance",
    });
    bots = [];
    for (const p of [port, 0, 0]) {
      bots.push(
        await startTestBot({
          env: env(p),
          now: () => clock,
          entra: { graphBaseUrl: GRAPH_BASE, fetch: graph.fetch, tokenService: { authorityHost: LOGIN_HOST, httpClient: graph.httpClient } },
          authorization: (serviceUrl) => `Bearer ${issuer.token(APP_ID, serviceUrl)}`,
        }),
      );
    }
    const [first] = bots;
    await first.send(channelMessage("set inbox channel", { serviceUrl: first.connector.url, from: MANAGER }));
    for (const bot of bots) await (bot.bot.mailbox as GraphMailbox).idle();
  });
  after(async () => {
    for (const bot of bots) await bot.close();
    await cosmos.stop();
    await graph.stop();
    await issuer.stop();
  });

  /** The triage cards queued (sending them needs a Bot Framework token, which the tests can't get: the folder tests see them sent). */
  async function queuedCards(): Promise<string[]> {
    const { resources } = await bots[0].bot.store.containers.jobs.items
      .query("SELECT VALUE c.payload.emailId FROM c WHERE c.docType = 'outbox' AND c.payload.kind = 'inbox-email'")
      .fetchAll();
    return resources as string[];
  }

  it("subscribes once for the mailbox, answering Graph's validation", () => {
    const subscriptions = graph.graphCalls.filter((call) => call.method === "POST" && call.path === "/v1.0/subscriptions");
    assert.equal(subscriptions.length, 1, "one subscription for three instances");
  });

  it("keeps each email once and queues one triage card for it, whether a notification or a poll finds it first", async () => {
    await graph.deliver(MAILBOX, mime(1));
    await graph.deliver(MAILBOX, mime(2), { notify: false }); // a lost notification: the polls find it
    // Every instance reads the mailbox at once, as their polls would.
    await Promise.all(bots.map((bot) => bot.bot.mailbox!.catchUp()));
    for (const bot of bots) await (bot.bot.mailbox as GraphMailbox).idle();
    const { resources: emails } = await bots[0].bot.store.containers.inbox.items.query("SELECT c.id, c.subject FROM c WHERE c.docType = 'email'").fetchAll();
    assert.deepEqual(emails.map((e) => e.subject).sort(), ["Appointment letter 1", "Appointment letter 2"]);
    assert.deepEqual((await queuedCards()).sort(), emails.map((e) => e.id).sort(), "one card each");
  });

  it("makes one case from an email logged on two instances at once", async () => {
    const [emailId] = await queuedCards();
    const data = { ...contactForm({ receivedOn: "2026-03-10" }), fromEmail: emailId };
    const [a, b] = await Promise.all([
      bots[1].press("contact.submit", { ...data, formId: randomUUID() }, OFFICER),
      bots[2].press("contact.submit", { ...data, formId: randomUUID() }, OFFICER),
    ]);
    const references = [a, b].map((answer) => cardText(answer.value).match(/PALS-2026-\d{6}/)?.[0]);
    assert.ok(references[0]);
    assert.equal(references[0], references[1], "the same case on both");
    const { resources } = await bots[0].bot.store.containers.cases.items.query("SELECT VALUE COUNT(1) FROM c WHERE c.docType = 'case'").fetchAll();
    assert.equal(resources[0], 1);
  });

  it("keeps an email's attachment in the SharePoint library, lists it on the case and opens it from there, on any instance", async () => {
    const [emailId] = await queuedCards();
    const { resources } = await bots[0].bot.store.containers.cases.items.query("SELECT * FROM c WHERE c.docType = 'case'").fetchAll();
    const c = resources[0];
    assert.equal(c.documents?.length, 1, "the email's attachment is on the case");
    assert.match(c.documents[0].key, new RegExp(`^emails/${emailId}/1-[0-9a-f]{32}$`), "kept under the email, named by its content");
    const kept = [...graph.drives.get(DRIVE_ID)!.items.keys()].filter((path) => path.includes(emailId));
    assert.ok(kept.length > 0, `the attachment is in the SharePoint library: ${[...graph.drives.get(DRIVE_ID)!.items.keys()].join(", ")}`);
    const opened = await bots[2].press("case.openDocument", { caseId: c.id, documentId: c.documents[0].id }, OFFICER);
    const url = /"url":"([^"]+)"/.exec(JSON.stringify(opened.value))![1];
    // Made on one instance, opened on another (the link secret is shared), read from SharePoint.
    const link = new URL(url).search;
    const download = await fetch(`${bots[1].bot.url}/api/documents${link}`);
    assert.equal(download.status, 200);
    assert.match(Buffer.from(await download.arrayBuffer()).toString(), /^%PDF-1\.4\nletter [12]\n/);
  });
});
