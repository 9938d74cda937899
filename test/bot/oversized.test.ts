import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import { gzipSync } from "node:zlib";
import type { Case } from "../../src/domain";
import { cardText, startTestBot, type TestBot } from "../helpers/bot";
import { cardAction, LEAD, OFFICER, personalInstall, TENANT_ID, type TeamsUser } from "../helpers/activities";
import { contactForm } from "../helpers/caseFixtures";

/** A pasted document or a forged submission: far more than any box holds, but inside the 1 MB a request may carry. */
const HUGE = "x".repeat(900_000);

describe("oversized card submissions get a clear answer naming the box, never a misleading one (real HTTP)", function () {
  this.timeout(60_000);
  let t: TestBot;

  before(async () => {
    t = await startTestBot({ env: { ROLE_OFFICERS: OFFICER.aadObjectId, ROLE_CLINICAL_LEADS: LEAD.aadObjectId }, now: () => new Date("2026-03-10T10:00:00Z") });
    for (const user of [OFFICER, LEAD]) await t.send(personalInstall({ serviceUrl: t.connector.url, from: user }));
  });
  after(async () => t.close());

  async function press(verb: string, data: Record<string, unknown>, who: TeamsUser = OFFICER) {
    const answer = await t.send(cardAction(verb, data, { serviceUrl: t.connector.url, from: who }));
    assert.equal(answer.status, 200);
    return { text: cardText(answer.body.value), bytes: JSON.stringify(answer.body).length };
  }

  async function newCase(): Promise<string> {
    const created = await t.send(
      cardAction("contact.submit", { formId: randomUUID(), ...contactForm({ receivedOn: "2026-03-09" }) }, { serviceUrl: t.connector.url, from: OFFICER }),
    );
    return created.body.value.refresh.action.data.caseId as string;
  }

  const CASE_FORMS: [string, string, Record<string, unknown>, RegExp][] = [
    ["case.addNote", "note", {}, /Too long to save: the note can have at most 4,000 characters\. Shorten it and try again/],
    ["case.close", "learning", { outcome: "upheld" }, /Too long to save: the learning can have at most 4,000 characters/],
    ["case.reopen", "reopenReason", {}, /Too long to save: the reason can have at most 1,000 characters/],
    [
      "ombudsman.record",
      "phsoReference",
      { phsoReferredOn: "2026-03-09", phsoStage: "assessment", phsoResponseDueOn: "" },
      /Too long to save: the Ombudsman's reference can have at most 50 characters/,
    ],
    [
      "investigation.request",
      "investigationSummary",
      {
        investigationDivision: "Medicine",
        investigationLead: LEAD.aadObjectId,
        investigationLeadId: "",
        investigationQuestions: "Q",
        investigationDueOn: "",
        investigationIncludeNhsNumber: "false",
      },
      /Too long to save: the summary for the lead can have at most 4,000 characters/,
    ],
    [
      "investigation.request",
      "investigationDivision",
      {
        investigationSummary: "S",
        investigationLead: LEAD.aadObjectId,
        investigationLeadId: "",
        investigationQuestions: "Q",
        investigationDueOn: "",
        investigationIncludeNhsNumber: "false",
      },
      /Too long to save: the division can have at most 200 characters/,
    ],
  ];

  for (const [verb, box, rest, expected] of CASE_FORMS) {
    it(`${verb} with a 900 KB ${box}: the case card again, saying the box is too long and to what, and nothing saved`, async () => {
      const caseId = await newCase();
      const before = (await t.bot.store.containers.cases.item(caseId, TENANT_ID).read<Case>()).resource!._etag;
      const { text, bytes } = await press(verb, { caseId, ...rest, [box]: HUGE });
      assert.match(text, expected);
      assert.doesNotMatch(text, /Case not found|could not be read/);
      assert.ok(bytes < 40_000, `the answer stays a card Teams can show (${bytes} bytes): what was typed is kept only in part`);
      assert.equal((await t.bot.store.containers.cases.item(caseId, TENANT_ID).read<Case>()).resource!._etag, before, "nothing saved");
    });
  }

  it("spaces and line breaks around what was typed do not count towards a box's limit", async () => {
    const caseId = await newCase();
    const { text } = await press("ombudsman.record", {
      caseId,
      phsoReferredOn: "2026-03-09",
      phsoReference: ` ${"C".repeat(50)}\n`,
      phsoStage: "assessment",
      phsoResponseDueOn: "",
    });
    assert.match(text, /Ombudsman details saved/);
    const division = ` ${"M".repeat(200)}\n\n`;
    const request = await press("investigation.request", {
      caseId,
      investigationDivision: division,
      investigationLead: LEAD.aadObjectId,
      investigationLeadId: "",
      investigationSummary: "S",
      investigationQuestions: "Q",
      investigationDueOn: "",
      investigationIncludeNhsNumber: "false",
    });
    assert.match(request.text, /Request (sent|saved)/);
  });

  it("a request over 1 MB is refused with a plain-English 413, logged as one line without a stack", async () => {
    const caseId = await newCase();
    const body = JSON.stringify(cardAction("case.addNote", { caseId, note: "x".repeat(1_100_000) }, { serviceUrl: t.connector.url, from: OFFICER }));
    const response = await fetch(`${t.bot.url}/api/messages`, { method: "POST", headers: { "content-type": "application/json" }, body });
    assert.equal(response.status, 413);
    assert.match(
      ((await response.json()) as { error: string }).error,
      /larger than PALS Desk accepts \(1 MB\)\. If you pasted a long text into a card, shorten it/,
    );
    assert.ok(t.logLines.some((line) => line.msg === "Refused a request over 1 MB"));
  });

  it("a gzip body (a few KB that would unpack to 100 MB) is refused before it is unpacked", async () => {
    const caseId = await newCase();
    const bomb = gzipSync(
      JSON.stringify(cardAction("case.addNote", { caseId, note: "x".repeat(100_000_000) }, { serviceUrl: t.connector.url, from: OFFICER })),
    );
    assert.ok(bomb.length < 200_000);
    const heapBefore = process.memoryUsage().heapUsed;
    const response = await fetch(`${t.bot.url}/api/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
      body: bomb,
    });
    assert.equal(response.status, 415);
    assert.match(((await response.json()) as { error: string }).error, /uncompressed JSON/);
    assert.ok(process.memoryUsage().heapUsed - heapBefore < 50_000_000, "the body was never unpacked");
  });

  it("a lead's 900 KB findings: the request card again, saying the findings are too long", async () => {
    const caseId = await newCase();
    await press("investigation.request", {
      caseId,
      investigationDivision: "Medicine",
      investigationLead: LEAD.aadObjectId,
      investigationLeadId: "",
      investigationSummary: "S",
      investigationQuestions: "Q",
      investigationDueOn: "",
      investigationIncludeNhsNumber: "false",
    });
    const stored = (await t.bot.store.containers.cases.item(caseId, TENANT_ID).read<Case>()).resource!;
    const { text } = await press(
      "investigation.answer",
      { caseId, requestId: stored.investigations![0].id, findings: HUGE, actionsTaken: "", learning: "", upheldView: "upheld" },
      LEAD,
    );
    assert.match(text, /Too long to save: your findings can have at most 4,000 characters/);
  });
});
