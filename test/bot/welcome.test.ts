import { strict as assert } from "node:assert";
import { cardOf, cardText, startTestBot, type TestBot } from "../helpers/bot";
import { BOT, CHANNEL, channelMessage, OFFICER, personalInstall, personalMessage, teamInstall } from "../helpers/activities";

describe("first conversation (real HTTP activities)", () => {
  let t: TestBot;
  before(async () => {
    t = await startTestBot();
  });
  after(async () => t.close());
  beforeEach(() => t.connector.reset());

  it("answers `help` in the personal chat with the welcome card listing the commands", async () => {
    const activity = personalMessage("help", { serviceUrl: t.connector.url });
    const answer = await t.send(activity);

    assert.equal(answer.status, 200);
    const [reply] = t.connector.sentActivities;
    assert.ok(reply, "the bot replied");
    const replyCall = t.connector.calls.find((call) => call.body === reply)!;
    assert.equal(replyCall.conversationId, activity.conversation.id, "the reply goes to the same chat");
    assert.equal(replyCall.activityId, activity.id, "as a reply to the message");
    const card = cardOf(reply);
    assert.equal(card.type, "AdaptiveCard");
    assert.equal(card.version, "1.5");
    const text = cardText(card);
    assert.match(text, /Welcome to PALS Desk/);
    assert.match(text, /help: Show this list of commands/);
    assert.doesNotMatch(text, /@mention/, "no channel hint in a personal chat");
  });

  it("understands `Help.` typed with capitals, spaces and a full stop", async () => {
    await t.send(personalMessage("  Help. ", { serviceUrl: t.connector.url }));
    assert.match(cardText(cardOf(t.connector.sentActivities[0])), /Welcome to PALS Desk/);
  });

  it("sends the welcome card when installed for a person", async () => {
    const answer = await t.send(personalInstall({ serviceUrl: t.connector.url }));
    assert.equal(answer.status, 200);
    assert.equal(t.connector.sentActivities.length, 1);
    assert.match(cardText(cardOf(t.connector.sentActivities[0])), /Welcome to PALS Desk/);
  });

  it("sends the welcome card, with the @mention hint, when added to a team", async () => {
    await t.send(teamInstall({ serviceUrl: t.connector.url }));
    const text = cardText(cardOf(t.connector.sentActivities[0]));
    assert.match(text, /Welcome to PALS Desk/);
    assert.match(text, /@mention PALS Desk/);
  });

  it("stays quiet when someone else joins a chat the bot is in", async () => {
    const activity = { ...personalInstall({ serviceUrl: t.connector.url }), membersAdded: [{ id: OFFICER.id }] };
    const answer = await t.send(activity);
    assert.equal(answer.status, 200);
    assert.equal(t.connector.sentActivities.length, 0);
  });

  it("answers `help` @mentioned in a channel, in that channel's thread", async () => {
    const activity = channelMessage("help", { serviceUrl: t.connector.url });
    assert.ok(activity.text.startsWith(`<at>${BOT.name}</at>`));
    await t.send(activity);
    const reply = t.connector.sentActivities[0];
    const call = t.connector.calls.find((c) => c.body === reply)!;
    assert.ok(call.conversationId!.startsWith(CHANNEL.id));
    assert.match(cardText(cardOf(reply)), /Welcome to PALS Desk/);
  });

  it("points to `help` when it does not understand", async () => {
    await t.send(personalMessage("what's the weather", { serviceUrl: t.connector.url }));
    const [reply] = t.connector.sentActivities;
    assert.equal(cardOf(reply), undefined);
    assert.match(reply.text, /didn't understand/);
    assert.match(reply.text, /help/);
  });

  it("tags every log line of a turn with the activity's request id", async () => {
    const activity = personalMessage("help", { serviceUrl: t.connector.url });
    await t.send(activity);
    assert.ok(t.logLines.some((line) => line.requestId === activity.id && line.msg === "Activity received"));
  });
});
