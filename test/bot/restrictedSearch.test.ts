import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import { cardOf, cardText, startTestBot, type TestBot } from "../helpers/bot";
import { cardAction, MANAGER, messageExtensionQuery, OFFICER, personalInstall, personalMessage, VOLUNTEER, type TeamsUser } from "../helpers/activities";
import { contactForm } from "../helpers/caseFixtures";

/** What a volunteer must not be able to confirm about a safeguarding case by searching for it. */
const RESTRICTED = { patientName: "Zephaniah Quill", nhsNumber: "943 476 5870", summary: "Bruising noticed during the trampoline visit" };
const SEARCHES = ["zephaniah", "Quill", "9434765870", "943 476 5870", "trampoline bruising", "zephaniah trampoline"];

describe("search never confirms what the searcher may not see (real HTTP)", function () {
  this.timeout(60_000);
  let t: TestBot;
  let reference: string;

  before(async () => {
    t = await startTestBot({
      env: { ROLE_OFFICERS: OFFICER.aadObjectId, ROLE_VOLUNTEERS: VOLUNTEER.aadObjectId, ROLE_MANAGERS: MANAGER.aadObjectId },
      now: () => new Date("2026-03-10T10:00:00Z"),
    });
    for (const user of [OFFICER, VOLUNTEER, MANAGER]) await t.send(personalInstall({ serviceUrl: t.connector.url, from: user }));
    const form = contactForm({ ...RESTRICTED, receivedOn: "2026-03-09", safeguarding: "true" });
    const created = await t.send(cardAction("contact.submit", { formId: randomUUID(), ...form }, { serviceUrl: t.connector.url, from: OFFICER }));
    reference = /Logged as (PALS-\d{4}-\d{6})/.exec(cardText(created.body.value))![1];
  });
  after(async () => t.close());

  async function find(text: string, who: TeamsUser): Promise<string> {
    t.connector.reset();
    await t.send(personalMessage(`find ${text}`, { serviceUrl: t.connector.url, from: who }));
    const reply = t.connector.sentActivities.at(-1);
    return `${reply?.text ?? ""}\n${cardText(cardOf(reply))}`;
  }

  async function extensionResults(text: string, who: TeamsUser): Promise<string> {
    const answer = await t.send(messageExtensionQuery(text, { serviceUrl: t.connector.url, from: who }));
    return JSON.stringify(answer.body?.composeExtension?.attachments ?? []);
  }

  for (const text of SEARCHES) {
    it(`a volunteer's "find ${text}" matches nothing, with no count, while an officer's finds the case`, async () => {
      const volunteer = await find(text, VOLUNTEER);
      assert.match(volunteer, /No cases match/);
      assert.doesNotMatch(volunteer, new RegExp(reference));
      assert.doesNotMatch(volunteer, /\d+ cases? match/);
      assert.match(await find(text, OFFICER), new RegExp(reference));
      assert.match(await find(text, MANAGER), new RegExp(reference));
    });

    it(`the message extension's "${text}" shows a volunteer no case`, async () => {
      assert.doesNotMatch(await extensionResults(text, VOLUNTEER), new RegExp(reference));
      // The extension searches words, not NHS numbers (its results go into a chat).
      if (!/\d{3}/.test(text)) assert.match(await extensionResults(text, OFFICER), new RegExp(reference));
    });
  }

  it("a volunteer still finds the safeguarding case by its reference, with its details restricted", async () => {
    const text = await find(reference, VOLUNTEER);
    assert.match(text, new RegExp(reference));
    assert.doesNotMatch(text, /Zephaniah|Quill|trampoline/i);
    assert.match(await extensionResults(reference, VOLUNTEER), new RegExp(reference));
  });
});
