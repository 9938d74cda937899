import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import type { Case } from "../../src/domain";
import { cardElements, cardOf, cardText, inputValues, startTestBot, type TestBot } from "../helpers/bot";
import { ADMIN, cardAction, channelMessage, MANAGER, OFFICER, personalInstall, TENANT_ID, VOLUNTEER, type TeamsUser } from "../helpers/activities";
import { contactForm } from "../helpers/caseFixtures";

const ROLES = {
  ROLE_OFFICERS: OFFICER.aadObjectId,
  ROLE_VOLUNTEERS: VOLUNTEER.aadObjectId,
  ROLE_MANAGERS: MANAGER.aadObjectId,
  ROLE_ADMINS: ADMIN.aadObjectId,
};

const SAFETY_CHANNEL_ID = "19:patient-safety@thread.tacv2";

/** The data an Action.Execute button sends: the card's inputs as shown, then what was typed, then the button's own data. */
function pressData(card: any, verb: string, typed: Record<string, string> = {}): Record<string, unknown> {
  const button = cardElements(card).find((node) => node.type === "Action.Execute" && node.verb === verb);
  assert.ok(button, `the card has a ${verb} button`);
  return { ...inputValues(card), ...typed, ...button.data };
}

describe("possible patient safety incidents (real HTTP activities)", () => {
  let t: TestBot;
  let now: Date;

  beforeEach(async () => {
    now = new Date("2026-03-10T10:00:00Z"); // Tuesday
    t = await startTestBot({ env: ROLES, now: () => now });
    for (const person of [OFFICER, MANAGER, ADMIN]) await t.send(personalInstall({ serviceUrl: t.connector.url, from: person }));
  });
  afterEach(async () => t.close());

  const press = (verb: string, data: Record<string, unknown>, from: TeamsUser = OFFICER) => t.press(verb, data, from);
  const stored = async (id: string) => (await t.bot.store.containers.cases.item(id, TENANT_ID).read<Case>()).resource!;
  const queuedAlerts = async (caseId: string) =>
    (
      await t.bot.store.containers.jobs.items
        .query<{ id: string }>({
          query: "SELECT c.id FROM c WHERE STARTSWITH(c.id, @prefix)",
          parameters: [{ name: "@prefix", value: `alert:${caseId}:patient-safety` }],
        })
        .fetchAll()
    ).resources.map((r) => r.id);
  const messagesTo = (conversationId: string) =>
    t.connector.calls.filter((call) => call.method === "POST" && call.conversationId === conversationId && call.body?.type === "message");

  async function logContact(overrides: Record<string, unknown> = {}): Promise<{ c: Case; card: any }> {
    const answer = await press("contact.submit", { formId: randomUUID(), ...contactForm({ receivedOn: "2026-03-09", eventOn: "2026-03-01", ...overrides }) });
    const caseId = answer.value.refresh.action.data.caseId;
    return { c: await stored(caseId), card: answer.value };
  }

  /** `set alerts channel` in the General channel, or `set safety channel` in a channel of its own. */
  async function setChannel(command: "set alerts channel" | "set safety channel", from: TeamsUser = MANAGER): Promise<string> {
    const message = channelMessage(command, { serviceUrl: t.connector.url, from });
    if (command === "set safety channel") {
      message.conversation.id = `${SAFETY_CHANNEL_ID};messageid=1`;
      message.channelData.teamsChannelId = SAFETY_CHANNEL_ID;
      message.channelData.channel = { id: SAFETY_CHANNEL_ID, name: "Patient safety" };
    }
    await t.send(message);
    return message.channelData.channel.id;
  }

  it("alerts the managers once when a contact is logged with the flag, and posts it in the safety channel too", async () => {
    const alertsChannel = await setChannel("set alerts channel");
    const safetyChannel = await setChannel("set safety channel");
    assert.match(t.connector.sentActivities.at(-1).text, /possible patient safety incidents will also be posted in this channel/);
    const { c, card } = await logContact({ safetyIncident: "true" });
    assert.deepEqual(c.flags.includes("patient-safety"), true);
    assert.match(cardText(card), /Possible patient safety incident: not yet reported on the incident system/);
    await press("case.addNote", { caseId: c.id, note: "Spoke to the ward" });
    assert.deepEqual((await queuedAlerts(c.id)).sort(), [`alert:${c.id}:patient-safety`, `alert:${c.id}:patient-safety:safety-channel`]);

    await t.bot.jobs.sweepNow();
    const toManagers = messagesTo(alertsChannel);
    assert.equal(toManagers.length, 1, "one alert to the managers, although the case was saved twice");
    assert.match(cardText(cardOf(toManagers[0].body)), /Possible patient safety incident: report it on the incident system/);
    const toSafety = messagesTo(safetyChannel);
    assert.equal(toSafety.length, 1, "and one in the patient-safety channel");
    assert.match(cardText(cardOf(toSafety[0].body)), new RegExp(c.reference));
  });

  it("the safety channel's copy only informs: no Acknowledge or Take over, and a forged one from there is refused unless from a manager", async () => {
    const alertsChannel = await setChannel("set alerts channel");
    const safetyChannel = await setChannel("set safety channel");
    const { c } = await logContact({ safetyIncident: "true" });
    await t.bot.jobs.sweepNow();
    const copy = cardOf(messagesTo(safetyChannel)[0].body);
    const copyText = cardText(copy);
    assert.match(copyText, /Possible patient safety incident: report it on the incident system/);
    assert.match(copyText, new RegExp(c.reference));
    assert.match(copyText, /Managers acknowledge this alert in their alerts channel\./);
    const buttons = (card: any) =>
      cardElements(card)
        .filter((node) => node.type === "Action.Execute")
        .map((node) => `${node.title} (${node.verb})`);
    assert.deepEqual(buttons(copy), ["Open case (case.open)"], "only Open case");
    const managers = cardOf(messagesTo(alertsChannel)[0].body);
    assert.deepEqual(
      buttons(managers),
      ["Acknowledge (alert.acknowledge)", "Take over (alert.takeOver)", "Open case (case.open)"],
      "the managers' card keeps its buttons",
    );
    assert.doesNotMatch(cardText(managers), /Managers acknowledge this alert in their alerts channel/);

    // Pressed in the safety channel with the managers' alert's data, by people who are not PALS managers.
    const inSafetyChannel = {
      conversation: { isGroup: true, conversationType: "channel", tenantId: TENANT_ID, id: `${SAFETY_CHANNEL_ID};messageid=1` },
      channelData: { teamsChannelId: SAFETY_CHANNEL_ID, channel: { id: SAFETY_CHANNEL_ID }, tenant: { id: TENANT_ID } },
    };
    const SAFETY_LEAD: TeamsUser = { id: "29:1safetylead", name: "Sam Safety", aadObjectId: "00000000-0000-4000-8000-0000000000a9" };
    const forgedData = { caseId: c.id, reason: "patient-safety", requestId: "", submission: randomUUID() };
    for (const from of [OFFICER, SAFETY_LEAD]) {
      for (const verb of ["alert.acknowledge", "alert.takeOver"]) {
        const answer = await t.press(verb, { ...forgedData, submission: randomUUID() }, from, { activity: inSafetyChannel });
        assert.match(cardText(answer.value), /Only PALS managers can acknowledge or take over alerts/, `${verb} by ${from.name}`);
      }
    }
    const after = await stored(c.id);
    assert.equal(after.alertAcknowledgements, undefined, "the managers' alert is not acknowledged");
    assert.equal(after.owner?.aadObjectId, OFFICER.aadObjectId, "and nobody took the case over");

    // The managers' own card still works for a manager.
    const acknowledged = await t.press("alert.acknowledge", pressData(managers, "alert.acknowledge"), MANAGER);
    assert.match(cardText(acknowledged.value), /Acknowledged by Maya Manager/);
  });

  it("without a safety channel, only the managers hear, and no admin is troubled about it", async () => {
    const alertsChannel = await setChannel("set alerts channel");
    const { c } = await logContact({ safetyIncident: "true" });
    t.connector.reset();
    await t.bot.jobs.sweepNow();
    assert.equal(messagesTo(alertsChannel).length, 1);
    assert.equal(messagesTo(SAFETY_CHANNEL_ID).length, 0);
    const { resources: notices } = await t.bot.store.containers.jobs.items.query("SELECT c.id FROM c WHERE STARTSWITH(c.id, 'admin:')").fetchAll();
    assert.deepEqual(notices, [], "no delivery problem notice for the admins");
    const safetyCopy = (await t.bot.store.containers.jobs.item(`alert:${c.id}:patient-safety:safety-channel`, TENANT_ID).read()).resource;
    assert.equal(safetyCopy.state, "undeliverable", "that copy is settled, not retried");
  });

  it("does not alert without the flag; alerts once when it is set at completion, and not again when the details are saved again", async () => {
    const { c } = await logContact();
    assert.deepEqual(await queuedAlerts(c.id), []);
    const form = (await press("case.details", { caseId: c.id })).value;
    const toggle = cardElements(form).find((node) => node.id === "safetyIncident");
    assert.equal(toggle?.type, "Input.Toggle", "the details form has the flag");
    await press("case.saveDetails", pressData(form, "case.saveDetails", { safetyIncident: "true" }));
    assert.deepEqual(await queuedAlerts(c.id), [`alert:${c.id}:patient-safety`, `alert:${c.id}:patient-safety:safety-channel`].sort());
    const again = (await press("case.details", { caseId: c.id })).value;
    assert.equal(inputValues(again).safetyIncident, "true", "the form shows the flag as recorded");
    const before = (await t.bot.store.containers.jobs.item(`alert:${c.id}:patient-safety`, TENANT_ID).read()).resource;
    await press("case.saveDetails", pressData(again, "case.saveDetails", { division: "Surgery" }));
    const after = (await t.bot.store.containers.jobs.item(`alert:${c.id}:patient-safety`, TENANT_ID).read()).resource;
    assert.equal(after._etag, before._etag, "the alert was not queued again");
    assert.equal((await queuedAlerts(c.id)).length, 2);
  });

  it("shows the flag until an incident reference is recorded, then shows where it was reported", async () => {
    const { c, card } = await logContact({ safetyIncident: "true" });
    const data = pressData(card, "case.recordIncidentReference", { incidentSystem: "lfpse", incidentReference: "W12345" });
    const answer = (await press("case.recordIncidentReference", data)).value;
    const text = cardText(answer);
    assert.match(text, /Incident reference recorded: W12345/);
    assert.match(text, /Possible patient safety incident: reported \(LFPSE W12345\)/);
    assert.doesNotMatch(text, /not yet reported/);
    const saved = await stored(c.id);
    assert.deepEqual({ system: saved.incidentReference?.system, reference: saved.incidentReference?.reference }, { system: "lfpse", reference: "W12345" });
    const { resources: events } = await t.bot.store.containers.events.items
      .query<{ kind: string; summary: string }>({ query: "SELECT c.kind, c.summary FROM c WHERE c.caseId = @id", parameters: [{ name: "@id", value: c.id }] })
      .fetchAll();
    const recorded = events.find((e) => e.kind === "incident-reference-recorded");
    assert.equal(recorded?.summary, "Incident reference recorded: reported on LFPSE", "the timeline names the system, not the patient");
  });

  it("refuses a reference that is too long or has other characters, keeping what was typed; and a forged verb from a volunteer", async () => {
    const { c, card } = await logContact({ safetyIncident: "true" });
    const tooLong = (
      await press(
        "case.recordIncidentReference",
        pressData(card, "case.recordIncidentReference", { incidentSystem: "datix", incidentReference: "W".repeat(41) }),
      )
    ).value;
    assert.match(cardText(tooLong), /Shorten the incident reference to 40 characters or fewer/);
    const badCharacters = (
      await press("case.recordIncidentReference", pressData(card, "case.recordIncidentReference", { incidentSystem: "datix", incidentReference: "W1<b>2" }))
    ).value;
    assert.match(cardText(badCharacters), /Use only letters, digits, spaces and - \/ _ \. in the incident reference/);
    assert.equal(inputValues(badCharacters).incidentReference, "W1<b>2", "what was typed is kept");
    const noSystem = (
      await press("case.recordIncidentReference", pressData(card, "case.recordIncidentReference", { incidentSystem: "nrls", incidentReference: "W1" }))
    ).value;
    assert.match(cardText(noSystem), /Choose the incident system from the list/);
    const forged = await t.send(
      cardAction(
        "case.recordIncidentReference",
        { caseId: c.id, incidentSystem: "lfpse", incidentReference: "W1" },
        { serviceUrl: t.connector.url, from: VOLUNTEER },
      ),
    );
    assert.doesNotMatch(cardText(forged.body?.value), /Incident reference recorded/);
    assert.equal((await stored(c.id)).incidentReference, undefined, "nothing was recorded");
  });

  it("offers Record incident reference only on a flagged case, in the card's menu, to officers and managers", async () => {
    const flagged = await logContact({ safetyIncident: "true" });
    const action = cardElements(flagged.card).find((node) => node.type === "Action.ShowCard" && node.title === "Record incident reference");
    assert.equal(action?.mode, "secondary");
    const plain = await logContact();
    assert.equal(
      cardElements(plain.card).some((node) => node.title === "Record incident reference"),
      false,
    );
    const volunteerView = (await press("case.view", { caseId: flagged.c.id }, VOLUNTEER)).value;
    assert.equal(
      cardElements(volunteerView).some((node) => node.title === "Record incident reference"),
      false,
    );
    assert.match(cardText(volunteerView), /Possible patient safety incident: not yet reported/);
  });
});
