import { strict as assert } from "node:assert";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { parse } from "csv-parse/sync";
import type { Case } from "../../src/domain";
import { CosmosCaseRepository } from "../../src/store/caseRepository";
import { DEFAULT_RETENTION, DEFAULT_RULES } from "../../src/domain";
import { startEmbeddedCosmos, type EmbeddedCosmos } from "../../src/store/embedded";
import { cardOf, cardText, startTestBot, type TestBot } from "../helpers/bot";
import { ADMIN, channelMessage, LEAD, MANAGER, OFFICER, OTHER_TENANT_ID, personalMessage, TENANT_ID, VOLUNTEER, type TeamsUser } from "../helpers/activities";
import { forwardTo } from "../helpers/cosmosProxy";
import { PRIYA, REPORT_NOW, reportCases } from "../helpers/reportFixtures";
import { doneAction, withActions } from "../helpers/youSaidWeDidFixtures";

const ROLES = {
  ROLE_OFFICERS: OFFICER.aadObjectId,
  ROLE_VOLUNTEERS: VOLUNTEER.aadObjectId,
  ROLE_MANAGERS: MANAGER.aadObjectId,
  ROLE_ADMINS: ADMIN.aadObjectId,
  ROLE_CLINICAL_LEADS: LEAD.aadObjectId,
};

/** Counts the document requests each container gets (queries, reads, writes; query plans apart), forwarding all. */
class CountingStore {
  private server?: http.Server;
  counts: Record<string, number> = {};

  constructor(private readonly target: string) {}

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const url = (req.url ?? "").split("?")[0];
      const docs = /\/colls\/([^/]+)\/docs(\/[^/]+)?\/?$/.exec(url);
      if (docs) {
        const plan = String(req.headers["x-ms-cosmos-is-query-plan-request"]).toLowerCase() === "true";
        const query = String(req.headers["x-ms-documentdb-isquery"]).toLowerCase() === "true" || (req.method === "GET" && !docs[2]);
        const kind = plan ? "queryPlan" : query ? "query" : req.method === "GET" ? "read" : "write";
        const key = `${docs[1]} ${kind}`;
        this.counts[key] = (this.counts[key] ?? 0) + 1;
      }
      forwardTo(this.target, req, res);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", () => resolve()));
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** The one-time download link a file card carries (local mode), or undefined. */
function downloadLink(activity: any): string | undefined {
  return cardOf(activity)?.actions?.find((action: any) => action.type === "Action.OpenUrl")?.url;
}

describe("You said, we did (real HTTP activities)", function () {
  this.timeout(60_000);
  let cosmos: EmbeddedCosmos;
  let store: CountingStore;
  let t: TestBot;
  const seeded = reportCases(TENANT_ID, OTHER_TENANT_ID);
  // Every detail that must never reach the card or the CSV, written into the actions on purpose.
  const LEAKS = [
    /Margaret/i,
    /Jones/i,
    /943\s?476\s?5919/,
    /9434765919/,
    /PALS-2026-/i,
    /Olivia/i,
    /Priya/i,
    /Samuel/i,
    /Fletcher/i,
    /1948/,
    /Call bell not answered/,
  ];

  const actions: Record<string, Case> = {
    // Medicine, February: the patient's name, NHS number, reference and officers' names typed into the texts.
    A: withActions(seeded.A, [
      doneAction({
        description: `Apologised to Margaret Jones (NHS 943 476 5919, ${seeded.A.reference}); Olivia Officer now checks call bells at every handover`,
        evidence: "Priya audited bells in Mrs Jones's bay: all answered within 5 minutes",
        subject: "communications",
        doneOn: "2026-02-20",
        by: PRIYA,
      }),
    ]),
    // Surgery, raised by a relative: her name in the text; done in February on a January case.
    B: {
      ...withActions(seeded.B, [
        doneAction({
          description: "Clinic letters now give a named contact; thanks to Samuel Fletcher for the idea",
          evidence: "New letter template in use since 9434765919",
          subject: "appointments",
          division: "Surgery",
          doneOn: "2026-02-05",
        }),
      ]),
      raiser: { name: "Samuel Fletcher" },
    },
    // Done in March: not in February's summary.
    C: withActions(seeded.C, [doneAction({ description: "Pressure care training for all staff", subject: "patient-care", doneOn: "2026-03-02" })]),
    // Another trust's action, in February: never shown.
    other: withActions(seeded.other, [doneAction({ description: "Another trust's action", subject: "communications", doneOn: "2026-02-10" })]),
  };

  before(async () => {
    cosmos = await startEmbeddedCosmos();
    store = await new CountingStore(cosmos.endpoint).start();
    t = await startTestBot({ env: { ...ROLES, COSMOS_ENDPOINT: store.endpoint, COSMOS_KEY: cosmos.key }, now: () => REPORT_NOW });
    const repository = new CosmosCaseRepository(t.bot.store.containers.cases, DEFAULT_RETENTION, DEFAULT_RULES);
    for (const c of Object.values({ ...seeded, ...actions })) await repository.create(c);
  });
  after(async () => {
    await t.close();
    await store.stop();
    await cosmos.stop();
  });
  beforeEach(() => t.connector.reset());

  async function say(text: string, from: TeamsUser = MANAGER, inChannel = false): Promise<any[]> {
    const options = { serviceUrl: t.connector.url, from };
    await t.send(inChannel ? channelMessage(text, options) : personalMessage(text, options));
    return t.connector.sentActivities;
  }

  it("shows a manager the themes raised last month, most first, with what was done under each and no patient or staff details", async () => {
    const [reply] = await say("you said we did");
    const card = cardOf(reply);
    const text = cardText(card);
    assert.match(text, /You said, we did/);
    assert.match(text, /1 February 2026 to 28 February 2026/);
    assert.match(text, /Concerns and complaints received: 3/);
    assert.match(text, /Actions completed: 2/, "C's March action and the other trust's are not counted");
    const headings = text.split("\n").filter((line) => line.startsWith("You said: "));
    assert.deepEqual(headings, ["You said: Communications", "You said: Appointments", "You said: Clinical Treatment"]);
    assert.match(
      text,
      /You said: Communications\nRaised twice in concerns and complaints in this period\.\nWe did: Apologised to \[removed\] \(NHS \[removed\], \[removed\]\); \[removed\] now checks call bells at every handover\nWhat changed: \[removed\] audited bells in Mrs \[removed\]'s bay: all answered within 5 minutes\nMedicine · February 2026/,
    );
    assert.match(
      text,
      /You said: Appointments\nRaised once[^\n]*\nWe did: Clinic letters now give a named contact; thanks to \[removed\] for the idea\nWhat changed: New letter template in use since \[removed\]\nSurgery · February 2026/,
    );
    assert.match(text, /You said: Clinical Treatment\nRaised once[^\n]*\nWe are looking at this\./);
    const json = JSON.stringify(card);
    for (const leak of LEAKS) assert.doesNotMatch(json, leak, String(leak));
    assert.doesNotMatch(json, /Another trust/);
    const download = card.actions.find((a: any) => a.title === "Download as CSV");
    assert.deepEqual({ verb: download.verb, data: download.data }, { verb: "yswd.file", data: { from: "2026-02-01", to: "2026-02-28" } });
    assert.doesNotMatch(JSON.stringify(t.logLines), /Margaret|9434765919|Samuel|Apologised/);
  });

  it("reads the report projection and one bounded actions query from the cases container, and nothing else of it", async () => {
    store.counts = {};
    await say("yswd last month");
    // The client asks for a query plan beside each query (docs/benchmarks.md's table lists them apart).
    const cases = Object.fromEntries(Object.entries(store.counts).filter(([key]) => key.startsWith("trust-cases ") && key !== "trust-cases queryPlan"));
    assert.deepEqual(cases, { "trust-cases query": 2 }, JSON.stringify(store.counts));
  });

  it("sends the CSV from the card's button: the same rows, one per action, nothing private", async () => {
    const answer = await t.press("yswd.file", { from: "2026-02-01", to: "2026-02-28" }, MANAGER);
    assert.equal(answer.type, "application/vnd.microsoft.activity.message");
    assert.match(String(answer.value), /ready below/);
    const url = downloadLink(t.connector.sentActivities[0]);
    assert.ok(url, "a one-time download link");
    const response = await fetch(url);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-disposition") ?? "", /you-said-we-did-2026-02-01-to-2026-02-28-/);
    const csv = await response.text();
    const rows: string[][] = parse(csv, { bom: true });
    assert.deepEqual(rows[0], ["Theme", "Times raised", "What we did", "Evidence", "Division", "Month done"]);
    assert.deepEqual(
      rows.slice(1).map((r) => [r[0], r[1], r[4], r[5]]),
      [
        ["Communications", "2", "Medicine", "February 2026"],
        ["Appointments", "1", "Surgery", "February 2026"],
        ["Clinical Treatment", "1", "", ""],
      ],
    );
    assert.equal(rows[3][2], "We are looking at this.");
    for (const leak of LEAKS) assert.doesNotMatch(csv, leak, String(leak));
  });

  it("narrows to a division typed in any case, and says which divisions there are when it knows none by that name", async () => {
    const [surgery] = await say("you said we did last month SURGERY");
    const text = cardText(cardOf(surgery));
    assert.match(text, /1 February 2026 to 28 February 2026 · Surgery/);
    assert.match(text, /Concerns and complaints received: 1/);
    assert.deepEqual(
      text.split("\n").filter((line) => line.startsWith("You said: ")),
      ["You said: Appointments"],
    );
    assert.deepEqual(cardOf(surgery).actions[0].data, { from: "2026-02-01", to: "2026-02-28", division: "Surgery" });
    t.connector.reset();
    const [unknown] = await say("you said we did february Cardiology");
    assert.equal(cardOf(unknown), undefined);
    assert.match(unknown.text, /Division not found.*"Cardiology".*Estates, Medicine, Surgery/);
  });

  it("says plainly when a period has nothing to show", async () => {
    const [reply] = await say("you said we did 2025-06-01 to 2025-06-30");
    assert.equal(cardOf(reply), undefined);
    assert.match(reply.text, /Nothing to show for 1 June 2025 to 30 June 2025: no concerns or complaints were received and no actions were completed/);
  });

  for (const [who, user] of [
    ["an officer", OFFICER],
    ["a clinical lead", LEAD],
    ["a volunteer", VOLUNTEER],
  ] as const) {
    it(`refuses ${who} the summary and the CSV`, async () => {
      const [reply] = await say("you said we did", user);
      assert.match(reply.text, /Not available.*Only PALS managers/);
      assert.equal(cardOf(reply), undefined);
      t.connector.reset();
      const answer = await t.press("yswd.file", { from: "2026-02-01", to: "2026-02-28" }, user);
      assert.match(cardText(answer.value), /Only PALS managers/);
      assert.equal(t.connector.sentActivities.length, 0, "no file");
    });
  }

  it("lets an admin see it, and sends no file in a channel", async () => {
    const [reply] = await say("you said, we did last month", ADMIN);
    assert.match(cardText(cardOf(reply)), /You said: Communications/);
    const answer = await t.press("yswd.file", { from: "2026-02-01", to: "2026-02-28" }, MANAGER, {
      activity: { conversation: { id: "19:channel-medicine@thread.tacv2", conversationType: "channel" } },
    });
    assert.match(cardText(answer.value), /Files come in your personal chat/);
  });

  it("refuses a forged button: dates that are not dates, or a period not started", async () => {
    const forged = await t.press("yswd.file", { from: "2026-02-01", to: "'; DROP" }, MANAGER);
    assert.match(cardText(forged.value), /could not be read/);
    const future = await t.press("yswd.file", { from: "2027-01-01", to: "2027-01-31" }, MANAGER);
    assert.match(cardText(future.value), /hasn't started/);
    assert.equal(t.connector.sentActivities.length, 0);
  });

  it("never shows a patient's details however they are written (issue 33): parts of names, apostrophes, NHS numbers, the division", async () => {
    // November 2025, on a closed case of its own: Ada Fairweather-Quince (943 476 5919, born 17 May 1948), raised by Tom O'Neill.
    const c: Case = {
      ...withActions(
        {
          ...seeded.G,
          id: "00000000-0000-4000-9000-000000000999",
          reference: "PALS-2025-000999",
          receivedOn: "2025-11-03",
          status: "closed",
          closedOn: "2025-11-28",
          outcome: "upheld",
          patient: { ...seeded.G.patient, name: "Ada Fairweather-Quince" },
          raisedBy: "family",
          raiser: { name: "Tom O'Neill" },
          consent: "given",
        },
        [
          doneAction({
            description: "Apologised to Mrs Quince and Mrs Fairweather Quince; thanked O\u2019Neill and O ' Neill",
            evidence: "Audited 401/023/4563, 401-023-4563, 401 \u2013 023 \u2013 4563 and 943\u00a0476\u00a05919 (born 17/05/1948)",
            division: "Mrs Quince's bay",
            subject: "communications",
            doneOn: "2025-11-20",
          }),
        ],
      ),
    };
    delete c.nextDueOn;
    await new CosmosCaseRepository(t.bot.store.containers.cases, DEFAULT_RETENTION, DEFAULT_RULES).create(c);
    const leaks = [/quince/i, /fairweather/i, /neill/i, /4563/, /5919/, /1948/];
    const [reply] = await say("you said we did 2025-11-01 to 2025-11-30");
    const card = cardOf(reply);
    const text = cardText(card);
    assert.match(text, /We did: Apologised to Mrs \[removed\] and Mrs \[removed\]; thanked \[removed\] and \[removed\]/);
    assert.match(text, /What changed: Audited \[removed\], \[removed\], \[removed\] and \[removed\] \(born \[removed\]\)/);
    assert.match(text, /Mrs \[removed\]'s bay · November 2025/);
    for (const leak of leaks) assert.doesNotMatch(JSON.stringify(card), leak, String(leak));

    t.connector.reset();
    await t.press("yswd.file", { from: "2025-11-01", to: "2025-11-30" }, MANAGER);
    const csv = await (await fetch(downloadLink(t.connector.sentActivities[0])!)).text();
    const rows: string[][] = parse(csv, { bom: true });
    assert.deepEqual(
      rows.filter((row) => row[0] === "Communications").map((row) => row[4]),
      ["Mrs [removed]'s bay"],
    );
    for (const leak of leaks) assert.doesNotMatch(csv, leak, String(leak));
  });
});
