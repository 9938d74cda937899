// The case card through real activities: a note just added shows on the card that comes back and on the card
// opened again (read from the case document: no timeline query), the newest three only; volunteers see what
// happened on a safeguarding case, not the notes.
import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import { cardElements, cardText, inputValues, startTestBot, type TestBot } from "../helpers/bot";
import { MANAGER, OFFICER, VOLUNTEER, type TeamsUser } from "../helpers/activities";
import { contactForm } from "../helpers/caseFixtures";

const ROLES = { ROLE_OFFICERS: OFFICER.aadObjectId, ROLE_VOLUNTEERS: VOLUNTEER.aadObjectId, ROLE_MANAGERS: MANAGER.aadObjectId };

/** The "Latest on the timeline" lines of a case card's text. */
function latestOf(card: unknown): string[] {
  const text = cardText(card);
  const at = text.indexOf("Latest on the timeline\n");
  assert.ok(at >= 0, `the card shows the latest entries:\n${text}`);
  return text.slice(at).split("\n").slice(1);
}

const mainRow = (card: any): string[] => (card.actions as { title: string; mode?: string }[]).filter((a) => a.mode !== "secondary").map((a) => a.title);

describe("the case card's latest timeline entries (real HTTP activities)", () => {
  let t: TestBot;
  /** Tuesday 10 March 2026, 10:00 in London; each test moves it on a minute at a time. */
  let now = new Date("2026-03-10T10:00:00Z");
  const tick = () => (now = new Date(now.getTime() + 60_000));
  before(async () => {
    t = await startTestBot({ env: ROLES, now: () => now });
  });
  after(async () => t.close());
  beforeEach(() => t.connector.reset());

  const press = (verb: string, data: Record<string, unknown>, from: TeamsUser = OFFICER) => t.press(verb, data, from);

  async function logComplaint(overrides: Record<string, unknown> = {}): Promise<{ caseId: string; card: any }> {
    const answer = await press("contact.submit", { formId: randomUUID(), ...contactForm({ receivedOn: "2026-03-09", eventOn: "2026-03-01", ...overrides }) });
    return { caseId: answer.value.refresh.action.data.caseId, card: answer.value };
  }

  it("shows the note just added on the card that comes back, and on the card opened again", async () => {
    const { caseId, card: logged } = await logComplaint();
    assert.match(latestOf(logged).join("\n"), /^10 Mar 2026, 10:0\d · Olivia Officer\nComplaint logged/);
    tick();
    const added = await press("case.addNote", { caseId, note: "Rang the ward manager: call back Friday." });
    assert.match(cardText(added.value), /Note added to the timeline/);
    assert.deepEqual(latestOf(added.value).slice(0, 3), [
      `10 Mar 2026, ${now.toISOString().slice(11, 16)} · Olivia Officer`,
      "Note added",
      "Rang the ward manager: call back Friday.",
    ]);
    const reopened = await press("case.view", { caseId });
    assert.deepEqual(latestOf(reopened.value).slice(1, 3), ["Note added", "Rang the ward manager: call back Friday."]);
    assert.match(latestOf(reopened.value).join("\n"), /Complaint logged/, "and what came before it");
  });

  it("keeps the newest three, newest first", async () => {
    const { caseId } = await logComplaint();
    for (const note of ["First call", "Second call", "Third call", "Fourth call"]) {
      tick();
      await press("case.addNote", { caseId, note });
    }
    const text = latestOf((await press("case.view", { caseId })).value).join("\n");
    assert.deepEqual(text.match(/(First|Second|Third|Fourth) call/g), ["Fourth call", "Third call", "Second call"]);
    assert.doesNotMatch(text, /Complaint logged/);
  });

  it("shows a volunteer what happened on a safeguarding case, not the notes", async () => {
    const { caseId } = await logComplaint({ contactType: "concern", safeguarding: "true" });
    tick();
    await press("case.addNote", { caseId, note: "Spoke to the safeguarding lead about the son." });
    const volunteer = await press("case.view", { caseId }, VOLUNTEER);
    const lines = latestOf(volunteer.value);
    assert.equal(lines[1], "Note added");
    assert.doesNotMatch(JSON.stringify(volunteer.value), /safeguarding lead about the son/);
    const officer = await press("case.view", { caseId });
    assert.match(JSON.stringify(officer.value), /safeguarding lead about the son/);
  });

  it("offers an officer their own new complaint's next steps in the main row, the rest in the menu", async () => {
    const { card } = await logComplaint();
    const row = mainRow(card);
    assert.ok(row.length <= 4, row.join(", "));
    assert.ok(row.includes("Record acknowledgement") && row.includes("Add note"), row.join(", "));
    assert.ok((card.actions as { mode?: string }[]).some((a) => a.mode === "secondary"));
    // Every button, main row or menu, still does what it says: Close case is refused until the acknowledgement is recorded.
    const close = await press("case.close", { caseId: card.refresh.action.data.caseId, outcome: "upheld", learning: "" });
    assert.match(cardText(close.value), /Record the acknowledgement first/);
  });

  it("opens the details form from Complete details while something is still to record", async () => {
    const { card } = await logComplaint();
    assert.match(cardText(card), /Still to record: /);
    const details = cardElements(card).find((node) => node.type === "Action.Execute" && node.title === "Complete details");
    assert.ok(details, "Complete details is offered");
    const answer = await press(details.verb, details.data);
    assert.match(cardText(answer.value), /Details of complaint PALS-2026-\d{6}/);
  });

  it("answers every button of a manager's card, main row and menu, open and closed", async () => {
    const { caseId } = await logComplaint();
    await press("case.acknowledge", { caseId, acknowledgedOn: "2026-03-10" });
    const open = (await press("case.view", { caseId }, MANAGER)).value;
    await press("case.close", { caseId, outcome: "upheld", learning: "" });
    const closed = (await press("case.view", { caseId }, MANAGER)).value;
    const pressed: string[] = [];
    for (const card of [open, closed]) {
      for (const action of cardElements(card).filter((node) => node.type === "Action.Execute")) {
        const answer = await press(action.verb, { ...inputValues(card), ...action.data }, MANAGER);
        assert.doesNotMatch(cardText(answer.value ?? {}), /out of date|Something went wrong|could not be read/, `${action.title} (${action.verb})`);
        pressed.push(action.title);
      }
    }
    for (const title of [
      "Take ownership",
      "Save note",
      "Send request",
      "Save outcome and close",
      "Save and reopen",
      "Acknowledgement letter",
      "Save Ombudsman details",
      "Export case file",
      "Save new date",
      "View timeline",
    ]) {
      assert.ok(pressed.includes(title), `${title} was pressed`);
    }
  });
});
