import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import { cardElements, cardText, startTestBot, type TestBot } from "../helpers/bot";
import { channelMessage, MANAGER, OFFICER, personalInstall, TEAM, TENANT_ID, type TeamsUser } from "../helpers/activities";
import { contactForm } from "../helpers/caseFixtures";
import { ALERTS_TEAM_MS, TEAM_ROSTER_MS, TEAM_ROSTER_RETRY_MS } from "../../src/teams/access/teamRoster";

/** In the PALS team, an officer by id, who has never used PALS Desk. */
const TOM: TeamsUser = { id: "29:1tom", name: "Tom Teammate", aadObjectId: "00000000-0000-4000-8000-0000000000b1" };
/** In the PALS team with no PALS Desk role. */
const NORA: TeamsUser = { id: "29:1nora", name: "Nora Norole", aadObjectId: "00000000-0000-4000-8000-0000000000b2" };
/** Met PALS Desk, not in the team: an officer by id. */
const PRIYA: TeamsUser = { id: "29:2officer", name: "Priya Officer", aadObjectId: "00000000-0000-4000-8000-0000000000a6" };

describe("the Assign list offers the PALS team (the alerts channel's team, read from Teams with paging)", function () {
  this.timeout(60_000);
  let t: TestBot;
  let clock: Date;

  before(async () => {
    clock = new Date("2026-03-10T10:00:00Z");
    t = await startTestBot({
      env: {
        ALLOWED_TENANT_IDS: TENANT_ID,
        ROLE_OFFICERS: [OFFICER, TOM, PRIYA].map((u) => u.aadObjectId).join(","),
        ROLE_MANAGERS: MANAGER.aadObjectId,
      },
      now: () => clock,
    });
    // Two pages of two, and one of one: Teams' continuation tokens are followed to the end. A bot has no Entra ID object id.
    t.connector.setTeamMembers(
      TEAM.id,
      [
        { id: OFFICER.id, name: OFFICER.name, aadObjectId: OFFICER.aadObjectId },
        { id: TOM.id, name: TOM.name, aadObjectId: TOM.aadObjectId },
        { id: "28:another-bot", name: "Another bot" },
        { id: NORA.id, name: NORA.name, aadObjectId: NORA.aadObjectId },
        { id: MANAGER.id, name: MANAGER.name, aadObjectId: MANAGER.aadObjectId },
      ],
      2,
    );
    for (const user of [OFFICER, MANAGER, PRIYA]) await t.send(personalInstall({ serviceUrl: t.connector.url, from: user }));
  });
  after(async () => t.close());

  /** Logs a complaint as Olivia (its owner) and returns the id and the Assign list her case card offers. */
  async function newCase(): Promise<{ caseId: string; choices: string[] }> {
    const answer = await t.press("contact.submit", { formId: randomUUID(), ...contactForm({ receivedOn: "2026-03-09" }) }, OFFICER);
    const caseId = JSON.stringify(answer.value).match(/"caseId":"([0-9a-f-]{36})"/)![1];
    return { caseId, choices: assignChoices(answer.value) };
  }

  function assignChoices(card: unknown): string[] {
    const input = cardElements(card).find((element) => element.id === "assignTo");
    return (input?.choices ?? []).map((choice: { title: string }) => choice.title);
  }

  it("offers only the people PALS Desk has met until an alerts channel is set", async () => {
    const { choices } = await newCase();
    assert.deepEqual(choices, ["Maya Manager", "Priya Officer"]);
    assert.equal(t.connector.pagedMembersCalls.length, 0, "no team to read yet");
  });

  it("adds the alerts channel's team members who may own cases, read page by page, and assigns to one who never used PALS Desk", async () => {
    await t.send(channelMessage("set alerts channel", { serviceUrl: t.connector.url, from: MANAGER }));
    await newCase();
    assert.equal(t.connector.pagedMembersCalls.length, 0, "where the alerts channel is, is read once a minute");
    clock = new Date(clock.getTime() + ALERTS_TEAM_MS);
    t.connector.reset();
    const { caseId, choices } = await newCase();
    // The owner (Olivia) is left out, as is Nora (no role) and the bot; Priya was met; Tom comes from the team.
    assert.deepEqual(choices, ["Maya Manager", "Priya Officer", "Tom Teammate"]);
    const pages = t.connector.pagedMembersCalls;
    assert.deepEqual(
      pages.map((call) => [call.conversationId, call.query.get("continuationToken")]),
      [
        [TEAM.id, null],
        [TEAM.id, "page-2"],
        [TEAM.id, "page-4"],
      ],
    );
    assert.equal(pages[0].query.get("pageSize"), "500");

    const assigned = await t.press("case.assign", { caseId, assignTo: TOM.aadObjectId }, OFFICER);
    assert.match(cardText(assigned.value), /Assigned to Tom Teammate/);
    const refused = await t.press("case.assign", { caseId, assignTo: NORA.aadObjectId }, OFFICER);
    assert.match(cardText(refused.value), /Choose someone from the list/, "a team member without a role can't be given a case");
  });

  it("reads the team again only after 15 minutes", async () => {
    t.connector.reset();
    await newCase();
    clock = new Date(clock.getTime() + TEAM_ROSTER_MS - 1000);
    await newCase();
    assert.equal(t.connector.pagedMembersCalls.length, 0, "cached");
    clock = new Date(clock.getTime() + 1000);
    await newCase();
    assert.equal(t.connector.pagedMembersCalls.length, 3, "read again, every page");
  });

  it("falls back to the people PALS Desk has met when the team can't be read, logging it, and tries again a minute later", async () => {
    clock = new Date(clock.getTime() + TEAM_ROSTER_MS);
    t.connector.reset();
    // The bot was removed from the team (403): no retry by the connector client, so no waiting.
    t.connector.failNext({ status: 403 });
    const before = t.logLines.length;
    const { choices } = await newCase();
    assert.deepEqual(choices, ["Maya Manager", "Priya Officer"], "the card is drawn without the team");
    const warning = t.logLines.slice(before).find((line) => line.msg === "Could not read a Teams team's members");
    assert.ok(warning, "logged");
    assert.equal(warning.level, "warn");
    assert.deepEqual((warning.err as { statusCode?: number }).statusCode, 403);

    await newCase();
    assert.equal(t.connector.pagedMembersCalls.length, 1, "not tried again at once");
    clock = new Date(clock.getTime() + TEAM_ROSTER_RETRY_MS);
    assert.deepEqual((await newCase()).choices, ["Maya Manager", "Priya Officer", "Tom Teammate"]);
  });
});
