import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createCaseDesk } from "../../src/cases";
import type { Case } from "../../src/domain";
import { createLogger } from "../../src/logger";
import { cardText, startTestBot, type TestBot } from "../helpers/bot";
import { OFFICER, TENANT_ID, VOLUNTEER, type TeamsUser } from "../helpers/activities";
import { contactForm } from "../helpers/caseFixtures";
import { deskDeps } from "../helpers/desk";

const WALES = path.join(__dirname, "..", "..", "env", "rules.wales.json");
const ROLES = { ROLE_OFFICERS: OFFICER.aadObjectId, ROLE_VOLUNTEERS: VOLUNTEER.aadObjectId };
const NOW = new Date("2026-04-08T09:30:00Z"); // Wednesday 8 April 2026

describe("the trust's rules through real activities", () => {
  let t: TestBot;
  afterEach(async () => t?.close());

  const press = (verb: string, data: Record<string, unknown>, from: TeamsUser = OFFICER) => t.press(verb, data, from);
  const stored = async (id: string) => (await t.bot.store.containers.cases.item(id, TENANT_ID).read<Case>()).resource!;
  const timelineOf = async (id: string) =>
    (
      await t.bot.store.containers.events.items
        .query({ query: "SELECT * FROM c WHERE c.caseId = @id ORDER BY c.at", parameters: [{ name: "@id", value: id }] })
        .fetchAll()
    ).resources;
  const alertsQueuedFor = async (id: string) =>
    (
      await t.bot.store.containers.jobs.items
        .query({ query: "SELECT * FROM c WHERE c.payload.kind = 'alert' AND c.payload.caseId = @id", parameters: [{ name: "@id", value: id }] })
        .fetchAll()
    ).resources.map((item: { payload: { reason: string } }) => item.payload.reason);

  /** Logs a complaint through the bot's form: the stored case. */
  async function logThroughBot(overrides: Record<string, unknown> = {}): Promise<Case> {
    const answer = await press("contact.submit", { formId: randomUUID(), ...contactForm({ receivedOn: "2026-04-07", eventOn: "2026-04-01", ...overrides }) });
    const caseId = JSON.stringify(answer.value).match(/"caseId":"([0-9a-f-]{36})"/)?.[1];
    assert.ok(caseId, `logged: ${cardText(answer.value)}`);
    return stored(caseId);
  }

  describe("under the Wales rules file", () => {
    beforeEach(async () => {
      t = await startTestBot({ env: { ...ROLES, RULES_FILE: WALES }, now: () => NOW });
    });

    it("a contact logged now gets the Wales deadlines", async () => {
      const c = await logThroughBot();
      assert.deepEqual(c.deadlines, { acknowledgeBy: "2026-04-14", respondBy: "2026-05-20", backstop: "2026-10-06" });
    });

    it("a case logged under England's rules keeps its deadlines until recalculated from the case card, which the timeline records", async () => {
      // Logged before the trust switched to the Wales rules: England's application layer on the same store.
      const england = createCaseDesk(deskDeps(t.bot.store, { log: createLogger("silent"), now: () => NOW, env: ROLES }));
      const caller = {
        trustId: TENANT_ID,
        tenantId: TENANT_ID,
        actor: { aadObjectId: OFFICER.aadObjectId, name: OFFICER.name },
        teamsUserId: OFFICER.id,
        roles: new Set(["officer"] as const),
      };
      const logged = await england.contacts.logContact(caller, randomUUID(), contactForm({ receivedOn: "2026-04-07", eventOn: "2026-04-01" }));
      assert.ok(logged.ok);
      const id = logged.view.record.value.id;
      const before = { acknowledgeBy: "2026-04-10", respondBy: "2026-05-13", backstop: "2026-10-06" };
      assert.deepEqual((await stored(id)).deadlines, before);

      // Opened under the Wales rules: the stored deadlines, not recomputed.
      const opened = await press("case.view", { caseId: id });
      assert.match(cardText(opened.value), /Friday 10 April 2026/);
      assert.match(cardText(opened.value), /Wednesday 13 May 2026/);
      assert.deepEqual((await stored(id)).deadlines, before);

      // A volunteer may not recalculate.
      const refused = await press("case.recalculateDeadlines", { caseId: id }, VOLUNTEER);
      assert.match(cardText(refused.value), /Volunteers can't recalculate a case's deadlines/);
      assert.deepEqual((await stored(id)).deadlines, before);

      // An officer recalculates: the Wales dates, on the card and stored, and the old and new dates on the timeline.
      const done = await press("case.recalculateDeadlines", { caseId: id, submission: randomUUID() });
      const text = cardText(done.value);
      assert.match(text, /Deadlines recalculated under the current rules; the old and new dates are on the timeline\. Respond by Wednesday 20 May 2026\./);
      assert.match(text, /Tuesday 14 April 2026/);
      const after = await stored(id);
      assert.deepEqual(after.deadlines, { acknowledgeBy: "2026-04-14", respondBy: "2026-05-20", backstop: "2026-10-06" });
      assert.equal(after.nextDueOn, "2026-04-14");
      const events = (await timelineOf(id)).filter((e: { kind: string }) => e.kind === "deadlines-recalculated");
      assert.equal(events.length, 1);
      assert.match(
        events[0].summary,
        /acknowledge by from Friday 10 April 2026 to Tuesday 14 April 2026; respond by from Wednesday 13 May 2026 to Wednesday 20 May 2026/,
      );
      assert.equal(events[0].by.name, OFFICER.name);

      // Again: nothing to change, said plainly, and nothing more on the timeline.
      const again = await press("case.recalculateDeadlines", { caseId: id, submission: randomUUID() });
      assert.match(cardText(again.value), /already follow the current rules/);
      assert.equal((await timelineOf(id)).filter((e: { kind: string }) => e.kind === "deadlines-recalculated").length, 1);
    });

    it("refuses a forged case id", async () => {
      const answer = await press("case.recalculateDeadlines", { caseId: "not-a-case" });
      assert.match(cardText(answer.value), /Case not found/i);
    });
  });

  describe("the discussion offered at the start of a complaint (issue 31): England's offer to discuss, Wales' listening discussion", () => {
    const record = (caseId: string, offeredOn: string, answer: string, heldOn = "", from: TeamsUser = OFFICER) =>
      press(
        "case.recordDiscussion",
        { caseId, submission: randomUUID(), discussionOfferedOn: offeredOn, discussionAnswer: answer, discussionHeldOn: heldOn },
        from,
      );

    it("England: offered, declined, recorded under reg 13 with what the trust must do next; then accepted and held", async () => {
      t = await startTestBot({ env: ROLES, now: () => NOW });
      const c = await logThroughBot();
      const opened = JSON.stringify((await press("case.view", { caseId: c.id })).value);
      assert.match(opened, /"title":"Offer to discuss","mode":"secondary"/, "the card offers it");
      assert.match(opened, /"verb":"case.recordDiscussion"/);
      const declined = cardText((await record(c.id, "2026-04-08", "declined")).value);
      assert.match(declined, /Recorded: they declined, so tell them in writing when to expect the response\./);
      assert.match(declined, /Offer to discuss: Offered Wednesday 8 April 2026 · declined/);
      assert.deepEqual((await stored(c.id)).discussion, {
        offeredOn: "2026-04-08",
        answer: "declined",
        by: { aadObjectId: OFFICER.aadObjectId, name: OFFICER.name },
      });
      const [event] = (await timelineOf(c.id)).filter((e: { kind: string }) => e.kind === "discussion-recorded");
      assert.match(
        event.summary,
        /^Offer to discuss \(SI 2009\/309 reg 13\(3\)-\(4\)\): offered Wednesday 8 April 2026, declined; the trust sets the response period and tells them in writing$/,
      );
      // They change their mind: accepted, held the same day.
      const held = cardText((await record(c.id, "2026-04-08", "accepted", "2026-04-08")).value);
      assert.match(held, /Offer to discuss: Offered Wednesday 8 April 2026 · accepted · held Wednesday 8 April 2026/);
    });

    it("Wales: the listening discussion, and no English regulation named", async () => {
      t = await startTestBot({ env: { ...ROLES, RULES_FILE: WALES }, now: () => NOW });
      const c = await logThroughBot();
      const held = cardText((await record(c.id, "2026-04-07", "accepted", "2026-04-08")).value);
      assert.match(held, /Listening discussion: Offered Tuesday 7 April 2026 · accepted · held Wednesday 8 April 2026/);
      const [event] = (await timelineOf(c.id)).filter((e: { kind: string }) => e.kind === "discussion-recorded");
      assert.match(
        event.summary,
        /^Listening discussion \(SI 2011\/704 as amended in 2025 \(Listening to People\)\): offered Tuesday 7 April 2026, accepted, held Wednesday 8 April 2026$/,
      );
      assert.doesNotMatch(held, /Offer to discuss|2009\/309/);
    });

    it("refuses what can't be: held before it was accepted, a date in the future or before receipt, a volunteer, a forged answer", async () => {
      t = await startTestBot({ env: ROLES, now: () => NOW });
      const c = await logThroughBot();
      assert.match(cardText((await record(c.id, "2026-04-08", "no-answer", "2026-04-08")).value), /can only be held once they accepted it/);
      assert.match(cardText((await record(c.id, "2026-04-09", "accepted")).value), /can't be in the future/);
      assert.match(cardText((await record(c.id, "2026-04-01", "accepted")).value), /can't have been offered before the complaint was received/);
      assert.match(cardText((await record(c.id, "2026-04-08", "maybe")).value), /Choose whether they accepted, declined, or have not answered yet/);
      assert.match(
        cardText((await record(c.id, "2026-04-08", "accepted", "", VOLUNTEER)).value),
        /Volunteers can't record the discussion offered on a complaint/,
      );
      assert.equal((await stored(c.id)).discussion, undefined, "nothing was saved");
      assert.equal((await timelineOf(c.id)).filter((e: { kind: string }) => e.kind === "discussion-recorded").length, 0);
    });
  });

  describe("with an alert switched off", () => {
    it("never queues it, and still queues the others", async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pals-rules-"));
      const file = path.join(dir, "rules.json");
      fs.writeFileSync(file, JSON.stringify({ alerts: { safeguarding: false } }));
      t = await startTestBot({ env: { ...ROLES, RULES_FILE: file }, now: () => NOW });
      const c = await logThroughBot({ safeguarding: "true", riskConsequence: "5", riskLikelihood: "4" });
      assert.deepEqual(c.flags.filter((f) => f === "safeguarding" || f === "high-risk").sort(), ["high-risk", "safeguarding"]);
      assert.deepEqual(await alertsQueuedFor(c.id), ["high-risk"]);
    });
  });
});
