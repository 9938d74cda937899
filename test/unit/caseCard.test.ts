// The case card reads at a glance: one layout in a fixed order, each label once, plain button titles, at most
// four buttons in the main row (the rest in Teams' "..." menu), the last timeline entries on the card itself.
import { strict as assert } from "node:assert";
import {
  latestEntries,
  LATEST_DETAIL_LENGTH,
  requestInvestigation,
  type Case,
  type CaseEvent,
  type FollowUps,
  type LatestEntry,
  type Role,
  DEFAULT_RULES,
  DEFAULT_RETENTION,
} from "../../src/domain";
import { caseCard, MAX_PRIMARY_ACTIONS, type CaseCardOptions } from "../../src/teams/cases/caseView";
import { cardElements, cardText } from "../helpers/bot";
import { makeCase } from "../helpers/caseFixtures";

const TODAY = "2026-03-10";
const ME = { aadObjectId: "officer-1", name: "Olivia Officer" };
const SOMEONE_ELSE = { aadObjectId: "officer-2", name: "Priya Shah" };
const STAFF = [{ id: SOMEONE_ELSE.aadObjectId, title: SOMEONE_ELSE.name }];
const roles = (...names: Role[]) => new Set<Role>(names);

/** A complaint with every detail recorded (nothing "still to record"), owned by the viewer. */
function complete(overrides: Partial<Case> = {}): Case {
  return { ...makeCase(), serviceArea: "inpatient", owner: ME, ...overrides };
}

function draw(c: Case, options: Partial<CaseCardOptions> & { roles: ReadonlySet<Role> }): Record<string, any> {
  return caseCard(c, { retention: DEFAULT_RETENTION, rules: DEFAULT_RULES, today: TODAY, viewerAadObjectId: ME.aadObjectId, staff: STAFF, ...options });
}

interface Button {
  readonly title: string;
  readonly mode: string;
}
const buttons = (card: Record<string, any>): Button[] =>
  (card.actions as { title: string; mode?: string }[]).map((a) => ({ title: a.title, mode: a.mode ?? "primary" }));
const mainRow = (card: Record<string, any>) =>
  buttons(card)
    .filter((b) => b.mode === "primary")
    .map((b) => b.title);
const menu = (card: Record<string, any>) =>
  buttons(card)
    .filter((b) => b.mode === "secondary")
    .map((b) => b.title);
const sections = (card: Record<string, any>) => (card.body as { id?: string }[]).map((element) => element.id).filter(Boolean);
/** Every "Label: " a line starts with, every section heading and every button title, anywhere on the card. */
function labels(card: Record<string, any>): string[] {
  return cardElements(card).flatMap((node): string[] => {
    if (node.type === "TextRun" && node.weight === "Bolder" && typeof node.text === "string" && node.text.endsWith(": ")) return [node.text.slice(0, -2)];
    if (node.type === "TextBlock" && node.weight === "Bolder" && node.size !== "Large") return [node.text];
    if (typeof node.type === "string" && node.type.startsWith("Action.") && typeof node.title === "string") return [node.title];
    return [];
  });
}

function event(id: string, at: string, kind: CaseEvent["kind"], summary: string, detail?: string): CaseEvent {
  return {
    id,
    caseId: "c",
    trustId: "t",
    reference: "PALS-2026-000123",
    kind,
    at,
    by: { aadObjectId: ME.aadObjectId, name: ME.name },
    summary,
    ...(detail ? { detail } : {}),
  };
}
const followUps = (events: CaseEvent[], scrubTimeline = false): FollowUps => ({
  changeId: `c:${events[0]?.id}`,
  at: events[0]?.at ?? "",
  events,
  outbox: [],
  threads: [],
  ...(scrubTimeline ? { scrubTimeline } : {}),
});

const LATEST: LatestEntry[] = latestEntries(
  [],
  [
    followUps([event("c:1:0", "2026-03-03T10:15:00Z", "created", "Complaint logged (received by email on Tuesday 3 March 2026)")]),
    followUps([event("c:2:0", "2026-03-04T09:00:00Z", "note-added", "Note added", "Rang the ward manager.")]),
    followUps([event("c:3:0", "2026-03-05T09:00:00Z", "acknowledged", "Acknowledgement sent on Thursday 5 March 2026, on time")]),
    followUps([event("c:4:0", "2026-03-09T14:30:00Z", "note-added", "Note added", "Daughter called back: wants a meeting.")]),
  ],
);

describe("the case card at a glance", () => {
  it("lays out status, deadlines, flags, who, what, where, what was done, investigations and the latest entries, in that order", () => {
    const logged = complete({ signposting: ["phso"], flags: ["consent-needed"], raisedBy: "family", raiser: { name: "Sarah Jones" } });
    const lead = { aadObjectId: "lead-1", name: "Dr Liam Lead", teamsUserId: "29:lead" };
    const request = {
      id: "5f3c1c8e-0000-4000-8000-000000000001",
      division: "Medicine",
      lead,
      summary: "What happened",
      questions: "Who was there?",
      includeNhsNumber: false,
      defaultWorkingDays: DEFAULT_RULES.investigations.workingDays,
    };
    const c = requestInvestigation(logged, request, { rules: DEFAULT_RULES, actor: ME, now: new Date("2026-03-10T10:00:00Z") }).updated;
    const card = draw(c, { roles: roles("officer"), latest: LATEST });
    assert.deepEqual(sections(card), ["status", "deadlines", "flags", "stillToRecord", "who", "what", "where", "whatWeDid", "investigations", "latest"]);
    const text = cardText(card);
    assert.match(text, /Complaint PALS-2026-000123\nOpen · owned by Olivia Officer/);
    assert.match(
      text,
      /Deadlines\nReceived: Tuesday 3 March 2026 by email\nAcknowledge by: Friday 6 March 2026 · overdue by 2 working days\nRespond by: Thursday 9 April 2026 · due in 20 working days/,
    );
    assert.match(text, /Risk: 6 \(Moderate\)\nConsent needed/);
    assert.match(text, /Who\nPatient: Margaret Jones\n/);
    assert.match(text, /What it's about\nCall bell not answered overnight\.\nWhat they want to happen: An apology/);
    assert.match(text, /Where\nDivision: Medicine\nService: Respiratory\nWard: Ward 7\nService area: Inpatient/);
  });

  it("draws an overdue deadline in the attention colour, one still to come in the default colour", () => {
    const card = draw(complete(), { roles: roles("officer") });
    const runs = cardElements(card).filter((node) => node.type === "TextRun" && typeof node.text === "string" && node.text.includes("working day"));
    assert.deepEqual(
      runs.map((run) => [run.text, run.color]),
      [
        ["Friday 6 March 2026 · overdue by 2 working days", "Attention"],
        ["Thursday 9 April 2026 · due in 20 working days", "Default"],
        // An open complaint's next update to the complainant: 20 working days from receipt, none given yet.
        ["None yet · next due Tuesday 31 March 2026 · due in 15 working days", "Default"],
      ],
    );
  });

  it("shows each label once: who raised it, with their name, on one line", () => {
    for (const c of [
      complete({ raisedBy: "family", raiser: { name: "Sarah Jones" }, consent: "given", signposting: ["phso"] }),
      complete({ status: "closed", closedOn: TODAY, outcome: "upheld", learning: "Rota changed" }),
    ]) {
      for (const viewer of [roles("officer"), roles("manager"), roles("volunteer"), roles()]) {
        const all = labels(draw(c, { roles: viewer, latest: LATEST }));
        const repeated = all.filter((label, i) => all.indexOf(label) !== i);
        assert.deepEqual(repeated, [], `${[...viewer].join(",") || "shared copy"}, ${c.status}: ${repeated.join(", ")}`);
      }
    }
    const text = cardText(draw(complete({ raisedBy: "family", raiser: { name: "Sarah Jones" }, consent: "given" }), { roles: roles("officer") }));
    assert.equal(text.match(/Raised by/g)?.length, 1);
    assert.match(text, /Raised by: Family member · Sarah Jones\nConsent: Consent given/);
  });

  it("names its buttons plainly: Close case and Reopen case, never a bare Close, Reopen, Deadlines or Acknowledgement", () => {
    const open = buttons(draw(complete({ deadlines: { ...complete().deadlines, acknowledgedOn: "2026-03-05" } }), { roles: roles("manager") })).map(
      (b) => b.title,
    );
    const closed = buttons(draw(complete({ status: "closed", closedOn: TODAY, outcome: "upheld" }), { roles: roles("officer") })).map((b) => b.title);
    assert.ok(open.includes("Close case"));
    assert.ok(closed.includes("Reopen case"));
    const titles = [complete(), complete({ status: "closed", closedOn: TODAY, outcome: "upheld" })].flatMap((c) =>
      cardElements(draw(c, { roles: roles("manager") })).flatMap((node) =>
        typeof node.type === "string" && node.type.startsWith("Action.") ? [node.title] : [],
      ),
    );
    for (const vague of ["Close", "Reopen", "Deadlines", "Letters", "Acknowledge", "Acknowledgement"])
      assert.ok(!titles.includes(vague), `no button is just "${vague}"`);
  });

  describe("at most four buttons in the main row; the rest in the ... menu, and only what the viewer may do", () => {
    const concern = (overrides: Partial<Case> = {}) =>
      complete({ type: "concern", deadlines: { respondBy: "2026-03-24" }, serviceArea: undefined, professions: [], ...overrides });
    const cases: [string, Case, ReadonlySet<Role>, string[]][] = [
      ["an officer's own open concern", concern(), roles("officer"), ["Add note", "Escalate", "Ask a clinical lead", "Close case"]],
      [
        "an officer's own complaint, acknowledgement due",
        complete(),
        roles("officer"),
        ["Record acknowledgement", "Add note", "Ask a clinical lead", "Close case"],
      ],
      [
        "an officer's own complaint, acknowledged",
        complete({ deadlines: { ...complete().deadlines, acknowledgedOn: "2026-03-05" } }),
        roles("officer"),
        ["Add note", "Ask a clinical lead", "Close case", "Draft a letter"],
      ],
      [
        "a manager on someone else's complaint",
        complete({ owner: SOMEONE_ELSE }),
        roles("manager"),
        ["Take ownership", "Assign", "Record acknowledgement", "Add note"],
      ],
      ["an officer on a case nobody owns", concern({ owner: undefined }), roles("officer"), ["Take ownership", "Assign", "Add note", "Escalate"]],
      ["a volunteer on someone else's concern", concern({ owner: SOMEONE_ELSE }), roles("volunteer"), ["Take ownership", "Add note", "Close case", "Signpost"]],
      [
        "a volunteer on someone else's complaint",
        complete({ owner: SOMEONE_ELSE }),
        roles("volunteer"),
        ["Take ownership", "Add note", "Signpost", "View timeline"],
      ],
      [
        "an officer's closed complaint",
        complete({ status: "closed", closedOn: TODAY, outcome: "upheld" }),
        roles("officer"),
        ["Reopen case", "Add note", "Draft a letter", "Ombudsman"],
      ],
      [
        "a manager's closed complaint",
        complete({ status: "closed", closedOn: TODAY, outcome: "upheld" }),
        roles("manager"),
        ["Reopen case", "Add note", "Draft a letter", "Ombudsman"],
      ],
      ["the shared copy in a channel", complete(), roles(), ["View timeline"]],
    ];
    for (const [name, c, viewer, expected] of cases) {
      it(name, () => {
        const card = draw(c, { roles: viewer });
        assert.deepEqual(mainRow(card), expected);
        assert.ok(mainRow(card).length <= MAX_PRIMARY_ACTIONS);
        if (buttons(card).length > MAX_PRIMARY_ACTIONS) assert.ok(menu(card).length > 0, "the others are in the menu");
      });
    }

    it("puts the rarer actions in the menu", () => {
      const card = draw(complete({ deadlines: { ...complete().deadlines, acknowledgedOn: "2026-03-05" } }), { roles: roles("manager") });
      assert.deepEqual(menu(card), [
        "Assign",
        "Signpost",
        "Change response date",
        "Add an action",
        "Recalculate deadlines",
        "Offer to discuss",
        "Record update given",
        "Ombudsman",
        // A manager's own: a legal hold stops the records retention clock.
        "Place legal hold",
        "Edit details",
        "View timeline",
      ]);
    });

    it("never offers what the viewer may not do", () => {
      const volunteer = [
        ...mainRow(draw(complete({ owner: SOMEONE_ELSE }), { roles: roles("volunteer") })),
        ...menu(draw(complete({ owner: SOMEONE_ELSE }), { roles: roles("volunteer") })),
      ];
      for (const notTheirs of [
        "Assign",
        "Escalate",
        "Ask a clinical lead",
        "Close case",
        "Record acknowledgement",
        "Draft a letter",
        "Ombudsman",
        "Change response date",
        "Recalculate deadlines",
        "Record update given",
        "Add an action",
        "Complete details",
        "Edit details",
      ]) {
        assert.ok(!volunteer.includes(notTheirs), `a volunteer is not offered ${notTheirs}`);
      }
      const closed = buttons(draw(complete({ status: "closed", closedOn: TODAY, outcome: "upheld" }), { roles: roles("officer") })).map((b) => b.title);
      for (const notNow of ["Close case", "Take ownership", "Assign", "Escalate", "Ask a clinical lead", "Record acknowledgement", "Change response date"])
        assert.ok(!closed.includes(notNow), notNow);
      assert.deepEqual(
        buttons(draw(complete(), { roles: roles("lead") })).map((b) => b.title),
        ["View timeline"],
      );
    });
  });

  describe("still to record", () => {
    it("says what quick capture left out, with Complete details in the main row for those who may complete it", () => {
      const c = complete({ serviceArea: undefined, professions: [] });
      const card = draw(c, { roles: roles("officer") });
      assert.match(cardText(card), /Still to record: KO41a service area, KO41a staff groups/);
      assert.equal(mainRow(card)[0], "Complete details");
      const details = cardElements(card).find((node) => node.title === "Complete details");
      assert.equal(details.verb, "case.details");
      assert.equal(details.data.caseId, c.id);
      assert.ok(!buttons(card).some((b) => b.title === "Edit details"));
      assert.ok(!buttons(draw(c, { roles: roles("volunteer") })).some((b) => b.title === "Complete details"), "volunteers may not complete details");
    });

    it("offers Edit details in the menu once nothing is missing", () => {
      const card = draw(complete(), { roles: roles("officer") });
      assert.doesNotMatch(cardText(card), /Still to record/);
      assert.ok(menu(card).includes("Edit details"));
      assert.ok(!buttons(card).some((b) => b.title === "Complete details"));
    });

    it("says the risk is not assessed when nobody assessed it", () => {
      assert.match(cardText(draw(complete({ risk: undefined }), { roles: roles("officer") })), /Risk: Not assessed/);
    });
  });

  describe("the latest timeline entries", () => {
    it("shows the last three, newest first, notes as typed, in plain text runs", () => {
      const card = draw(complete(), { roles: roles("officer"), latest: LATEST });
      const text = cardText(card);
      assert.match(
        text,
        /Latest on the timeline\n9 Mar 2026, 14:30 · Olivia Officer\nNote added\nDaughter called back: wants a meeting\.\n5 Mar 2026, 09:00 · Olivia Officer\nAcknowledgement sent on Thursday 5 March 2026, on time\n4 Mar 2026, 09:00 · Olivia Officer\nNote added\nRang the ward manager\./,
      );
      assert.doesNotMatch(text, /Complaint logged/, "only three");
      const note = cardElements(card).find((node) => node.text === "Daughter called back: wants a meeting.");
      assert.equal(note.type, "TextRun");
    });

    it("keeps a safeguarding case's notes from volunteers, as the timeline does, but shows what happened", () => {
      const text = cardText(draw(complete({ safeguarding: true, owner: SOMEONE_ELSE }), { roles: roles("volunteer"), latest: LATEST }));
      assert.match(text, /safeguarding details that only PALS officers and managers can see/);
      assert.match(text, /Latest on the timeline\n9 Mar 2026, 14:30 · Olivia Officer\nNote added\n5 Mar/);
      assert.doesNotMatch(text, /Daughter called back|Rang the ward manager|Margaret Jones|Call bell/);
    });

    it("keeps the newest three once each, cuts a long note and drops every note when the timeline is scrubbed", () => {
      const kept = latestEntries(LATEST, [
        followUps([event("c:4:0", "2026-03-09T14:30:00Z", "note-added", "Note added", "Daughter called back: wants a meeting.")]),
      ]);
      assert.deepEqual(kept, LATEST, "a follow-up carried again is not a new entry");
      const long = latestEntries(LATEST, [followUps([event("c:5:0", "2026-03-10T09:00:00Z", "note-added", "Note added", "x".repeat(5000))])]);
      assert.equal([...long[0].detail!].length, LATEST_DETAIL_LENGTH);
      assert.deepEqual(
        long.map((e) => e.id),
        ["c:5:0", "c:4:0", "c:3:0"],
      );
      const scrubbed = latestEntries(LATEST, [
        followUps([event("c:6:0", "2026-03-10T09:00:00Z", "retention-applied", "Patient details and free text removed")], true),
      ]);
      assert.ok(scrubbed.every((entry) => entry.detail === undefined));
      // Changes saved in the same millisecond: revision 10 is newer than revision 9.
      assert.deepEqual(
        latestEntries(
          [],
          [
            followUps([event("c:9:0", "2026-03-10T09:00:00Z", "note-added", "Note added")]),
            followUps([event("c:10:0", "2026-03-10T09:00:00Z", "note-added", "Note added")]),
          ],
        ).map((e) => e.id),
        ["c:10:0", "c:9:0"],
      );
      // One change's events share their time: their order is the change's.
      assert.deepEqual(
        latestEntries(
          [],
          [followUps([event("c:7:0", "2026-03-10T09:00:00Z", "closed", "Closed"), event("c:7:1", "2026-03-10T09:00:00Z", "note-added", "Note added", "n")])],
        ).map((e) => e.id),
        ["c:7:1", "c:7:0"],
      );
    });
  });
});

describe("a test NHS number on the case card", () => {
  it("is pointed out outside local mode (999... numbers are never a patient's), and not in local mode", () => {
    const c = makeCase({ nhsNumber: "999 000 0018" });
    const flagged = cardText(
      caseCard(c, { retention: DEFAULT_RETENTION, rules: DEFAULT_RULES, today: TODAY, roles: new Set(["officer"]), flagTestNhsNumbers: true }),
    );
    assert.match(flagged, /NHS number: 999 000 0018 · a test number \(999\.\.\.\), not a real patient's: check it/);
    const local = cardText(caseCard(c, { retention: DEFAULT_RETENTION, rules: DEFAULT_RULES, today: TODAY, roles: new Set(["officer"]) }));
    assert.match(local, /NHS number: 999 000 0018$/m);
    const real = cardText(
      caseCard(makeCase(), { retention: DEFAULT_RETENTION, rules: DEFAULT_RULES, today: TODAY, roles: new Set(["officer"]), flagTestNhsNumbers: true }),
    );
    assert.doesNotMatch(real, /test number/);
  });
});
