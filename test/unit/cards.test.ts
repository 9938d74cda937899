import { strict as assert } from "node:assert";
import fs from "node:fs";
import path from "node:path";
import { CARDS_DIR, expandCard, prepareCards } from "../../src/teams/cards";
import { caseCard, caseListCard, noticeCard, timelineCard } from "../../src/teams/cases/caseView";
import { contactForm } from "../../src/teams/cases/logContact";
import { COMMANDS } from "../../src/teams/commands";
import { caseShareCard, complaintsProcessCard, directoryCard, entryCard } from "../../src/teams/signposting/signpostingView";
import { DEFAULT_RULES, NATIONAL_DIRECTORY, SignpostingDirectory, DEFAULT_RETENTION } from "../../src/domain";
import { makeCase } from "../helpers/caseFixtures";
import { cardText } from "../helpers/bot";
import { digestItem, requestInvestigation } from "../../src/domain";
import { investigationNoticeCard, investigationRequestCard } from "../../src/teams/investigations/investigationCards";
import { alertCard, digestCard } from "../../src/teams/alerts/nudgeCards";
import { ko41aCard, reportCard } from "../../src/teams/reports/reportCards";
import { letterCard } from "../../src/teams/letters/letters";
import { ko41aReturn, serviceReport } from "../../src/domain";
import { reportCases } from "../helpers/reportFixtures";
import { chartProblems, chartsIn, isKnownChartNote } from "../helpers/chartSchema";
import { welcomeCard } from "../../src/teams/welcome";
import { actionCard, actionFormCard, allActionsCard, myActionsCard } from "../../src/teams/actions/learningActionCards";
import { ACTION_TEXT_LIMIT, addAction, markActionDone } from "../../src/domain";
import { youSaidWeDid } from "../../src/domain";
import { CARD_ACTION_LIMIT, youSaidWeDidCard } from "../../src/teams/actions/youSaidWeDid";
import { doneAction } from "../helpers/youSaidWeDidFixtures";
// The adaptivecards package only loads in Node from its dist build.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const AC = require("adaptivecards/dist/adaptivecards.js");

/** The card without its `"mode": "secondary"` actions (Teams puts those in the card's "..." menu). */
function primaryOnly(node: unknown): unknown {
  if (Array.isArray(node))
    return node.filter((item) => !(item && typeof item === "object" && (item as { mode?: unknown }).mode === "secondary")).map(primaryOnly);
  if (!node || typeof node !== "object") return node;
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, primaryOnly(value)]));
}

/**
 * Problems the Adaptive Cards parser reports for schema 1.5: unknown elements, bad values, duplicate ids, too many
 * buttons. The parser counts secondary actions against the host's button limit too, though they sit in the "..."
 * menu: so the limit is checked on the primary actions alone, everything else on the whole card.
 */
function schemaProblems(card: object): string[] {
  const tooMany = /^Maximum number of actions exceeded/;
  const all = parsedProblems(card).filter((problem) => !tooMany.test(problem));
  // Teams' charts (Chart.*, not in schema 1.5) are checked against their documented shapes (chartSchema.ts).
  return [...new Set([...parsedProblems(primaryOnly(card) as object).filter((problem) => tooMany.test(problem)), ...all, ...chartProblems(card)])];
}

function parsedProblems(card: object): string[] {
  const parsed = new AC.AdaptiveCard();
  const context = new AC.SerializationContext();
  context.targetVersion = AC.Versions.v1_5;
  parsed.parse(card, context);
  const problems: string[] = [];
  // A known chart is "unknown" to the parser, which uses its fallback (checked like any element); any other unknown element is a problem.
  for (let i = 0; i < context.eventCount; i++) if (!isKnownChartNote(context.getEventAt(i).message)) problems.push(context.getEventAt(i).message);
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
  it("are all prepared before the first request, and a card that can't be read is named", () => {
    assert.equal(prepareCards(), fs.readdirSync(CARDS_DIR).filter((file) => file.endsWith(".json")).length);
    assert.throws(() => expandCard("noSuchCard", {}), /^Error: cards\/noSuchCard\.json is not a card template PALS Desk can read \(ENOENT/);
  });

  it("every template in cards/ is schema 1.5 JSON", () => {
    const files = fs.readdirSync(CARDS_DIR).filter((file) => file.endsWith(".json"));
    assert.ok(files.length >= 6);
    for (const file of files) {
      const template = JSON.parse(fs.readFileSync(path.join(CARDS_DIR, file), "utf8"));
      assert.equal(template.version, "1.5", file);
    }
  });

  it("the welcome card is valid for every role, several roles, no role, someone unidentified and a team", () => {
    assertValidCard(expandCard("welcome", { commands: COMMANDS, inChannel: false }));
    for (const roles of [
      OFFICER,
      VOLUNTEER,
      new Set(["manager"] as const),
      new Set(["lead"] as const),
      new Set(["officer", "lead"] as const),
      new Set<never>(),
    ]) {
      for (const inChannel of [false, true]) assertValidCard(welcomeCard({ rules: DEFAULT_RULES, roles, inChannel }));
    }
    assertValidCard(welcomeCard({ rules: DEFAULT_RULES, access: "PALS Desk works in Microsoft Teams for your trust's staff.", inChannel: false }));
    assertValidCard(welcomeCard({ rules: DEFAULT_RULES, roles: OFFICER, inChannel: true, shared: true }));
    assert.match(JSON.stringify(welcomeCard({ rules: DEFAULT_RULES, roles: OFFICER, inChannel: false })), /contact\.new/);
    assert.doesNotMatch(
      JSON.stringify(welcomeCard({ rules: DEFAULT_RULES, roles: new Set(["lead"] as const), inChannel: false })),
      /contact\.new/,
      "no Log a contact button for a clinical lead",
    );
  });

  it("the blank contact form and the form with errors are valid, and errors sit right after their field", () => {
    assertValidCard(contactForm("9b1d3c1e-0000-4000-8000-000000000001", { receivedOn: TODAY }, DEFAULT_RULES.deadlines), 28 * 1024);
    const card = contactForm("9b1d3c1e-0000-4000-8000-000000000001", { patientName: "", nhsNumber: "1234567890" }, DEFAULT_RULES.deadlines, {
      nhsNumber: "That NHS number is not valid: check the 10 digits",
    });
    assertValidCard(card);
    // The NHS number sits in the "More details" section, which opens because it holds a problem.
    const more = (card.body as { id?: string; isVisible?: boolean; items?: { id?: string; text?: string }[] }[]).find(
      (element) => element.id === "moreDetails",
    )!;
    assert.notEqual(more.isVisible, false, "the section with the problem is open");
    const body = more.items!;
    const field = body.findIndex((element) => element.id === "nhsNumber");
    assert.equal(body[field + 1].text, "That NHS number is not valid: check the 10 digits");
    assert.equal((body[field] as { value?: string }).value, "1234567890", "what was typed is kept");
  });

  it("the case card is valid for an officer, a volunteer and the shared view, open and closed", () => {
    const open = makeCase();
    const staff = [{ id: "a", title: "Priya Officer" }];
    assertValidCard(caseCard(open, { retention: DEFAULT_RETENTION, rules: DEFAULT_RULES, roles: OFFICER, today: TODAY, staff, refreshUserIds: ["29:1"] }));
    assertValidCard(caseCard(open, { retention: DEFAULT_RETENTION, rules: DEFAULT_RULES, roles: VOLUNTEER, today: TODAY }));
    assertValidCard(
      caseCard(
        { ...open, status: "closed", outcome: "upheld", closedOn: TODAY, learning: "Rota changed" },
        { retention: DEFAULT_RETENTION, rules: DEFAULT_RULES, roles: new Set(), today: TODAY },
      ),
    );
    assertValidCard(
      caseCard(
        { ...open, safeguarding: true },
        { retention: DEFAULT_RETENTION, rules: DEFAULT_RULES, roles: VOLUNTEER, today: TODAY, banner: { text: "Saved", style: "good" } },
      ),
    );
    // A manager is offered every action: four in the main row, the rest in the "..." menu; the last notes on the card.
    const latest = [{ id: "e1", at: "2026-03-10T10:00:00Z", kind: "note-added", by: "Olivia", summary: "Note added", detail: "Rang the ward" }];
    const manager = caseCard(open, { retention: DEFAULT_RETENTION, rules: DEFAULT_RULES, roles: new Set(["manager"] as const), today: TODAY, staff, latest });
    assertValidCard(manager);
    assert.ok((manager.actions as { mode?: string }[]).filter((a) => a.mode !== "secondary").length <= 4);
    assert.ok((manager.actions as { mode?: string }[]).some((a) => a.mode === "secondary"));
  });

  it("user text is shown as plain text runs, never as markdown", () => {
    const card = caseCard(
      { ...makeCase(), summary: "**bold** [link](https://evil.example) <at>Someone</at>" },
      { retention: DEFAULT_RETENTION, rules: DEFAULT_RULES, roles: OFFICER, today: TODAY },
    );
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
      timelineCard(
        c,
        [
          {
            id: "e1",
            caseId: c.id,
            trustId: c.trustId,
            reference: c.reference,
            kind: "note-added",
            at: "2026-03-10T10:00:00Z",
            by: { aadObjectId: "x", name: "Olivia" },
            summary: "Note added",
            detail: "Rang the ward",
          },
        ],
        OFFICER,
      ),
    );
    assertValidCard(noticeCard("Case not found", "Check the reference.", "attention"));
  });

  it("the signposting, directory, complaints-process and shared case cards are valid and small enough for a message extension", () => {
    const directory = new SignpostingDirectory(NATIONAL_DIRECTORY);
    for (const entry of NATIONAL_DIRECTORY) assertValidCard(entryCard(entry), 28 * 1024);
    assertValidCard(
      entryCard(
        NATIONAL_DIRECTORY.find((e) => e.id === "samaritans")!,
        { banner: "If someone's life is at risk right now, call 999." },
      ),
      28 * 1024,
    );
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
    assertValidCard(
      directoryCard(new SignpostingDirectory([...NATIONAL_DIRECTORY, ...Array.from({ length: 200 }, (_, i) => ({ ...local, id: `local-${i}` }))])),
    );
    assertValidCard(complaintsProcessCard(directory, DEFAULT_RULES));
    assertValidCard(complaintsProcessCard(new SignpostingDirectory([]), DEFAULT_RULES));
    assertValidCard(complaintsProcessCard(new SignpostingDirectory([]), { ...DEFAULT_RULES, nation: "wales" }));
    const shared = caseShareCard(makeCase(), TODAY);
    assertValidCard(shared, 28 * 1024);
    assert.doesNotMatch(JSON.stringify(shared), /Margaret|943 476 5919|9434765919/);
  });
  it("the digest, alert and investigation cards are valid, and the request card's mention matches its text", () => {
    const c = makeCase();
    const item = digestItem({ ...c, nextDueOn: TODAY }, TODAY, DEFAULT_RULES.nudgeWindowWorkingDays)!;
    assertValidCard(digestCard([item], TODAY, DEFAULT_RULES.nudgeWindowWorkingDays));
    const alert = {
      id: "a",
      trustId: c.trustId,
      target: { kind: "alerts-channel" as const },
      payload: { kind: "alert" as const, caseId: c.id, reference: c.reference, reason: "high-risk" as const, raisedOn: TODAY },
      state: "sent" as const,
      attempts: 1,
      nextAttemptAt: "",
      createdAt: "",
    };
    assertValidCard(alertCard(alert, c));
    assertValidCard(alertCard({ ...alert, target: { kind: "safety-channel" as const } }, c));
    assertValidCard(
      alertCard(alert, {
        ...c,
        alertAcknowledgements: [{ alertId: "a", reason: "high-risk", by: { aadObjectId: "m", name: "Maya Manager" }, at: "2026-03-10T10:00:00Z" }],
      }),
    );
    const withRequest = requestInvestigation(
      c,
      {
        defaultWorkingDays: DEFAULT_RULES.investigations.workingDays,
        id: "5f3c1c8e-0000-4000-8000-000000000001",
        division: "Medicine",
        lead: { aadObjectId: "lead-1", name: "Dr Liam Lead", teamsUserId: "29:lead" },
        summary: "What happened",
        questions: "Who was there?",
        includeNhsNumber: true,
      },
      { rules: DEFAULT_RULES, actor: { aadObjectId: "officer-1", name: "Olivia" }, now: new Date("2026-03-10T10:00:00Z") },
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
    assertValidCard(
      investigationNoticeCard(
        { kind: "investigation-reminder", reminder: "before", audience: "lead", caseId: c.id, reference: c.reference, requestId: request.id },
        withRequest,
      ),
    );
    assertValidCard(
      investigationNoticeCard(
        { kind: "investigation-reminder", reminder: "overdue", audience: "owner", caseId: c.id, reference: c.reference, requestId: request.id },
        undefined,
      ),
    );
  });

  it("the report, KO41a, letter cards and the case card's Letters and Ombudsman sections are valid (charts with table fallbacks)", () => {
    const cases = Object.values(reportCases("trust-1")).filter((c) => c.trustId === "trust-1");
    const report = reportCard(serviceReport(cases, { from: "2026-02-01", to: "2026-02-28" }, TODAY, DEFAULT_RULES.updates.workingDays), {
      today: TODAY,
      trustName: "Example NHS Trust",
    });
    assertValidCard(report);
    assert.equal(chartsIn(report).length, 3, "open cases by age, deadlines, themes");
    assertValidCard(
      reportCard(serviceReport([], { from: "2026-02-01", to: "2026-02-28" }, TODAY, DEFAULT_RULES.updates.workingDays), {
        today: TODAY,
        banner: "Check the dates",
      }),
    );
    const enquiries = cases.filter((c) => c.type === "enquiry").flatMap((c) => [c, { ...c, id: `${c.id}-again` }]);
    assert.match(
      cardText(reportCard(serviceReport(enquiries, { from: "2026-02-01", to: "2026-02-28" }, TODAY, DEFAULT_RULES.updates.workingDays), { today: TODAY })),
      /\(2 enquiries, 0 concerns, 0 complaints, 0 compliments\)/,
    );
    const many = Array.from({ length: 60 }, (_, i) => ({
      ...cases[0],
      id: `id-${i}`,
      division: `Division ${i}`,
      owner: { aadObjectId: `o${i}`, name: `Officer ${i}` },
    }));
    assertValidCard(reportCard(serviceReport(many, { from: "2026-02-01", to: "2026-02-28" }, TODAY, DEFAULT_RULES.updates.workingDays), { today: TODAY }));
    assertValidCard(ko41aCard(ko41aReturn(cases, 2025), { today: TODAY }));
    assertValidCard(ko41aCard(ko41aReturn([], 2024), { today: TODAY, inChannel: true }));
    // A community trust with 200 sites: the list to choose from, and one site's figures, stay within Teams' limit.
    const sites = Array.from({ length: 200 }, (_, i) => ({ code: `RXX${String(i).padStart(3, "0")}`, name: `Community clinic number ${i}` }));
    assertValidCard(ko41aCard(ko41aReturn(cases, 2025, sites), { today: TODAY }));
    assertValidCard(ko41aCard(ko41aReturn(cases, 2025, sites), { today: TODAY, site: sites[0].code }));
    const c = makeCase();
    assertValidCard(expandCard("file", { name: "KO41a-2025-26.csv", description: "KO41a counts", url: "http://127.0.0.1:3978/api/files/abc" }));
    const letter = letterCard({
      caseId: c.id,
      reference: c.reference,
      letter: "final",
      text: "Dear **Margaret**,\n\n[what we found]\n\nYours sincerely",
      source: "final.md",
    });
    assertValidCard(letter);
    assert.ok(JSON.stringify(letter).includes('"type":"TextRun","text":"Dear **Margaret**,"'), "letter text is plain text runs");
    const officerView = caseCard(c, { retention: DEFAULT_RETENTION, rules: DEFAULT_RULES, roles: OFFICER, today: TODAY });
    assertValidCard(officerView);
    assert.match(JSON.stringify(officerView), /"verb":"letter\.draft"/);
    assert.match(JSON.stringify(officerView), /"verb":"ombudsman\.record"/);
    assert.doesNotMatch(JSON.stringify(officerView), /"verb":"ombudsman\.exportFile"/, "exports are for managers");
    const managerView = caseCard(
      {
        ...c,
        status: "closed",
        outcome: "upheld",
        closedOn: TODAY,
        ombudsman: { referredOn: TODAY, reference: "C-1", stage: "investigation", responseDueOn: "2026-03-20" },
      },
      { retention: DEFAULT_RETENTION, rules: DEFAULT_RULES, roles: new Set(["manager"] as const), today: TODAY },
    );
    assertValidCard(managerView);
    assert.match(JSON.stringify(managerView), /"verb":"ombudsman\.exportFile"/);
    assert.doesNotMatch(
      JSON.stringify(caseCard(c, { retention: DEFAULT_RETENTION, rules: DEFAULT_RULES, roles: VOLUNTEER, today: TODAY })),
      /letter\.draft|ombudsman\./,
      "not for volunteers",
    );
  });
});

describe("report charts (Teams' Chart.* elements, with tables for other clients)", () => {
  const chart = (extra: Record<string, unknown> = {}) => ({
    type: "AdaptiveCard",
    version: "1.5",
    body: [
      { type: "Chart.VerticalBar", data: [{ x: "Communications", y: 3 }], fallback: { type: "TextBlock", text: "Communications: 3", wrap: true }, ...extra },
    ],
  });

  it("the schema check accepts the chart types with their documented properties, and still rejects anything else unknown", () => {
    assert.deepEqual(schemaProblems(chart()), []);
    assert.deepEqual(
      schemaProblems({
        ...chart(),
        body: [{ type: "Chart.Donut", data: [{ legend: "Met", value: 2, color: "good" }], fallback: { type: "TextBlock", text: "Met: 2" } }],
      }),
      [],
    );
    const problems = (card: object) => schemaProblems(card).join("\n");
    assert.match(
      problems({ ...chart(), body: [{ type: "Chart.Bogus", data: [], fallback: { type: "TextBlock", text: "x" } }] }),
      /unknown chart type "Chart.Bogus"/,
    );
    assert.match(problems({ ...chart(), body: [{ type: "Fancy.Widget", text: "x" }] }), /Unknown element type "Fancy.Widget"/);
    assert.match(problems(chart({ data: undefined })), /data/, "data is required");
    assert.match(problems(chart({ xAxisTitel: "Subject" })), /xAxisTitel/, "a misspelt property");
    assert.match(problems(chart({ data: [{ x: "a", y: "3" }] })), /y/, "counts are numbers");
    assert.match(problems(chart({ fallback: undefined })), /fallback/, "a table for clients without charts");
    assert.match(problems(chart({ fallback: { type: "Fancy.Widget" } })), /Fancy.Widget/, "the fallback is checked like any element");
  });

  /** The table cell at (row named a, column named b) or (row named b, column named a). */
  function cell(table: any, a: string, b: string): string | undefined {
    const text = (c: any) => c.items.map((item: any) => item.text ?? item.inlines?.map((run: any) => run.text).join("")).join("");
    const [header, ...rows] = table.rows.map((row: any) => row.cells.map(text) as string[]);
    for (const [rowName, column] of [
      [a, b],
      [b, a],
    ]) {
      const row = rows.find((r: string[]) => r[0] === rowName);
      const index = header.indexOf(column);
      if (row && index > 0) return row[index];
    }
    return undefined;
  }

  it("shows each chart's table where charts are not supported (the adaptivecards renderer uses the fallback), and the charts' figures are the tables'", () => {
    const cases = Object.values(reportCases("trust-1")).filter((c) => c.trustId === "trust-1");
    const report = reportCard(serviceReport(cases, { from: "2026-02-01", to: "2026-02-28" }, TODAY, DEFAULT_RULES.updates.workingDays), { today: TODAY });
    const charts = chartsIn(report);
    assert.deepEqual(
      charts.map(({ chart }) => chart.data.map((s: any) => s.legend)),
      [
        ["Enquiry", "Complaint"], // the types open at the end of February
        ["Met", "Missed", "Not yet due"],
        ["This period", "Previous period"],
      ],
    );
    for (const { chart } of charts) {
      assert.equal(chart.fallback.type, "Table");
      for (const series of chart.data) {
        for (const point of series.values) assert.equal(cell(chart.fallback, series.legend, point.x), String(point.y), `${series.legend} at ${point.x}`);
      }
    }
    // A client without Teams' charts: what the adaptivecards renderer will draw, charts replaced by their tables.
    const parsed = new AC.AdaptiveCard();
    parsed.parse(report, new AC.SerializationContext(AC.Versions.v1_5));
    const drawn = JSON.stringify(parsed.toJSON());
    assert.doesNotMatch(drawn, /Chart\./);
    const tables = (drawn.match(/"type":"Table"/g) ?? []).length;
    assert.equal(tables, 6, "every section's table: the three charts' fallbacks and the three tables without charts");
    for (const { chart } of charts) assert.ok(drawn.includes(JSON.stringify(chart.fallback.rows[1].cells[0].items[0])), "the chart's table is drawn");
  });

  it("draws no chart for a period with nothing to chart, just the tables or 'None'", () => {
    const report = reportCard(serviceReport([], { from: "2026-02-01", to: "2026-02-28" }, TODAY, DEFAULT_RULES.updates.workingDays), { today: TODAY });
    assert.deepEqual(chartsIn(report), []);
    assertValidCard(report);
  });
});

describe("the You said, we did card", () => {
  const FEBRUARY = { from: "2026-02-01", to: "2026-02-28" };
  const cases = Object.values(reportCases("trust-1")).filter((c) => c.trustId === "trust-1");
  const read = (actions: ReturnType<typeof doneAction>[]) => [
    { id: "x", subjects: ["communications" as const], division: "Medicine", actions, patient: {}, raiser: {}, owner: {} },
  ];

  it("is valid with themes, actions and a theme still being looked at, and with a division", () => {
    const summary = youSaidWeDid(cases, read([doneAction({ description: "Bells checked at handover", doneOn: "2026-02-10" })]), FEBRUARY, {
      division: "Medicine",
    });
    const card = youSaidWeDidCard(summary, { today: TODAY, trustName: "Example NHS Trust" });
    assertValidCard(card);
    assert.match(cardText(card), /We did: Bells checked at handover/);
    assert.match(cardText(card), /We are looking at this/);
  });

  it("stays under Teams' 80 KB with many long actions, and says the CSV has the rest", () => {
    const long = "x".repeat(1000);
    const many = Array.from({ length: 200 }, (_, i) => doneAction({ description: `${i} ${long}`, evidence: long, doneOn: "2026-02-10" }));
    const card = youSaidWeDidCard(youSaidWeDid(cases, read(many), FEBRUARY), { today: TODAY });
    assertValidCard(card);
    assert.match(cardText(card), /Showing \d+ of the 200 actions completed: choose Download as CSV for them all/);
    assert.ok((cardText(card).match(/We did:/g) ?? []).length <= CARD_ACTION_LIMIT);
  });
});

describe("the cards of actions from cases", () => {
  const NOW = new Date("2026-03-10T10:00:00Z");
  const officer = { aadObjectId: "officer-1", name: "Olivia Officer" };
  const owner = { aadObjectId: "owner-1", name: "Sam Sister" };
  /** A case with `count` actions of the longest text, a third done. */
  function withActions(count: number) {
    let c = makeCase();
    for (let i = 0; i < count; i++) {
      const id = `5f3c1c8e-0000-4000-8000-${String(i).padStart(12, "0")}`;
      c = addAction(
        c,
        { id, description: `${i} ${"x".repeat(ACTION_TEXT_LIMIT - 3)}`, owner, division: "Medicine", dueOn: "2026-03-20", subject: "communications" },
        { rules: DEFAULT_RULES, actor: officer, now: NOW },
      ).updated;
      if (i % 3 === 0) c = markActionDone(c, id, "y".repeat(ACTION_TEXT_LIMIT), { rules: DEFAULT_RULES, actor: owner, now: NOW, isManager: false }).updated;
    }
    return c;
  }

  it("the form, the owner's card (added, nudged, done) and the lists are valid", () => {
    const c = withActions(2);
    assertValidCard(actionFormCard(c, { version: "etag", owners: [{ id: "owner-1", title: "Sam Sister" }], today: TODAY }));
    assertValidCard(
      actionFormCard(makeCase({ subjects: "" }), {
        version: "",
        owners: [],
        today: TODAY,
        banner: { text: "Choose the owner", style: "attention" },
        draft: { actionDescription: "typed" },
      }),
    );
    for (const moment of ["added", "before", "due-day", undefined] as const) {
      assertValidCard(actionCard(c, c.actions![1], { today: TODAY, moment, canMarkDone: true, canOpenCase: moment === undefined }));
    }
    const done = actionCard(c, c.actions![0], { today: TODAY, canMarkDone: true, canOpenCase: true, banner: { text: "Marked done", style: "good" } });
    assertValidCard(done);
    assert.ok(!JSON.stringify(done).includes("Mark done"), "a done action offers no Mark done");
    const listed = c.actions!.map((action) => ({ caseId: c.id, reference: c.reference, action, overdue: action.dueOn < TODAY }));
    assertValidCard(myActionsCard(listed, TODAY, { count: 3, atLeast: true }));
    assertValidCard(allActionsCard([{ division: "Medicine", open: 2, overdue: 0, actions: listed }], TODAY, { total: 30, shown: 2, atLeast: false }));
  });

  it("the case card lists its actions compactly and stays well under 80 KB with many long ones", () => {
    const card = caseCard(withActions(40), { retention: DEFAULT_RETENTION, rules: DEFAULT_RULES, roles: OFFICER, today: TODAY });
    assertValidCard(card);
    assert.ok(Buffer.byteLength(JSON.stringify(card)) < 40 * 1024, `case card is ${Buffer.byteLength(JSON.stringify(card))} bytes`);
    const text = cardText(card);
    assert.match(text, /Open: 1 x+… · Sam Sister · due Friday 20 March 2026/);
    assert.match(text, /More: 34 more actions: each is on the case's timeline\n/);
    assert.ok(JSON.stringify(card).includes('"verb":"action.form"'), "officers are offered Add an action");
    assert.ok(
      !JSON.stringify(caseCard(withActions(1), { retention: DEFAULT_RETENTION, rules: DEFAULT_RULES, roles: VOLUNTEER, today: TODAY })).includes(
        '"verb":"action.form"',
      ),
      "volunteers are not",
    );
  });
});
