import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import { cardText, startTestBot, type TestBot } from "../helpers/bot";
import { MANAGER, OFFICER, TENANT_ID, type TeamsUser } from "../helpers/activities";
import { TestTokenIssuer } from "../helpers/botFrameworkTokens";
import { FakeEntra, GRAPH_BASE, LOGIN_HOST } from "../helpers/fakeEntra";

const APP_ID = "6d1f2c3b-0000-4000-8000-00000000a99e";
const SECRET = "the-bot-registration-client-secret";
const MANAGERS_GROUP = "aaaaaaaa-0000-4000-8000-000000000001";
const PATIENT_EXPERIENCE_TEAM = "aaaaaaaa-0000-4000-8000-000000000009";

describe("roles from Entra ID security groups, end to end (real HTTP, real token checks, fake Graph on loopback)", function () {
  this.timeout(60_000);
  let issuer: TestTokenIssuer;
  let entra: FakeEntra;
  let t: TestBot;
  let clock: Date;

  before(async () => {
    issuer = await new TestTokenIssuer().start();
    entra = await new FakeEntra(APP_ID, SECRET).start();
    // Maya is a manager through a team group nested in the managers' group; Olivia is an officer by id only.
    entra.addMember(PATIENT_EXPERIENCE_TEAM, MANAGER.aadObjectId).addMember(MANAGERS_GROUP, PATIENT_EXPERIENCE_TEAM);
    clock = new Date("2026-03-10T10:00:00Z");
    t = await startTestBot({
      env: {
        MicrosoftAppId: APP_ID,
        MicrosoftAppPassword: SECRET,
        MicrosoftAppType: "MultiTenant",
        BOT_OPENID_METADATA_URL: issuer.metadataUrl,
        ALLOWED_TENANT_IDS: TENANT_ID,
        ROLE_OFFICERS: OFFICER.aadObjectId,
        ROLE_MANAGERS_GROUPS: MANAGERS_GROUP,
      },
      now: () => clock,
      entra: { graphBaseUrl: GRAPH_BASE, fetch: entra.fetch, tokenService: { authorityHost: LOGIN_HOST, httpClient: entra.httpClient } },
      authorization: (serviceUrl) => `Bearer ${issuer.token(APP_ID, serviceUrl)}`,
    });
  });
  after(async () => {
    await t.close();
    await entra.stop();
    await issuer.stop();
  });

  /** A manager-only card button: the report's period. */
  const report = async (who: TeamsUser) => cardText((await t.press("report.period", { period: "this-month" }, who)).value);

  it("lets a member of the managers' group (through a nested group) see reports", async () => {
    const text = await report(MANAGER);
    assert.match(text, /PALS report/);
    assert.match(text, /1 March 2026 to 10 March 2026/);
    assert.ok(entra.graphCalls.some((call) => call.userId === MANAGER.aadObjectId && call.groupIds.includes(MANAGERS_GROUP)));
    assert.ok(entra.tokenRequests.every((request) => request.tenantId === TENANT_ID));
  });

  it("keeps roles given by id, and gives nobody a group role they are not in", async () => {
    assert.match(await report(OFFICER), /Only PALS managers can see reports/);
    const caseCard = await t.press("case.refresh", { caseId: randomUUID() }, OFFICER);
    assert.match(cardText(caseCard.value), /Case not found/, "the officer may open cases");
  });

  it("refuses a group-only manager with a plain message during a Graph outage, logs it, and recovers by itself", async () => {
    clock = new Date(clock.getTime() + 6 * 60_000); // past the 5-minute cache
    entra.failGraph({ status: 500 });
    const before = t.logLines.length;
    const refused = await report(MANAGER);
    assert.match(refused, /PALS Desk couldn't check your team membership just now\. Try again in a few minutes; if it keeps happening, tell your IT team\./);
    assert.doesNotMatch(refused, /PALS report/);
    const logged = t.logLines.slice(before);
    const error = logged.find((line) => line.msg === "Could not read group membership from Microsoft Graph: no group roles given");
    assert.ok(error, "the outage is logged");
    assert.equal(error.level, "error");
    assert.equal(error.status, 500);
    assert.ok(!JSON.stringify(error).includes(MANAGER.aadObjectId), "no personal data in the error line");

    // Someone with a role by id keeps it; refused a manager action, they are told why that may be.
    assert.match(cardText((await t.press("case.refresh", { caseId: randomUUID() }, OFFICER)).value), /Case not found/);
    assert.match(
      await report(OFFICER),
      /Only PALS managers can see reports.*couldn't check your team membership just now, so only the roles given to you directly apply/s,
    );

    // Graph is left alone for 30 seconds after a failure, then asked again.
    clock = new Date(clock.getTime() + 31_000);
    assert.match(await report(MANAGER), /PALS report/);
  });
});
