import { strict as assert } from "node:assert";
import fs from "node:fs";
import path from "node:path";
import { CARDS_DIR, expandCard } from "../../src/teams/cards";
import { caseCard, caseListCard, noticeCard, timelineCard } from "../../src/teams/caseView";
import { contactForm } from "../../src/teams/logContact";
import { COMMANDS } from "../../src/teams/commands";
import { caseShareCard, complaintsProcessCard, directoryCard, entryCard } from "../../src/teams/signpostingView";
import { NATIONAL_DIRECTORY, SignpostingDirectory } from "../../src/domain";
import { makeCase } from "../helpers/caseFixtures";
import { digestItem, requestInvestigation } from "../../src/domain";
import { investigationNoticeCard, investigationRequestCard } from "../../src/teams/investigationCards";
import { alertCard, digestCard } from "../../src/teams/nudgeCards";
import { ko41aCard, reportCard } from "../../src/teams/reportCards";
import { letterCard } from "../../src/teams/letters";
import { ko41aReturn, serviceReport } from "../../src/domain";
import { reportCases } from "../helpers/reportFixtures";
// The adaptivecards package only loads in Node from its dist build.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const AC = require("adaptivecards/dist/adaptivecards.js");

/** Problems the Adaptive Cards parser reports for schema 1.5: unknown elements, bad values, duplicate ids. */
function schemaProblems(card: object): string[] {
  const parsed = new AC.AdaptiveCard();
  const context = new AC.SerializationContext();
  context.targetVersion = AC.Versions.v1_5;
  parsed.parse(card, context);
  const problems: string[] = [];
  for (let i = 0; i < context.eventCount; i++) problems.push(context.getEventAt(i).message);
  const validation = parsed.validateProperties();
  for (const event of validation.validationEvents ?? []) problems.push(event.message);
  return problems;
}

function assertValidCard(card: Record<string, unknown>, limitBytes = 80 * 1024): void {
  assert.equal(card.type, "AdaptiveCard");
  assert.equal(card.version, "1.5");
  const json = JSON.stringify(card);
  assert.doesNotMatch(json, /\$\{/, "every ${...} binding was filled");
  assert.deepEqual(schemaProblems(card), []);
  assert.ok(Buffer.byteLength(json) < limitBytes, `card is ${Buffer.byteLength(json)} bytes`);
}

const TODAY = "2026-03-10";
const OFFICER = new Set(["officer"] as const);
const VOLUNTEER = new Set(["volunteer"] as const);

describe("card templates", () => {
  it("every template in cards/ is schema 1.5 JSON", () => {
    const files = fs.readdirSync(CARDS_DIR).filter((file) => file.endsWith(".json"));
    assert.ok(files.length >= 6);
    for (const file of files) {
      const template = JSON.parse(fs.readFileSync(path.join(CARDS_DIR, file), "utf8"));
      assert.equal(template.version, "1.5", file);
    }
  });

  it("the welcome card lists every command and offers to log a contact", () => {
    const card = expandCard("welcome", { commands: COMMANDS, inChannel: false });
    assertValidCard(card);
    assert.match(JSON.stringify(card), /contact\.new/);
  });

  it("the blank contact form and the form with errors are valid, and errors sit right after their field", () => {
    assertValidCard(contactForm("9b1d3c1e-0000-4000-8000-000000000001", { receivedOn: TODAY }), 28 * 1024);
    const card = contactForm("9b1d3c1e-0000-4000-8000-000000000001", { patientName: "", nhsNumber: "1234567890" }, { nhsNumber: "That NHS number is not valid: check the 10 digits" });
    assertValidCard(card);
    const body = card.body as { id?: string; text?: string }[];
    const field = body.findIndex((element) => element.id === "nhsNumber");
    assert.equal(body[field + 1].text, "That NHS number is not valid: check the 10 digits");
    assert.equal((body[field] as { value?: string }).value, "1234567890", "what was typed is kept");
  });

  it("the case card is valid for an officer, a volunteer and the shared view, open and closed", () => {
    const open = makeCase();
    const staff = [{ id: "a", title: "Priya Officer" }];
    assertValidCard(caseCard(open, { roles: OFFICER, today: TODAY, staff, refreshUserIds: ["29:1"] }));
    assertValidCard(caseCard(open, { roles: VOLUNTEER, today: TODAY }));
    assertValidCard(caseCard({ ...open, status: "closed", outcome: "upheld", closedOn: TODAY, learning: "Rota changed" }, { roles: new Set(), today: TODAY }));
    assertValidCard(caseCard({ ...open, safeguarding: true }, { roles: VOLUNTEER, today: TODAY, banner: { text: "Saved", style: "good" } }));
  });

  it("user text is shown as plain text runs, never as markdown", () => {
    const card = caseCard({ ...makeCase(), summary: "**bold** [link](https://evil.example) <at>Someone</at>" }, { roles: OFFICER, today: TODAY });
    const runs: string[] = [];
    JSON.stringify(card, (_key, value) => {
      if (value && value.type === "TextRun") runs.push(value.text);
      return value;
    });
    assert.ok(runs.includes("**bold** [link](https://evil.example) <at>Someone</at>"));
    const textBlocks = JSON.stringify(card).match(/"type":"TextBlock","text":"[^"]*evil/g);
    assert.equal(textBlocks, null, "the summary is never in a TextBlock");
  });

  it("the case list, timeline and notice cards are valid", () => {
    const c = makeCase();
    assertValidCard(caseListCard([c, { ...c, safeguarding: true }], { title: "My open cases", intro: "2 open cases", today: TODAY, roles: OFFICER }));
    assertValidCard(caseListCard([], { title: "My open cases", intro: "none", today: TODAY, roles: OFFICER }));
    assertValidCard(
      timelineCard(c, [{ id: "e1", caseId: c.id, tenantId: c.tenantId, reference: c.reference, kind: "note-added", at: "2026-03-10T10:00:00Z", by: { aadObjectId: "x", name: "Olivia" }, summary: "Note added", detail: "Rang the ward" }], OFFICER),
    );
    assertValidCard(noticeCard("Case not found", "Check the reference.", "attention"));
  });

  it("the signposting, directory, complaints-process and shared case cards are valid and small enough for a message extension", () => {
    const directory = new SignpostingDirectory(NATIONAL_DIRECTORY);
    for (const entry of NATIONAL_DIRECTORY) assertValidCard(entryCard(entry), 28 * 1024);
    assertValidCard(entryCard(NATIONAL_DIRECTORY.find((e) => e.id === "samaritans")!, { banner: "If someone's life is at risk right now, call 999." }), 28 * 1024);
    const local = {
      ...NATIONAL_DIRECTORY[0],
      id: "ward-7",
      scope: "local" as const,
      purpose: "**bold** [link](https://evil.example)",
      contact: { post: "Ward 7, Example Hospital" },
    };
    const card = entryCard(local);
    assertValidCard(card, 28 * 1024);
    assert.equal(JSON.stringify(card).match(/"type":"TextBlock","text":"[^"]*evil/g), null, "directory text is never markdown");
    assert.equal((card.actions as unknown[]).length, 0, "no website button without a website");
    assertValidCard(directoryCard(directory));
    assertValidCard(directoryCard(new SignpostingDirectory([...NATIONAL_DIRECTORY, ...Array.from({ length: 200 }, (_, i) => ({ ...local, id: `local-${i}` }))])));
    assertValidCard(complaintsProcessCard(directory));
    assertValidCard(complaintsProcessCard(new SignpostingDirectory([])));
    const shared = caseShareCard(makeCase(), TODAY);
    assertValidCard(shared, 28 * 1024);
    assert.doesNotMatch(JSON.stringify(shared), /Margaret|943 476 5919|9434765919/);
  });
  it("the digest, alert and investigation cards are valid, and the request card's mention matches its text", () => {
    const c = makeCase();
    const item = digestItem({ ...c, nextDueOn: TODAY }, TODAY)!;
    assertValidCard(digestCard([item], TODAY));
    const alert = { id: "a", tenantId: c.tenantId, target: { kind: "alerts-channel" as const }, payload: { kind: "alert" as const, caseId: c.id, reference: c.reference, reason: "high-risk" as const, raisedOn: TODAY }, state: "sent" as const, attempts: 1, nextAttemptAt: "", createdAt: "" };
    assertValidCard(alertCard(alert, c));
    assertValidCard(alertCard(alert, { ...c, alertAcknowledgements: [{ alertId: "a", reason: "high-risk", by: { aadObjectId: "m", name: "Maya Manager" }, at: "2026-03-10T10:00:00Z" }] }));
    const withRequest = requestInvestigation(
      c,
      { id: "5f3c1c8e-0000-4000-8000-000000000001", division: "Medicine", lead: { aadObjectId: "lead-1", name: "Dr Liam Lead", teamsUserId: "29:lead" }, summary: "What happened", questions: "Who was there?", includeNhsNumber: true },
      { actor: { aadObjectId: "officer-1", name: "Olivia" }, now: new Date("2026-03-10T10:00:00Z") },
    ).updated;
    const request = withRequest.investigations![0];
    const card = investigationRequestCard(withRequest, request, { aadObjectId: "lead-1", isPalsStaff: false });
    assertValidCard(card);
    const entity = (card.msteams as { entities: { text: string }[] }).entities[0];
    assert.ok(JSON.stringify(card.body).includes(entity.text), "the mention entity's text is in the card");
    assertValidCard(investigationRequestCard(withRequest, request, undefined));
    for (const kind of ["investigation-answer", "investigation-extension"] as const) {
      assertValidCard(investigationNoticeCard({ kind, caseId: c.id, reference: c.reference, requestId: request.id }, withRequest));
    }
    assertValidCard(investigationNoticeCard({ kind: "investigation-reminder", reminder: "before", audience: "lead", caseId: c.id, reference: c.reference, requestId: request.id }, withRequest));
    assertValidCard(investigationNoticeCard({ kind: "investigation-reminder", reminder: "overdue", audience: "owner", caseId: c.id, reference: c.reference, requestId: request.id }, undefined));
  });

  it("the report, KO41a, letter cards and the case card's Letters and Ombudsman sections are valid (tables, since charts are not schema 1.5)", () => {
    const cases = Object.values(reportCases("trust-1")).filter((c) => c.tenantId === "trust-1");
    const report = reportCard(serviceReport(cases, { from: "2026-02-01", to: "2026-02-28" }, TODAY), { today: TODAY, trustName: "Example NHS Trust" });
    assertValidCard(report);
    assert.doesNotMatch(JSON.stringify(report), /"type":"Chart\./);
    assertValidCard(reportCard(serviceReport([], { from: "2026-02-01", to: "2026-02-28" }, TODAY), { today: TODAY, banner: "Check the dates" }));
    const many = Array.from({ length: 60 }, (_, i) => ({ ...cases[0], id: `id-${i}`, division: `Division ${i}`, owner: { aadObjectId: `o${i}`, name: `Officer ${i}` } }));
    assertValidCard(reportCard(serviceReport(many, { from: "2026-02-01", to: "2026-02-28" }, TODAY), { today: TODAY }));
    assertValidCard(ko41aCard(ko41aReturn(cases, 2025), { today: TODAY }));
    assertValidCard(ko41aCard(ko41aReturn([], 2024), { today: TODAY, inChannel: true }));
    const c = makeCase();
    assertValidCard(expandCard("file", { name: "KO41a-2025-26.csv", description: "KO41a counts", url: "http://127.0.0.1:3978/api/files/abc" }));
    const letter = letterCard({ caseId: c.id, reference: c.reference, letter: "final", text: "Dear **Margaret**,\n\n[what we found]\n\nYours sincerely", source: "final.md" });
    assertValidCard(letter);
    assert.ok(JSON.stringify(letter).includes('"type":"TextRun","text":"Dear **Margaret**,"'), "letter text is plain text runs");
    const officerView = caseCard(c, { roles: OFFICER, today: TODAY });
    assertValidCard(officerView);
    assert.match(JSON.stringify(officerView), /"verb":"letter\.draft"/);
    assert.match(JSON.stringify(officerView), /"verb":"ombudsman\.record"/);
    assert.doesNotMatch(JSON.stringify(officerView), /"verb":"ombudsman\.exportFile"/, "exports are for managers");
    const managerView = caseCard({ ...c, status: "closed", outcome: "upheld", closedOn: TODAY, ombudsman: { referredOn: TODAY, reference: "C-1", stage: "investigation", responseDueOn: "2026-03-20" } }, { roles: new Set(["manager"] as const), today: TODAY });
    assertValidCard(managerView);
    assert.match(JSON.stringify(managerView), /"verb":"ombudsman\.exportFile"/);
    assert.doesNotMatch(JSON.stringify(caseCard(c, { roles: VOLUNTEER, today: TODAY })), /letter\.draft|ombudsman\./, "not for volunteers");
  });
});
