import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import type { Case, CaseEvent } from "../../src/domain";
import { startTestBot, type TestBot } from "../helpers/bot";
import { cardAction, TENANT_ID } from "../helpers/activities";
import { contactForm } from "../helpers/caseFixtures";

describe("records retention: closed complaints are anonymised (or deleted) years after closure", () => {
  let t: TestBot;
  let now: Date;

  async function start(env: Record<string, string> = {}) {
    now = new Date("2026-03-10T10:00:00Z");
    t = await startTestBot({ now: () => now, env });
  }
  afterEach(async () => t.close());

  async function closedComplaint(): Promise<string> {
    const created = await t.send(
      cardAction(
        "contact.submit",
        { formId: randomUUID(), ...contactForm({ receivedOn: "2026-03-09", patientName: "Ivy Quill", summary: "Lost dentures on ward 3" }) },
        { serviceUrl: t.connector.url },
      ),
    );
    const caseId = created.body.value.refresh.action.data.caseId;
    await t.send(cardAction("case.addNote", { caseId, note: "Spoke to Ivy's son" }, { serviceUrl: t.connector.url }));
    await t.send(cardAction("case.acknowledge", { caseId, acknowledgedOn: "2026-03-10" }, { serviceUrl: t.connector.url }));
    await t.send(cardAction("case.close", { caseId, outcome: "upheld", learning: "Label dentures" }, { serviceUrl: t.connector.url }));
    return caseId;
  }

  const events = async (caseId: string) =>
    (
      await t.bot.store.containers.events.items
        .query<CaseEvent>({ query: "SELECT * FROM c WHERE c.caseId = @id", parameters: [{ name: "@id", value: caseId }] })
        .fetchAll()
    ).resources;

  it("keeps everything until 10 years after closure, then removes the patient's details and every free text, with an audit entry", async () => {
    await start();
    const caseId = await closedComplaint();
    now = new Date("2036-03-07T09:30:00Z"); // Friday: not yet
    await t.bot.jobs.sweepNow();
    assert.equal((await t.bot.store.containers.cases.item(caseId, TENANT_ID).read<Case>()).resource!.patient.name, "Ivy Quill");

    now = new Date("2036-03-10T09:30:00Z"); // 10 years to the day (a Monday)
    const report = await t.bot.jobs.sweepNow();
    assert.equal(report.casesRetired, 1);
    const c = (await t.bot.store.containers.cases.item(caseId, TENANT_ID).read<Case>()).resource!;
    const stored = JSON.stringify(c);
    for (const secret of ["Ivy Quill", "9434765919", "Lost dentures", "Label dentures", "07700 900123", "1948-05-17"])
      assert.ok(!stored.includes(secret), `${secret} removed`);
    assert.equal(c.type, "complaint", "what statistics need stays");
    assert.equal(c.outcome, "upheld");
    assert.deepEqual(c.subjects, ["communications"]);
    assert.equal(c.anonymisedOn, "2036-03-10");
    const timeline = await events(caseId);
    assert.ok(!JSON.stringify(timeline).includes("Ivy's son"), "notes are gone from the timeline");
    const audit = timeline.find((e) => e.kind === "retention-applied")!;
    assert.match(audit.summary, /removed under the records retention schedule \(10 years after closure\)/);
    assert.ok(t.logLines.some((line) => line.msg === "Records retention applied" && line.caseId === caseId));

    now = new Date("2036-03-11T09:30:00Z");
    assert.equal((await t.bot.jobs.sweepNow()).casesRetired, 0, "once only");
  });

  it("deletes the case and its timeline instead when the trust chooses, keeping an audit entry", async () => {
    await start({ RETENTION_YEARS: "1", RETENTION_ACTION: "delete" });
    const caseId = await closedComplaint();
    now = new Date("2027-03-10T09:30:00Z"); // a Wednesday
    await t.bot.jobs.sweepNow();
    assert.equal((await t.bot.store.containers.cases.item(caseId, TENANT_ID).read()).resource, undefined);
    const remaining = await events(caseId);
    assert.deepEqual(
      remaining.map((e) => e.kind),
      ["retention-applied"],
    );
    assert.match(remaining[0].summary, /Case deleted under the records retention schedule \(1 year after closure\)/);
  });
});
