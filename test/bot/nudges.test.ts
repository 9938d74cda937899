import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import sinon from "sinon";
import type { Case, OutboxItem } from "../../src/domain";
import { CosmosSweepCursor } from "../../src/store/jobsRepository";
import { cardOf, cardText, startTestBot, type TestBot } from "../helpers/bot";
import {
  ADMIN,
  BOT,
  cardAction,
  channelMessage,
  MANAGER,
  OFFICER,
  personalInstall,
  personalMessage,
  TEAM,
  teamInstall,
  TENANT_ID,
  type TeamsUser,
} from "../helpers/activities";
import { contactForm, makeCase } from "../helpers/caseFixtures";
import { CosmosCaseRepository } from "../../src/store/caseRepository";
import { DEFAULT_RETENTION, DEFAULT_RULES } from "../../src/domain";

const ROLES = {
  ROLE_OFFICERS: OFFICER.aadObjectId,
  ROLE_MANAGERS: MANAGER.aadObjectId,
  ROLE_ADMINS: ADMIN.aadObjectId,
};

/** Monday 9 March 2026 (GMT), at a London wall-clock time. */
const at = (day: string, time: string) => new Date(`${day}T${time}:00Z`);

describe("deadline nudges and manager alerts (real HTTP activities)", () => {
  let t: TestBot;
  let now: Date;

  beforeEach(async () => {
    now = at("2026-03-09", "10:00");
    t = await startTestBot({ env: ROLES, now: () => now });
    // Everyone has PALS Desk installed, so the bot knows their personal chats.
    for (const person of [OFFICER, MANAGER, ADMIN]) await t.send(personalInstall({ serviceUrl: t.connector.url, from: person }));
    t.connector.reset();
  });
  afterEach(async () => t.close());

  const invoke = (verb: string, data: Record<string, unknown>, from: TeamsUser = OFFICER, activity: object = {}) => t.press(verb, data, from, { activity });

  async function logContact(overrides: Record<string, unknown>, from: TeamsUser = OFFICER): Promise<Case> {
    const answer = await invoke(
      "contact.submit",
      { formId: randomUUID(), ...contactForm({ receivedOn: "2026-03-09", eventOn: "2026-03-01", ...overrides }) },
      from,
    );
    const caseId = answer.value.refresh.action.data.caseId;
    return (await t.bot.store.containers.cases.item(caseId, TENANT_ID).read<Case>()).resource!;
  }

  const messagesTo = (conversationId: string) =>
    t.connector.calls.filter((call) => call.method === "POST" && call.conversationId === conversationId && call.body?.type === "message");
  const personalChatOf = (person: TeamsUser) => `a:1personal-${person.aadObjectId}`;

  async function setAlertsChannel(): Promise<string> {
    const message = channelMessage("set alerts channel", { serviceUrl: t.connector.url, from: MANAGER });
    await t.send(message);
    assert.match(t.connector.sentActivities.at(-1).text, /manager alerts .* will be posted in this channel/);
    return message.channelData.channel.id;
  }

  it("remembers each person's chat on install and forgets it on uninstall", async () => {
    const stored = await t.bot.store.containers.conversations.item(`person-${OFFICER.aadObjectId}`, TENANT_ID).read();
    assert.equal(stored.resource.personalConversation.conversationId, personalChatOf(OFFICER));
    await t.send({ ...personalInstall({ serviceUrl: t.connector.url }), type: "installationUpdate", action: "remove", membersAdded: undefined });
    const after = await t.bot.store.containers.conversations.item(`person-${OFFICER.aadObjectId}`, TENANT_ID).read();
    assert.equal(after.resource.personalConversation, undefined);
  });

  it("remembers a team the bot is added to, and forgets it and its alerts channel when removed", async () => {
    await t.send(teamInstall({ serviceUrl: t.connector.url }));
    const team = await t.bot.store.containers.conversations.item(`team-${TEAM.id}`, TENANT_ID).read();
    assert.equal(team.resource.address.conversationId, TEAM.id);
    await setAlertsChannel();
    await t.send({ ...teamInstall({ serviceUrl: t.connector.url }), membersAdded: undefined, membersRemoved: [{ id: BOT.id }] });
    assert.equal((await t.bot.store.containers.conversations.item(`team-${TEAM.id}`, TENANT_ID).read()).resource, undefined);
    assert.equal((await t.bot.store.containers.conversations.item("alerts-channel", TENANT_ID).read()).resource, undefined);
  });

  it("sends each owner one digest card at 09:00 on a working day, listing overdue, due today and due soon", async () => {
    await t.bot.jobs.sweepNow(); // Monday's round has run (nothing was due)
    // Monday 9 March: a complaint (acknowledge by Thu 12) and an enquiry (respond by Wed 11).
    const complaint = await logContact({});
    const enquiry = await logContact({ contactType: "enquiry", subjects: "" });
    const concern = await logContact({ contactType: "concern" }); // due Mon 23 March: not yet
    now = at("2026-03-10", "08:59");
    await t.bot.jobs.sweepNow();
    assert.equal(messagesTo(personalChatOf(OFFICER)).length, 0, "nothing before 09:00");

    now = at("2026-03-10", "09:00");
    const report = await t.bot.jobs.sweepNow();
    const digests = messagesTo(personalChatOf(OFFICER));
    assert.equal(digests.length, 1, "one digest, not a message per case");
    const text = cardText(cardOf(digests[0].body));
    assert.match(text, /2 cases need you/);
    assert.match(text, new RegExp(`${enquiry.reference} · Enquiry`));
    assert.match(text, new RegExp(`${complaint.reference} · Complaint`));
    assert.doesNotMatch(text, new RegExp(concern.reference));
    assert.match(text, /Due in the next 2 working days/);
    assert.match(JSON.stringify(cardOf(digests[0].body)), /"verb":"case.open","data":\{"caseId":"[0-9a-f-]{36}"\}/, "each item opens its case");
    assert.equal(report.documentsRead, 1 + 2 + 1, "the cursor, the two due cases (whole, in one page) and the query for incomplete cases: never all cases");

    await t.bot.jobs.sweepNow();
    now = at("2026-03-10", "15:00");
    await t.bot.jobs.sweepNow();
    assert.equal(messagesTo(personalChatOf(OFFICER)).length, 1, "once a day");

    // Wednesday: the enquiry is due today; Friday: the complaint's acknowledgement is overdue.
    now = at("2026-03-13", "09:05");
    await t.bot.jobs.sweepNow();
    const friday = cardText(cardOf(messagesTo(personalChatOf(OFFICER)).at(-1)!.body));
    assert.match(friday, /Overdue/);
    assert.match(friday, /Acknowledgement: Thursday 12 March 2026 · overdue by 1 working day/);
  });

  it("shows the same list on demand with `due`", async () => {
    const enquiry = await logContact({ contactType: "enquiry", subjects: "" });
    await t.send(personalMessage("due", { serviceUrl: t.connector.url }));
    const text = cardText(cardOf(t.connector.sentActivities.at(-1)));
    assert.match(text, /Your deadlines/);
    assert.match(text, new RegExp(enquiry.reference));
  });

  it("sends nothing at weekends and catches up on Monday", async () => {
    await logContact({ contactType: "enquiry", subjects: "" }); // due Wednesday 11 March
    // No round has run since: the bot was down from Monday to Friday.
    now = at("2026-03-14", "09:30"); // Saturday
    await t.bot.jobs.sweepNow();
    assert.equal(messagesTo(personalChatOf(OFFICER)).length, 0);
    now = at("2026-03-16", "09:30");
    await t.bot.jobs.sweepNow();
    assert.match(cardText(cardOf(messagesTo(personalChatOf(OFFICER))[0].body)), /overdue by 3 working days/);
  });

  it("alerts the managers' channel once per case and reason, with acknowledge and take over", async () => {
    const channelId = await setAlertsChannel();
    const c = await logContact({ riskConsequence: "5", riskLikelihood: "3" });
    await invoke("case.addNote", { caseId: c.id, note: "Still high risk" });
    await t.bot.jobs.sweepNow();
    const alerts = messagesTo(channelId);
    assert.equal(alerts.length, 1, "one alert, although the case was saved twice");
    const card = cardOf(alerts[0].body);
    assert.match(cardText(card), /High risk \(15 or more\)/);
    assert.match(cardText(card), new RegExp(c.reference));

    const refused = await invoke("alert.acknowledge", { caseId: c.id, reason: "high-risk" }, OFFICER);
    assert.match(cardText(refused.value), /Only PALS managers/);

    const alertMessageId = "alert-activity-1";
    const acknowledged = await invoke("alert.acknowledge", { caseId: c.id, reason: "high-risk" }, MANAGER, {
      replyToId: alertMessageId,
      conversation: channelMessage("x", { serviceUrl: t.connector.url }).conversation,
    });
    assert.match(cardText(acknowledged.value), /Acknowledged by Maya Manager/);
    const update = t.connector.calls.find((call) => call.method === "PUT" && call.activityId === alertMessageId);
    assert.ok(update, "everyone in the channel sees it acknowledged");

    const takenOver = await invoke("alert.takeOver", { caseId: c.id, reason: "high-risk" }, MANAGER);
    assert.match(cardText(takenOver.value), /Acknowledged by Maya Manager/);
    const stored = (await t.bot.store.containers.cases.item(c.id, TENANT_ID).read<Case>()).resource!;
    assert.equal(stored.owner?.name, "Maya Manager");
  });

  it("alerts when an acknowledgement becomes overdue, and for a third contact about one patient in 90 days", async () => {
    const channelId = await setAlertsChannel();
    await logContact({ nhsNumber: "401 023 2137", contactType: "enquiry", subjects: "" });
    await logContact({ nhsNumber: "401 023 2137", contactType: "enquiry", subjects: "" });
    const third = await logContact({ nhsNumber: "401 023 2137" });
    await t.bot.jobs.sweepNow();
    assert.deepEqual(
      messagesTo(channelId).map((m) => cardText(cardOf(m.body)).split("\n")[0]),
      ["Third contact about this patient in 90 days"],
    );

    now = at("2026-03-13", "09:00"); // the complaint's acknowledgement was due Thursday 12 March
    await t.bot.jobs.sweepNow();
    const reasons = messagesTo(channelId).map((m) => cardText(cardOf(m.body)).split("\n")[0]);
    assert.ok(reasons.includes("Acknowledgement overdue"));
    assert.match(cardText(cardOf(messagesTo(channelId).at(-1)!.body)), new RegExp(third.reference));
  });

  it("waits as long as a 429's Retry-After says, then sends exactly once", async () => {
    await logContact({ contactType: "enquiry", subjects: "" });
    now = at("2026-03-10", "09:00");
    t.connector.failNext({ status: 429, headers: { "retry-after": "30" } });
    const first = await t.bot.jobs.sweepNow();
    assert.equal(first.delivery?.retrying, 1);
    now = new Date(now.getTime() + 29_000);
    await t.bot.jobs.sweepNow();
    assert.equal(t.connector.calls.filter((c) => c.conversationId === personalChatOf(OFFICER)).length, 1, "not before 30 seconds");
    now = new Date(now.getTime() + 2_000);
    const later = await t.bot.jobs.sweepNow();
    assert.equal(later.delivery?.sent, 1);
    assert.equal(messagesTo(personalChatOf(OFFICER)).length, 2, "the refused try and the one that went through");
    assert.equal(t.connector.calls.filter((c) => c.conversationId === personalChatOf(OFFICER) && c.method === "POST").length, 2);
  });

  it("backs off on 5xx and gives the message another try later", async () => {
    await logContact({ contactType: "enquiry", subjects: "" });
    now = at("2026-03-10", "09:00");
    t.connector.failNext({ status: 503 }, { status: 502 });
    await t.bot.jobs.sweepNow();
    now = new Date(now.getTime() + 3_000);
    await t.bot.jobs.sweepNow();
    now = new Date(now.getTime() + 10_000);
    const report = await t.bot.jobs.sweepNow();
    assert.equal(report.delivery?.sent, 1);
    assert.equal(messagesTo(personalChatOf(OFFICER)).length, 3);
  });

  it("on 403 marks the person's chat stale and tells an admin", async () => {
    await logContact({ contactType: "enquiry", subjects: "" });
    now = at("2026-03-10", "09:00");
    t.connector.failNext({ status: 403 });
    const report = await t.bot.jobs.sweepNow();
    assert.equal(report.delivery?.undeliverable, 1);
    const stored = await t.bot.store.containers.conversations.item(`person-${OFFICER.aadObjectId}`, TENANT_ID).read();
    assert.equal(stored.resource.personalConversation, undefined, "no more sends to a chat that refused us");
    await t.bot.jobs.sweepNow();
    const notice = messagesTo(personalChatOf(ADMIN));
    assert.equal(notice.length, 1);
    assert.match(cardText(cardOf(notice[0].body)), /could not be delivered: PALS Desk was removed or blocked/);
    assert.equal(messagesTo(personalChatOf(OFFICER)).length, 1, "the refused try only");
  });

  it("neither loses nor repeats a digest when a sweep crashes between deciding and sending", async () => {
    await logContact({ contactType: "enquiry", subjects: "" });
    now = at("2026-03-10", "09:00");
    const crash = sinon.stub(CosmosSweepCursor.prototype, "markSwept").rejects(new Error("instance killed"));
    try {
      await assert.rejects(t.bot.jobs.sweepNow(), /instance killed/);
    } finally {
      crash.restore();
    }
    assert.equal(messagesTo(personalChatOf(OFFICER)).length, 0, "decided, not sent");
    const outbox = await t.bot.store.containers.jobs.items.query<OutboxItem>("SELECT * FROM c WHERE c.docType = 'outbox'").fetchAll();
    assert.equal(outbox.resources.length, 1, "the decision was written down");
    now = new Date(now.getTime() + 60_000);
    await t.bot.jobs.sweepNow();
    await t.bot.jobs.sweepNow();
    assert.equal(messagesTo(personalChatOf(OFFICER)).length, 1, "sent once after the restart");
  });

  it("runs the sweep for an external timer only with the shared secret", async () => {
    const url = `${t.bot.url}/api/jobs/sweep`;
    assert.equal((await fetch(url, { method: "POST" })).status, 404, "off without SWEEP_SECRET");
    const secret = "s".repeat(32);
    const withSecret = await startTestBot({ env: { ...ROLES, SWEEP_SECRET: secret }, now: () => now });
    try {
      const sweepUrl = `${withSecret.bot.url}/api/jobs/sweep`;
      assert.equal((await fetch(sweepUrl, { method: "POST", headers: { authorization: "Bearer wrong" } })).status, 401);
      const ok = await fetch(sweepUrl, { method: "POST", headers: { authorization: `Bearer ${secret}` } });
      assert.equal(ok.status, 200);
      assert.equal(((await ok.json()) as { ran: boolean }).ran, true);
    } finally {
      await withSecret.close();
    }
  });
});

describe("three bot instances sweeping one store", () => {
  it("send exactly one digest and one alert between them", async () => {
    let now = at("2026-03-09", "10:00");
    const first = await startTestBot({ env: ROLES, now: () => now });
    const sharedStore = { COSMOS_ENDPOINT: first.bot.store.endpoint, COSMOS_KEY: "c2hhcmVk", ...ROLES };
    const others = [await startTestBot({ env: sharedStore, now: () => now }), await startTestBot({ env: sharedStore, now: () => now })];
    const all = [first, ...others];
    try {
      await first.send(personalInstall({ serviceUrl: first.connector.url }));
      const managerChannel = channelMessage("set alerts channel", { serviceUrl: first.connector.url, from: MANAGER });
      await first.send(managerChannel);
      await first.send({
        ...cardAction(
          "contact.submit",
          { formId: randomUUID(), ...contactForm({ receivedOn: "2026-03-09", contactType: "enquiry", subjects: "", safeguarding: "true" }) },
          { serviceUrl: first.connector.url },
        ),
      });
      first.connector.reset();
      now = at("2026-03-10", "09:00");
      const reports = await Promise.all(all.map((instance) => instance.bot.jobs.sweepNow()));
      // Whoever missed the lease sweeps again a moment later, as their timers would.
      await Promise.all(all.map((instance) => instance.bot.jobs.sweepNow()));
      assert.ok(reports.filter((r) => r.ran).length >= 1);
      const sent = first.connector.calls.filter((call) => call.method === "POST" && call.body?.type === "message");
      const digests = sent.filter((call) => call.conversationId === `a:1personal-${OFFICER.aadObjectId}`);
      const alerts = sent.filter((call) => call.conversationId === managerChannel.channelData.channel.id);
      assert.equal(digests.length, 1, "one digest");
      assert.equal(alerts.length, 1, "one safeguarding alert");
    } finally {
      for (const instance of all) await instance.close();
    }
  });
});

describe("`due` with more cases due than one card lists", function () {
  this.timeout(30_000);
  it("lists the 50 soonest and says how many there are", async () => {
    const t = await startTestBot({ env: { ROLE_OFFICERS: OFFICER.aadObjectId }, now: () => new Date("2026-03-10T10:00:00Z") });
    try {
      const cases = new CosmosCaseRepository(t.bot.store.containers.cases, DEFAULT_RETENTION, DEFAULT_RULES);
      for (let i = 0; i < 55; i++) {
        const c = makeCase();
        await cases.create({
          ...c,
          id: randomUUID(),
          trustId: TENANT_ID,
          reference: `PALS-2026-${String(900000 + i)}`,
          owner: { aadObjectId: OFFICER.aadObjectId, name: OFFICER.name },
          nextDueOn: "2026-03-10",
        });
      }
      await t.send(personalMessage("due", { serviceUrl: t.connector.url }));
      assert.match(cardText(cardOf(t.connector.sentActivities.at(-1))), /Your deadlines: the 50 soonest of 55/);
    } finally {
      await t.close();
    }
  });
});
