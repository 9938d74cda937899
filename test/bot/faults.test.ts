import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import type { Container } from "@azure/cosmos";
import { caseIdFor } from "../../src/cases";
import { londonDate } from "../../src/domain";
import { startEmbeddedCosmos, type EmbeddedCosmos } from "../../src/store/embedded";
import { cardAction, channelMessage, LEAD, MANAGER, OFFICER, personalInstall, TENANT_ID, type TeamsUser } from "../helpers/activities";
import { startTestBot, type TestBot } from "../helpers/bot";
import { contactForm } from "../helpers/caseFixtures";
import { FaultyCosmos, type Fault } from "../helpers/faultyCosmos";

const PRIYA: TeamsUser = { id: "29:2officer", name: "Priya Officer", aadObjectId: "00000000-0000-4000-8000-0000000000a6" };
const ROLES = {
  ROLE_OFFICERS: `${OFFICER.aadObjectId},${PRIYA.aadObjectId}`,
  ROLE_MANAGERS: MANAGER.aadObjectId,
  ROLE_CLINICAL_LEADS: LEAD.aadObjectId,
};
const TODAY = "2026-03-10";
/** No NHS number, so every case here is the only one about its patient (no repeat-contact alerts between cells). */
const ANONYMOUS = { receivedOn: TODAY, eventOn: "2026-03-01", nhsNumber: "" };

/** What an operation submits, and to which case. */
interface Submission {
  readonly caseId: string;
  readonly activity: object;
}

/** One thing a person does, from a case prepared (without faults) to the state it needs. */
interface Operation {
  readonly name: string;
  prepare(): Promise<Submission>;
}

/** Everything a change writes about one case, in a form two runs can be compared by. */
interface CaseState {
  readonly case: unknown;
  readonly events: unknown[];
  /** The day the sweep next looks at the case (its watch day), if any. */
  readonly watchOn?: unknown;
  readonly outbox: unknown[];
  readonly threads: number;
  readonly pending: number;
}

describe("a crash at any write of a change: every operation, made whole by a retry or the sweep (fault injection)", function () {
  this.timeout(600_000);
  let cosmos: EmbeddedCosmos;
  let proxy: FaultyCosmos;
  /** The bot that crashes: its store is behind the faulty proxy. */
  let a: TestBot;
  /** The bot after the restart: another instance on the same store, with nothing in memory. */
  let b: TestBot;
  // The clock moves on through the run: past each outbox claim (2 minutes) before a recovery, and past
  // Teams' per-conversation rate limits between cells, but never past today.
  let now = new Date(`${TODAY}T08:00:00Z`);
  const later = (seconds: number) => (now = new Date(now.getTime() + seconds * 1000));

  const containers = () => b.bot.store.containers;
  /** New channel threads posted so far, by either bot (investigation request cards). */
  const threadPosts = () =>
    [a, b].reduce((sum, bot) => sum + bot.connector.calls.filter((call) => call.method === "POST" && call.path === "/v3/conversations").length, 0);
  const send = async (bot: TestBot, activity: object) => bot.send(activity);
  /** A button press as Teams sends it, with the id of the card's drawing that a real card carries (cards.ts newSubmission). */
  const press = (bot: TestBot, verb: string, data: Record<string, unknown>, from: TeamsUser = OFFICER) =>
    cardAction(verb, { submission: randomUUID(), ...data }, { serviceUrl: bot.connector.url, from });

  async function query<T>(container: Container, text: string, parameters: Record<string, string> = {}): Promise<T[]> {
    const { resources } = await container.items
      .query<T>({ query: text, parameters: Object.entries(parameters).map(([name, value]) => ({ name, value })) })
      .fetchAll();
    return resources;
  }

  async function snapshot(caseId: string): Promise<CaseState> {
    const stored = (await containers().cases.item(caseId, TENANT_ID).read<Record<string, unknown>>()).resource;
    const events = await query<Record<string, unknown>>(containers().events, "SELECT * FROM c WHERE c.caseId = @id", { "@id": caseId });
    const outbox = await query<Record<string, unknown>>(containers().jobs, "SELECT * FROM c WHERE c.payload.caseId = @id", { "@id": caseId });
    const threads = await query<unknown>(containers().conversations, "SELECT c.id FROM c WHERE c.docType = 'thread' AND c.caseId = @id", { "@id": caseId });
    const reference = typeof stored?.reference === "string" ? stored.reference : "<none>";
    const requestIds = ((stored?.investigations as { id: string }[] | undefined) ?? []).map((r) => r.id);
    // Ids, references and times differ from run to run; what was written, and how often, must not.
    const withoutCosmosFields = (key: string, value: unknown) => (key.startsWith("_") ? undefined : value);
    const normal = (value: unknown): unknown =>
      JSON.parse(
        requestIds
          .reduce((text, id, i) => text.split(id).join(`<request-${i}>`), JSON.stringify(value, withoutCosmosFields))
          .split(caseId)
          .join("<case>")
          .split(reference)
          .join("<reference>")
          .split(reference.toLowerCase())
          .join("<reference>")
          .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, "<instant>")
          .replace(/"(activityId|conversationId)":"[^"]*"/g, '"$1":"<teams id>"'),
      );
    // The search tokens are the reference's parts, which differ from run to run like the reference itself.
    const {
      applied: _applied,
      pending,
      pendingSince: _since,
      searchTokens: _tokens,
      referenceTokens: _parts,
      ...document
    } = stored ?? ({} as Record<string, unknown>);
    return {
      case: stored ? normal(document) : null,
      events: (normal(events) as { id: string }[]).sort((x, y) => x.id.localeCompare(y.id)),
      watchOn: stored?.watchOn,
      outbox: (
        normal(outbox.map(({ state: _s, attempts: _a, nextAttemptAt: _n, sentAt: _t, lastError: _e, delivered: _d, ...item }) => item)) as { id: string }[]
      ).sort((x, y) => x.id.localeCompare(y.id)),
      threads: threads.length,
      pending: Array.isArray(pending) ? pending.length : 0,
    };
  }

  /** A new complaint (or other contact) logged through the healthy bot, as the operation's starting point. */
  async function logged(overrides: Record<string, unknown> = {}, from: TeamsUser = OFFICER): Promise<string> {
    const formId = randomUUID();
    const answer = await send(b, press(b, "contact.submit", { formId, ...contactForm({ ...ANONYMOUS, ...overrides }) }, from));
    assert.equal(answer.status, 200);
    return caseIdFor(TENANT_ID, formId);
  }

  async function withCase(
    verb: string,
    data: (caseId: string) => Record<string, unknown>,
    options: { overrides?: Record<string, unknown>; then?: (caseId: string) => Promise<void>; from?: TeamsUser } = {},
  ): Promise<Submission> {
    const caseId = await logged(options.overrides, options.from === OFFICER ? PRIYA : OFFICER);
    await options.then?.(caseId);
    return { caseId, activity: press(a, verb, { caseId, ...data(caseId) }, options.from ?? OFFICER) };
  }

  const healthy = async (verb: string, data: Record<string, unknown>, from: TeamsUser = OFFICER) => {
    const answer = await send(b, press(b, verb, data, from));
    assert.equal(answer.status, 200, verb);
    return answer.body;
  };

  const requestData = (caseId: string) => ({
    caseId,
    investigationDivision: "Medicine",
    investigationLead: LEAD.aadObjectId,
    investigationLeadId: "",
    investigationSummary: "Call bell unanswered overnight on 1 March.",
    investigationQuestions: "Who was on shift?",
    investigationDueOn: "",
    investigationIncludeNhsNumber: "false",
  });

  const OPERATIONS: Operation[] = [
    {
      name: "log a safeguarding concern",
      prepare: async () => {
        const formId = randomUUID();
        const form = contactForm({ ...ANONYMOUS, contactType: "concern", safeguarding: "true", riskConsequence: "5", riskLikelihood: "4" });
        return { caseId: caseIdFor(TENANT_ID, formId), activity: press(a, "contact.submit", { formId, ...form }) };
      },
    },
    { name: "take ownership", prepare: () => withCase("case.takeOwnership", () => ({}), { from: OFFICER }) },
    { name: "assign", prepare: () => withCase("case.assign", () => ({ assignTo: MANAGER.aadObjectId })) },
    { name: "add a note", prepare: () => withCase("case.addNote", () => ({ note: "Rang the ward; sister will call back." })) },
    { name: "record the acknowledgement", prepare: () => withCase("case.acknowledge", () => ({ acknowledgedOn: TODAY })) },
    {
      name: "change the response date",
      prepare: () =>
        withCase("case.changeResponseDate", () => ({
          newResponseDate: "2026-04-30",
          responseDateReason: "Waiting for the ward's statement",
          agreedWithComplainant: "true",
          longerPeriodAgreed: "false",
        })),
    },
    { name: "escalate a concern", prepare: () => withCase("case.escalate", () => ({}), { overrides: { contactType: "concern" } }) },
    { name: "record signposting", prepare: () => withCase("case.recordSignposting", () => ({ organisations: "phso,nhs-complaints-advocacy" })) },
    {
      name: "close",
      prepare: () =>
        withCase("case.close", () => ({ outcome: "upheld", learning: "Check call bells every shift" }), {
          then: async (id) => void (await healthy("case.acknowledge", { caseId: id, acknowledgedOn: TODAY })),
        }),
    },
    {
      name: "reopen",
      prepare: () =>
        withCase("case.reopen", () => ({ reopenReason: "They wrote again" }), {
          then: async (id) => {
            await healthy("case.acknowledge", { caseId: id, acknowledgedOn: TODAY });
            await healthy("case.close", { caseId: id, outcome: "upheld", learning: "" });
          },
        }),
    },
    { name: "record a letter sent", prepare: () => withCase("letter.sent", () => ({ letter: "acknowledgement" })) },
    {
      name: "record an Ombudsman referral",
      prepare: () =>
        withCase("ombudsman.record", () => ({
          phsoReferredOn: TODAY,
          phsoReference: "C-2026-000123",
          phsoStage: "assessment",
          phsoResponseDueOn: "2026-04-14",
        })),
    },
    { name: "ask a clinical lead", prepare: () => withCase("investigation.request", requestData) },
    {
      name: "answer as the clinical lead",
      prepare: async () => {
        const caseId = await logged();
        await healthy("investigation.request", requestData(caseId));
        const c = (await containers().cases.item(caseId, TENANT_ID).read<{ investigations: { id: string }[] }>()).resource!;
        const requestId = c.investigations[0].id;
        return {
          caseId,
          activity: press(
            a,
            "investigation.answer",
            { caseId, requestId, findings: "The bell was faulty.", actionsTaken: "Estates replaced it", learning: "", upheldView: "upheld" },
            LEAD,
          ),
        };
      },
    },
    {
      name: "acknowledge a safeguarding alert",
      prepare: async () => {
        const caseId = await logged({ contactType: "concern", safeguarding: "true" });
        return { caseId, activity: press(a, "alert.acknowledge", { caseId, reason: "safeguarding", requestId: "" }, MANAGER) };
      },
    },
  ];

  before(async () => {
    cosmos = await startEmbeddedCosmos();
    proxy = await new FaultyCosmos(cosmos.endpoint).start();
    const env = (endpoint: string) => ({ ...ROLES, COSMOS_ENDPOINT: endpoint, COSMOS_KEY: cosmos.key, LOG_LEVEL: "warn" });
    b = await startTestBot({ env: env(cosmos.endpoint), now: () => now });
    a = await startTestBot({ env: env(proxy.endpoint), now: () => now });
    for (const bot of [a, b]) {
      for (const person of [OFFICER, PRIYA, MANAGER, LEAD]) await send(bot, personalInstall({ serviceUrl: bot.connector.url, from: person }));
    }
    await send(b, channelMessage("set division channel Medicine", { serviceUrl: b.connector.url, from: OFFICER }));
    await send(b, channelMessage("set alerts channel", { serviceUrl: b.connector.url, from: MANAGER }));
    // Today's morning round is done (09:00), so later sweeps only finish follow-ups and send what is queued.
    now = new Date(`${TODAY}T09:00:00Z`);
    await b.bot.jobs.sweepNow();
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await proxy?.stop();
    await cosmos?.stop();
  });

  const results: string[] = [];
  after(() => {
    if (results.length) console.log(`      fault matrix: ${results.join("; ")}`);
  });

  it("a write that hangs past the store's timeout (applied, never answered) is made whole by the retry", async function () {
    this.timeout(60_000);
    later(600);
    await logged(); // the year's reference counter exists, so the case is the second write
    const formId = randomUUID();
    const form = { formId, ...contactForm({ ...ANONYMOUS, contactType: "concern", safeguarding: "true" }) };
    // The case is written (the create is the second write, after the reference number) but its answer never comes.
    proxy.failWrite(2, "hang");
    const hung = await send(a, press(a, "contact.submit", form));
    proxy.reset();
    assert.equal(hung.status, 200);
    assert.match(JSON.stringify(hung.body), /can't reach its case store right now|went wrong on our side/, "the officer is asked to try again");
    later(125);
    const retried = await send(b, press(b, "contact.submit", form));
    assert.match(JSON.stringify(retried.body), /already logged as PALS-2026-/);
    const state = await snapshot(caseIdFor(TENANT_ID, formId));
    assert.equal(state.pending, 0);
    assert.deepEqual(
      (state.events as { kind: string }[]).map((e) => e.kind),
      ["created"],
    );
    assert.deepEqual(
      (state.outbox as { id: string }[]).map((item) => item.id),
      ["alert:<case>:safeguarding"],
    );
    assert.match(String(state.watchOn), /^\d{4}-\d\d-\d\d$/, "the sweep will look at it");
  });

  for (const operation of OPERATIONS.filter((o) => !process.env.ONLY || o.name.includes(process.env.ONLY))) {
    it(`${operation.name}: a crash before or after each of its writes, then a retry or the sweep and a retry, leaves exactly what one clean run leaves`, async () => {
      later(60);
      // A clean run: how many writes it makes, and what it leaves.
      const clean = await operation.prepare();
      proxy.reset();
      assert.equal((await send(a, clean.activity)).status, 200);
      const writes = proxy.writes;
      const expected = await snapshot(clean.caseId);
      assert.equal(expected.pending, 0, "a clean run leaves nothing pending");
      assert.ok(writes >= 2, `${operation.name} makes ${writes} writes`);

      let cells = 0;
      const duplicates: string[] = [];
      for (let at = 1; at <= writes; at++) {
        for (const fault of ["crash-before", "crash-after"] as Fault[]) {
          for (const recovery of ["retry", "sweep, then retry"] as const) {
            later(5);
            const submission = await operation.prepare();
            const before = await snapshot(submission.caseId);
            const postsBefore = threadPosts();
            proxy.failWrite(at, fault);
            const crashed = await send(a, submission.activity).catch(() => ({ status: 0 }));
            assert.ok(crashed.status < 500, `the crashed bot still answers without a server error (${crashed.status})`);
            proxy.reset();
            // The restarted bot, after the outbox's claim on a message being sent has run out.
            later(125);
            const where = `${operation.name}, ${fault} write ${at} of ${writes}, ${recovery}`;
            if (recovery !== "retry") {
              await b.bot.jobs.sweepNow();
              const swept = await snapshot(submission.caseId);
              assert.equal(swept.pending, 0, `${where}: the sweep leaves nothing pending`);
              // The same content; the order of a document's keys is not part of it.
              const whole = isDeepStrictEqual(swept, before) || isDeepStrictEqual(swept, expected);
              assert.ok(
                whole,
                `${where}: after the sweep the case is as before the change or as after it, never half made:\n${JSON.stringify(swept, null, 1)}\nexpected:\n${JSON.stringify(expected, null, 1)}`,
              );
            }
            const retried = await send(b, submission.activity);
            assert.equal(retried.status, 200, `${where}: the retry is answered`);
            assert.deepEqual(await snapshot(submission.caseId), expected, `${where}: after the retry`);
            // Teams has no idempotent send: a crash between a post and the write recording it posts again.
            const posts = threadPosts() - postsBefore;
            if (posts > 1) duplicates.push(`${fault} ${at}, ${recovery}`);
            cells += 1;
          }
        }
      }
      assert.equal(londonDate(now), TODAY, "the run stayed within one day");
      results.push(
        `${operation.name}: ${writes} writes x 2 faults x 2 recoveries = ${cells} cells${duplicates.length ? ` (posted twice: ${duplicates.join(", ")})` : ""}`,
      );
      // The one window left: the crash between Teams taking the request card and the write that records it.
      assert.ok(
        duplicates.every((cell) => cell.startsWith("crash-before")),
        `posted twice only when the recording write was lost: ${duplicates.join("; ")}`,
      );
      assert.ok(new Set(duplicates.map((cell) => cell.split(",")[0])).size <= 1, `at most one write has that window: ${duplicates.join("; ")}`);
    });
  }
});
