import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import { cardText, startTestBot, type TestBot } from "../helpers/bot";
import { cardAction, OFFICER, TENANT_ID, type TeamsUser } from "../helpers/activities";
import { contactForm } from "../helpers/caseFixtures";

describe("nothing lost under concurrency (real HTTP)", function () {
  this.timeout(60_000);
  let t: TestBot;
  before(async () => {
    t = await startTestBot({ now: () => new Date("2026-03-10T10:00:00Z"), env: { LOG_LEVEL: "info" } });
  });
  after(async () => t.close());

  it("lands all of 50 simultaneous updates to one case on its timeline", async () => {
    const created = await t.send(
      cardAction("contact.submit", { formId: randomUUID(), ...contactForm({ receivedOn: "2026-03-09" }) }, { serviceUrl: t.connector.url }),
    );
    const caseId = created.body.value.refresh.action.data.caseId;
    // 50 officers (local mode: everyone is an officer) each add a note at the same moment.
    const officers: TeamsUser[] = Array.from({ length: 50 }, (_, i) => ({
      id: `29:officer-${i}`,
      name: `Officer ${i}`,
      aadObjectId: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    }));
    const answers = await Promise.all(
      officers.map((officer, i) => t.send(cardAction("case.addNote", { caseId, note: `Note ${i}` }, { serviceUrl: t.connector.url, from: officer }))),
    );
    for (const answer of answers) assert.match(cardText(answer.body.value), /Note added/);
    const { resources } = await t.bot.store.containers.events.items
      .query<{ detail: string }>({
        query: "SELECT c.detail FROM c WHERE c.caseId = @id AND c.kind = 'note-added'",
        parameters: [{ name: "@id", value: caseId }],
      })
      .fetchAll();
    assert.deepEqual(resources.map((r) => r.detail).sort(), officers.map((_, i) => `Note ${i}`).sort());
    const stored = (await t.bot.store.containers.cases.item(caseId, TENANT_ID).read()).resource;
    assert.equal(stored.owner.aadObjectId, OFFICER.aadObjectId, "the case itself is intact");
  });
});
