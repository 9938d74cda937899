import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import sinon from "sinon";
import type { Case, LearningAction } from "../../src/domain";
import { CosmosCaseRepository } from "../../src/store/caseRepository";
import { DEFAULT_RETENTION, DEFAULT_RULES } from "../../src/domain";
import {
  cardElements,
  cardOf,
  cardText,
  inputValues,
  startTestBot,
  type TestBot,
  storedCase as storedCaseOf,
  timelineKinds as timelineKindsOf,
} from "../helpers/bot";
import { ADMIN, channelMessage, LEAD, MANAGER, OFFICER, personalInstall, personalMessage, TENANT_ID, VOLUNTEER, type TeamsUser } from "../helpers/activities";
import { contactForm, makeCase } from "../helpers/caseFixtures";

const ROLES = {
  ROLE_OFFICERS: OFFICER.aadObjectId,
  ROLE_MANAGERS: MANAGER.aadObjectId,
  ROLE_VOLUNTEERS: VOLUNTEER.aadObjectId,
  ROLE_CLINICAL_LEADS: LEAD.aadObjectId,
  ROLE_ADMINS: ADMIN.aadObjectId,
};
const at = (day: string, time: string) => new Date(`${day}T${time}:00Z`);
const DESCRIPTION = "Call bells on Ward 7 are checked at every shift handover";

describe("actions from cases (real HTTP activities)", () => {
  let t: TestBot;
  let now: Date;

  beforeEach(async () => {
    now = at("2026-03-09", "10:00"); // Monday 9 March 2026
    t = await startTestBot({ env: ROLES, now: () => now });
    for (const person of [OFFICER, MANAGER, LEAD, VOLUNTEER, ADMIN]) await t.send(personalInstall({ serviceUrl: t.connector.url, from: person }));
    t.connector.reset();
  });
  afterEach(async () => t.close());

  const invoke = (verb: string, data: Record<string, unknown>, from: TeamsUser = OFFICER) => t.press(verb, data, from);
  const chatOf = (person: TeamsUser) => `a:1personal-${person.aadObjectId}`;
  const cardsTo = (conversationId: string) =>
    t.connector.calls
      .filter((call) => call.method === "POST" && call.conversationId === conversationId && call.body?.type === "message")
      .map((call) => cardOf(call.body));

  async function logComplaint(): Promise<{ c: Case; card: any }> {
    const answer = await invoke("contact.submit", {
      formId: randomUUID(),
      ...contactForm({ receivedOn: "2026-03-09", eventOn: "2026-03-01", division: "Medicine", serviceArea: "inpatient" }),
    });
    const caseId = answer.value.refresh.action.data.caseId;
    return { c: await storedCase(caseId), card: answer.value };
  }

  const storedCase = (id: string) => storedCaseOf(t, id);
  const timelineKinds = (id: string) => timelineKindsOf(t, id);

  /** Acknowledges and closes the complaint (its actions stay open). */
  async function closeComplaint(c: Case): Promise<void> {
    await invoke("case.acknowledge", { caseId: c.id, acknowledgedOn: "2026-03-09" });
    await invoke("case.close", { caseId: c.id, outcome: "upheld", learning: "" });
    assert.equal((await storedCase(c.id)).status, "closed", "a case closes with its action open");
  }

  /** Opens the form from the case card and saves it as an officer would, with these changes to what it offers. */
  async function addAction(c: Case, fields: Record<string, unknown> = {}, from: TeamsUser = OFFICER): Promise<any> {
    const form = await invoke("action.form", { caseId: c.id }, from);
    const save = cardElements(form.value).find((node) => node.verb === "action.add");
    return invoke(
      "action.add",
      { ...save.data, ...inputValues(form.value), actionDescription: DESCRIPTION, actionOwner: LEAD.aadObjectId, actionDueOn: "2026-03-20", ...fields },
      from,
    );
  }

  it("adds an action from the case card's '...' menu, and its owner gets the action card in their chat", async () => {
    const { c, card } = await logComplaint();
    const button = cardElements(card).find((node) => node.verb === "action.form");
    assert.ok(button, "the case card offers Add an action");
    assert.equal(button.title, "Add an action");
    assert.equal(button.mode, "secondary", "in the '...' menu");

    const form = await invoke("action.form", { caseId: c.id });
    assert.match(cardText(form.value), /Add an action to PALS-2026-\d+/);
    const values = inputValues(form.value);
    assert.equal(values.actionDivision, "Medicine", "the division comes from the case");
    const owners = cardElements(form.value)
      .find((node) => node.id === "actionOwner")
      .choices.map((choice: any) => choice.title);
    assert.ok(owners.includes(LEAD.name) && owners.includes(OFFICER.name), "the same people as Assign offers");
    const themes = cardElements(form.value)
      .find((node) => node.id === "actionSubject")
      .choices.map((choice: any) => choice.value);
    assert.deepEqual(themes, ["communications"], "themes are the case's subjects");

    const save = cardElements(form.value).find((node) => node.verb === "action.add");
    const submitted = {
      ...save.data,
      ...values,
      actionDescription: DESCRIPTION,
      actionOwner: LEAD.aadObjectId,
      actionDueOn: "2026-03-20",
      actionSubject: "communications",
    };
    const added = await invoke("action.add", submitted);
    const text = cardText(added.value);
    assert.match(text, /Action added for Dr Liam Lead, due Friday 20 March 2026: it is in their Teams chat with PALS Desk/);
    assert.match(text, /Actions\nOpen: Call bells on Ward 7 are checked at every shift handover · Dr Liam Lead · due Friday 20 March 2026/);
    const stored = (await storedCase(c.id)).actions!;
    assert.equal(stored.length, 1);
    assert.equal(stored[0].owner.aadObjectId, LEAD.aadObjectId);
    assert.equal(stored[0].subject, "communications");
    assert.deepEqual(await timelineKinds(c.id), ["created", "action-added"]);

    await t.bot.jobs.sweepNow();
    const toOwner = cardsTo(chatOf(LEAD));
    assert.equal(toOwner.length, 1, "one card to the owner");
    const ownerText = cardText(toOwner[0]);
    assert.match(ownerText, /Action from PALS-2026-\d+/);
    assert.match(ownerText, /Olivia Officer has given you an action from a PALS case, due in 9 working days/);
    assert.match(ownerText, /What will change: Call bells on Ward 7/);
    assert.ok(!JSON.stringify(toOwner[0]).includes("Margaret Jones"), "no patient details on the owner's card");
    assert.ok(cardElements(toOwner[0]).some((node) => node.title === "Mark done"));

    // The same submission again (a retry) adds nothing and sends nothing more.
    await invoke("action.add", submitted);
    await t.bot.jobs.sweepNow();
    assert.equal((await storedCase(c.id)).actions!.length, 1);
    assert.equal(cardsTo(chatOf(LEAD)).length, 1);
  });

  it("tells an admin which case's action card could not reach its owner, and what to ask them", async () => {
    const { c } = await logComplaint();
    await addAction(c);
    t.connector.failNext({ status: 403 });
    await t.bot.jobs.sweepNow();
    await t.bot.jobs.sweepNow();
    const notice = cardsTo(chatOf(ADMIN));
    assert.equal(notice.length, 1);
    assert.match(
      cardText(notice[0]),
      new RegExp(
        `An action card for ${c.reference} could not be delivered: its owner has not opened PALS Desk in Teams, or removed it\\. Ask them to open PALS Desk in Teams; they will then see it with "actions"\\.`,
      ),
    );
  });

  it("refuses an action naming the patient, or an owner not on the list, keeping what was typed and saving nothing", async () => {
    const { c } = await logComplaint();
    const named = await addAction(c, { actionDescription: "Apologise to Margaret Jones" });
    assert.match(cardText(named.value), /Write the action without the patient's name or NHS number: actions can be published in 'You said, we did'\./);
    assert.equal(inputValues(named.value).actionDescription, "Apologise to Margaret Jones", "what was typed is kept");
    const nhs = await addAction(c, { actionDescription: "Review 943 476 5919" });
    assert.match(cardText(nhs.value), /without the patient's name or NHS number/);
    const stranger = await addAction(c, { actionOwner: "00000000-0000-4000-8000-0000000000ee" });
    assert.match(cardText(stranger.value), /Choose the action's owner from the list/);
    const weekend = await addAction(c, { actionDueOn: "2026-03-21" });
    assert.match(cardText(weekend.value), /Saturday 21 March 2026 is not a working day/);
    const volunteer = await invoke("action.form", { caseId: c.id }, VOLUNTEER);
    assert.match(cardText(volunteer.value), /Volunteers can't add actions to cases/);
    assert.equal((await storedCase(c.id)).actions, undefined);
  });

  it("refuses patient details however they are written (issue 33): in the action, its division and what changed; nothing reaches the owner", async () => {
    const answer = await invoke("contact.submit", {
      formId: randomUUID(),
      ...contactForm({
        receivedOn: "2026-03-09",
        eventOn: "2026-03-01",
        patientName: "Ada Fairweather-Quince",
        raisedBy: "family",
        raiserName: "Tom O'Neill",
        consent: "given",
      }),
    });
    const c = await storedCase(answer.value.refresh.action.data.caseId);
    const variants = [
      "Review 943\u00a0476\u00a05919 notes",
      "Review 401-023-4563 notes",
      "Review 401/023/4563 notes",
      "Review 401 \u2013 023 \u2013 4563 notes",
      "Review 943\u200b476\u200b5919 notes",
      "Review \uff19\uff14\uff13 \uff14\uff17\uff16 \uff15\uff19\uff11\uff19 notes",
      "Apologise to Mrs Fairweather-Quince",
      "Apologise to Mrs Quince",
      "Apologise to MRS FAIRWEATHER QUINCE",
      "Ring Mr O\u2019Neill back",
      "Ring Mr O ' Neill back",
      "Check the chart from 17 May 1948",
    ];
    for (const text of variants) {
      const refused = await addAction(c, { actionDescription: text });
      assert.match(
        cardText(refused.value),
        /Write the action without the patient's name or NHS number: actions can be published in 'You said, we did'\. It has /,
        text,
      );
      assert.equal(inputValues(refused.value).actionDescription, text, "what was typed is kept");
    }
    const named = await addAction(c, { actionDescription: "Apologise to Mrs Fairweather-Quince" });
    assert.match(cardText(named.value), /It has “Fairweather-Quince”, from the patient's or raiser's name\./);
    const division = await addAction(c, { actionDivision: "Mrs Quince's bay" });
    assert.match(cardText(division.value), /Enter the division without the patient's name or NHS number/);
    assert.equal((await storedCase(c.id)).actions, undefined, "nothing saved");
    await t.bot.jobs.sweepNow();
    assert.equal(cardsTo(chatOf(LEAD)).length, 0, "nothing sent to the owner");

    await addAction(c);
    const actionId = (await storedCase(c.id)).actions![0].id;
    for (const text of variants) {
      const refused = await invoke("action.done", { caseId: c.id, actionId, submission: randomUUID(), actionEvidence: text }, LEAD);
      assert.match(cardText(refused.value), /without the patient's name or NHS number[\s\S]*It has /, text);
    }
    assert.equal((await storedCase(c.id)).actions![0].status, "open");
  });

  it("lets the owner mark it done with what changed, even once the case is closed; refuses forged submissions", async () => {
    const { c } = await logComplaint();
    await addAction(c);
    const actionId = (await storedCase(c.id)).actions![0].id;
    await closeComplaint(c);
    const submission = randomUUID();
    const byOfficer = await invoke("action.done", { caseId: c.id, actionId, submission, actionEvidence: "Forged" }, OFFICER);
    assert.match(cardText(byOfficer.value), /This action belongs to Dr Liam Lead. Only they or a PALS manager can mark it done/);
    const madeUp = await invoke("action.done", { caseId: c.id, actionId: randomUUID(), submission, actionEvidence: "Made up" }, LEAD);
    assert.match(cardText(madeUp.value), /Action not found[\s\S]*couldn't find that action/);
    const noEvidence = await invoke("action.done", { caseId: c.id, actionId, submission, actionEvidence: " " }, LEAD);
    assert.match(cardText(noEvidence.value), /Say what changed/);
    assert.equal((await storedCase(c.id)).actions![0].status, "open");

    const done = await invoke(
      "action.done",
      { caseId: c.id, actionId, submission: randomUUID(), actionEvidence: "Bell checks added to the handover sheet on 12 March" },
      LEAD,
    );
    assert.match(cardText(done.value), /Marked done: what changed is on the case's timeline/);
    assert.match(cardText(done.value), /Done on Monday 9 March 2026 by Dr Liam Lead/);
    assert.match(cardText(done.value), /What changed: Bell checks added to the handover sheet/);
    const stored = (await storedCase(c.id)).actions![0];
    assert.equal(stored.status, "done");
    assert.equal(stored.done!.evidence, "Bell checks added to the handover sheet on 12 March");
    const again = await invoke("action.done", { caseId: c.id, actionId, submission: randomUUID(), actionEvidence: "Again" }, MANAGER);
    assert.match(cardText(again.value), /Dr Liam Lead already marked this action done on Monday 9 March 2026/);
    assert.deepEqual(await timelineKinds(c.id), ["created", "action-added", "acknowledged", "closed", "action-done"]);
  });

  it("takes no change to an action on a case whose records are being retired", async () => {
    const action: LearningAction = {
      id: randomUUID(),
      description: "Bells checked",
      owner: { aadObjectId: LEAD.aadObjectId, name: LEAD.name },
      division: "Medicine",
      dueOn: "2026-03-20",
      status: "open",
      createdOn: "2026-03-02",
      createdBy: { aadObjectId: OFFICER.aadObjectId, name: OFFICER.name },
    };
    const c = {
      ...makeCase(),
      id: randomUUID(),
      trustId: TENANT_ID,
      reference: "PALS-2016-000001",
      status: "closed" as const,
      closedOn: "2016-03-10",
      outcome: "upheld" as const,
      retiringOn: "2026-03-09",
      actions: [action],
    };
    await new CosmosCaseRepository(t.bot.store.containers.cases, DEFAULT_RETENTION, DEFAULT_RULES).create(c);
    const answer = await invoke("action.done", { caseId: c.id, actionId: action.id, submission: randomUUID(), actionEvidence: "Done" }, LEAD);
    assert.match(cardText(answer.value), /records are being deleted under the records retention schedule/);
    assert.equal((await storedCase(c.id)).actions![0].status, "open");
  });

  it("nudges the owner before and on the due day, and alerts the managers once when it is overdue, on a closed case too", async () => {
    const alerts = channelMessage("set alerts channel", { serviceUrl: t.connector.url, from: MANAGER });
    await t.send(alerts);
    const channelId = alerts.channelData.channel.id;
    const { c } = await logComplaint();
    await addAction(c); // due Friday 20 March
    await closeComplaint(c);
    await t.bot.jobs.sweepNow();
    t.connector.reset();
    const overdueAlerts = () => cardsTo(channelId).filter((card) => /Action from a case overdue/.test(cardText(card)));

    now = at("2026-03-17", "09:00"); // Tuesday: 3 working days before
    await t.bot.jobs.sweepNow();
    assert.equal(cardsTo(chatOf(LEAD)).length, 0);
    now = at("2026-03-18", "09:00"); // Wednesday: 2 working days before
    await t.bot.jobs.sweepNow();
    assert.equal(cardsTo(chatOf(LEAD)).length, 1);
    assert.match(cardText(cardsTo(chatOf(LEAD))[0]), /Reminder: this action is due in 2 working days/);
    now = at("2026-03-19", "09:00");
    await t.bot.jobs.sweepNow();
    assert.equal(cardsTo(chatOf(LEAD)).length, 1, "the nudge goes once");
    now = at("2026-03-20", "09:00");
    await t.bot.jobs.sweepNow();
    assert.equal(cardsTo(chatOf(LEAD)).length, 2);
    assert.match(cardText(cardsTo(chatOf(LEAD))[1]), /This action is due today/);
    assert.equal(overdueAlerts().length, 0);

    now = at("2026-03-23", "09:00"); // Monday: overdue
    await t.bot.jobs.sweepNow();
    assert.equal(overdueAlerts().length, 1);
    assert.match(cardText(overdueAlerts()[0]), /PALS-2026-\d+[\s\S]*Action owner: Dr Liam Lead · due Friday 20 March 2026/);
    now = at("2026-03-24", "09:00");
    await t.bot.jobs.sweepNow();
    assert.equal(overdueAlerts().length, 1, "the overdue alert goes once");
    assert.equal(cardsTo(chatOf(LEAD)).length, 2, "no more nudges once overdue");
  });

  it("alerts the managers once for each overdue action of a case, not once for the case (issue 31)", async () => {
    const alerts = channelMessage("set alerts channel", { serviceUrl: t.connector.url, from: MANAGER });
    await t.send(alerts);
    const channelId = alerts.channelData.channel.id;
    const { c } = await logComplaint();
    await addAction(c);
    await addAction(c, { actionDescription: "Call bells checked on every night shift", actionDueOn: "2026-03-19" });
    await t.bot.jobs.sweepNow();
    t.connector.reset();
    const overdueAlerts = () => cardsTo(channelId).filter((card) => /Action from a case overdue/.test(cardText(card)));
    now = at("2026-03-23", "09:00"); // Monday: both overdue
    await t.bot.jobs.sweepNow();
    assert.equal(overdueAlerts().length, 2, "one alert for each action");
    assert.ok(overdueAlerts().some((card) => /due Thursday 19 March 2026/.test(cardText(card))));
    assert.ok(overdueAlerts().some((card) => /due Friday 20 March 2026/.test(cardText(card))));
    now = at("2026-03-24", "09:00");
    await t.bot.jobs.sweepNow();
    assert.equal(overdueAlerts().length, 2, "and each only once");
  });

  it("`actions` lists my open actions soonest first with overdue marked, in one query; `actions all` shows managers every division", async () => {
    const first = await logComplaint();
    const second = await logComplaint();
    await addAction(first.c, { actionDueOn: "2026-03-27" });
    await addAction(second.c, { actionDueOn: "2026-03-10", actionDivision: "Surgery", actionDescription: "Discharge letters checked by a second nurse" });
    await addAction(second.c, { actionOwner: OFFICER.aadObjectId, actionDueOn: "2026-03-11", actionDescription: "Officer's own action" });
    now = at("2026-03-12", "10:00");

    const queries = sinon.spy(t.bot.store.containers.cases.items, "query");
    try {
      await t.send(personalMessage("actions", { serviceUrl: t.connector.url, from: LEAD }));
      assert.equal(queries.callCount, 1, "one bounded query of the cases container");
      const query = JSON.stringify(queries.firstCall.args[0]);
      assert.match(
        query,
        /SELECT TOP \d+ c\.id, c\.reference, c\.actions FROM c WHERE c\.trustId = @trustId.*ARRAY_CONTAINS\(c\.openActionOwners, @me\) ORDER BY c\.openActionsDueOn/,
      );
    } finally {
      queries.restore();
    }
    const mine = cardOf(t.connector.sentActivities.at(-1));
    const text = cardText(mine);
    assert.match(text, /Your open actions\n2 open actions, 1 overdue, soonest due first\./);
    assert.ok(text.indexOf("Discharge letters") < text.indexOf("Call bells"), "soonest due first");
    assert.match(text, new RegExp(`${second.c.reference} · Overdue: Tuesday 10 March 2026 \\(overdue by 2 working days\\)`));
    assert.ok(!text.includes("Officer's own action"), "only mine");
    const open = cardElements(mine).find((node) => node.verb === "action.open");
    const opened = await invoke("action.open", open.data, LEAD);
    assert.match(opened.value?.value ?? JSON.stringify(opened), /Opened the action from PALS-2026-\d+ below/);
    assert.match(cardText(cardOf(t.connector.sentActivities.at(-1))), /Action from PALS-2026-\d+[\s\S]*Discharge letters/);

    await t.send(personalMessage("actions all", { serviceUrl: t.connector.url, from: OFFICER }));
    assert.match(t.connector.sentActivities.at(-1).text, /Only PALS managers can see every open action/);
    await t.send(personalMessage("actions all", { serviceUrl: t.connector.url, from: MANAGER }));
    const all = cardText(cardOf(t.connector.sentActivities.at(-1)));
    assert.match(all, /Open actions by division\n3 open actions, 2 overdue, in 2 divisions\. Overdue first\./);
    // The officer's action took the division the form offers (the case's); each division has one overdue, so by name.
    assert.match(all, /Medicine · 2 open, 1 overdue\nPALS-2026-\d+ · Overdue: Wednesday 11 March 2026[\s\S]*Call bells[\s\S]*Surgery · 1 open, 1 overdue/);
    assert.match(all, /Olivia Officer/);
  });

  it("an owner with no PALS Desk role (a ward manager) sees their actions with `actions` and marks one done", async () => {
    // An id with capitals, as some directories give it: the action index and the list's query both use lower case.
    const WARD_MANAGER: TeamsUser = { id: "29:1wardmanager", name: "Wendy Ward-Manager", aadObjectId: "00000000-0000-4000-8000-0000000000E7" };
    await t.send(personalInstall({ serviceUrl: t.connector.url, from: WARD_MANAGER }));
    const { c } = await logComplaint();
    await addAction(c, { actionOwner: WARD_MANAGER.aadObjectId });
    // The same person, their id in lower case this time.
    await t.send(personalMessage("actions", { serviceUrl: t.connector.url, from: { ...WARD_MANAGER, aadObjectId: WARD_MANAGER.aadObjectId.toLowerCase() } }));
    const list = cardOf(t.connector.sentActivities.at(-1));
    assert.match(cardText(list), /Your open actions\n1 open action/);
    const open = cardElements(list).find((node) => node.verb === "action.open");
    await invoke("action.open", open.data, WARD_MANAGER);
    const card = cardOf(t.connector.sentActivities.at(-1));
    const done = cardElements(card).find((node) => node.verb === "action.done");
    assert.ok(done, "the owner is offered Mark done");
    await invoke("action.done", { ...done.data, actionEvidence: "Checks added to the handover sheet" }, WARD_MANAGER);
    assert.equal((await storedCase(c.id)).actions?.[0].status, "done");
  });

  it("`actions` says how many more there are when the list is cut", async () => {
    const actions: LearningAction[] = Array.from({ length: 30 }, (_, i) => ({
      id: randomUUID(),
      description: `Action number ${i + 1}`,
      owner: { aadObjectId: LEAD.aadObjectId, name: LEAD.name },
      division: "Medicine",
      dueOn: `2026-04-${String(1 + (i % 20)).padStart(2, "0")}`,
      status: "open",
      createdOn: "2026-03-09",
      createdBy: { aadObjectId: OFFICER.aadObjectId, name: OFFICER.name },
    }));
    await new CosmosCaseRepository(t.bot.store.containers.cases, DEFAULT_RETENTION, DEFAULT_RULES).create({
      ...makeCase(),
      id: randomUUID(),
      trustId: TENANT_ID,
      reference: "PALS-2026-900001",
      actions,
    });
    await t.send(personalMessage("actions", { serviceUrl: t.connector.url, from: LEAD }));
    const text = cardText(cardOf(t.connector.sentActivities.at(-1)));
    assert.match(text, /30 open actions, soonest due first\./);
    assert.match(text, /5 more open actions not shown/);
    assert.equal(cardElements(cardOf(t.connector.sentActivities.at(-1))).filter((node) => node.verb === "action.open").length, 25);
  });

  it("shows `actions` in help for officers, managers and clinical leads, and `actions all` for managers only", async () => {
    const help = async (person: TeamsUser) => {
      await t.send(personalMessage("help", { serviceUrl: t.connector.url, from: person }));
      return JSON.stringify(cardOf(t.connector.sentActivities.at(-1)));
    };
    for (const person of [OFFICER, MANAGER, LEAD]) assert.match(await help(person), /"actions"|\*\*actions\*\*|actions:/, person.name);
    assert.match(await help(MANAGER), /actions all/);
    assert.doesNotMatch(await help(OFFICER), /actions all/);
    assert.doesNotMatch(await help(LEAD), /actions all/);
  });
});
