import { strict as assert } from "node:assert";
import { cardOf, cardText, startTestBot, type TestBot } from "../helpers/bot";
import {
  BOT,
  cardAction,
  channelMessage,
  messageExtensionQuery,
  OFFICER,
  OTHER_TENANT_ID,
  personalInstall,
  personalMessage,
  TENANT_ID,
  teamInstall,
} from "../helpers/activities";

const REFUSAL = /not set up for your organisation/;

describe("another organisation gets nothing but the one refusal (ALLOWED_TENANT_IDS, real HTTP)", function () {
  this.timeout(30_000);
  let t: TestBot;

  before(async () => {
    t = await startTestBot({ env: { ALLOWED_TENANT_IDS: TENANT_ID, ROLE_OFFICERS: OFFICER.aadObjectId } });
  });
  after(async () => t.close());

  /** Every document the bot has written to the store (people, conversations, teams, cases, jobs). */
  async function storedDocuments(): Promise<number> {
    let count = 0;
    for (const container of Object.values(t.bot.store.containers)) {
      const { resources } = await container.items.query("SELECT VALUE COUNT(1) FROM c").fetchAll();
      count += resources[0] as number;
    }
    return count;
  }

  const foreign = () => ({ serviceUrl: t.connector.url, tenantId: OTHER_TENANT_ID });

  async function answerTo(activity: object, writes = 0) {
    t.connector.reset();
    const before = await storedDocuments();
    const answer = await t.send(activity);
    assert.ok(answer.status < 500, `answered ${answer.status}`);
    assert.equal(await storedDocuments(), before + writes, "nothing is written for another organisation");
    const sent = t.connector.sentActivities;
    return {
      answer,
      sent,
      text: [
        ...sent.map((a) => `${a.text ?? ""}\n${cardText(cardOf(a))}`),
        cardText(answer.body?.value),
        JSON.stringify(answer.body?.composeExtension ?? ""),
      ].join("\n"),
    };
  }

  it("installing the app in a personal chat gets the refusal, not the welcome card", async () => {
    const { sent, text } = await answerTo(personalInstall(foreign()));
    assert.equal(sent.length, 1, "one message");
    assert.match(text, REFUSAL);
    assert.doesNotMatch(text, /Welcome to PALS Desk/);
  });

  it("adding the app to a team gets the refusal, not the welcome card, and the team is not remembered", async () => {
    const { sent, text } = await answerTo(teamInstall(foreign()));
    assert.equal(sent.length, 1);
    assert.match(text, REFUSAL);
    assert.doesNotMatch(text, /Welcome to PALS Desk/);
  });

  it("other membership changes and installation updates get no answer at all", async () => {
    const memberAdded = { ...teamInstall(foreign()), membersAdded: [{ id: "29:someone-new" }] };
    const botRemoved = { ...teamInstall(foreign()), membersAdded: undefined, membersRemoved: [{ id: BOT.id }] };
    const installAdd = { ...personalInstall(foreign()), type: "installationUpdate", action: "add", membersAdded: undefined };
    const installRemove = { ...installAdd, action: "remove" };
    for (const activity of [memberAdded, botRemoved, installAdd, installRemove]) {
      const { sent } = await answerTo(activity);
      assert.equal(sent.length, 0, `no answer to ${activity.type} ${JSON.stringify((activity as { action?: string }).action ?? "")}`);
    }
  });

  it("help, a command, a channel @mention, a card button and a message extension search are each refused, once", async () => {
    for (const activity of [personalMessage("help", foreign()), personalMessage("new", foreign()), channelMessage("set alerts channel", foreign())]) {
      const { sent, text } = await answerTo(activity);
      assert.equal(sent.length, 1);
      assert.match(text, REFUSAL);
      assert.doesNotMatch(text, /Welcome to PALS Desk|Log a contact/);
    }
    const button = await answerTo(cardAction("case.refresh", { caseId: "x" }, foreign()));
    assert.match(button.text, REFUSAL);
    const search = await answerTo(messageExtensionQuery("advocacy", foreign()));
    // Teams shows a message extension's answer only in its own shape: a message, not a card.
    assert.equal(search.answer.body?.composeExtension?.type, "message", JSON.stringify(search.answer.body));
    assert.match(search.answer.body.composeExtension.text, REFUSAL);
    assert.doesNotMatch(search.text, /Advocacy|Healthwatch/i, "no directory results either");
  });

  it("the trust's own install still gets the welcome card", async () => {
    const { text } = await answerTo(teamInstall({ serviceUrl: t.connector.url, tenantId: TENANT_ID }), 2);
    assert.match(text, /Welcome to PALS Desk/);
  });
});
