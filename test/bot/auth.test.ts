import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import { cardText, startTestBot, type TestBot } from "../helpers/bot";
import { cardAction, OFFICER, OTHER_TENANT_ID, TENANT_ID } from "../helpers/activities";
import { TestTokenIssuer } from "../helpers/botFrameworkTokens";

const APP_ID = "6d1f2c3b-0000-4000-8000-00000000a99e";

describe("Bot Framework authentication and allowed tenants (real HTTP, real token validation)", () => {
  let issuer: TestTokenIssuer;
  let t: TestBot;

  before(async () => {
    issuer = await new TestTokenIssuer().start();
    t = await startTestBot({
      env: {
        MicrosoftAppId: APP_ID,
        MicrosoftAppPassword: "not-used-by-these-tests",
        MicrosoftAppType: "MultiTenant",
        BOT_OPENID_METADATA_URL: issuer.metadataUrl,
        ALLOWED_TENANT_IDS: TENANT_ID,
        ROLE_OFFICERS: OFFICER.aadObjectId,
      },
    });
  });
  after(async () => {
    await t.close();
    await issuer.stop();
  });

  /** An invoke is answered in the HTTP response, so no outgoing token is needed to see it was processed. */
  const probe = (tenantId = TENANT_ID) => cardAction("case.refresh", { caseId: randomUUID() }, { serviceUrl: t.connector.url, tenantId });

  async function post(activity: object, authorization?: string) {
    const response = await fetch(`${t.bot.url}/api/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
      body: JSON.stringify(activity),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  /** Runs `work` and returns what was written to stderr meanwhile (the SDK prints there with console.error). */
  async function stderrOf(work: () => Promise<void>): Promise<string> {
    let written = "";
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string | Uint8Array) => ((written += String(chunk)), true)) as typeof process.stderr.write;
    try {
      await work();
    } finally {
      process.stderr.write = write;
    }
    return written;
  }

  const refusals = () => t.logLines.filter((line) => line.msg === "Refused a request without a valid Bot Framework token");

  async function storedPeople(): Promise<number> {
    const { resources } = await t.bot.store.containers.conversations.items.query("SELECT VALUE COUNT(1) FROM c WHERE c.docType = 'person'").fetchAll();
    return resources[0] as number;
  }

  it("answers 401 without a token, and processes nothing", async () => {
    const before = refusals().length;
    const printed = await stderrOf(async () => {
      const answer = await post(probe());
      assert.equal(answer.status, 401);
    });
    assert.equal(await storedPeople(), 0, "the activity never reached the bot");
    assert.equal(printed, "", "a refusal is one log line, not a stack trace on stderr");
    assert.deepEqual(
      refusals()
        .slice(before)
        .map((line) => [line.level, line.reason]),
      [["warn", "no token"]],
    );
  });

  it("answers 401 to tokens that are forged, expired, for another bot or for another service URL", async () => {
    const activity = probe();
    const cases: [string, string][] = [
      ["garbage", "Bearer not-a-jwt"],
      ["unknown key", `Bearer ${issuer.token(APP_ID, t.connector.url, { kid: "someone-elses-key" })}`],
      ["expired", `Bearer ${issuer.token(APP_ID, t.connector.url, { expiresInSeconds: -3600 })}`],
      ["another bot", `Bearer ${issuer.token(randomUUID(), t.connector.url)}`],
      ["another service URL", `Bearer ${issuer.token(APP_ID, "https://smba.evil.example/")}`],
      ["another issuer", `Bearer ${issuer.token(APP_ID, t.connector.url, { claims: { iss: "https://evil.example" } })}`],
    ];
    const before = refusals().length;
    const printed = await stderrOf(async () => {
      for (const [what, authorization] of cases) {
        const answer = await post(activity, authorization);
        assert.equal(answer.status, 401, `${what} must be refused`);
      }
    });
    assert.equal(await storedPeople(), 0);
    assert.equal(printed, "", "refusals are log lines, not stack traces on stderr");
    const logged = refusals().slice(before);
    assert.equal(logged.length, cases.length, "one warning per refused request");
    assert.deepEqual(
      logged.map((line) => line.reason),
      ["not a valid token", "unknown signing key", "token expired", "token for another bot", "service URL does not match the token", "not a valid token"],
    );
    for (const line of logged) assert.ok(!JSON.stringify(line).includes("eyJ"), "no token in the log");
  });

  it("processes an activity carrying a valid token", async () => {
    const answer = await post(probe(), `Bearer ${issuer.token(APP_ID, t.connector.url)}`);
    assert.equal(answer.status, 200);
    assert.match(cardText(answer.body.value), /Case not found/);
  });

  it("serves only the configured tenants", async () => {
    const answer = await post(probe(OTHER_TENANT_ID), `Bearer ${issuer.token(APP_ID, t.connector.url)}`);
    assert.equal(answer.status, 200);
    assert.match(cardText(answer.body.value), /not set up for your organisation/);
  });
});

describe("Bot Framework authentication when the signing keys cannot be loaded", () => {
  it("logs an error naming the cause, not a refusal, and prints nothing on stderr", async () => {
    const issuer = await new TestTokenIssuer().start();
    // A metadata address that answers 404: as a mistyped BOT_OPENID_METADATA_URL would.
    const t = await startTestBot({
      env: { MicrosoftAppId: APP_ID, MicrosoftAppPassword: "not-used-by-these-tests", BOT_OPENID_METADATA_URL: `${issuer.url}/no-such-metadata` },
    });
    let written = "";
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string | Uint8Array) => ((written += String(chunk)), true)) as typeof process.stderr.write;
    try {
      const response = await fetch(`${t.bot.url}/api/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${issuer.token(APP_ID, t.connector.url)}` },
        body: JSON.stringify(cardAction("case.refresh", { caseId: randomUUID() }, { serviceUrl: t.connector.url })),
      });
      assert.notEqual(response.status, 200);
    } finally {
      process.stderr.write = write;
      await t.close();
      await issuer.stop();
    }
    assert.equal(written, "");
    const errors = t.logLines.filter((line) => line.level === "error");
    assert.equal(errors.length, 1, JSON.stringify(t.logLines.slice(-3)));
    assert.equal(errors[0].reason, "could not load the Bot Framework signing keys");
    assert.equal(t.logLines.filter((line) => line.msg === "Refused a request without a valid Bot Framework token").length, 0);
  });
});
