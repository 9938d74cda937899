import { strict as assert } from "node:assert";
import { COMMANDS } from "../../src/teams/commands";
import { cardOf, cardText, startTestBot, type TestBot } from "../helpers/bot";
import {
  ADMIN,
  BOT,
  CHANNEL,
  channelMessage,
  LEAD,
  MANAGER,
  OFFICER,
  personalInstall,
  personalMessage,
  TENANT_ID,
  teamInstall,
  VOLUNTEER,
  type TeamsUser,
} from "../helpers/activities";

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
    const card = cardOf(t.connector.sentActivities[0]);
    const text = cardText(card);
    assert.match(text, /Welcome to PALS Desk/);
    assert.match(text, /@mention PALS Desk/);
    // Everyone in the team reads it: no one person's commands, and how each sees their own.
    assert.match(text, /Each person sees the commands their PALS Desk role allows/);
    assert.doesNotMatch(text, /^new:/m);
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

describe("help fits the person: each role sees what it may do (real HTTP activities)", function () {
  this.timeout(60_000);
  const TWO_HATS: TeamsUser = { id: "29:2hats", name: "Tess Twohats", aadObjectId: "00000000-0000-4000-8000-0000000000b2" };
  const NOBODY: TeamsUser = { id: "29:nobody", name: "Noel Nobody", aadObjectId: "00000000-0000-4000-8000-0000000000b3" };
  let t: TestBot;
  before(async () => {
    t = await startTestBot({
      env: {
        ALLOWED_TENANT_IDS: TENANT_ID,
        ROLE_OFFICERS: `${OFFICER.aadObjectId},${TWO_HATS.aadObjectId}`,
        ROLE_VOLUNTEERS: VOLUNTEER.aadObjectId,
        ROLE_MANAGERS: MANAGER.aadObjectId,
        ROLE_ADMINS: ADMIN.aadObjectId,
        ROLE_CLINICAL_LEADS: `${LEAD.aadObjectId},${TWO_HATS.aadObjectId}`,
      },
      now: () => new Date("2026-03-10T10:00:00Z"),
    });
  });
  after(async () => t.close());

  /** The welcome card `help` brings this person, and the commands it lists (the words typed). */
  async function help(user: TeamsUser, inChannel = false) {
    t.connector.reset();
    const options = { serviceUrl: t.connector.url, from: user };
    await t.send(inChannel ? channelMessage("help", options) : personalMessage("help", options));
    const card = cardOf(t.connector.sentActivities.at(-1));
    assert.ok(card, "help answers with a card");
    const facts = (card.body as any[]).filter((e) => e.type === "FactSet").flatMap((e) => e.facts as { title: string }[]);
    const text = cardText(card);
    const canLog = (card.actions ?? []).some((a: any) => a.verb === "contact.new");
    return { card, text, commands: facts.map((f) => f.title), canLog };
  }

  const OFFICERS = ["new", "my cases", "due", "case PALS-2026-000123", "find <words or NHS number>", "set division channel <division>", "inbox"];
  const MANAGERS = [
    "report",
    "report ko41a <year>",
    "export cases <from> <to>",
    "export case <reference>",
    "subject access <NHS number>",
    "you said we did <period> <division>",
    "actions all",
    "retention review",
    "set alerts channel",
    "set safety channel",
    "set inbox channel",
  ];
  /** Anyone identified: public information, help, and their own actions from cases (an owner needs no role). */
  const ANYONE = ["actions", "signpost <need>", "complaints process", "help"];

  it("an officer sees the officers' commands and the Log a contact button, and none of the six managers' commands", async () => {
    const { commands, text, canLog } = await help(OFFICER);
    assert.deepEqual([...commands].sort(), [...OFFICERS, ...ANYONE].sort());
    for (const command of MANAGERS) assert.ok(!commands.includes(command), `${command} is for managers`);
    assert.match(text, /You're set up as a PALS officer\./);
    assert.ok(canLog);
  });

  it("a volunteer sees what volunteers may do, and what to ask an officer for", async () => {
    const { commands, text, canLog } = await help(VOLUNTEER);
    assert.deepEqual([...commands].sort(), ["new", "my cases", "due", "case PALS-2026-000123", "find <words or NHS number>", ...ANYONE].sort());
    assert.match(text, /PALS volunteer/);
    assert.match(text, /not close complaints/);
    assert.ok(canLog);
  });

  it("a manager (and an admin) sees every command, reports and exports included", async () => {
    for (const user of [MANAGER, ADMIN]) {
      const { commands, canLog } = await help(user);
      assert.deepEqual([...commands].sort(), [...OFFICERS, ...MANAGERS, ...ANYONE].sort());
      assert.ok(canLog);
    }
  });

  it("a clinical lead, asking in a division channel, sees how to answer requests, and no case commands", async () => {
    const { commands, text, canLog } = await help(LEAD, true);
    assert.deepEqual([...commands].sort(), [...ANYONE].sort());
    assert.match(text, /clinical lead/);
    assert.match(text, /Investigation requests/);
    assert.match(text, /Answer on the card, or ask for more time/);
    assert.ok(!canLog, "no Log a contact button");
  });

  it("someone with several roles sees the union: an officer who is also a clinical lead", async () => {
    const { commands, text, canLog } = await help(TWO_HATS);
    assert.deepEqual([...commands].sort(), [...OFFICERS, ...ANYONE].sort());
    assert.match(text, /a PALS officer and a clinical lead/);
    assert.match(text, /Investigation requests/);
    assert.ok(canLog);
  });

  it("someone with no role is told how to get access, and sees only what anyone may use", async () => {
    const { commands, text, canLog } = await help(NOBODY);
    assert.deepEqual([...commands].sort(), [...ANYONE].sort());
    assert.match(text, /You don't have a PALS Desk role yet/);
    assert.match(text, /Ask your PALS manager to give you access/);
    assert.ok(!canLog);
  });

  /** What a person would type for each command on the card; a new command needs a line here. */
  const TRY: Record<string, { text: string; inChannel?: boolean }> = {
    new: { text: "new" },
    "my cases": { text: "my cases" },
    due: { text: "due" },
    "case PALS-2026-000123": { text: "case PALS-2026-000123" },
    "find <words or NHS number>": { text: "find margaret" },
    "signpost <need>": { text: "signpost advocacy" },
    "complaints process": { text: "complaints process" },
    "set division channel <division>": { text: "set division channel Surgery", inChannel: true },
    report: { text: "report" },
    "report ko41a <year>": { text: "report ko41a 2025" },
    "export cases <from> <to>": { text: "export cases 2026-01-01 2026-01-31" },
    "export case <reference>": { text: "export case PALS-2026-000123" },
    "subject access <NHS number>": { text: "subject access 943 476 5919" },
    "you said we did <period> <division>": { text: "you said we did last 12 months" },
    actions: { text: "actions" },
    "actions all": { text: "actions all" },
    "retention review": { text: "retention review" },
    "set alerts channel": { text: "set alerts channel", inChannel: true },
    "set safety channel": { text: "set safety channel", inChannel: true },
    inbox: { text: "inbox" },
    "set inbox channel": { text: "set inbox channel", inChannel: true },
    help: { text: "help" },
  };
  const REFUSED = /^(\*\*)?(Not available|PALS Desk can't help with that)\b/;

  it("every command on the card is one the person may run, and every command left off is refused (each role)", async () => {
    assert.deepEqual(Object.keys(TRY).sort(), COMMANDS.map((c) => c.command).sort(), "every command has a try-out line");
    for (const user of [OFFICER, VOLUNTEER, MANAGER, ADMIN, LEAD, TWO_HATS, NOBODY]) {
      const { commands } = await help(user);
      for (const [command, attempt] of Object.entries(TRY)) {
        t.connector.reset();
        const options = { serviceUrl: t.connector.url, from: user };
        await t.send(attempt.inChannel ? channelMessage(attempt.text, options) : personalMessage(attempt.text, options));
        const replies = t.connector.sentActivities;
        assert.ok(replies.length > 0, `${user.name}: "${attempt.text}" is answered`);
        const refused = replies.some((r: any) => typeof r.text === "string" && REFUSED.test(r.text));
        assert.equal(
          refused,
          !commands.includes(command),
          `${user.name}: "${attempt.text}" ${refused ? "was refused but is on their card" : "worked but is not on their card"}`,
        );
      }
    }
  });
});
