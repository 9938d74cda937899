// Records retention through real activities: a closed complaint comes due for review 10 years after the last process
// on it ended; nothing is removed until a manager decides, on the `retention review` card, to keep it for more years
// or to destroy it. Officers can't; a case id from a card is only looked for in the manager's own trust.
import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import type { Case, CaseEvent } from "../../src/domain";
import { cardElements, cardOf, cardText, startTestBot, storedCase, type TestBot } from "../helpers/bot";
import {
  ADMIN,
  channelMessage,
  MANAGER,
  OFFICER,
  OTHER_TENANT_ID,
  personalInstall,
  personalMessage,
  TENANT_ID,
  VOLUNTEER,
  type TeamsUser,
} from "../helpers/activities";
import { contactForm } from "../helpers/caseFixtures";

const ROLES = {
  ROLE_OFFICERS: OFFICER.aadObjectId,
  ROLE_MANAGERS: MANAGER.aadObjectId,
  ROLE_ADMINS: ADMIN.aadObjectId,
  ROLE_VOLUNTEERS: VOLUNTEER.aadObjectId,
};
const PATIENT = "Ivy Quill";

describe("records retention: review by a manager, then keep or destroy (real HTTP activities)", function () {
  this.timeout(60_000);
  let t: TestBot;
  let now: Date;

  async function start(env: Record<string, string> = {}) {
    now = new Date("2026-03-10T10:00:00Z"); // Tuesday 10 March 2026
    t = await startTestBot({ now: () => now, env: { ...ROLES, ...env } });
    for (const person of [OFFICER, MANAGER]) await t.send(personalInstall({ serviceUrl: t.connector.url, from: person }));
  }
  afterEach(async () => t.close());

  /** A complaint received Monday 9 March 2026, closed Tuesday 10 March 2026: due for review Monday 10 March 2036. */
  async function closedComplaint(tenantId = TENANT_ID): Promise<string> {
    const press = (verb: string, data: Record<string, unknown>) => t.press(verb, data, OFFICER, { tenantId });
    const created = await press("contact.submit", {
      formId: randomUUID(),
      ...contactForm({ receivedOn: "2026-03-09", patientName: PATIENT, summary: "Lost dentures on ward 3" }),
    });
    const caseId = created.value.refresh.action.data.caseId;
    await press("case.addNote", { caseId, note: "Spoke to Ivy's son" });
    await press("case.acknowledge", { caseId, acknowledgedOn: "2026-03-10" });
    await press("case.close", { caseId, outcome: "upheld", learning: "Label dentures" });
    return caseId;
  }

  const events = async (caseId: string) =>
    (
      await t.bot.store.containers.events.items
        .query<CaseEvent>({ query: "SELECT * FROM c WHERE c.caseId = @id", parameters: [{ name: "@id", value: caseId }] })
        .fetchAll()
    ).resources;
  const stored = (caseId: string): Promise<Case> => storedCase(t, caseId);
  const sweepAt = (instant: string) => {
    now = new Date(instant);
    return t.bot.jobs.sweepNow();
  };

  /** `retention review` typed in the person's chat: the card (or message) PALS Desk answers with. */
  async function review(who: TeamsUser = MANAGER): Promise<{ card: any; text: string }> {
    t.connector.reset();
    await t.send(personalMessage("retention review", { serviceUrl: t.connector.url, from: who }));
    const reply = t.connector.sentActivities.at(-1);
    const card = cardOf(reply);
    return { card, text: card ? cardText(card) : String(reply?.text ?? "") };
  }
  const button = (card: any, verb: string, caseId: string) => cardElements(card).find((node) => node.verb === verb && node.data?.caseId === caseId);

  it("the sweep removes nothing at the end of the period: the file is listed for the managers (once in their channel), with no patient details", async () => {
    await start();
    const caseId = await closedComplaint();
    const reference = (await stored(caseId)).reference;
    const managersChannel = channelMessage("set alerts channel", { serviceUrl: t.connector.url, from: MANAGER });
    await t.send(managersChannel);
    const toManagers = () =>
      t.connector.calls
        .filter((call) => call.method === "POST" && call.conversationId === managersChannel.channelData.channel.id && call.body?.type === "message")
        .map((call) => cardText(cardOf(call.body)));
    assert.equal((await sweepAt("2036-03-07T09:30:00Z")).filesDueForReview, 0, "Friday 7 March 2036: not yet");

    const due = await sweepAt("2036-03-10T09:30:00Z"); // Monday 10 March 2036: 10 years after closing
    assert.equal(due.casesRetired, 0, "nothing destroyed without a decision");
    assert.equal(due.filesDueForReview, 1);
    const c = await stored(caseId);
    assert.equal(c.patient.name, PATIENT);
    assert.equal(c.anonymisedOn, undefined);
    const notice = await t.bot.store.containers.jobs.item(`retention-review:${TENANT_ID}:2036-03-10`, TENANT_ID).read();
    assert.equal(notice.resource?.payload.count, 1, "one word in the managers' channel");
    assert.deepEqual(notice.resource?.payload.references, [reference]);
    const told = toManagers().filter((text) => /Files due for records retention review/.test(text));
    assert.equal(told.length, 1);
    assert.match(
      told[0],
      new RegExp(
        `1 closed file \\(${reference}\\) reached the end of the retention period\\. Nothing is destroyed without a manager's decision: type retention review`,
      ),
    );
    assert.doesNotMatch(told[0], /Ivy|Quill/);
    assert.equal((await sweepAt("2036-03-11T09:30:00Z")).filesDueForReview, 0, "mentioned once, not every day");
    assert.equal(toManagers().filter((text) => /Files due for records retention review/.test(text)).length, 1, "no second word");

    const { card, text } = await review();
    assert.match(text, /Records retention review/);
    assert.match(text, /1 closed file due for review/);
    assert.match(text, new RegExp(`${reference} · Complaint`));
    assert.match(text, /Closed on: Tuesday 10 March 2026/);
    assert.match(text, /Last process ended on: Tuesday 10 March 2026/);
    assert.match(text, /Due for review since: Monday 10 March 2036/);
    assert.doesNotMatch(JSON.stringify(card), /Ivy|Quill|dentures|9434765919/, "no patient details on the list");
    assert.ok(button(card, "retention.keep", caseId) && button(card, "retention.destroy", caseId), "a decision for the file");
  });

  it("keep for 2 more years: the decision and its reason are recorded once, and the file leaves the list until 2038", async () => {
    await start();
    const caseId = await closedComplaint();
    now = new Date("2036-03-10T10:00:00Z");
    const { card } = await review();
    const keep = button(card, "retention.keep", caseId);
    const data = { ...keep.data, [`keepYears_${caseId}`]: "2", [`keepReason_${caseId}`]: "Inquest still open" };

    const kept = await t.press("retention.keep", data, MANAGER);
    const text = cardText(kept.value);
    assert.match(text, /Kept PALS-2026-\d+: its next review is on Wednesday 10 March 2038\. The reason is on its timeline\./);
    assert.match(text, /No closed files are due for records retention review/);
    const c = await stored(caseId);
    assert.equal(c.retentionReview?.keepUntil, "2038-03-10");
    assert.deepEqual(c.retentionReview?.kept, { on: "2036-03-10", by: { aadObjectId: MANAGER.aadObjectId, name: MANAGER.name }, years: 2 });
    assert.equal(c.patient.name, PATIENT, "kept: nothing removed");
    const reviewed = (await events(caseId)).filter((e) => e.kind === "retention-reviewed");
    assert.equal(reviewed.length, 1);
    assert.equal(reviewed[0].by.name, MANAGER.name);
    assert.equal(reviewed[0].detail, "Inquest still open");

    const again = await t.press("retention.keep", data, MANAGER);
    assert.match(cardText(again.value), /Already saved/);
    assert.equal((await events(caseId)).filter((e) => e.kind === "retention-reviewed").length, 1, "exactly once");

    assert.match((await review()).text, /No closed files are due/);
    now = new Date("2038-03-10T10:00:00Z");
    assert.match((await review()).text, /1 closed file due for review/, "due again on the new review day");
  });

  it("destroy, confirmed: the decision (who, when) is recorded, then the patient's details and free text are removed, with an audit entry", async () => {
    await start();
    const caseId = await closedComplaint();
    now = new Date("2036-03-10T10:00:00Z");
    const { card } = await review();
    const destroy = button(card, "retention.destroy", caseId);
    assert.match(destroy.title, /^Confirm: destroy PALS-2026-\d+$/);

    const answer = await t.press("retention.destroy", destroy.data, MANAGER);
    assert.match(cardText(answer.value), /destroyed: the patient's details and every free text were removed/);
    const c = await stored(caseId);
    const kept = JSON.stringify(c);
    for (const secret of [PATIENT, "9434765919", "Lost dentures", "Label dentures", "07700 900123", "1948-05-17"])
      assert.ok(!kept.includes(secret), `${secret} removed`);
    assert.equal(c.anonymisedOn, "2036-03-10");
    assert.equal(c.outcome, "upheld", "what statistics need stays");
    assert.deepEqual(c.retentionReview?.destroy, {
      on: "2036-03-10",
      at: "2036-03-10T10:00:00.000Z",
      by: { aadObjectId: MANAGER.aadObjectId, name: MANAGER.name },
      dueOn: "2036-03-10",
    });
    const timeline = await events(caseId);
    assert.ok(!JSON.stringify(timeline).includes("Ivy's son"), "notes are gone from the timeline");
    const decided = timeline.find((e) => e.kind === "retention-reviewed")!;
    const audit = timeline.find((e) => e.kind === "retention-applied")!;
    assert.equal(decided.by.name, MANAGER.name);
    assert.ok(decided.at <= audit.at, "decided first, then applied");
    assert.match(
      audit.summary,
      /removed under the records retention schedule \(10 years after the last process ended; reviewed and destruction decided by Maya Manager on Monday 10 March 2036\)/,
    );
    assert.ok(t.logLines.some((line) => line.msg === "Records retention applied" && line.caseId === caseId));
    assert.ok(!t.logLines.some((line) => JSON.stringify(line).includes(PATIENT)), "no patient details in the logs");

    const again = await t.press("retention.destroy", destroy.data, MANAGER);
    assert.match(cardText(again.value), /Already done/);
    assert.equal((await events(caseId)).filter((e) => e.kind === "retention-reviewed").length, 1, "one decision");
    assert.equal((await sweepAt("2036-03-11T09:30:00Z")).casesRetired, 0, "nothing left for the sweep");
  });

  it("with RETENTION_ACTION=delete, destroy deletes the case and its timeline, keeping the audit entry", async () => {
    await start({ RETENTION_YEARS: "1", RETENTION_ACTION: "delete" });
    const caseId = await closedComplaint();
    now = new Date("2027-03-10T10:00:00Z"); // Wednesday 10 March 2027
    const { card, text } = await review();
    assert.match(text, /Due for review since: Wednesday 10 March 2027/);
    assert.match(text, /Destroy deletes the case and its timeline/);
    await t.press("retention.destroy", button(card, "retention.destroy", caseId).data, MANAGER);
    assert.equal((await t.bot.store.containers.cases.item(caseId, TENANT_ID).read()).resource, undefined);
    const remaining = await events(caseId);
    assert.deepEqual(
      remaining.map((e) => e.kind),
      ["retention-applied"],
    );
    assert.match(
      remaining[0].summary,
      /Case deleted under the records retention schedule \(1 year after the last process ended; reviewed and destruction decided by Maya Manager/,
    );
  });

  it("refuses an officer (the command and the card's buttons), a made-up case id and another trust's case", async () => {
    await start();
    const caseId = await closedComplaint();
    const otherTrustCase = await closedComplaint(OTHER_TENANT_ID);
    now = new Date("2036-03-10T10:00:00Z");

    const officer = await review(OFFICER);
    assert.equal(officer.card, undefined);
    assert.match(officer.text, /^\*\*Not available\.\*\* Only PALS managers can review records for retention or destroy them\. Ask your PALS manager\./);
    for (const user of [OFFICER, VOLUNTEER]) {
      const destroy = await t.press("retention.destroy", { caseId, submission: randomUUID() }, user);
      assert.match(cardText(destroy.value), /Not available/);
      const keep = await t.press("retention.keep", { caseId, [`keepYears_${caseId}`]: "1", [`keepReason_${caseId}`]: "x" }, user);
      assert.match(cardText(keep.value), /Not available/);
    }
    assert.equal((await stored(caseId)).retentionReview, undefined, "nothing recorded");

    for (const forged of [randomUUID(), otherTrustCase, "../cases/x", 42]) {
      const answer = await t.press("retention.destroy", { caseId: forged, submission: randomUUID() }, MANAGER);
      assert.match(cardText(answer.value), /File not found/, String(forged));
    }
    const other = (await t.bot.store.containers.cases.item(otherTrustCase, OTHER_TENANT_ID).read<Case>()).resource!;
    assert.equal(other.patient.name, PATIENT, "the other trust's case is untouched");
    assert.equal(other.retentionReview, undefined);
    assert.match((await review()).text, /1 closed file due for review/, "the manager's list holds their own trust's file only");
  });

  it("a keep without a reason, or with years outside 1 to 10, is refused with what to do, what was typed kept", async () => {
    await start();
    const caseId = await closedComplaint();
    now = new Date("2036-03-10T10:00:00Z");
    const { card } = await review();
    const keep = button(card, "retention.keep", caseId);
    const noReason = await t.press("retention.keep", { ...keep.data, [`keepYears_${caseId}`]: "3", [`keepReason_${caseId}`]: " " }, MANAGER);
    assert.match(cardText(noReason.value), /Give the reason for keeping the records longer/);
    const tooMany = await t.press("retention.keep", { ...keep.data, [`keepYears_${caseId}`]: "25", [`keepReason_${caseId}`]: "Inquest" }, MANAGER);
    assert.match(cardText(tooMany.value), /Choose how many more years to keep the records: 1 to 10/);
    const reason = cardElements(tooMany.value).find((node) => node.id === `keepReason_${caseId}`);
    assert.equal(reason.value, "Inquest", "what was typed is kept");
    const huge = await t.press("retention.keep", { ...keep.data, [`keepYears_${caseId}`]: "1", [`keepReason_${caseId}`]: "x".repeat(100_000) }, MANAGER);
    assert.match(cardText(huge.value), /Too long to save: the reason can have at most 1,000 characters/);
    assert.equal((await stored(caseId)).retentionReview, undefined);
  });

  it("an open Ombudsman referral stops the clock; its decision date starts it (decided 30 June 2027: due Wednesday 30 June 2037)", async () => {
    await start();
    const caseId = await closedComplaint();
    now = new Date("2026-06-01T10:00:00Z");
    const referral = { caseId, phsoReferredOn: "2026-05-28", phsoReference: "C-2026-0042", phsoStage: "investigation", phsoResponseDueOn: "" };
    await t.press("ombudsman.record", referral, OFFICER);
    now = new Date("2036-03-10T10:00:00Z");
    assert.match((await review()).text, /No closed files are due/, "open referral: no retention day");

    now = new Date("2027-06-30T10:00:00Z");
    const decided = await t.press("ombudsman.record", { ...referral, phsoStage: "decided", phsoDecidedOn: "2027-06-30" }, OFFICER);
    assert.match(cardText(decided.value), /Records review due: Tuesday 30 June 2037/);
    now = new Date("2036-03-10T10:00:00Z");
    assert.match((await review()).text, /No closed files are due/, "not 10 years from the local closure");
    now = new Date("2037-06-30T10:00:00Z");
    const { text } = await review();
    assert.match(text, /Last process ended on: Wednesday 30 June 2027/);
    assert.match(text, /Due for review since: Tuesday 30 June 2037/);
  });

  it("a legal hold, placed and lifted by a manager from the case card with a reason, keeps the file off the list; an officer can't place one", async () => {
    await start();
    const caseId = await closedComplaint();
    now = new Date("2030-01-07T10:00:00Z");
    const officerCard = await t.press("case.view", { caseId }, OFFICER);
    assert.equal(button(officerCard.value, "case.placeLegalHold", caseId), undefined, "not offered to an officer");
    const refused = await t.press("case.placeLegalHold", { caseId, legalHoldReason: "Claim" }, OFFICER);
    assert.match(cardText(refused.value), /Only PALS managers can place or lift legal holds/);
    assert.equal((await stored(caseId)).legalHold, undefined);

    const managerCard = await t.press("case.view", { caseId }, MANAGER);
    const place = button(managerCard.value, "case.placeLegalHold", caseId);
    assert.ok(place, "offered to a manager");
    const held = await t.press("case.placeLegalHold", { ...place.data, legalHoldReason: "Letter of claim from <b>solicitors</b>" }, MANAGER);
    const text = cardText(held.value);
    assert.match(text, /Legal hold placed/);
    assert.match(text, /Legal hold: Placed Monday 7 January 2030 by Maya Manager: records retention is stopped · Letter of claim from <b>solicitors<\/b>/);
    assert.match(text, /Records retention: stopped by a legal hold/);
    const reasonRun = cardElements(held.value).find((node) => node.type === "TextRun" && String(node.text).includes("Letter of claim"));
    assert.ok(reasonRun, "the reason is a TextRun: plain text, never markdown");
    assert.deepEqual(
      (await events(caseId)).filter((e) => e.kind.startsWith("legal-hold")).map((e) => e.summary),
      ["Legal hold placed: records retention is stopped until it is lifted"],
    );

    now = new Date("2036-03-10T10:00:00Z");
    assert.match((await review()).text, /No closed files are due/, "held: never due");
    assert.equal((await sweepAt("2036-03-10T09:30:00Z")).filesDueForReview, 0);

    const lift = button((await t.press("case.view", { caseId }, MANAGER)).value, "case.liftLegalHold", caseId);
    const lifted = await t.press("case.liftLegalHold", { ...lift.data, liftHoldReason: "Claim settled" }, MANAGER);
    assert.match(cardText(lifted.value), /Legal hold lifted/);
    assert.match(cardText(lifted.value), /Records review due: Monday 10 March 2036 · a manager decides/);
    assert.match((await review()).text, /1 closed file due for review/, "lifted: due again");
    assert.deepEqual(
      (await events(caseId)).filter((e) => e.kind.startsWith("legal-hold")).map((e) => e.kind),
      ["legal-hold-placed", "legal-hold-lifted"],
    );
  });
});
