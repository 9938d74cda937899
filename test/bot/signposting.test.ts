import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { performance } from "node:perf_hooks";
import sinon from "sinon";
import { CosmosCaseRepository } from "../../src/store/caseRepository";
import { cardOf, cardText, startTestBot, type TestBot } from "../helpers/bot";
import { cardAction, LEAD, MANAGER, OFFICER, personalMessage, VOLUNTEER, type TeamsUser, messageExtensionQuery } from "../helpers/activities";
import { contactForm } from "../helpers/caseFixtures";

const NOW = new Date("2026-03-10T10:00:00Z");
const LOCAL_FILE = path.join(__dirname, "..", "..", "env", "signposting.local.example.json");
const ROLES = {
  ROLE_OFFICERS: OFFICER.aadObjectId,
  ROLE_VOLUNTEERS: VOLUNTEER.aadObjectId,
  ROLE_MANAGERS: MANAGER.aadObjectId,
  ROLE_CLINICAL_LEADS: LEAD.aadObjectId,
};

/** The directory id a signposting card shows (its heading container is "signpost-<id>"). */
function entryIdOf(card: unknown): string | undefined {
  return /"id":"signpost-([a-z0-9-]+)"/.exec(JSON.stringify(card))?.[1];
}

const extensionQuery = messageExtensionQuery;

describe("signposting, the complaints process and the message extension (real HTTP activities)", () => {
  let t: TestBot;
  before(async () => {
    t = await startTestBot({ env: { ...ROLES, SIGNPOSTING_LOCAL_FILE: LOCAL_FILE }, now: () => NOW });
  });
  after(async () => t.close());
  beforeEach(() => t.connector.reset());

  async function say(text: string, from: TeamsUser = OFFICER) {
    const answer = await t.send(personalMessage(text, { serviceUrl: t.connector.url, from }));
    assert.equal(answer.status, 200);
    return t.connector.sentActivities;
  }

  async function search(query: string | undefined, from: TeamsUser = OFFICER, extra: { skip?: number; count?: number } = {}) {
    const started = performance.now();
    const answer = await t.send(extensionQuery(query, { serviceUrl: t.connector.url, from, ...extra }));
    const elapsed = performance.now() - started;
    assert.equal(answer.status, 200);
    assert.ok(elapsed < 2500, `answered in ${elapsed.toFixed(0)} ms, well within Teams' 5 s`);
    const result = answer.body.composeExtension;
    assert.equal(result.type, "result");
    assert.ok(result.attachments.length <= 25);
    for (const attachment of result.attachments) {
      assert.equal(attachment.contentType, "application/vnd.microsoft.card.adaptive");
      assert.equal(attachment.preview.contentType, "application/vnd.microsoft.card.thumbnail");
      assert.ok(Buffer.byteLength(JSON.stringify(attachment)) <= 28 * 1024);
    }
    return result.attachments as { content: any; preview: { content: { title: string; text: string } } }[];
  }

  async function logComplaint(): Promise<string> {
    const answer = await t.send(
      cardAction(
        "contact.submit",
        { formId: randomUUID(), ...contactForm({ receivedOn: "2026-03-09", eventOn: "2026-03-01" }) },
        { serviceUrl: t.connector.url },
      ),
    );
    const reference = cardText(answer.body.value).match(/PALS-2026-\d{6}/)?.[0];
    assert.ok(reference, "the complaint was logged");
    return reference;
  }

  describe("`signpost`", () => {
    it("puts Samaritans, then urgent help, first for `signpost suicidal`, with what to do if a life is at risk", async () => {
      const [reply] = await say("signpost suicidal");
      assert.equal(reply.attachmentLayout, "list");
      const ids = reply.attachments.map((a: any) => entryIdOf(a.content));
      assert.deepEqual(ids.slice(0, 2), ["samaritans", "nhs-111"]);
      assert.ok(ids.includes("example-crisis-line"), "the trust's crisis line is offered too");
      assert.match(cardText(reply.attachments[1].content), /NHS 111 for urgent help, 999 in an emergency/);
      const first = cardText(reply.attachments[0].content);
      assert.match(first, /call 999/);
      assert.match(first, /Phone: 116 123/);
      assert.match(first, /24 hours a day/);
      assert.match(reply.text, /crisis support comes first/);
    });

    it("answers a need with the best matches, each with what it is for, when to use it, contacts and hours", async () => {
      const [reply] = await say("signpost help writing a complaint");
      assert.ok(reply.attachments.length >= 1 && reply.attachments.length <= 5);
      const first = cardText(reply.attachments[0].content);
      assert.match(first, /Example Advocacy Service/, "the trust's own provider replaces the national entry");
      assert.match(first, /What it's for/);
      assert.match(first, /When to use it/);
      assert.match(first, /Phone: 01632 960001/);
      assert.match(first, /Opening hours: Monday to Friday/);
      assert.equal(reply.attachments[0].content.actions[0].url, "https://www.example.org/nhs-complaints-advocacy");
    });

    it("tolerates typos and says when nothing matches", async () => {
      const [typo] = await say("signpost ombudsmen");
      assert.match(cardText(typo.attachments[0].content), /Parliamentary and Health Service Ombudsman/);
      t.connector.reset();
      const [none] = await say("signpost xylophone");
      assert.match(none.text, /Nothing in the directory matches/);
    });

    it("shows the whole directory, grouped, with a hint, when typed on its own", async () => {
      const [reply] = await say("signpost");
      const text = cardText(cardOf(reply));
      assert.match(text, /Signposting directory/);
      assert.match(text, /Urgent and crisis help/);
      assert.match(text, /Samaritans \(116 123\)/);
      assert.match(text, /Local services/);
      assert.match(text, /Bereavement office \(Example Hospital\)/);
      assert.match(text, /signpost help writing a complaint/);
    });

    it("records signposting to a local service from the case card", async () => {
      const answer = await t.send(
        cardAction(
          "contact.submit",
          { formId: randomUUID(), ...contactForm({ receivedOn: "2026-03-09", eventOn: "2026-03-01" }) },
          { serviceUrl: t.connector.url },
        ),
      );
      const caseId = answer.body.value.refresh.action.data.caseId;
      assert.match(JSON.stringify(answer.body.value), /"value":"example-carers-centre"/, "the Signpost action offers local services");
      const recorded = await t.send(
        cardAction("case.recordSignposting", { caseId, organisations: "example-carers-centre,phso" }, { serviceUrl: t.connector.url }),
      );
      assert.match(cardText(recorded.body.value), /Signposted to: Parliamentary and Health Service Ombudsman \(PHSO\), Exampletown Carers Centre/);
      const refused = await t.send(cardAction("case.recordSignposting", { caseId, organisations: "phso,not-in-directory" }, { serviceUrl: t.connector.url }));
      assert.match(cardText(refused.body.value), /Choose the organisations from the list/);
    });
  });

  describe("`complaints process`", () => {
    it("explains the process in plain English with the Ombudsman's details from the directory", async () => {
      for (const command of ["complaints process", "complaints procedure", "How to complain?"]) {
        t.connector.reset();
        const [reply] = await say(command);
        const text = cardText(cardOf(reply));
        assert.match(text, /PALS/, command);
        assert.match(text, /informally/);
        assert.match(text, /within \*\*3 working days\*\*/);
        assert.match(text, /25 to 60 working days/);
        assert.match(text, /\*\*6 months\*\*/);
        assert.match(text, /\*\*12 months\*\*/);
        assert.match(text, /waive|good reason for the delay/);
        assert.match(text, /consent/);
        assert.match(text, /Example Advocacy Service/);
        assert.match(text, /final stage/);
        assert.match(text, /Phone: 0345 015 4033/);
      }
    });
  });

  describe("the message extension", () => {
    it("finds signposting entries for a query, with a preview for each", async () => {
      const results = await search("ombudsmen");
      assert.equal(entryIdOf(results[0].content), "phso");
      assert.equal(results[0].preview.content.title, "Parliamentary and Health Service Ombudsman (PHSO)");
      assert.match(results[0].preview.content.text, /0345 015 4033/);
      assert.match(cardText(results[0].content), /When to use it/);
    });

    it("shows the most-used entries before anything is typed, and pages with skip and count", async () => {
      const first = await search(undefined);
      assert.match(first[0].preview.content.title, /NHS Complaints Advocacy/);
      assert.equal(first[1].preview.content.title, "Parliamentary and Health Service Ombudsman (PHSO)");
      const empty = await search("");
      assert.deepEqual(
        empty.map((r) => r.preview.content.title),
        first.map((r) => r.preview.content.title),
      );
      const page = await search(undefined, OFFICER, { skip: 1, count: 2 });
      assert.deepEqual(
        page.map((r) => r.preview.content.title),
        first.slice(1, 3).map((r) => r.preview.content.title),
      );
    });

    it("finds a case by reference for an officer, without the patient's name or NHS number in what it inserts", async () => {
      const reference = await logComplaint();
      const answer = await t.send(extensionQuery(reference.toLowerCase().replace(/-/g, " "), { serviceUrl: t.connector.url, from: OFFICER }));
      const results = answer.body.composeExtension.attachments;
      assert.equal(results[0].preview.content.title, reference);
      const card = cardText(results[0].content);
      assert.match(card, new RegExp(reference));
      assert.match(card, /Type: Complaint/);
      assert.match(card, /Status: Open/);
      assert.match(card, /Next deadline: Thursday 12 March 2026/);
      const everything = JSON.stringify(answer.body);
      for (const secret of ["Margaret", "Jones", "9434765919", "943 476 5919", "Call bell", "07700"]) assert.ok(!everything.includes(secret), `no ${secret}`);
    });

    it("finds cases by words for a volunteer, still without patient details", async () => {
      const reference = await logComplaint();
      const answer = await t.send(extensionQuery("Margaret Jones", { serviceUrl: t.connector.url, from: VOLUNTEER }));
      const results = answer.body.composeExtension.attachments;
      assert.ok(
        results.some((r: any) => r.preview.content.title === reference),
        "the case is found by the patient's name",
      );
      assert.ok(!JSON.stringify(answer.body).includes("Margaret"));
    });

    it("gives a clinical lead directory results only", async () => {
      const reference = await logComplaint();
      const byReference = await search(reference, LEAD);
      assert.ok(!JSON.stringify(byReference).includes(reference));
      const byWords = await search("complaint", LEAD);
      assert.ok(byWords.length > 0);
      assert.ok(byWords.every((r) => !/PALS-2026/.test(JSON.stringify(r))));
    });

    it("still answers with the directory in time when the case search is slow or fails", async () => {
      const slow = sinon.stub(CosmosCaseRepository.prototype, "search").returns(new Promise(() => undefined));
      try {
        const results = await search("complaint");
        assert.ok(results.length > 0 && results.every((r) => !/PALS-2026/.test(JSON.stringify(r))));
        assert.ok(t.logLines.some((line) => line.msg === "Message extension search" && line.caseSearchTimedOut === true));
      } finally {
        slow.restore();
      }
      const failing = sinon.stub(CosmosCaseRepository.prototype, "search").rejects(new Error("Service unavailable"));
      try {
        assert.ok((await search("complaint")).length > 0);
        assert.ok(t.logLines.some((line) => line.msg === "Message extension search" && line.caseSearchFailed === true));
      } finally {
        failing.restore();
      }
    });

    it("never logs what was searched for", async () => {
      await search("Margaret Jones suicidal");
      await say("signpost Margaret is suicidal");
      const logged = JSON.stringify(t.logLines);
      assert.ok(!logged.includes("Margaret"));
      assert.ok(t.logLines.some((line) => line.msg === "Message extension search" && line.caseResults !== undefined));
      assert.ok(t.logLines.some((line) => line.msg === "Signposting search" && line.crisis === true));
    });
  });
});
