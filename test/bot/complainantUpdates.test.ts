import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import type { Case } from "../../src/domain";
import { cardElements, cardOf, cardText, inputValues, startTestBot, type TestBot } from "../helpers/bot";
import { channelMessage, MANAGER, OFFICER, personalInstall, personalMessage, TENANT_ID, VOLUNTEER, type TeamsUser } from "../helpers/activities";
import { contactForm } from "../helpers/caseFixtures";

const ROLES = { ROLE_OFFICERS: OFFICER.aadObjectId, ROLE_MANAGERS: MANAGER.aadObjectId, ROLE_VOLUNTEERS: VOLUNTEER.aadObjectId };

/** A London wall-clock time in British Summer Time (from 29 March 2026) as an instant. */
const bst = (day: string, time: string) => new Date(`${day}T${time}:00+01:00`);

/** The data an Action.Execute button sends: the card's inputs as shown, then what was typed, then the button's own data. */
function pressData(card: any, verb: string, typed: Record<string, string> = {}): Record<string, unknown> {
  const button = cardElements(card).find((node) => node.type === "Action.Execute" && node.verb === verb);
  assert.ok(button, `the card has a ${verb} button`);
  return { ...inputValues(card), ...typed, ...button.data };
}

describe("keeping the complainant updated (real HTTP activities)", () => {
  let t: TestBot;
  let now: Date;

  beforeEach(async () => {
    now = new Date("2026-03-03T10:00:00Z"); // Tuesday 3 March 2026
    t = await startTestBot({ env: ROLES, now: () => now });
    for (const person of [OFFICER, MANAGER]) await t.send(personalInstall({ serviceUrl: t.connector.url, from: person }));
  });
  afterEach(async () => t.close());

  const press = (verb: string, data: Record<string, unknown>, from: TeamsUser = OFFICER) => t.press(verb, data, from);
  const stored = async (id: string) => (await t.bot.store.containers.cases.item(id, TENANT_ID).read<Case>()).resource!;
  const messagesTo = (conversationId: string) =>
    t.connector.calls.filter((call) => call.method === "POST" && call.conversationId === conversationId && call.body?.type === "message");
  const officerChat = `a:1personal-${OFFICER.aadObjectId}`;

  async function say(text: string, from: TeamsUser = OFFICER): Promise<string> {
    t.connector.reset();
    await t.send(personalMessage(text, { serviceUrl: t.connector.url, from }));
    return t.connector.sentActivities.map((activity) => (cardOf(activity) ? cardText(cardOf(activity)) : String(activity.text ?? ""))).join("\n");
  }

  /** Logs a contact received on Tuesday 3 March 2026; a complaint is acknowledged on Wednesday 4 March. */
  async function logContact(overrides: Record<string, unknown> = {}): Promise<Case> {
    const answer = await press("contact.submit", { formId: randomUUID(), ...contactForm({ receivedOn: "2026-03-03", eventOn: "2026-03-01", ...overrides }) });
    const caseId = answer.value.refresh.action.data.caseId;
    if ((overrides.contactType ?? "complaint") === "complaint") {
      now = new Date("2026-03-04T10:00:00Z");
      await press("case.acknowledge", { caseId, acknowledgedOn: "2026-03-04", submission: randomUUID() });
    }
    return stored(caseId);
  }

  const openCard = async (id: string, from: TeamsUser = OFFICER) => (await press("case.view", { caseId: id }, from)).value;

  it("records an update from the case card: the card says when the next is due, and `due` moves with it", async () => {
    const c = await logContact();
    // 20 working days after the acknowledgement of 4 March, before the response date of 9 April.
    assert.equal(c.nextDueOn, "2026-04-01");
    now = bst("2026-03-30", "11:00");
    assert.match(await say("due"), /Update to the complainant: Wednesday 1 April 2026 · due in 2 working days/);
    assert.match(await say("my cases"), /Next: update to the complainant, Wednesday 1 April 2026/);

    const card = await openCard(c.id);
    assert.match(cardText(card), /Last update given: None yet · next due Wednesday 1 April 2026 · due in 2 working days/);
    const answer = await press(
      "case.recordUpdateGiven",
      pressData(card, "case.recordUpdateGiven", { updateHow: "phone", updateNote: "Told her the ward statement is in" }),
    );
    const text = cardText(answer.value);
    assert.match(text, /Update to the complainant recorded\./);
    // 20 working days after Monday 30 March, skipping Good Friday and Easter Monday.
    assert.match(text, /Last update given: Monday 30 March 2026 \(by phone\) · next due Wednesday 29 April 2026/);

    const saved = await stored(c.id);
    assert.deepEqual(
      saved.updates?.map((u) => [u.on, u.how, u.by.name]),
      [["2026-03-30", "phone", OFFICER.name]],
    );
    assert.equal(saved.nextDueOn, "2026-04-09", "the response is now the earlier deadline");
    assert.doesNotMatch(JSON.stringify(saved.updates), /ward statement/, "the note is kept on the timeline, not with the updates reports read");
    const { resources: events } = await t.bot.store.containers.events.items
      .query({ query: "SELECT * FROM c WHERE c.caseId = @id AND c.kind = 'update-given'", parameters: [{ name: "@id", value: c.id }] })
      .fetchAll();
    assert.deepEqual(
      events.map((e: { summary: string; detail?: string }) => [e.summary, e.detail]),
      [["Update given to the complainant (by phone)", "Told her the ward statement is in"]],
    );
    assert.match(await say("due"), /Nothing of yours is due/);
  });

  it("puts the update in the owner's morning digest when due, and overdue after; no manager alert", async () => {
    const alertsChannel = channelMessage("set alerts channel", { serviceUrl: t.connector.url, from: MANAGER });
    await t.send(alertsChannel);
    const c = await logContact();

    now = bst("2026-03-30", "09:00");
    await t.bot.jobs.sweepNow();
    const monday = cardText(cardOf(messagesTo(officerChat).at(-1)!.body));
    assert.match(monday, new RegExp(`${c.reference} · Complaint`));
    assert.match(monday, /Update to the complainant: Wednesday 1 April 2026 · due in 2 working days/);

    now = bst("2026-04-02", "09:05");
    await t.bot.jobs.sweepNow();
    const thursday = cardText(cardOf(messagesTo(officerChat).at(-1)!.body));
    assert.match(thursday, /Overdue/);
    assert.match(thursday, /Update to the complainant: Wednesday 1 April 2026 · overdue by 1 working day/);
    const { resources: alerts } = await t.bot.store.containers.jobs.items
      .query({ query: "SELECT c.id FROM c WHERE STARTSWITH(c.id, @prefix)", parameters: [{ name: "@prefix", value: `alert:${c.id}` }] })
      .fetchAll();
    assert.deepEqual(alerts, [], "an overdue update is the owner's to give: the managers are not alerted");
  });

  it("counts complaints with an update overdue in the managers' report", async () => {
    const c = await logContact();
    await logContact({ contactType: "concern" });
    now = bst("2026-04-02", "10:00");
    assert.match(await say("report this month", MANAGER), /Complaints with an update overdue on 2 April 2026: 1/);
    assert.match(await say("report 2026-03-01 2026-03-31", MANAGER), /Complaints with an update overdue on 31 March 2026: 0/);

    await press("case.recordUpdateGiven", pressData(await openCard(c.id), "case.recordUpdateGiven", { updateHow: "email" }));
    assert.match(await say("report this month", MANAGER), /Complaints with an update overdue on 2 April 2026: 0/);
    assert.match(await say("report 2026-03-01 2026-04-01", MANAGER), /Complaints with an update overdue on 1 April 2026: 0/, "due that day, not overdue");
  });

  it("refuses forged submissions with plain errors: a concern, a closed complaint, a future date, an unknown way, a volunteer", async () => {
    const complaint = await logContact();
    const concern = await logContact({ contactType: "concern" });
    now = bst("2026-03-30", "11:00");
    assert.doesNotMatch(JSON.stringify(await openCard(concern.id)), /case\.recordUpdateGiven/, "a concern's card does not offer it");
    const forged = (caseId: string, typed: Record<string, string> = {}) => ({
      caseId,
      updateHow: "phone",
      updateOn: "2026-03-30",
      updateNote: "",
      submission: randomUUID(),
      ...typed,
    });

    const onConcern = cardText((await press("case.recordUpdateGiven", forged(concern.id))).value);
    assert.match(
      onConcern,
      /Updates to the complainant are recorded on formal complaints; this is a concern\. If it has become a formal complaint, escalate it first\./,
    );
    const future = cardText((await press("case.recordUpdateGiven", forged(complaint.id, { updateOn: "2026-03-31" }))).value);
    assert.match(future, /The update date can't be in the future\. Record it once the update has been given\./);
    const how = cardText((await press("case.recordUpdateGiven", forged(complaint.id, { updateHow: "pigeon" }))).value);
    assert.match(how, /Choose how the update was given from the list\./);
    const tooLong = cardText((await press("case.recordUpdateGiven", forged(complaint.id, { updateNote: "x".repeat(600) }))).value);
    assert.match(tooLong, /Shorten the note to 500 characters or fewer\./);
    const volunteer = cardText((await press("case.recordUpdateGiven", forged(complaint.id), VOLUNTEER)).value);
    assert.match(volunteer, /Volunteers can't record updates given to complainants\. Ask a PALS officer or manager/);

    await press("case.close", { caseId: complaint.id, outcome: "upheld", learning: "", submission: randomUUID() });
    const closed = cardText((await press("case.recordUpdateGiven", forged(complaint.id))).value);
    assert.match(closed, /This complaint is closed, so no more updates are due\. Reopen it first if you need to record one\./);
    assert.doesNotMatch(closed, /Last update given/, "a closed complaint shows no next update");

    assert.equal((await stored(complaint.id)).updates, undefined, "nothing was recorded");
    assert.equal((await stored(concern.id)).updates, undefined);
  });
});
