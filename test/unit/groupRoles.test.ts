import { strict as assert } from "node:assert";
import { Writable } from "node:stream";
import { parseConfig } from "../../src/config";
import type { Role } from "../../src/domain";
import { botCredential } from "../../src/entra/credentials";
import { GraphGroupRoles, MAX_CONCURRENT_LOOKUPS, MEMBERSHIP_TTL_MS, OUTAGE_PAUSE_MS, type GroupRolesAnswer } from "../../src/entra/groupRoles";
import { createLogger } from "../../src/logger";
import { FakeEntra, GRAPH_BASE, LOGIN_HOST } from "../helpers/fakeEntra";

const APP_ID = "6d1f2c3b-0000-4000-8000-00000000a99e";
const SECRET = "a-client-secret-that-is-never-logged";
const TENANT = "72f988bf-0000-4000-8000-0000000000aa";
const OTHER_TENANT = "0b0b0b0b-0000-4000-8000-0000000000bb";
const MANAGERS = "aaaaaaaa-0000-4000-8000-000000000001";
const OFFICERS = "aaaaaaaa-0000-4000-8000-000000000002";
const NESTED = "aaaaaaaa-0000-4000-8000-000000000003";
const MAYA = "00000000-0000-4000-8000-0000000000a2";
const OLIVIA = "00000000-0000-4000-8000-0000000000a1";
const NOBODY = "00000000-0000-4000-8000-0000000000ff";

const rolesOf = (answer: GroupRolesAnswer): Role[] | "unchecked" => (answer.ok ? [...answer.roles].sort() : "unchecked");

describe("roles from Entra ID security groups, read from a fake Microsoft Graph on loopback (token endpoint included)", () => {
  let entra: FakeEntra;
  let clock: number;
  let logLines: Record<string, unknown>[];

  before(async () => {
    entra = await new FakeEntra(APP_ID, SECRET).start();
  });
  after(async () => entra.stop());
  beforeEach(() => {
    entra.reset();
    entra.members.clear();
    entra.absentUsers.clear();
    clock = Date.parse("2026-03-10T10:00:00Z");
    logLines = [];
  });

  /** The lookup as the bot builds it: its ClientSecretCredential per tenant, against the fake token service. */
  function lookup(
    groups: Partial<Record<Role, string[]>> = { manager: [MANAGERS], officer: [OFFICERS] },
    tenants = [TENANT],
    deadlineMs?: number,
  ): GraphGroupRoles {
    const config = parseConfig({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: SECRET, ALLOWED_TENANT_IDS: TENANT });
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split("\n")) if (line.trim()) logLines.push(JSON.parse(line));
        done();
      },
    });
    return new GraphGroupRoles({
      groups: { officer: [], volunteer: [], manager: [], admin: [], lead: [], ...groups },
      tenants,
      credentialFor: (tenantId) => botCredential(config.bot!, tenantId, { authorityHost: LOGIN_HOST, httpClient: entra.httpClient }),
      log: createLogger("debug", sink),
      now: () => clock,
      graphBaseUrl: GRAPH_BASE,
      fetch: entra.fetch,
      deadlineMs,
    });
  }

  it("gives the role of a group the person is in, with an app-only token from the bot's client credentials", async () => {
    entra.addMember(MANAGERS, MAYA).addMember(OFFICERS, OLIVIA);
    const groups = lookup();
    assert.deepEqual(rolesOf(await groups.rolesOf(TENANT, MAYA)), ["manager"]);
    assert.deepEqual(rolesOf(await groups.rolesOf(TENANT, OLIVIA)), ["officer"]);
    assert.deepEqual(rolesOf(await groups.rolesOf(TENANT, NOBODY)), []);

    // One token for the tenant (client credentials, the Graph scope), reused for every lookup.
    assert.equal(entra.tokenRequests.length, 1);
    const [{ tenantId, form }] = entra.tokenRequests;
    assert.equal(tenantId, TENANT);
    assert.equal(form.get("grant_type"), "client_credentials");
    assert.equal(form.get("client_id"), APP_ID);
    assert.equal(form.get("scope"), "https://graph.microsoft.com/.default");
    // One checkMemberGroups request a person, carrying every configured group, with the token.
    assert.deepEqual(
      entra.graphCalls.map((call) => [call.method, call.path, [...call.groupIds].sort()]),
      [MAYA, OLIVIA, NOBODY].map((id) => ["POST", `/v1.0/users/${id}/checkMemberGroups`, [MANAGERS, OFFICERS].sort()]),
    );
    for (const call of entra.graphCalls) assert.match(call.authorization ?? "", /^Bearer graph-token-/);
  });

  it("follows nested groups (transitive membership)", async () => {
    // Maya is in a team group that is itself a member of the managers' group.
    entra.addMember(NESTED, MAYA).addMember(MANAGERS, NESTED);
    assert.deepEqual(rolesOf(await lookup().rolesOf(TENANT, MAYA)), ["manager"]);
  });

  it("asks about at most 20 groups a request: 25 configured groups take two requests", async () => {
    const officerGroups = Array.from({ length: 22 }, (_, i) => `bbbbbbbb-0000-4000-8000-${String(i).padStart(12, "0")}`);
    const managerGroups = Array.from({ length: 3 }, (_, i) => `cccccccc-0000-4000-8000-${String(i).padStart(12, "0")}`);
    entra.addMember(managerGroups[2], MAYA).addMember(officerGroups[21], MAYA);
    const answer = await lookup({ officer: officerGroups, manager: managerGroups }).rolesOf(TENANT, MAYA);
    assert.deepEqual(rolesOf(answer), ["manager", "officer"]);
    assert.deepEqual(
      entra.graphCalls.map((call) => call.groupIds.length),
      [20, 5],
    );
    assert.deepEqual(new Set(entra.graphCalls.flatMap((call) => call.groupIds)), new Set([...officerGroups, ...managerGroups]));
  });

  it("waits as Graph asks when throttled (429 Retry-After) and then answers", async () => {
    entra.addMember(MANAGERS, MAYA);
    entra.failGraph({ status: 429, headers: { "retry-after": "0" }, body: { error: { code: "TooManyRequests", message: "Too many requests" } } });
    assert.deepEqual(rolesOf(await lookup().rolesOf(TENANT, MAYA)), ["manager"]);
    assert.equal(entra.graphCalls.length, 2, "the throttled request was sent again");
    assert.equal(logLines.filter((line) => line.level === "error").length, 0);
  });

  it("gives no group role when Graph keeps failing (5xx after its retries), and logs it without personal data", async () => {
    entra.addMember(MANAGERS, MAYA);
    const unavailable = { status: 503, headers: { "retry-after": "0" } };
    entra.failGraph(unavailable, unavailable, unavailable, unavailable);
    assert.equal(rolesOf(await lookup().rolesOf(TENANT, MAYA)), "unchecked");
    assert.equal(entra.graphCalls.length, 4, "the first request and three retries");
    const errors = logLines.filter((line) => line.level === "error");
    assert.equal(errors.length, 1);
    assert.equal(errors[0].msg, "Could not read group membership from Microsoft Graph: no group roles given");
    assert.equal(errors[0].status, 503);
    assert.equal(errors[0].tenantId, TENANT);
    assert.deepEqual(errors[0].err, { name: "Error", code: "Scripted", statusCode: 503 });
    const logged = JSON.stringify(logLines);
    for (const secret of [MAYA, SECRET, "graph-token-", "scripted 503"]) assert.ok(!logged.includes(secret), `${secret} is not logged`);
  });

  it("gives no group role when throttled for longer than a card can wait, without waiting", async () => {
    entra.addMember(MANAGERS, MAYA);
    entra.failGraph({ status: 429, headers: { "retry-after": "120" } });
    const started = Date.now();
    assert.equal(rolesOf(await lookup().rolesOf(TENANT, MAYA)), "unchecked");
    assert.ok(Date.now() - started < 1000, "no 2-minute wait");
    assert.equal(entra.graphCalls.length, 1);
    assert.equal(logLines.find((line) => line.level === "error")?.hint, "Microsoft Graph is throttling PALS Desk");
  });

  it("gives no group role when no token can be had (a wrong secret, no consent), and says to check the bot's credentials", async () => {
    entra.addMember(MANAGERS, MAYA);
    entra.failTokens({ status: 401, body: { error: "invalid_client", error_description: "AADSTS7000215: Invalid client secret provided." } });
    assert.equal(rolesOf(await lookup().rolesOf(TENANT, MAYA)), "unchecked");
    assert.equal(entra.graphCalls.length, 0, "Graph is not asked without a token");
    const error = logLines.find((line) => line.level === "error");
    assert.match(String(error?.hint), /could not get a Microsoft Graph token: check MicrosoftAppId, MicrosoftAppPassword/);
    assert.ok(!JSON.stringify(logLines).includes("AADSTS7000215"), "not the token service's own words");
  });

  it("gives no group role when Graph can't be reached at all", async () => {
    const unreachable = await new FakeEntra(APP_ID, SECRET).start();
    const config = parseConfig({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: SECRET, ALLOWED_TENANT_IDS: TENANT });
    const groups = new GraphGroupRoles({
      groups: { officer: [], volunteer: [], manager: [MANAGERS], admin: [], lead: [] },
      tenants: [TENANT],
      credentialFor: (tenantId) => botCredential(config.bot!, tenantId, { authorityHost: LOGIN_HOST, httpClient: entra.httpClient }),
      log: createLogger("silent"),
      graphBaseUrl: GRAPH_BASE,
      fetch: unreachable.fetch,
    });
    await unreachable.stop(); // its port now refuses connections
    assert.equal(rolesOf(await groups.rolesOf(TENANT, MAYA)), "unchecked");
  });

  it("reuses a person's groups for 5 minutes, then asks Graph again", async () => {
    entra.addMember(MANAGERS, MAYA);
    const groups = lookup();
    assert.deepEqual(rolesOf(await groups.rolesOf(TENANT, MAYA)), ["manager"]);
    clock += MEMBERSHIP_TTL_MS - 1;
    assert.deepEqual(rolesOf(await groups.rolesOf(TENANT, MAYA.toUpperCase())), ["manager"]);
    assert.equal(entra.graphCalls.length, 1, "a cache hit makes no Graph request");
    // Maya leaves the managers' group: it shows once the cached answer is 5 minutes old.
    entra.members.get(MANAGERS)!.delete(MAYA);
    clock += 1;
    assert.deepEqual(rolesOf(await groups.rolesOf(TENANT, MAYA)), []);
    assert.equal(entra.graphCalls.length, 2);
  });

  it("asks once for a person looked up twice at the same time", async () => {
    entra.addMember(MANAGERS, MAYA);
    const groups = lookup();
    const answers = await Promise.all([groups.rolesOf(TENANT, MAYA), groups.rolesOf(TENANT, MAYA)]);
    assert.deepEqual(answers.map(rolesOf), [["manager"], ["manager"]]);
    assert.equal(entra.graphCalls.length, 1);
  });

  it("after a failure leaves Graph alone for 30 seconds (answering 'could not check' at once), then asks again", async () => {
    entra.addMember(MANAGERS, MAYA).addMember(OFFICERS, OLIVIA);
    entra.failGraph({ status: 500 });
    const groups = lookup();
    assert.equal(rolesOf(await groups.rolesOf(TENANT, MAYA)), "unchecked");
    clock += OUTAGE_PAUSE_MS - 1;
    assert.equal(rolesOf(await groups.rolesOf(TENANT, OLIVIA)), "unchecked");
    assert.equal(entra.graphCalls.length, 1, "no request during the pause");
    clock += 1;
    assert.deepEqual(rolesOf(await groups.rolesOf(TENANT, OLIVIA)), ["officer"]);
    assert.deepEqual(rolesOf(await groups.rolesOf(TENANT, MAYA)), ["manager"]);
  });

  it(`asks about at most ${MAX_CONCURRENT_LOOKUPS} people at once, and not about those still waiting once Graph has failed`, async () => {
    const people = Array.from({ length: MAX_CONCURRENT_LOOKUPS + 6 }, (_, i) => `00000000-0000-4000-8000-0000000001${String(i).padStart(2, "0")}`);
    entra.failGraph(...people.map(() => ({ status: 500 })));
    const groups = lookup();
    const answers = await Promise.all(people.map((id) => groups.rolesOf(TENANT, id)));
    assert.ok(answers.every((answer) => !answer.ok));
    assert.equal(entra.graphCalls.length, MAX_CONCURRENT_LOOKUPS, "the first ones asked; those waiting saw the failure and did not");
  });

  it("answers 'could not check' when its time runs out, a wait for its turn included, rather than hold up the card", async () => {
    entra.addMember(MANAGERS, MAYA);
    entra.graphDelayMs = 400;
    const people = [MAYA, ...Array.from({ length: MAX_CONCURRENT_LOOKUPS + 1 }, (_, i) => `00000000-0000-4000-8000-0000000002${String(i).padStart(2, "0")}`)];
    const groups = lookup(undefined, undefined, 150);
    const started = Date.now();
    const answers = await Promise.all(people.map((id) => groups.rolesOf(TENANT, id)));
    assert.ok(Date.now() - started < 380, `answered at the time limit, not when Graph answered (${Date.now() - started} ms)`);
    assert.ok(
      answers.every((answer) => !answer.ok),
      "nobody got a role Graph had not confirmed in time",
    );
    // At most the first ones asked (fewer when the machine is slow to get a token within the limit): those waiting never did.
    assert.ok(entra.graphCalls.length <= MAX_CONCURRENT_LOOKUPS, `those still waiting their turn never asked (${entra.graphCalls.length} asked)`);
    assert.equal(logLines.find((line) => line.level === "error")?.hint, "Microsoft Graph did not answer in time");
  });

  it("treats a person Graph does not know (404) as in no group, not as an outage", async () => {
    entra.absentUsers.add(NOBODY);
    assert.deepEqual(rolesOf(await lookup().rolesOf(TENANT, NOBODY)), []);
    assert.equal(logLines.filter((line) => line.level === "error").length, 0);
  });

  it("never asks Graph about a tenant that is not served", async () => {
    entra.addMember(MANAGERS, MAYA);
    assert.deepEqual(rolesOf(await lookup().rolesOf(OTHER_TENANT, MAYA)), []);
    assert.equal(entra.tokenRequests.length + entra.graphCalls.length, 0);
  });
});
