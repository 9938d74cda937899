import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { TEAM_MEMBERS_MS } from "../../src/teams/access/teamMembers";
import { NO_TRUST, ROLES_UNCHECKED } from "../../src/teams/access/identity";
import { cardOf, cardText, startTestBot, type TestBot } from "../helpers/bot";
import { channelMessage, messageExtensionQuery, personalMessage, TENANT_ID, type TeamsUser } from "../helpers/activities";
import { contactForm } from "../helpers/caseFixtures";

// Two trusts in one shared tenant (as on NHSmail), each known by the Teams teams it lists.
const TEAM_A = { id: "19:pals-aldermoor@thread.tacv2", name: "Aldermoor PALS" };
const MANAGERS_A = { id: "19:managers-aldermoor@thread.tacv2", name: "Aldermoor PALS managers" };
const TEAM_B = { id: "19:pals-bramley@thread.tacv2", name: "Bramley PALS" };
const UNREADABLE = { id: "19:pals-unreadable@thread.tacv2", name: "A team Teams can't list" };
const CHANNEL_A = { id: "19:alerts-aldermoor@thread.tacv2", name: "Alerts" };
const CHANNEL_B = { id: "19:alerts-bramley@thread.tacv2", name: "Alerts" };

const user = (n: number, name: string): TeamsUser => ({
  id: `29:trusts-${n}`,
  name,
  aadObjectId: `00000000-0000-4000-8000-0000000001${String(n).padStart(2, "0")}`,
});
const ANNA = user(1, "Anna Aldermoor officer");
const ARUN = user(2, "Arun Aldermoor officer");
const AMIRA = user(3, "Amira Aldermoor manager");
const BEN = user(4, "Ben Bramley officer");
const BELLA = user(5, "Bella Bramley manager");
const OUTSIDER = user(6, "Oscar from elsewhere");
const CARL = user(7, "Carl in an unreadable team");

const NOW = new Date("2026-03-10T10:00:00Z");

describe("two trusts in one shared tenant (TRUSTS_FILE, roles from Teams team membership, real HTTP)", function () {
  this.timeout(60_000);
  let t: TestBot;
  let clock: Date;
  const cases: Record<"A" | "B", { id: string; reference: string }> = {} as never;

  before(async () => {
    clock = NOW;
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "trusts-")), "trusts.json");
    fs.writeFileSync(
      file,
      JSON.stringify({
        $comment: "Two trusts on NHSmail's tenant",
        trusts: [
          {
            id: "RAA",
            name: "Aldermoor Hospitals NHS Trust",
            tenantId: TENANT_ID,
            roles: { officers: { teams: [TEAM_A.id] }, managers: { teams: [MANAGERS_A.id] } },
          },
          {
            id: "RBB",
            name: "Bramley Community NHS Trust",
            tenantId: TENANT_ID,
            roles: { officers: { teams: [TEAM_B.id] }, managers: { people: [BELLA.aadObjectId] } },
          },
        ],
      }),
    );
    t = await startTestBot({ env: { TRUSTS_FILE: file }, now: () => clock });
    // Three to a page of two: the continuation token is followed.
    t.connector.setTeamMembers(
      TEAM_A.id,
      [ANNA, { id: "28:a-bot", name: "A bot" }, ARUN].map((u) => ({ ...u })),
      2,
    );
    t.connector.setTeamMembers(MANAGERS_A.id, [AMIRA]);
    t.connector.setTeamMembers(TEAM_B.id, [BEN]);
  });
  after(async () => t.close());
  beforeEach(() => t.connector.reset());

  const o = () => ({ serviceUrl: t.connector.url });
  async function say(text: string, from: TeamsUser): Promise<string> {
    t.connector.reset();
    await t.send(personalMessage(text, { ...o(), from }));
    return t.connector.sentActivities.map((a) => `${a.text ?? ""}\n${cardText(cardOf(a))}\n${JSON.stringify(a.attachments ?? [])}`).join("\n");
  }
  async function log(from: TeamsUser, form: Record<string, unknown>): Promise<{ id: string; reference: string }> {
    const answer = await t.press("contact.submit", { formId: randomUUID(), ...contactForm(form) }, from);
    const text = JSON.stringify(answer.value);
    const id = text.match(/"caseId":"([0-9a-f-]{36})"/)?.[1];
    assert.ok(id, `a case card: ${cardText(answer.value)}`);
    return { id, reference: text.match(/PALS-2026-\d{6}/)![0] };
  }

  it("gives roles from team membership, read through the bot page by page, with no Graph permission", async () => {
    cases.A = await log(ANNA, {
      patientName: "Agatha Applewood",
      nhsNumber: "943 476 5919",
      receivedOn: "2026-03-09",
      eventOn: "2026-03-01",
      riskConsequence: "5",
      riskLikelihood: "4",
    });
    cases.B = await log(BEN, {
      patientName: "Beatrice Bramble",
      nhsNumber: "943 476 5870",
      receivedOn: "2026-03-09",
      eventOn: "2026-03-01",
      riskConsequence: "5",
      riskLikelihood: "4",
    });
    assert.ok(
      t.connector.pagedMembersCalls.some((call) => call.query.get("continuationToken") === "page-2"),
      "the second page was read",
    );
    // Arun is on the second page of Aldermoor's team.
    assert.match(await say("my cases", ARUN), /Agatha Applewood|PALS-2026-000001|no open cases/i);
    assert.doesNotMatch(await say("my cases", ARUN), /can't help|not set up/i);
  });

  it("numbers each trust's cases on its own: both trusts' first case is PALS-2026-000001", () => {
    assert.equal(cases.A.reference, "PALS-2026-000001");
    assert.equal(cases.B.reference, "PALS-2026-000001");
  });

  it("shows neither trust the other's cases: lists, searches, the case card, its buttons, reports and exports", async () => {
    for (const [who, own, other, otherName] of [
      [BEN, cases.B, cases.A, "Agatha Applewood"],
      [ANNA, cases.A, cases.B, "Beatrice Bramble"],
    ] as const) {
      for (const command of [
        "my cases",
        "due",
        `find ${otherName.split(" ")[1]}`,
        "find 943 476",
        `case ${other.reference}`,
        "report",
        "report ko41a",
        "export cases",
        "you said we did",
      ]) {
        const text = await say(command, who);
        assert.doesNotMatch(text, new RegExp(otherName.split(" ")[1]), `${who.name}: "${command}" names nothing of the other trust`);
        assert.ok(!text.includes(other.id), `${who.name}: "${command}" carries no id of the other trust's case`);
      }
      // The other trust's case id, forged into a button: not found, and nothing written.
      for (const verb of ["case.refresh", "case.addNote", "case.takeOwnership", "case.details"]) {
        const answer = await t.press(verb, { caseId: other.id, note: "forged", submission: randomUUID() }, who);
        assert.match(cardText(answer.value), /not found|can't find|couldn't find/i, `${verb} on the other trust's case`);
      }
      const own_ = await t.press("case.refresh", { caseId: own.id }, who);
      assert.ok(JSON.stringify(own_.value).includes(own.reference));
      const search = await t.send(messageExtensionQuery(otherName.split(" ")[1], { ...o(), from: who }));
      assert.doesNotMatch(JSON.stringify(search.body), new RegExp(otherName.split(" ")[1]));
    }
  });

  it("sends each trust's alerts to its own alerts channel only, from one sweep", async () => {
    await t.send(channelMessage("set alerts channel", { ...o(), from: AMIRA, team: MANAGERS_A, channel: CHANNEL_A }));
    await t.send(channelMessage("set alerts channel", { ...o(), from: BELLA, team: TEAM_B, channel: CHANNEL_B }));
    t.connector.reset();
    clock = new Date("2026-03-10T10:05:00Z");
    await t.bot.jobs.sweepNow();
    const alerts = t.connector.calls.filter((call) => call.method === "POST" && /\/activities/.test(call.path) && /risk/i.test(JSON.stringify(call.body)));
    const to = (channel: { id: string }) =>
      alerts.filter((call) => (call.conversationId ?? "").startsWith(channel.id)).map((call) => JSON.stringify(call.body));
    assert.ok(to(CHANNEL_A).some((body) => body.includes("Agatha")) || to(CHANNEL_A).length > 0, "Aldermoor's alert reached Aldermoor's channel");
    assert.ok(to(CHANNEL_B).length > 0, "Bramley's alert reached Bramley's channel");
    for (const body of to(CHANNEL_A)) assert.doesNotMatch(body, /Bramble/);
    for (const body of to(CHANNEL_B)) assert.doesNotMatch(body, /Applewood/);
  });

  it("a manager's role comes from the managers' team; a channel of a team a trust lists belongs to that trust", async () => {
    assert.doesNotMatch(await say("report", AMIRA), /can't help|Not available/i);
    // Bella is Bramley's manager by id: in Aldermoor's channel she is in Aldermoor's trust, where she has no role.
    t.connector.reset();
    await t.send(channelMessage("set alerts channel", { ...o(), from: BELLA, team: TEAM_A, channel: CHANNEL_A }));
    assert.match(t.connector.sentActivities.map((a) => `${a.text} ${cardText(cardOf(a))}`).join(" "), /manager|Not available|can't/i);
  });

  it("someone of the tenant in no trust gets signposting and the complaints process, and nothing else", async () => {
    assert.match(await say("my cases", OUTSIDER), new RegExp(NO_TRUST.slice(0, 40)));
    assert.match(await say("help", OUTSIDER), new RegExp(NO_TRUST.slice(0, 40)));
    assert.doesNotMatch(await say("signpost advocacy", OUTSIDER), /can't help/i);
    assert.match(await say("complaints process", OUTSIDER), /complain/i);
    const search = await t.send(messageExtensionQuery("Applewood", { ...o(), from: OUTSIDER }));
    assert.doesNotMatch(JSON.stringify(search.body), /Applewood|PALS-2026/);
    const forged = await t.press("case.refresh", { caseId: cases.A.id, trustId: "RAA" }, OUTSIDER);
    assert.match(cardText(forged.value), new RegExp(NO_TRUST.slice(0, 40)));
    // Nothing of them is remembered in either trust.
    const { resources } = await t.bot.store.containers.conversations.items
      .query({ query: "SELECT VALUE c.trustId FROM c WHERE c.aadObjectId = @id", parameters: [{ name: "@id", value: OUTSIDER.aadObjectId }] })
      .fetchAll();
    assert.deepEqual(resources, []);
  });

  it("a member removed from the team loses the role within the cache time", async () => {
    t.connector.setTeamMembers(TEAM_A.id, [ANNA], 2);
    assert.doesNotMatch(await say("my cases", ARUN), /PALS Desk works for the PALS teams/, "still cached");
    clock = new Date(clock.getTime() + TEAM_MEMBERS_MS + 1000);
    assert.match(await say("my cases", ARUN), new RegExp(NO_TRUST.slice(0, 40)));
  });
});

describe("a trust whose team Teams can't list (real HTTP)", function () {
  this.timeout(30_000);
  let t: TestBot;

  before(async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "trusts-")), "trusts.json");
    fs.writeFileSync(
      file,
      JSON.stringify({ trusts: [{ id: "RCC", tenantId: TENANT_ID, roles: { officers: { teams: [UNREADABLE.id], people: [ANNA.aadObjectId] } } }] }),
    );
    t = await startTestBot({ env: { TRUSTS_FILE: file }, now: () => NOW });
  });
  after(async () => t.close());

  async function say(text: string, from: TeamsUser): Promise<string> {
    t.connector.reset();
    await t.send(personalMessage(text, { serviceUrl: t.connector.url, from }));
    return t.connector.sentActivities.map((a) => `${a.text ?? ""}\n${cardText(cardOf(a))}`).join("\n");
  }

  it("gives no role from it, and tells someone with no other role that roles couldn't be checked", async () => {
    assert.match(await say("my cases", CARL), new RegExp(ROLES_UNCHECKED.slice(0, 40)));
    assert.ok(t.connector.pagedMembersCalls.length > 0, "Teams was asked");
  });

  it("keeps the roles given by id", async () => {
    assert.doesNotMatch(await say("my cases", ANNA), /couldn't check your team membership just now\. Try again/);
  });
});

describe("one trust configured in a shared tenant (real HTTP)", function () {
  this.timeout(30_000);
  let t: TestBot;
  const TEAM_D = { id: "19:pals-dunmore@thread.tacv2", name: "Dunmore PALS" };
  const GUEST = user(8, "Gail, a guest from a supplier");

  before(async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "trusts-")), "trusts.json");
    fs.writeFileSync(file, JSON.stringify({ trusts: [{ id: "RDD", tenantId: TENANT_ID, roles: { officers: { teams: [TEAM_D.id] } } }] }));
    t = await startTestBot({ env: { TRUSTS_FILE: file }, now: () => NOW });
    t.connector.setTeamMembers(TEAM_D.id, [{ ...ANNA }, { ...GUEST, userRole: "guest" }]);
  });
  after(async () => t.close());

  async function say(text: string, from: TeamsUser): Promise<string> {
    t.connector.reset();
    await t.send(personalMessage(text, { serviceUrl: t.connector.url, from }));
    return t.connector.sentActivities.map((a) => `${a.text ?? ""}\n${cardText(cardOf(a))}`).join("\n");
  }
  const remembered = async (who: TeamsUser) =>
    (
      await t.bot.store.containers.conversations.items
        .query({ query: "SELECT VALUE c.id FROM c WHERE c.aadObjectId = @id", parameters: [{ name: "@id", value: who.aadObjectId }] })
        .fetchAll()
    ).resources.length;

  it("does not make everyone in the tenant that trust's: someone with no role is in no trust, and is not remembered", async () => {
    assert.doesNotMatch(await say("my cases", ANNA), /PALS Desk works for the PALS teams/);
    assert.match(await say("my cases", OUTSIDER), new RegExp(NO_TRUST.slice(0, 40)));
    assert.equal(await remembered(OUTSIDER), 0);
    assert.ok((await remembered(ANNA)) > 0, "the officer is remembered");
  });

  it("gives a team's guest from another organisation no role from it", async () => {
    assert.match(await say("my cases", GUEST), new RegExp(NO_TRUST.slice(0, 40)));
  });
});
