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
