// Display names and typed text that try to become markdown (links, mentions, HTML, card expressions), through
// the real HTTP server: every card answered or sent, and every chat message sent as markdown, is checked.
import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import type { Case } from "../../src/domain";
import { cardOf, startTestBot, type InvokeBody, type TestBot } from "../helpers/bot";
import { channelMessage, LEAD, MANAGER, OFFICER, personalInstall, TENANT_ID, type TeamsUser } from "../helpers/activities";
import { contactForm } from "../helpers/caseFixtures";
import { HOSTILE, hostileProblems, markdownTextProblems } from "../helpers/hostile";

const ROLES = { ROLE_OFFICERS: OFFICER.aadObjectId, ROLE_MANAGERS: MANAGER.aadObjectId, ROLE_CLINICAL_LEADS: LEAD.aadObjectId };
const at = (day: string, time: string) => new Date(`${day}T${time}:00Z`);

describe("hostile display names and typed text, through every card and message (real HTTP activities)", function () {
  this.timeout(120_000);
  let t: TestBot;
  let now: Date;

  beforeEach(async () => {
    now = at("2026-03-09", "10:00");
    t = await startTestBot({ env: ROLES, now: () => now });
  });
  afterEach(async () => t.close());

  for (const h of HOSTILE) {
    it(`keeps ${JSON.stringify(h)} plain everywhere`, async () => {
      const officer: TeamsUser = { ...OFFICER, name: h };
      const manager: TeamsUser = { ...MANAGER, name: h };
      const lead: TeamsUser = { ...LEAD, name: h };
      for (const person of [officer, manager, lead]) await t.send(personalInstall({ serviceUrl: t.connector.url, from: person }));
      const answers: { what: string; body: InvokeBody }[] = [];
      const press = async (what: string, verb: string, data: Record<string, unknown>, from: TeamsUser) => {
        const body = await t.press(verb, data, from);
        answers.push({ what, body });
        return body;
      };

      await t.send(channelMessage("set alerts channel", { serviceUrl: t.connector.url, from: manager }));
      await t.send(channelMessage(`set division channel ${h}`, { serviceUrl: t.connector.url, from: officer }));
      const logged = await press(
        "log a contact",
        "contact.submit",
        {
          formId: randomUUID(),
          ...contactForm({
            receivedOn: "2026-03-09",
            eventOn: "2026-03-01",
            patientName: h,
            contactDetails: h,
            division: h,
            service: h,
            ward: h,
            summary: h,
            desiredOutcome: h,
            riskConsequence: "5",
            riskLikelihood: "3",
          }),
        },
        officer,
      );
      const caseId: string = logged.value.refresh.action.data.caseId;
      await press("assign", "case.assign", { caseId, assignTo: officer.aadObjectId }, manager);
      await press("assign again", "case.assign", { caseId, assignTo: officer.aadObjectId }, manager);
      await press("note", "case.addNote", { caseId, note: h }, officer);
      await press(
        "PHSO",
        "ombudsman.record",
        { caseId, phsoReferredOn: "2026-03-09", phsoReference: h, phsoStage: "assessment", phsoResponseDueOn: "" },
        officer,
      );
      await press(
        "ask a lead",
        "investigation.request",
        {
          caseId,
          investigationDivision: h,
          investigationLead: lead.aadObjectId,
          investigationLeadId: "",
          investigationSummary: h,
          investigationQuestions: h,
          investigationDueOn: "",
          investigationIncludeNhsNumber: "false",
        },
        officer,
      );
      const stored = (await t.bot.store.containers.cases.item(caseId, TENANT_ID).read<Case>()).resource!;
      const requestId = stored.investigations![0].id;
      await press("more time", "investigation.moreTime", { caseId, requestId, newDueOn: "2026-03-27", reason: h }, lead);
      await t.bot.jobs.sweepNow();
      await press("agree more time", "investigation.acceptExtension", { caseId, requestId }, officer);
      await press(
        "someone else answers",
        "investigation.answer",
        { caseId, requestId, findings: h, actionsTaken: h, learning: h, upheldView: "upheld" },
        officer,
      );
      await press("the lead answers", "investigation.answer", { caseId, requestId, findings: h, actionsTaken: h, learning: h, upheldView: "upheld" }, lead);
      await press(
        "the lead answers again",
        "investigation.answer",
        { caseId, requestId, findings: h, actionsTaken: h, learning: h, upheldView: "upheld" },
        lead,
      );
      await t.bot.jobs.sweepNow();
      await press("acknowledge the alert", "alert.acknowledge", { caseId, reason: "high-risk" }, manager);
      await press("take over", "alert.takeOver", { caseId, reason: "high-risk" }, manager);
      await press("timeline", "case.timeline", { caseId }, officer);
      await press("refresh", "case.refresh", { caseId }, officer);
      now = at("2026-03-20", "09:30");
      await t.bot.jobs.sweepNow();

      const problems: string[] = [];
      for (const { what, body } of answers) {
        if (typeof body.value === "string") problems.push(...markdownTextProblems(body.value).map((p) => `${what}: ${p}`));
        else problems.push(...hostileProblems(body.value).map((p) => `${what}: ${p}`));
      }
      for (const call of t.connector.calls) {
        const activity = call.body?.activity ?? call.body;
        if (!activity || typeof activity !== "object") continue;
        const card = cardOf(activity);
        if (card) problems.push(...hostileProblems(card).map((p) => `${call.method} ${call.path}: ${p}`));
        if (typeof activity.text === "string" && activity.textFormat !== "plain")
          problems.push(...markdownTextProblems(activity.text).map((p) => `${call.method} ${call.path}: ${p}`));
      }
      assert.deepEqual([...new Set(problems.map((p) => p.replace(/[0-9a-f-]{36}/g, "<id>").replace(/\[\d+\]/g, "[]")))], []);
      assert.ok(answers.length >= 15 && t.connector.calls.length >= 5, "the journey ran");
    });
  }
});
