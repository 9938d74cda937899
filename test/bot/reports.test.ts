import { strict as assert } from "node:assert";
import { parse } from "csv-parse/sync";
import type { Case } from "../../src/domain";
import { CosmosCaseRepository } from "../../src/store/caseRepository";
import { DEFAULT_RETENTION, DEFAULT_RULES } from "../../src/domain";
import { cardElements, cardOf, cardText, startTestBot, type TestBot } from "../helpers/bot";
import {
  ADMIN,
  cardAction,
  channelMessage,
  LEAD,
  MANAGER,
  OFFICER,
  OTHER_TENANT_ID,
  personalInstall,
  personalMessage,
  TENANT_ID,
  VOLUNTEER,
  type TeamsUser,
} from "../helpers/activities";
import { PRIYA as PRIYA_REF, REPORT_NOW, reportCases } from "../helpers/reportFixtures";

const PRIYA: TeamsUser = { id: "29:2officer", name: PRIYA_REF.name, aadObjectId: PRIYA_REF.aadObjectId };

const ROLES = {
  ROLE_OFFICERS: `${OFFICER.aadObjectId},${PRIYA.aadObjectId}`,
  ROLE_VOLUNTEERS: VOLUNTEER.aadObjectId,
  ROLE_MANAGERS: MANAGER.aadObjectId,
  ROLE_ADMINS: ADMIN.aadObjectId,
  ROLE_CLINICAL_LEADS: LEAD.aadObjectId,
};

/** Each report table on a card, by its title: rows of cell texts, the header first. */
function tables(card: any): Record<string, string[][]> {
  const found: Record<string, string[][]> = {};
  for (const node of cardElements(card)) {
    // A section's table, or the table a chart falls back to (what clients without Teams' charts show).
    const items: any[] = node.type === "Container" && Array.isArray(node.items) ? node.items : [];
    const table =
      items.find((item) => item.type === "Table") ?? items.find((item) => String(item.type).startsWith("Chart.") && item.fallback?.type === "Table")?.fallback;
    // Header cells are TextBlocks; data cells are rich text runs (names and divisions are shown as typed).
    const textOf = (item: any): string => item.text ?? (item.inlines ?? []).map((run: any) => run.text).join("");
    if (table) found[node.items[0].text] = table.rows.map((row: any) => row.cells.map((cell: any) => cell.items.map(textOf).join(" ")));
  }
  return found;
}

/** The one-time download link a file card carries (local mode), or undefined. */
function downloadLink(activity: any): string | undefined {
  const card = cardOf(activity);
  return card?.actions?.find((action: any) => action.type === "Action.OpenUrl")?.url;
}

/** Downloads the file offered in a message, as a manager's browser would. */
async function download(activity: any): Promise<{ name: string; contentType: string; text: string }> {
  const url = downloadLink(activity);
  assert.ok(url, "the message offers a download");
  const response = await fetch(url);
  assert.equal(response.status, 200);
  const name = /filename="([^"]+)"/.exec(response.headers.get("content-disposition") ?? "")?.[1] ?? "";
  return { name, contentType: (response.headers.get("content-type") ?? "").split(";")[0], text: await response.text() };
}

const csvRows = (text: string): string[][] => parse(text, { bom: true });

describe("managers' reports, exports and letters (real HTTP activities)", function () {
  this.timeout(60_000);
  let t: TestBot;
  let now = REPORT_NOW;
  const seeded = reportCases(TENANT_ID, OTHER_TENANT_ID);

  before(async () => {
    t = await startTestBot({ env: ROLES, now: () => now });
    const repository = new CosmosCaseRepository(t.bot.store.containers.cases, DEFAULT_RETENTION, DEFAULT_RULES);
    for (const c of Object.values(seeded)) await repository.create(c);
  });
  after(async () => t.close());
  beforeEach(() => t.connector.reset());

  async function say(text: string, from: TeamsUser = MANAGER, inChannel = false): Promise<any[]> {
    const options = { serviceUrl: t.connector.url, from };
    await t.send(inChannel ? channelMessage(text, options) : personalMessage(text, options));
    return t.connector.sentActivities;
  }

  const invoke = (verb: string, data: Record<string, unknown>, from: TeamsUser = MANAGER, tenantId?: string) => t.press(verb, data, from, { tenantId });

  async function timelineOf(id: string): Promise<{ kind: string; summary: string; by: { name: string }; changes?: unknown[] }[]> {
    const { resources } = await t.bot.store.containers.events.items
      .query({ query: "SELECT * FROM c WHERE c.caseId = @id ORDER BY c.at", parameters: [{ name: "@id", value: id }] })
      .fetchAll();
    return resources;
  }

  async function stored(id: string): Promise<Case> {
    return (await t.bot.store.containers.cases.item(id, TENANT_ID).read<Case>()).resource!;
  }

  describe("`report`", () => {
    it("shows a manager last month's figures, worked out from this trust's cases only", async () => {
      const [reply] = await say("report");
      const card = cardOf(reply);
      const text = cardText(card);
      assert.match(text, /PALS report/);
      assert.match(text, /1 February 2026 to 28 February 2026/);
      assert.match(text, /Received: 4 \(1 enquiry, 1 concern, 2 complaints, 0 compliments\)/, "the other trust's February complaint is not counted");
      const t1 = tables(card);
      assert.deepEqual(t1["Open cases on 28 February 2026, by type and age"], [
        ["Type", "0-10", "11-25", "26-40", "41+", "Total"],
        ["Enquiry", "1", "0", "0", "0", "1"],
        ["Concern", "0", "0", "0", "0", "0"],
        ["Complaint", "1", "1", "1", "1", "4"],
        ["Compliment", "0", "0", "0", "0", "0"],
        ["All", "2", "1", "1", "1", "5"],
      ]);
      assert.deepEqual(t1["Complaint deadlines due in the period"].slice(1), [
        ["Acknowledgement (3 working days)", "2", "1", "1", "0", "50%"],
        ["Response (date agreed or set)", "2", "1", "1", "0", "50%"],
      ]);
      assert.deepEqual(t1["Cases by division"].slice(1), [
        ["Medicine", "2", "1", "3"],
        ["Estates", "1", "0", "1"],
        ["Surgery", "1", "1", "1"],
      ]);
      assert.deepEqual(t1["Themes: KO41a subjects"].slice(1), [
        ["Communications", "2", "1", "up 1"],
        ["Appointments", "1", "0", "new"],
        ["Clinical Treatment", "1", "0", "new"],
        ["Patient Care", "0", "1", "down 1"],
      ]);
      assert.deepEqual(t1.Outcomes.slice(1), [
        ["Upheld", "1"],
        ["Partially upheld", "0"],
        ["Not upheld", "0"],
        ["Resolved", "1"],
      ]);
      assert.deepEqual(t1["Open workload on 28 February 2026"].slice(1), [
        ["Olivia Officer", "3", "3", "2"],
        ["Maya Manager", "1", "0", "0"],
        ["Priya Officer", "1", "1", "1"],
      ]);
      const verbs = JSON.stringify(card.actions);
      for (const period of ["this-month", "last-month", "this-quarter", "last-12-months"]) assert.match(verbs, new RegExp(`"period":"${period}"`));
    });

    it("draws open cases by age, deadlines met and missed, and themes against the previous period as Teams charts, each over its table", async () => {
      const card = cardOf((await say("report"))[0]);
      const charts = cardElements(card).filter((node) => typeof node.type === "string" && node.type.startsWith("Chart."));
      const byAxis = Object.fromEntries(charts.map((chart) => [chart.xAxisTitle, chart]));
      const series = (chart: any) => Object.fromEntries(chart.data.map((s: any) => [s.legend, s.values.map((v: any) => `${v.x}=${v.y}`)]));
      assert.deepEqual(Object.keys(byAxis), ["Working days open", "Deadline", "KO41a subject"]);
      assert.deepEqual(series(byAxis["Working days open"]), {
        Enquiry: ["0-10=1", "11-25=0", "26-40=0", "41+=0"],
        Complaint: ["0-10=1", "11-25=1", "26-40=1", "41+=1"],
      });
      assert.equal(byAxis["Working days open"].stacked, true);
      assert.deepEqual(series(byAxis.Deadline), {
        Met: ["Acknowledgement (3 working days)=1", "Response (date agreed or set)=1"],
        Missed: ["Acknowledgement (3 working days)=1", "Response (date agreed or set)=1"],
        "Not yet due": ["Acknowledgement (3 working days)=0", "Response (date agreed or set)=0"],
      });
      assert.deepEqual(series(byAxis["KO41a subject"]), {
        "This period": ["Communications=2", "Appointments=1", "Clinical Treatment=1", "Patient Care=0"],
        "Previous period": ["Communications=1", "Appointments=0", "Clinical Treatment=0", "Patient Care=1"],
      });
      for (const chart of charts) assert.equal(chart.fallback.type, "Table", "clients without charts (the Playground) show the table");
    });

    it("changes period from the card's buttons, and from dates typed into it", async () => {
      const thisMonth = await invoke("report.period", { period: "this-month" });
      assert.match(cardText(thisMonth.value), /1 March 2026 to 10 March 2026/);
      const custom = await invoke("report.period", { period: "custom", reportFrom: "2026-01-01", reportTo: "2026-02-28" });
      assert.match(cardText(custom.value), /1 January 2026 to 28 February 2026/);
      assert.match(cardText(custom.value), /Received: 6 /);
      const wrong = await invoke("report.period", { period: "custom", reportFrom: "2026-02-28", reportTo: "2026-01-01" });
      assert.match(cardText(wrong.value), /The first date must be on or before the second/);
    });

    it("takes typed dates and explains what it understands when it can't read them", async () => {
      const [dated] = await say("report 2026-01-01 2026-01-31");
      assert.match(cardText(cardOf(dated)), /1 January 2026 to 31 January 2026/);
      t.connector.reset();
      const [help] = await say("report for my boss");
      assert.match(help.text, /report this quarter/);
    });

    for (const [who, user] of [
      ["an officer", OFFICER],
      ["a clinical lead", LEAD],
      ["a volunteer", VOLUNTEER],
    ] as const) {
      it(`refuses ${who} every report and export, and logs the refusal without patient data`, async () => {
        for (const command of ["report", "report ko41a 2025", "export cases 2026-02-01 2026-02-28 with patient details", `export case ${seeded.A.reference}`]) {
          t.connector.reset();
          const replies = await say(command, user);
          assert.equal(replies.length, 1, command);
          assert.match(replies[0].text, /Not available.*Only PALS managers/, command);
          assert.equal(cardOf(replies[0]), undefined, command);
          assert.equal(downloadLink(replies[0]), undefined, command);
        }
        t.connector.reset();
        for (const [verb, data] of [
          ["report.period", { period: "last-month" }],
          ["report.ko41aFile", { year: 2025 }],
          ["ombudsman.exportFile", { caseId: seeded.A.id }],
        ] as const) {
          const answer = await invoke(verb, data, user);
          assert.match(cardText(answer.value), /Only PALS managers/, verb);
        }
        assert.equal(t.connector.sentActivities.length, 0, "no file or report was sent for the buttons");
        const refusals = t.logLines.filter((line) => /Refused a report or export|Refused a file export/.test(String(line.msg)));
        assert.ok(refusals.length > 0);
        assert.doesNotMatch(JSON.stringify(t.logLines), /Margaret|9434765919|Call bell/);
      });
    }

    it("lets an admin see reports too", async () => {
      const [reply] = await say("report", ADMIN);
      assert.match(cardText(cardOf(reply)), /PALS report/);
    });
  });

  describe("the KO41a return and CSV exports (local mode: a one-time download link)", () => {
    it("shows the financial year's counts, a complaint counted under both its subjects, and sends the CSV", async () => {
      const replies = await say("report ko41a 2025");
      const card = cardOf(replies[0]);
      const text = cardText(card);
      assert.match(text, /KO41a return 2025-26/);
      assert.match(text, /1 April 2025 to 31 March 2026, as the KO41a return uses \(so far, to 10 March 2026\)/);
      assert.match(text, /New complaints received: 5/);
      const bySubject = Object.fromEntries(tables(card)["Section 7: Subject area"].slice(1));
      assert.equal(bySubject.Communications, "2");
      assert.equal(bySubject["Clinical Treatment"], "2");
      const byProfession = Object.fromEntries(tables(card)["Section 8: Profession (staff group)"].slice(1));
      assert.equal(byProfession.Medical, "1");
      assert.equal(byProfession.Nursing, "5");
      const file = await download(replies[1]);
      assert.match(file.name, /^KO41a-2025-26-\d{8}-\d{4}\.csv$/);
      assert.equal(file.contentType, "text/csv");
      const rows = csvRows(file.text);
      assert.deepEqual(
        rows.find((r) => r[0] === "Section 7: Subject area" && r[2] === "communications"),
        ["Section 7: Subject area", "Communications", "communications", "2"],
      );
    });

    it("answers a subject access request with everything held about one NHS number, as JSON, for managers only", async () => {
      const { resources } = await t.bot.store.containers.cases.items
        .query<{ patient: { nhsNumber?: string } }>({
          query: "SELECT c.patient FROM c WHERE c.docType = 'case' AND c.trustId = @trustId AND IS_DEFINED(c.patient.nhsNumber)",
          parameters: [{ name: "@trustId", value: TENANT_ID }],
        })
        .fetchAll();
      const nhsNumber = resources[0].patient.nhsNumber!;
      const holding = resources.filter((r) => r.patient.nhsNumber === nhsNumber).length;
      const replies = await say(`subject access ${nhsNumber}`);
      const file = await download(replies[0]);
      assert.equal(file.contentType, "application/json");
      const document = JSON.parse(file.text);
      assert.equal(document.nhsNumber, nhsNumber);
      assert.equal(document.cases.length, holding);
      assert.ok(document.cases.every((entry: any) => entry.case.patient.nhsNumber === nhsNumber && Array.isArray(entry.timeline)));
      t.connector.reset();
      const refused = await say(`subject access ${nhsNumber}`, OFFICER);
      assert.equal(downloadLink(refused[0]), undefined, "an officer gets no file");
      assert.match(refused[0].text, /Only PALS managers/);
      t.connector.reset();
      const invalid = await say("subject access 943 476 5918");
      assert.match(invalid[0].text, /NHS number/);
    });

    it("sends the card but not the file in a channel", async () => {
      const replies = await say("report ko41a 2025", MANAGER, true);
      assert.equal(replies.length, 1);
      assert.match(cardText(cardOf(replies[0])), /The CSV file comes in your personal chat/);
    });

    it("exports cases for a date range, without patient details unless the manager asks for them", async () => {
      const plain = await say("export cases 2026-02-01 2026-02-28");
      const file = await download(plain[0]);
      assert.match(file.name, /^PALS-cases-2026-02-01-to-2026-02-28-/);
      const rows = csvRows(file.text);
      assert.equal(rows.length, 5, "header and the 4 cases received in February");
      assert.deepEqual(
        rows.slice(1).map((r) => r[0]),
        [seeded.A, seeded.D, seeded.E, seeded.F].map((c) => c.reference),
      );
      assert.doesNotMatch(file.text, /Margaret|9434765919/);
      assert.match(plain[1].text, /no patient details/);

      t.connector.reset();
      const detailed = await say("export cases 2026-02-01 2026-02-28 with patient details");
      const withDetails = await download(detailed[0]);
      assert.match(withDetails.name, /with-patient-details/);
      assert.match(withDetails.text, /Patient name,NHS number,Date of birth,Contact details/);
      assert.match(withDetails.text, /Margaret Jones,9434765919,1948-05-17/);
      assert.match(detailed[1].text, /includes patient details/);
      const exported = t.logLines.filter((line) => line.msg === "File downloaded").at(-1)!;
      assert.equal(exported.cases, 4);
      assert.doesNotMatch(JSON.stringify(t.logLines), /Margaret|9434765919/);
    });

    it("a download link works for one fetch only, even two at once, and a guessed one gives nothing", async () => {
      const [reply] = await say(`export case ${seeded.A.reference}`);
      const url = downloadLink(reply)!;
      const both = await Promise.all([fetch(url), fetch(url)]);
      assert.deepEqual(both.map((r) => r.status).sort(), [200, 404]);
      await Promise.all(both.map((r) => r.arrayBuffer()));
      const token = url.split("/").pop()!;
      const base = url.slice(0, -token.length);
      const flipped = `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`;
      for (const guess of ["__proto__", "constructor", "hasOwnProperty", flipped, token.toLowerCase(), "..%2F..%2Fpackage.json", "%00", "x".repeat(5000)]) {
        const response = await fetch(`${base}${guess}`);
        assert.equal(response.status, 404, guess.slice(0, 40));
        assert.doesNotMatch(await response.text(), /Case file|PALS-/);
      }
    });

    it("exports a case file for the Ombudsman by reference", async () => {
      const [reply] = await say(`export case ${seeded.A.reference.toLowerCase()}`);
      const file = await download(reply);
      assert.equal(file.contentType, "text/html");
      const again = await fetch(downloadLink(reply)!);
      assert.equal(again.status, 404, "a link works once");
      assert.match(file.name, new RegExp(`^${seeded.A.reference}-case-file-`));
      assert.match(file.text, new RegExp(`Case file: ${seeded.A.reference}`));
      t.connector.reset();
      const [missing] = await say(`export case ${seeded.other.reference.replace(/\d{6}$/, "999999")}`);
      assert.match(missing.text, /There is no case/);
    });
  });

  describe("letters from the case card", () => {
    it("drafts an acknowledgement filled from the case for an officer, and records it as sent on the timeline", async () => {
      const answer = await invoke("letter.draft", { caseId: seeded.D.id, letter: "acknowledgement" }, OFFICER);
      const text = cardText(answer.value);
      assert.match(text, /Acknowledgement letter: draft/);
      assert.match(text, /Dear Margaret Jones/);
      assert.match(text, /talk through your complaint/);
      assert.match(text, /by Monday 30 March 2026/, "the response date");
      assert.match(text, /Olivia Officer/);
      assert.match(text, /\[trust name\]/, "TRUST_NAME is not set: a placeholder, never 'undefined'");
      assert.doesNotMatch(JSON.stringify(answer.value), /undefined/);
      assert.match(JSON.stringify(answer.value.actions), /"verb":"letter\.sent"/);

      const sent = await invoke("letter.sent", { caseId: seeded.D.id, letter: "acknowledgement" }, OFFICER);
      assert.match(cardText(sent.value), /Recorded on the timeline: acknowledgement letter sent Tuesday 10 March 2026/);
      const events = await timelineOf(seeded.D.id);
      const letter = events.find((e) => e.kind === "letter-sent")!;
      assert.equal(letter.summary, "Acknowledgement letter sent");
      assert.equal(letter.by.name, "Olivia Officer");
      assert.deepEqual(letter.changes, [{ field: "letter", after: "acknowledgement" }]);
    });

    it("drafts the final response with the Ombudsman's contact details from the signposting directory", async () => {
      const answer = await invoke("letter.draft", { caseId: seeded.B.id, letter: "final" }, MANAGER);
      const text = cardText(answer.value);
      assert.match(text, /Parliamentary and Health Service Ombudsman/);
      assert.match(text, /0345 015 4033/);
      assert.match(text, /we have upheld your complaint/);
    });

    it("posts the draft as plain text in the personal chat, for copying", async () => {
      const answer = await invoke("letter.text", { caseId: seeded.D.id, letter: "holding" }, OFFICER);
      assert.equal(answer.type, "application/vnd.microsoft.activity.message");
      const [message] = t.connector.sentActivities;
      assert.match(message.text, /^Tuesday 10 March 2026\n\nOur reference: PALS-2026-/);
      assert.match(message.text, /Why we need more time\n\[reason for the delay\]/);
    });

    it("refuses volunteers, clinical leads, other trusts and forged letters", async () => {
      for (const user of [VOLUNTEER, LEAD]) {
        const answer = await invoke("letter.draft", { caseId: seeded.D.id, letter: "acknowledgement" }, user);
        assert.match(cardText(answer.value), /Not available/);
        assert.doesNotMatch(cardText(answer.value), /Dear/);
      }
      const otherTrust = await invoke("letter.draft", { caseId: seeded.other.id, letter: "acknowledgement" }, OFFICER);
      assert.match(cardText(otherTrust.value), /Case not found/);
      const forgedTenant = await invoke("letter.sent", { caseId: seeded.D.id, letter: "final" }, OFFICER, OTHER_TENANT_ID);
      assert.match(cardText(forgedTenant.value), /Case not found/);
      const forgedLetter = await invoke("letter.draft", { caseId: seeded.D.id, letter: "../../etc/passwd" }, OFFICER);
      assert.match(cardText(forgedLetter.value), /could not be read/);
      const concern = await invoke("letter.draft", { caseId: seeded.E.id, letter: "holding" }, OFFICER);
      assert.match(cardText(concern.value), /Letters are for formal complaints/);
      assert.equal((await timelineOf(seeded.E.id)).length, 0);
    });
  });

  describe("Ombudsman cases", () => {
    it("records a PHSO referral on a closed complaint; its date becomes the next deadline and managers are alerted", async () => {
      const answer = await invoke(
        "ombudsman.record",
        { caseId: seeded.B.id, phsoReferredOn: "2026-03-09", phsoReference: "C-2026-0042", phsoStage: "assessment", phsoResponseDueOn: "2026-03-20" },
        OFFICER,
      );
      const text = cardText(answer.value);
      assert.match(text, /Ombudsman details saved/);
      assert.match(text, /PHSO response due: Friday 20 March 2026 · due in 8 working days/);
      assert.match(text, /Ombudsman: Referred Monday 9 March 2026 · assessment stage · PHSO ref C-2026-0042/);
      const c = await stored(seeded.B.id);
      assert.equal(c.status, "closed");
      assert.equal(c.nextDueOn, "2026-03-20");
      assert.deepEqual(c.ombudsman, { referredOn: "2026-03-09", reference: "C-2026-0042", stage: "assessment", responseDueOn: "2026-03-20" });
      const event = (await timelineOf(seeded.B.id)).find((e) => e.kind === "ombudsman-updated")!;
      assert.match(event.summary, /Referred to the Ombudsman on Monday 9 March 2026, assessment stage; the Ombudsman's response due Friday 20 March 2026/);
      const { resources } = await t.bot.store.containers.jobs.items
        .query({ query: "SELECT * FROM c WHERE c.id = @id", parameters: [{ name: "@id", value: `alert:${seeded.B.id}:regulator-involved` }] })
        .fetchAll();
      assert.equal(resources.length, 1, "an 'Ombudsman or regulator involved' alert is queued");
    });

    it("refuses a volunteer, and shows the officer's mistake with what they typed kept", async () => {
      const volunteer = await invoke(
        "ombudsman.record",
        { caseId: seeded.C.id, phsoReferredOn: "2026-03-09", phsoReference: "X", phsoStage: "assessment", phsoResponseDueOn: "" },
        VOLUNTEER,
      );
      assert.match(cardText(volunteer.value), /Not available/);
      const wrong = await invoke(
        "ombudsman.record",
        { caseId: seeded.C.id, phsoReferredOn: "2026-03-09", phsoReference: "C-77", phsoStage: "appeal", phsoResponseDueOn: "" },
        OFFICER,
      );
      assert.match(cardText(wrong.value), /Choose the Ombudsman's stage/);
      assert.match(JSON.stringify(wrong.value), /"id":"phsoReference","label":"PHSO reference","maxLength":50,"value":"C-77"/);
      assert.equal((await stored(seeded.C.id)).ombudsman, undefined);
    });

    it("puts the PHSO response date in the owner's morning digest, though the case is closed", async () => {
      await t.send(personalInstall({ serviceUrl: t.connector.url, from: MANAGER }));
      t.connector.reset();
      now = new Date("2026-03-18T09:30:00Z"); // Wednesday: 2 working days before the PHSO's Friday
      try {
        await t.bot.jobs.sweepNow();
      } finally {
        now = REPORT_NOW;
      }
      const digest = t.connector.sentActivities.find(
        (a) => a.conversation?.id?.includes(MANAGER.aadObjectId) || cardText(cardOf(a)).includes(seeded.B.reference),
      );
      assert.ok(digest, "Maya (B's owner) gets a digest");
      assert.match(cardText(cardOf(digest)), new RegExp(`${seeded.B.reference}[\\s\\S]*Ombudsman's response: Friday 20 March 2026`));
    });

    it("exports the case file from the card for a manager, in their personal chat", async () => {
      const answer = await invoke("ombudsman.exportFile", { caseId: seeded.B.id }, MANAGER);
      assert.equal(answer.type, "application/vnd.microsoft.activity.message");
      const file = await download(t.connector.sentActivities[0]);
      assert.match(file.text, /PHSO reference C-2026-0042/);
      assert.match(file.text, /Referred to the Ombudsman/);
    });
  });
});

describe("file delivery through Teams' file consent card (FILE_DELIVERY=consent)", function () {
  this.timeout(60_000);
  let t: TestBot;
  const seeded = reportCases(TENANT_ID, OTHER_TENANT_ID);

  before(async () => {
    t = await startTestBot({ env: { ...ROLES, FILE_DELIVERY: "consent" }, now: () => REPORT_NOW });
    const repository = new CosmosCaseRepository(t.bot.store.containers.cases, DEFAULT_RETENTION, DEFAULT_RULES);
    for (const c of Object.values(seeded)) await repository.create(c);
  });
  after(async () => t.close());
  beforeEach(() => t.connector.reset());

  function consentAnswer(from: TeamsUser, action: "accept" | "decline", context: unknown) {
    return {
      ...cardAction("unused", {}, { serviceUrl: t.connector.url, from }),
      name: "fileConsent/invoke",
      value: {
        type: "fileUpload",
        action,
        context,
        uploadInfo: {
          contentUrl: "https://contoso-my.sharepoint.com/personal/maya/Documents/KO41a.csv",
          name: "KO41a.csv",
          uploadUrl: `${t.connector.url}upload/session-1`,
          uniqueId: "1a2b3c",
          fileType: "csv",
        },
      },
    };
  }

  it("offers the CSV with a consent card carrying only the request, uploads it on Allow and posts the file card", async () => {
    await t.send(personalMessage("report ko41a 2025", { serviceUrl: t.connector.url, from: MANAGER }));
    const consent = t.connector.sentActivities[1].attachments[0];
    assert.equal(consent.contentType, "application/vnd.microsoft.teams.card.file.consent");
    assert.deepEqual(consent.content.acceptContext, { kind: "ko41a", year: 2025 });
    assert.ok(consent.content.sizeInBytes > 100);
    assert.doesNotMatch(JSON.stringify(consent), /communications/, "no data in the card");

    t.connector.reset();
    const answer = await t.send(consentAnswer(MANAGER, "accept", consent.content.acceptContext));
    assert.equal(answer.status, 200);
    const upload = t.connector.calls.find((call) => call.method === "PUT")!;
    assert.equal(upload.path, "/upload/session-1");
    assert.match(String(upload.body), /Section 7: Subject area,Communications,communications,2/);
    const info = t.connector.sentActivities[0].attachments[0];
    assert.equal(info.contentType, "application/vnd.microsoft.teams.card.file.info");
    assert.equal(info.contentUrl, "https://contoso-my.sharepoint.com/personal/maya/Documents/KO41a.csv");
    assert.deepEqual(info.content, { uniqueId: "1a2b3c", fileType: "csv" });
  });

  it("checks the role again on Allow: a forged or passed-on consent answer uploads nothing", async () => {
    const answer = await t.send(consentAnswer(OFFICER, "accept", { kind: "cases", from: "2026-01-01", to: "2026-02-28", withPatientDetails: true }));
    assert.equal(answer.status, 200);
    assert.equal(t.connector.calls.filter((call) => call.method === "PUT").length, 0);
    assert.match(t.connector.sentActivities[0].text, /Only PALS managers/);
    t.connector.reset();
    await t.send(consentAnswer(MANAGER, "accept", { kind: "everything" }));
    assert.equal(t.connector.calls.filter((call) => call.method === "PUT").length, 0);
    assert.match(t.connector.sentActivities[0].text, /out of date/);
  });

  it("says nothing was saved when the manager declines", async () => {
    await t.send(consentAnswer(MANAGER, "decline", { kind: "ko41a", year: 2025 }));
    assert.equal(t.connector.calls.filter((call) => call.method === "PUT").length, 0);
    assert.match(t.connector.sentActivities[0].text, /No file was saved/);
  });
});
