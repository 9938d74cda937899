import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { cardElements, cardOf, cardText, inputValues, startTestBot, type TestBot } from "../helpers/bot";
import { LEAD, MANAGER, OFFICER, personalInstall, personalMessage, VOLUNTEER, type TeamsUser } from "../helpers/activities";
import { contactForm } from "../helpers/caseFixtures";

const WALES = path.join(__dirname, "..", "..", "env", "rules.wales.json");
const ROLES = {
  ROLE_OFFICERS: OFFICER.aadObjectId,
  ROLE_VOLUNTEERS: VOLUNTEER.aadObjectId,
  ROLE_CLINICAL_LEADS: LEAD.aadObjectId,
  ROLE_MANAGERS: MANAGER.aadObjectId,
};

/**
 * What only England's rules may say: its bodies (the PHSO, NHS Complaints Advocacy, the LGSCO, CQC, Healthwatch,
 * ICBs), its regulations and its figures (3 working days to acknowledge, the 25/40/60 tiers).
 */
const ENGLAND_ONLY =
  /Parliamentary|\bPHSO\b|NHS Complaints Advocacy|NHS complaints advocate|Local Government and Social Care|\bLGSCO\b|Care Quality Commission|\bCQC\b|Healthwatch|integrated care board|\bICB\b|SI 2009\/309|in England|\b3 working days|\b(25|40|60) working days|25 to 60/i;
const NOW = new Date("2026-04-08T09:30:00Z"); // Wednesday 8 April 2026

/** A trust's own figures, unlike both England's and Wales', so every text shows where it comes from. */
const OWN_RULES = {
  deadlines: {
    complaint: {
      acknowledgeWorkingDays: 4,
      workingDays: { standard: 20, complex: 35, veryComplex: 50 },
      defaultTier: "complex",
      backstopMonths: 9,
      outOfTimeMonths: 18,
    },
  },
  nudges: { windowWorkingDays: 3 },
  investigations: { workingDays: 15, reminderWorkingDays: 3 },
};

function rulesFile(rules: object): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pals-rules-")), "rules.json");
  fs.writeFileSync(file, JSON.stringify(rules));
  return file;
}

describe("card texts that state a timescale follow the trust's rules (real HTTP activities)", () => {
  let t: TestBot;
  afterEach(async () => t?.close());

  const press = (verb: string, data: Record<string, unknown>, from: TeamsUser = OFFICER) => t.press(verb, data, from);
  /** What `text` typed in the personal chat sends back: the first card, or the text. */
  async function say(text: string, from: TeamsUser = OFFICER): Promise<any> {
    t.connector.reset();
    await t.send(personalMessage(text, { serviceUrl: t.connector.url, from }));
    const [reply] = t.connector.sentActivities;
    return cardOf(reply) ?? reply?.text;
  }
  /** Logs a contact through the form: the case card the bot answers with. */
  async function logged(overrides: Record<string, unknown> = {}): Promise<any> {
    const answer = await press("contact.submit", { formId: randomUUID(), ...contactForm({ receivedOn: "2026-04-07", eventOn: "2026-04-01", ...overrides }) });
    assert.ok(answer.value.refresh?.action?.data?.caseId, `logged: ${cardText(answer.value)}`);
    return answer.value;
  }
  const complexityInput = (card: any) => cardElements(card).find((node) => node.id === "complexity");
  const titled = (card: any, title: RegExp) => cardElements(card).some((node) => typeof node.title === "string" && title.test(node.title));
  /** The data an Action.Execute button sends: the card's inputs as shown, then what was typed, then the button's own data. */
  function pressData(card: any, verb: string, typed: Record<string, string> = {}): Record<string, unknown> {
    const button = cardElements(card).find((node) => node.type === "Action.Execute" && node.verb === verb);
    assert.ok(button, `the card has a ${verb} button`);
    return { ...inputValues(card), ...typed, ...button.data };
  }

  describe("under the Wales rules file", () => {
    beforeEach(async () => {
      t = await startTestBot({ env: { ...ROLES, RULES_FILE: WALES }, now: () => NOW });
    });

    it("the complexity choices and the blank choice give 30 working days on the contact form and the details form", async () => {
      const form = await say("new");
      const input = complexityInput(form);
      assert.deepEqual(
        input.choices.map((c: { title: string; value: string }) => [c.value, c.title]),
        [
          ["25", "Standard: 30 working days"],
          ["40", "Complex: 30 working days"],
          ["60", "Very complex: 30 working days"],
        ],
        "the stored ids stay 25, 40 and 60",
      );
      assert.equal(input.placeholder, "Standard (30 working days)");

      const card = await logged();
      const details = (await press("case.details", { caseId: card.refresh.action.data.caseId })).value;
      assert.equal(complexityInput(details).placeholder, "Standard (30 working days)");
      assert.deepEqual(
        complexityInput(details).choices.map((c: { title: string }) => c.title),
        ["Standard: 30 working days", "Complex: 30 working days", "Very complex: 30 working days"],
      );
    });

    it("the case card names the 6-month limit, and escalating a concern says acknowledge within 5 working days", async () => {
      const complaint = await logged();
      assert.match(cardText(complaint), /6-month limit/);
      assert.ok(titled(complaint, /^They agreed to a date beyond 6 months$/));
      const concern = await logged({ contactType: "concern" });
      assert.match(cardText(concern), /Complaint deadlines start today \(acknowledge within 5 working days\)/);
    });

    it("the complaints process card gives Wales' figures, and does not say England", async () => {
      const text = cardText(await say("complaints process"));
      assert.match(text, /How it works in Wales, in plain English\./);
      assert.doesNotMatch(text, /in England/);
      assert.match(text, /within \*\*5 working days\*\*/);
      assert.match(text, /full response within \*\*30 working days\*\*/);
      assert.match(text, /due within \*\*6 months\*\* of the day we received your concern, unless there are exceptional circumstances/);
      assert.match(text, /Complain within \*\*12 months\*\*/);
    });
  });

  describe("under the Wales rules file, everywhere a person reads (issue 31)", () => {
    let now = NOW;
    beforeEach(async () => {
      now = NOW;
      t = await startTestBot({ env: { ...ROLES, RULES_FILE: WALES }, now: () => now });
    });

    /** Every message the bot sends back to `text`, as text (cards and plain messages). */
    async function sayAll(text: string, from: TeamsUser = OFFICER): Promise<string> {
      t.connector.reset();
      await t.send(personalMessage(text, { serviceUrl: t.connector.url, from }));
      return t.connector.sentActivities.map((a) => (cardOf(a) ? cardText(cardOf(a)) : (a.text ?? ""))).join("\n");
    }
    /** The text of a file the bot offers (a download link in local mode). */
    async function fileText(activity: any): Promise<string> {
      const url = cardOf(activity)?.actions?.find((action: any) => action.type === "Action.OpenUrl")?.url;
      assert.ok(url, "the message offers a download");
      return (await fetch(url)).text();
    }
    const read: { where: string; text: string }[] = [];
    const saw = (where: string, text: string) => read.push({ where, text });

    it("names no English body, regulation or figure on any card, letter, digest, report, file or explainer", async () => {
      read.length = 0;
      for (const who of [OFFICER, MANAGER, LEAD, VOLUNTEER]) saw(`help (${who.name})`, await sayAll("help", who));
      saw("complaints process", await sayAll("complaints process"));
      saw("signposting list", await sayAll("signpost"));
      saw("signpost ombudsman", await sayAll("signpost ombudsman"));
      saw("signpost help to complain", await sayAll("signpost help to complain"));
      saw("new", await sayAll("new"));

      const complaint = await logged({ contactDetails: "ruth.example@example.org" });
      const caseId = complaint.refresh.action.data.caseId as string;
      saw("case card (officer)", JSON.stringify(complaint));
      saw("case card (manager)", JSON.stringify((await press("case.view", { caseId }, MANAGER)).value));
      saw("details form", JSON.stringify((await press("case.details", { caseId })).value));
      for (const letter of ["acknowledgement", "holding", "final"]) {
        t.connector.reset();
        const drafted = await press("letter.draft", { caseId, letter });
        saw(`${letter} letter`, `${JSON.stringify(drafted.value)}\n${t.connector.sentActivities.map((a) => a.text ?? JSON.stringify(a)).join("\n")}`);
      }
      const referred = await press("ombudsman.record", {
        caseId,
        phsoReferredOn: "2026-04-08",
        phsoReference: "W-2026-0007",
        phsoStage: "assessment",
        phsoResponseDueOn: "2026-04-10",
      });
      assert.match(cardText(referred.value), /Ombudsman details saved/);
      saw("case card with the Ombudsman's referral", JSON.stringify(referred.value));

      t.connector.reset();
      await press("ombudsman.exportFile", { caseId }, MANAGER);
      saw("the Ombudsman's case file", await fileText(t.connector.sentActivities[0]));

      await t.send(personalInstall({ serviceUrl: t.connector.url, from: OFFICER }));
      t.connector.reset();
      now = new Date("2026-04-09T08:30:00Z"); // Thursday 09:30 in London: the morning round
      await t.bot.jobs.sweepNow();
      const digest = t.connector.sentActivities.map((a) => (cardOf(a) ? cardText(cardOf(a)) : (a.text ?? ""))).join("\n");
      assert.match(digest, /Ombudsman's response/, "the officer's digest names the Ombudsman's date");
      saw("morning digest and alerts", digest);
      now = NOW;

      saw("report", await sayAll("report 2026-04-01 2026-04-30", MANAGER));
      saw("report ko41a", await sayAll("report ko41a 2026", MANAGER));
      saw("due", await sayAll("due"));
      saw("my cases", await sayAll("my cases"));

      for (const { where, text } of read) {
        const found = ENGLAND_ONLY.exec(text);
        assert.equal(found, null, `${where} says "${found?.[0]}": ...${found ? text.slice(Math.max(0, found.index - 80), found.index + 80) : ""}...`);
      }
      const text = (where: string) => read.find((r) => r.where === where)!.text;
      assert.match(text("acknowledgement letter"), /free, independent help to raise your concern from Llais/);
      assert.match(text("holding letter"), /ask the Public Services Ombudsman for Wales to look at your complaint/);
      assert.match(text("final letter"), /Public Services Ombudsman for Wales[\s\S]*0300 790 0203/);
      assert.match(text("signpost ombudsman"), /Public Services Ombudsman for Wales/);
      assert.match(text("report ko41a"), /KO41a/);
      const all = read.map((r) => r.text).join("\n");
      assert.match(all, /Public Services Ombudsman for Wales/);
      assert.match(all, /PSOW reference W-2026-0007/);
      assert.match(all, /Llais/);
      assert.match(all, /within \*\*5 working days\*\*/);
    });
  });

  describe("under a trust's own rules file", () => {
    beforeEach(async () => {
      t = await startTestBot({ env: { ...ROLES, RULES_FILE: rulesFile(OWN_RULES) }, now: () => NOW });
    });

    it("the forms, the case card and the complaints process card show its figures", async () => {
      const form = await say("new");
      assert.deepEqual(
        complexityInput(form).choices.map((c: { title: string }) => c.title),
        ["Standard: 20 working days", "Complex: 35 working days", "Very complex: 50 working days"],
      );
      assert.equal(complexityInput(form).placeholder, "Complex (35 working days)", "the rules' default tier");

      // Received 7 April 2026 about events of 1 September 2024: 19 months, more than its 18.
      const complaint = await logged({ eventOn: "2024-09-01" });
      const text = cardText(complaint);
      assert.match(text, /9-month limit/);
      assert.doesNotMatch(text, /6-month/);
      assert.ok(titled(complaint, /^They agreed to a date beyond 9 months$/));
      assert.match(text, /Out of time: made more than 18 months after the event and after they knew of it/);
      const concern = await logged({ contactType: "concern" });
      assert.match(cardText(concern), /acknowledge within 4 working days/);

      const process = cardText(await say("complaints process"));
      assert.match(process, /within \*\*4 working days\*\*/);
      assert.match(process, /often 20 to 50 working days/);
      assert.match(process, /due within \*\*9 months\*\*/);
      assert.match(process, /Complain within \*\*18 months\*\*/);
    });

    it("a longer period not agreed with the complainant is refused naming its 9-month limit", async () => {
      const complaint = await logged();
      const data = pressData(complaint, "case.changeResponseDate", {
        newResponseDate: "2027-02-01",
        responseDateReason: "Awaiting an external review",
        longerPeriodAgreed: "true",
      });
      const answer = (await press("case.changeResponseDate", data)).value;
      assert.match(cardText(answer), /A period beyond the 9-month limit must be agreed with the complainant/);
    });

    it("the investigation request's date is pre-filled 15 working days ahead, the trust's default", async () => {
      const complaint = await logged();
      // From Wednesday 8 April: 9-10 (2), 13-17 (7), 20-24 (12), 27-29 (15). England's 10 would be 22 April.
      assert.equal(inputValues(complaint).investigationDueOn, "2026-04-29");
    });

    it("`due`, the digest heading and help name its 3-working-day window, and a lead's 3-day reminder", async () => {
      assert.match(await say("due"), /Nothing of yours is due in the next 3 working days or overdue/);
      await logged({ contactType: "enquiry", receivedOn: "2026-04-08" }); // due in 2 working days
      assert.match(cardText(await say("due")), /Due in the next 3 working days/);
      assert.match(cardText(await say("help")), /Your cases that are overdue or due in the next 3 working days\./);
      assert.match(cardText(await say("help", LEAD)), /PALS Desk reminds you 3 working days before it is due, and on the day/);
    });
  });

  describe("with no rules file", () => {
    beforeEach(async () => {
      t = await startTestBot({ env: ROLES, now: () => NOW });
    });

    it("every text reads as England's of today", async () => {
      assert.match(await say("due"), /Nothing of yours is due in the next 2 working days or overdue/);
      const form = await say("new");
      assert.deepEqual(
        complexityInput(form).choices.map((c: { title: string }) => c.title),
        ["Standard: 25 working days", "Complex: 40 working days", "Very complex: 60 working days"],
      );
      assert.equal(complexityInput(form).placeholder, "Standard (25 working days)");
      const complaint = await logged();
      assert.match(cardText(complaint), /6-month limit/);
      assert.ok(titled(complaint, /^They agreed to a date beyond 6 months$/));
      assert.equal(inputValues(complaint).investigationDueOn, "2026-04-22", "10 working days ahead");
      assert.match(cardText(await logged({ contactType: "concern" })), /acknowledge within 3 working days/);
      assert.match(cardText(await say("complaints process")), /How it works in England, in plain English\./);
      assert.match(cardText(await say("due")), /Due in the next 2 working days/);
      assert.match(cardText(await say("help", LEAD)), /PALS Desk reminds you 2 working days before it is due, and on the day/);
    });
  });
});
