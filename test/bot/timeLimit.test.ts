import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import type { Case } from "../../src/domain";
import { cardElements, cardText, startTestBot, timelineKinds, type TestBot } from "../helpers/bot";
import { OFFICER, TENANT_ID, VOLUNTEER, type TeamsUser } from "../helpers/activities";
import { contactForm } from "../helpers/caseFixtures";

/** Tuesday 10 March 2026, 10:00 in London. */
const NOW = new Date("2026-03-10T10:00:00Z");

describe("the 12-month time limit: the date they knew of it, and a complaint considered all the same (real HTTP)", function () {
  this.timeout(30_000);
  let t: TestBot;
  before(async () => {
    t = await startTestBot({ env: { ROLE_OFFICERS: OFFICER.aadObjectId, ROLE_VOLUNTEERS: VOLUNTEER.aadObjectId }, now: () => NOW });
  });
  after(async () => t.close());

  const stored = async (id: string) => (await t.bot.store.containers.cases.item(id, TENANT_ID).read<Case>()).resource!;
  async function log(form: Record<string, unknown>): Promise<{ id: string; card: unknown }> {
    const answer = await t.press("contact.submit", { formId: randomUUID(), ...contactForm(form) }, OFFICER);
    const id = JSON.stringify(answer.value).match(/"caseId":"([0-9a-f-]{36})"/)![1];
    return { id, card: answer.value };
  }
  const offersWaiver = (card: unknown) => cardElements(card).some((node) => node.verb === "case.waiveTimeLimit");

  it("counts from the date they first knew of it: not out of time, nothing to set aside", async () => {
    const { id, card } = await log({ receivedOn: "2026-03-09", eventOn: "2024-12-01", noticedOn: "2025-09-01" });
    const c = await stored(id);
    assert.equal(c.noticedOn, "2025-09-01");
    assert.ok(!c.flags.includes("out-of-time"));
    assert.match(cardText(card), /They first knew of it on: Monday 1 September 2025/);
    assert.equal(offersWaiver(card), false);
  });

  it("flags one made more than 12 months after both, and records the decision to consider it with its reason", async () => {
    const { id, card } = await log({ receivedOn: "2026-03-09", eventOn: "2024-12-01" });
    assert.ok((await stored(id)).flags.includes("out-of-time"));
    assert.match(cardText(card), /Out of time: made more than 12 months after the event and after they knew of it/);
    assert.equal(offersWaiver(card), true);

    const refused = await t.press(
      "case.waiveTimeLimit",
      { caseId: id, waiverReason: "In hospital until January", submission: randomUUID() },
      VOLUNTEER as TeamsUser,
    );
    assert.match(cardText(refused.value), /Volunteers can't set aside the 12-month time limit/);
    assert.equal((await stored(id)).timeLimitWaived, undefined);

    const blank = await t.press("case.waiveTimeLimit", { caseId: id, waiverReason: " ", submission: randomUUID() }, OFFICER);
    assert.match(cardText(blank.value), /Give the reason/);

    const done = await t.press(
      "case.waiveTimeLimit",
      { caseId: id, waiverReason: "In hospital until January; the ward's records are complete", submission: randomUUID() },
      OFFICER,
    );
    assert.match(cardText(done.value), /Time limit set aside: the complaint will be considered/);
    assert.match(cardText(done.value), /Out of time, but considered all the same \(set aside on Tuesday 10 March 2026 by Olivia Officer/);
    assert.equal(offersWaiver(done.value), false, "not offered twice");
    assert.deepEqual((await stored(id)).timeLimitWaived, { on: "2026-03-10", by: { aadObjectId: OFFICER.aadObjectId, name: OFFICER.name } });
    assert.ok((await timelineKinds(t, id)).includes("time-limit-waived"));
  });

  it("is not offered, and refused if forged, on a complaint in time", async () => {
    const { id } = await log({ receivedOn: "2026-03-09", eventOn: "2026-03-01" });
    const forged = await t.press("case.waiveTimeLimit", { caseId: id, waiverReason: "Forged", submission: randomUUID() }, OFFICER);
    assert.match(cardText(forged.value), /Only a complaint flagged out of time/);
  });
});
