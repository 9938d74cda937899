import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { cardText, startTestBot, type TestBot } from "../helpers/bot";
import { cardAction, channelMessage, OFFICER, personalMessage, TENANT_ID } from "../helpers/activities";
import { contactForm } from "../helpers/caseFixtures";

/** Text people (or attackers) might type: markdown links, mentions, card templating, control characters, long runs. */
const nastyText = fc.oneof(
  fc.string({ maxLength: 50 }),
  fc.string({ unit: "grapheme", maxLength: 50 }),
  fc.constantFrom(
    "[click me](https://evil.example/phish)",
    "**bold** _it_ ~~gone~~ `code` # heading",
    "<at>Maya Manager</at> please look",
    "${patient.name} ${'{'}{{x}}",
    '{"type":"AdaptiveCard","body":[{"type":"Input.Text"}]}',
    "\u202e\u200b\u0000\u0007 rtl and nulls",
    "<script>alert(1)</script>",
    '=HYPERLINK("http://evil")',
    "__proto__",
    "constructor",
  ),
  fc.string({ minLength: 5000, maxLength: 20000 }),
);

/** Any JSON value, including the keys that pollute prototypes. */
const anyValue = fc.oneof(
  nastyText,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.constantFrom("__proto__", "constructor", "prototype", "toString", "x"), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);

const FORM_FIELDS = Object.keys(contactForm());

describe("fuzzing the real HTTP server with malformed activities and card submissions", function () {
  this.timeout(600_000);
  let t: TestBot;
  let successfulForms: Set<string>;

  before(async () => {
    t = await startTestBot({ now: () => new Date("2026-03-10T10:00:00Z"), env: { LOG_LEVEL: "warn" } });
    successfulForms = new Set();
  });
  after(async () => t.close());

  async function postRaw(body: string, contentType = "application/json") {
    const response = await fetch(`${t.bot.url}/api/messages`, { method: "POST", headers: { "content-type": contentType }, body });
    const text = await response.text();
    return { status: response.status, text };
  }

  function assertNoServerError(status: number, what: string) {
    assert.ok(status < 500, `${what} got ${status}`);
  }

  it("survives 1,500 activities with fields missing, of the wrong type, huge or hostile", async () => {
    const base = () => personalMessage("help", { serviceUrl: t.connector.url }) as Record<string, unknown>;
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(
          fc.constantFrom(
            "type",
            "text",
            "from",
            "conversation",
            "channelData",
            "value",
            "name",
            "serviceUrl",
            "channelId",
            "recipient",
            "entities",
            "attachments",
            "__proto__",
            "replyToId",
            "id",
          ),
          anyValue,
          { maxKeys: 4 },
        ),
        fc.subarray(["from", "conversation", "channelData", "recipient", "type", "serviceUrl"]),
        async (overrides, removed) => {
          const activity = { ...base(), ...overrides };
          for (const key of removed) delete activity[key];
          const answer = await postRaw(JSON.stringify(activity));
          assertNoServerError(answer.status, "activity");
        },
      ),
      { numRuns: 1500 },
    );
  });

  it("survives 500 bodies that are not activities at all", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ maxLength: 200 }), fc.json(), fc.constantFrom("", "null", "[]", "{", "\u0000", '{"type":"message"'.repeat(1000))),
        async (body) => {
          const answer = await postRaw(body);
          assertNoServerError(answer.status, "body");
        },
      ),
      { numRuns: 500 },
    );
  });

  it("answers 2,000 forged or malformed Log a contact submissions with the form or a case, and stores only valid ones", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom(...FORM_FIELDS, "formId", "__proto__", "constructor"), anyValue, { maxKeys: 6 }),
        fc.boolean(),
        async (overrides, keepValidFormId) => {
          const formId = randomUUID();
          const data = { ...contactForm({ receivedOn: "2026-03-09" }), ...(keepValidFormId ? { formId } : {}), ...overrides };
          const answer = await t.send(cardAction("contact.submit", data, { serviceUrl: t.connector.url }));
          assertNoServerError(answer.status, "contact.submit");
          const card = answer.body?.value;
          const text = cardText(card);
          assert.ok(/Log a contact|Logged as|already logged/.test(text), `a form or a case card, got: ${text.slice(0, 200)}`);
          if (/Logged as|already logged/.test(text)) {
            successfulForms.add(card.refresh.action.data.caseId);
            // Whatever was typed is shown as plain text runs, never as markdown in a TextBlock.
            const typedSummary = (data as Record<string, unknown>).summary;
            const summary = typeof typedSummary === "string" ? typedSummary.trim() : "";
            if (summary.length > 3) {
              const inTextBlocks = JSON.stringify(card, (_key, value) => (value?.type === "RichTextBlock" ? undefined : value));
              assert.ok(!inTextBlocks.includes(JSON.stringify(summary).slice(1, -1)), "the summary never appears outside a TextRun");
            }
          }
        },
      ),
      { numRuns: 2000 },
    );
    const { resources } = await t.bot.store.containers.cases.items.query("SELECT VALUE COUNT(1) FROM c WHERE c.docType = 'case'").fetchAll();
    assert.equal(resources[0], successfulForms.size, "every stored case was answered with a case card; nothing rejected was stored");
  });

  it("answers 1,000 forged case card actions without changing a case it should not", async () => {
    const created = await t.send(
      cardAction("contact.submit", { formId: randomUUID(), ...contactForm({ receivedOn: "2026-03-09" }) }, { serviceUrl: t.connector.url }),
    );
    const caseId = created.body.value.refresh.action.data.caseId;
    const before = (await t.bot.store.containers.cases.item(caseId, TENANT_ID).read()).resource;
    const verbs = [
      "case.close",
      "case.reopen",
      "case.assign",
      "case.escalate",
      "case.acknowledge",
      "case.changeResponseDate",
      "case.recordSignposting",
      "investigation.answer",
      "alert.acknowledge",
      "case.nonsense",
      "__proto__",
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...verbs),
        fc.dictionary(
          fc.constantFrom("caseId", "outcome", "assignTo", "organisations", "acknowledgedOn", "newResponseDate", "requestId", "reason", "__proto__"),
          anyValue,
          { maxKeys: 4 },
        ),
        async (verb, data) => {
          const answer = await t.send(cardAction(verb, data, { serviceUrl: t.connector.url }));
          assertNoServerError(answer.status, verb);
        },
      ),
      { numRuns: 1000 },
    );
    const after = (await t.bot.store.containers.cases.item(caseId, TENANT_ID).read()).resource;
    assert.equal(after._etag, before._etag, "forged actions without this case's id never touched it");
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, "x"), false, "no prototype pollution");
  });

  it("answers 600 forged actions of every card verb on a real case, with prototype keys in every place, without polluting anything", async () => {
    const created = await t.send(
      cardAction("contact.submit", { formId: randomUUID(), ...contactForm({ receivedOn: "2026-03-09" }) }, { serviceUrl: t.connector.url }),
    );
    const caseId: string = created.body.value.refresh.action.data.caseId;
    const linesBefore = t.logLines.length;
    const verbs = [
      ...[
        "case.view",
        "case.refresh",
        "case.timeline",
        "case.takeOwnership",
        "case.assign",
        "case.addNote",
        "case.acknowledge",
        "case.changeResponseDate",
        "case.escalate",
        "case.recordSignposting",
        "case.close",
        "case.reopen",
      ],
      ...[
        "contact.new",
        "contact.submit",
        "alert.acknowledge",
        "alert.takeOver",
        "letter.draft",
        "letter.sent",
        "letter.text",
        "ombudsman.record",
        "ombudsman.exportFile",
        "report.period",
      ],
      ...[
        "investigation.request",
        "investigation.answer",
        "investigation.moreTime",
        "investigation.acceptExtension",
        "investigation.declineExtension",
        "investigation.refresh",
      ],
    ];
    const pollutingKeys = fc.constantFrom("__proto__", "constructor", "prototype");
    const polluting = fc.dictionary(
      pollutingKeys,
      fc.oneof(fc.dictionary(fc.constantFrom("polluted", "roles", "caseId", "isAdmin"), fc.constant("yes")), fc.constant("yes")),
      { minKeys: 1, maxKeys: 3 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...verbs),
        polluting,
        fc.dictionary(fc.constantFrom("note", "outcome", "learning", "reason", "template", "period", "requestId", "formId"), anyValue, { maxKeys: 3 }),
        async (verb, keys, data) => {
          const answer = await t.send(cardAction(verb, { ...data, ...keys, caseId, submission: randomUUID() }, { serviceUrl: t.connector.url }));
          assertNoServerError(answer.status, verb);
          const search = await t.send({
            ...cardAction("x", {}, { serviceUrl: t.connector.url }),
            name: "composeExtension/query",
            value: { commandId: "searchDirectory", parameters: [{ name: "query", value: "advocacy" }, keys], queryOptions: keys },
          });
          assertNoServerError(search.status, "message extension");
        },
      ),
      { numRuns: 600 },
    );
    for (const prototype of [Object.prototype, Array.prototype, Function.prototype]) {
      for (const key of ["polluted", "roles", "caseId", "isAdmin"])
        assert.equal(Object.prototype.hasOwnProperty.call(prototype, key), false, `no ${key} on a prototype`);
    }
    const stored = (await t.bot.store.containers.cases.item(caseId, TENANT_ID).read()).resource;
    // Keys, not values: a note may well say "__proto__" (nastyText does), and is stored as typed.
    const keysOf = (value: unknown): string[] =>
      value !== null && typeof value === "object" ? Object.keys(value).flatMap((key) => [key, ...keysOf((value as Record<string, unknown>)[key])]) : [];
    assert.deepEqual(
      keysOf(stored).filter((key) => ["polluted", "isAdmin", "__proto__", "prototype", "roles"].includes(key)),
      [],
      "no forged key reached the stored case",
    );
    assert.deepEqual(
      t.logLines.slice(linesBefore).filter((line) => line.level === "error"),
      [],
      "no unhandled errors",
    );
  });

  it("is still healthy and answering afterwards", async () => {
    assert.equal((await fetch(`${t.bot.url}/healthz`)).status, 200);
    t.connector.reset();
    await t.send(channelMessage("help", { serviceUrl: t.connector.url, from: OFFICER }));
    assert.match(cardText(t.connector.sentActivities[0]?.attachments?.[0]?.content), /Welcome to PALS Desk/);
  });
});
