import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import type { Case } from "../../src/domain";
import { cardOf, cardText, startTestBot, type TestBot } from "../helpers/bot";
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
import { contactForm } from "../helpers/caseFixtures";

/** Owns the cases under test, so that nobody in the table already owns them. */
const PRIYA: TeamsUser = { id: "29:2officer", name: "Priya Officer", aadObjectId: "00000000-0000-4000-8000-0000000000a6" };
const UNKNOWN: TeamsUser = { id: "29:stranger", name: "Sam Stranger", aadObjectId: "00000000-0000-4000-8000-0000000000ff" };

type Who = "officer" | "volunteer" | "lead" | "manager" | "admin" | "unknown" | "other tenant";
const EVERYONE: Who[] = ["officer", "volunteer", "lead", "manager", "admin", "unknown", "other tenant"];
const PEOPLE: Record<Who, { user: TeamsUser; tenantId: string }> = {
  officer: { user: OFFICER, tenantId: TENANT_ID },
  volunteer: { user: VOLUNTEER, tenantId: TENANT_ID },
  lead: { user: LEAD, tenantId: TENANT_ID },
  manager: { user: MANAGER, tenantId: TENANT_ID },
  admin: { user: ADMIN, tenantId: TENANT_ID },
  unknown: { user: UNKNOWN, tenantId: TENANT_ID },
  "other tenant": { user: { ...OFFICER }, tenantId: OTHER_TENANT_ID },
};
const STAFF: Who[] = ["officer", "volunteer", "manager", "admin"];
const PALS: Who[] = ["officer", "manager", "admin"];
const MANAGERS: Who[] = ["manager", "admin"];

/** What a refusal looks like to a person: one of these plain-English answers, never a stack trace. */
const REFUSED = /Not available|doesn't let you|can't|don't have a PALS Desk role|not set up for your organisation|Only PALS|addressed to|only they can/;

describe("who may do what: every command and card action against every role (real HTTP)", function () {
  this.timeout(120_000);
  let t: TestBot;

  before(async () => {
    t = await startTestBot({
      env: {
        ALLOWED_TENANT_IDS: TENANT_ID,
        ROLE_OFFICERS: `${OFFICER.aadObjectId},${PRIYA.aadObjectId}`,
        ROLE_VOLUNTEERS: VOLUNTEER.aadObjectId,
        ROLE_MANAGERS: MANAGER.aadObjectId,
        ROLE_ADMINS: ADMIN.aadObjectId,
        ROLE_CLINICAL_LEADS: LEAD.aadObjectId,
      },
      now: () => new Date("2026-03-10T10:00:00Z"),
    });
    for (const user of [OFFICER, PRIYA, VOLUNTEER, LEAD, MANAGER, ADMIN]) await t.send(personalInstall({ serviceUrl: t.connector.url, from: user }));
    await t.send(channelMessage("set division channel Medicine", { serviceUrl: t.connector.url, from: PRIYA }));
    await t.send(channelMessage("set alerts channel", { serviceUrl: t.connector.url, from: MANAGER }));
  });
  after(async () => t.close());

  async function invoke(verb: string, data: Record<string, unknown>, who: Who | TeamsUser) {
    const person = typeof who === "string" ? PEOPLE[who] : { user: who, tenantId: TENANT_ID };
    const answer = await t.send(cardAction(verb, data, { serviceUrl: t.connector.url, from: person.user, tenantId: person.tenantId }));
    assert.ok(answer.status < 500, `${verb} answered ${answer.status}`);
    return cardText(answer.body?.value);
  }

  async function newCase(overrides: Record<string, unknown> = {}): Promise<Case> {
    const text = await invoke(
      "contact.submit",
      { formId: randomUUID(), ...contactForm({ receivedOn: "2026-03-09", eventOn: "2026-03-01", ...overrides }) },
      PRIYA,
    );
    const reference = /Logged as (PALS-\d{4}-\d{6})/.exec(text)![1];
    const { resources } = await t.bot.store.containers.cases.items
      .query<Case>({ query: "SELECT * FROM c WHERE c.reference = @r", parameters: [{ name: "@r", value: reference }] })
      .fetchAll();
    return resources[0];
  }

  interface Row {
    readonly verb: string;
    readonly allowed: readonly Who[];
    /** Builds fresh data (a fresh case) for one attempt. */
    readonly data: () => Promise<Record<string, unknown>>;
    readonly success: RegExp;
  }

  const complaint = async () => ({ caseId: (await newCase()).id });
  const acknowledged = async () => {
    const c = await newCase();
    await invoke("case.acknowledge", { caseId: c.id, acknowledgedOn: "2026-03-09" }, PRIYA);
    return c;
  };

  const ROWS: Row[] = [
    {
      verb: "contact.submit",
      allowed: STAFF,
      data: async () => ({ formId: randomUUID(), ...contactForm({ receivedOn: "2026-03-09" }) }),
      success: /Logged as PALS-/,
    },
    { verb: "case.refresh", allowed: STAFF, data: complaint, success: /Complaint PALS-/ },
    { verb: "case.view", allowed: STAFF, data: complaint, success: /Complaint PALS-/ },
    { verb: "case.timeline", allowed: STAFF, data: complaint, success: /Timeline of PALS-/ },
    { verb: "case.takeOwnership", allowed: STAFF, data: complaint, success: /You now own this case/ },
    {
      verb: "case.assign",
      allowed: PALS,
      data: async () => ({ ...(await complaint()), assignTo: OFFICER.aadObjectId }),
      success: /Assigned to Olivia Officer/,
    },
    { verb: "case.addNote", allowed: STAFF, data: async () => ({ ...(await complaint()), note: "Rang back" }), success: /Note added/ },
    {
      verb: "case.acknowledge",
      allowed: PALS,
      data: async () => ({ ...(await complaint()), acknowledgedOn: "2026-03-10" }),
      success: /Acknowledgement recorded/,
    },
    {
      verb: "case.changeResponseDate",
      allowed: PALS,
      data: async () => ({
        ...(await complaint()),
        newResponseDate: "2026-05-01",
        responseDateReason: "Complex",
        agreedWithComplainant: "true",
        longerPeriodAgreed: "false",
      }),
      success: /Response date changed/,
    },
    {
      verb: "case.escalate",
      allowed: PALS,
      data: async () => ({ caseId: (await newCase({ contactType: "concern" })).id }),
      success: /Escalated to a formal complaint/,
    },
    {
      verb: "case.recordSignposting",
      allowed: STAFF,
      data: async () => ({ ...(await complaint()), organisations: "healthwatch" }),
      success: /Signposting recorded/,
    },
    { verb: "case.close", allowed: PALS, data: async () => ({ caseId: (await acknowledged()).id, outcome: "upheld", learning: "" }), success: /Case closed/ },
    {
      verb: "case.close",
      allowed: STAFF,
      data: async () => ({ caseId: (await newCase({ contactType: "enquiry", subjects: "" })).id, outcome: "resolved", learning: "" }),
      success: /Case closed/,
    },
    {
      verb: "case.reopen",
      allowed: PALS,
      data: async () => {
        const c = await acknowledged();
        await invoke("case.close", { caseId: c.id, outcome: "upheld", learning: "" }, PRIYA);
        return { caseId: c.id, reopenReason: "New information" };
      },
      success: /Case reopened/,
    },
    {
      verb: "investigation.request",
      allowed: PALS,
      data: async () => ({
        caseId: (await newCase()).id,
        investigationDivision: "Medicine",
        investigationLead: LEAD.aadObjectId,
        investigationLeadId: "",
        investigationSummary: "Summary",
        investigationQuestions: "Questions",
        investigationDueOn: "",
        investigationIncludeNhsNumber: "false",
      }),
      success: /Request sent to Dr Liam Lead/,
    },
    {
      verb: "investigation.answer",
      allowed: ["lead"],
      data: async () => {
        const c = await newCase();
        await invoke(
          "investigation.request",
          {
            caseId: c.id,
            investigationDivision: "Medicine",
            investigationLead: LEAD.aadObjectId,
            investigationLeadId: "",
            investigationSummary: "S",
            investigationQuestions: "Q",
            investigationDueOn: "",
            investigationIncludeNhsNumber: "false",
          },
          PRIYA,
        );
        const stored = (await t.bot.store.containers.cases.item(c.id, TENANT_ID).read<Case>()).resource!;
        return { caseId: c.id, requestId: stored.investigations![0].id, findings: "F", actionsTaken: "", learning: "", upheldView: "unsure" };
      },
      success: /Thank you: your answer is on the case/,
    },
    {
      verb: "case.recordIncidentReference",
      allowed: PALS,
      data: async () => ({ caseId: (await newCase({ safetyIncident: "true" })).id, incidentSystem: "lfpse", incidentReference: "W12345" }),
      success: /Incident reference recorded/,
    },
    {
      verb: "case.recordUpdateGiven",
      allowed: PALS,
      data: async () => ({ ...(await complaint()), updateHow: "phone", updateOn: "2026-03-10", updateNote: "" }),
      success: /Update to the complainant recorded/,
    },
    {
      verb: "alert.acknowledge",
      allowed: MANAGERS,
      data: async () => ({ caseId: (await newCase({ safeguarding: "true" })).id, reason: "safeguarding" }),
      success: /Acknowledged by/,
    },
  ];

  for (const row of ROWS) {
    describe(`card action ${row.verb}${row.verb === "case.close" ? (row.allowed.includes("volunteer") ? " (enquiry)" : " (complaint)") : ""}`, () => {
      for (const who of EVERYONE) {
        const allowed = row.allowed.includes(who);
        it(`${allowed ? "works" : "is refused"} for ${who}`, async () => {
          const data = await row.data();
          const text = await invoke(row.verb, data, who);
          if (allowed) assert.match(text, row.success);
          else {
            assert.match(text, REFUSED);
            assert.doesNotMatch(text, row.success);
          }
        });
      }
    });
  }

  interface CommandRow {
    readonly text: string;
    readonly allowed: readonly Who[];
    readonly success: RegExp;
    readonly inChannel?: boolean;
  }

  const COMMANDS: CommandRow[] = [
    { text: "new", allowed: STAFF, success: /Log a contact/ },
    { text: "my cases", allowed: STAFF, success: /My open cases|no open cases/ },
    { text: "due", allowed: STAFF, success: /Your deadlines|Nothing of yours is due/ },
    { text: "find margaret", allowed: STAFF, success: /Cases found|No cases match/ },
    { text: "case PALS-2026-000001", allowed: STAFF, success: /PALS-2026-000001/ },
    { text: "set alerts channel", allowed: MANAGERS, success: /will be posted in this channel/, inChannel: true },
    { text: "set safety channel", allowed: MANAGERS, success: /patient safety incidents will also be posted in this channel/, inChannel: true },
    { text: "set division channel Surgery", allowed: PALS, success: /will start a thread in this channel/, inChannel: true },
    { text: "help", allowed: ["officer", "volunteer", "lead", "manager", "admin", "unknown"], success: /Welcome to PALS Desk/ },
  ];

  for (const row of COMMANDS) {
    describe(`command "${row.text}"`, () => {
      for (const who of EVERYONE) {
        const allowed = row.allowed.includes(who);
        it(`${allowed ? "works" : "is refused"} for ${who}`, async () => {
          const { user, tenantId } = PEOPLE[who];
          const options = { serviceUrl: t.connector.url, from: user, tenantId };
          t.connector.reset();
          await t.send(row.inChannel ? channelMessage(row.text, options) : personalMessage(row.text, options));
          const reply = t.connector.sentActivities.at(-1);
          const text = `${reply?.text ?? ""}\n${cardText(cardOf(reply))}`;
          if (allowed) assert.match(text, row.success);
          else {
            assert.match(text, REFUSED);
            assert.doesNotMatch(text, row.success);
          }
        });
      }
    });
  }
});
