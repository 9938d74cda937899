import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ConfigError, parseConfig } from "../../src/config";
import { z } from "zod";
import {
  addCalendarMonths,
  addWorkingDays,
  ALERT_REASONS,
  alertIsOn,
  alertsFor,
  attentionDay,
  DEFAULT_RETENTION,
  investigationReminders,
  recordAcknowledgement,
  requestInvestigation,
  RulesFileSchema,
  subtractWorkingDays,
  computeDeadlines,
  DEFAULT_DEADLINE_RULES,
  DEFAULT_RULES,
  digestItem,
  letterView,
  newCase,
  parseRules,
  recalculateDeadlines,
  CaseRuleError,
  type Case,
  type Rules,
} from "../../src/domain";
import { caseCardData } from "../../src/teams/cases/caseView";
import { complaintsProcessCard } from "../../src/teams/signposting/signpostingView";
import { loadSignpostingDirectory } from "../../src/store/signpostingFile";
import { cardText } from "../helpers/bot";
import { makeCase, parsedContact } from "../helpers/caseFixtures";

const ROOT = path.join(__dirname, "..", "..");
const EXAMPLE = path.join(ROOT, "env", "rules.example.json");
const WALES = path.join(ROOT, "env", "rules.wales.json");

const readJson = (file: string): unknown => JSON.parse(fs.readFileSync(file, "utf8"));

function walesRules(): Rules {
  const parsed = parseRules(readJson(WALES));
  assert.ok(parsed.ok, `the Wales file parses: ${parsed.ok ? "" : parsed.problems.join("; ")}`);
  return parsed.rules;
}

/** A rules file in a temporary folder, as a trust would write it. */
function rulesFile(contents: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pals-rules-"));
  const file = path.join(dir, "rules.json");
  fs.writeFileSync(file, contents);
  return file;
}

function configProblems(contents: string): string {
  try {
    parseConfig({ RULES_FILE: rulesFile(contents) });
  } catch (error) {
    assert.ok(error instanceof ConfigError, `a ConfigError, not ${String(error)}`);
    return error.message;
  }
  assert.fail("the rules file was accepted");
}

describe("the rules a trust sets (RULES_FILE)", () => {
  describe("with no rules file", () => {
    it("uses England's rules of today, exactly", () => {
      const config = parseConfig({});
      assert.equal(config.rules, DEFAULT_RULES);
      assert.equal(config.rulesFile, undefined);
      assert.equal(config.rules.deadlines, DEFAULT_DEADLINE_RULES);
      // The England deadlines the other tests pin, for a complaint received Thursday 2 April 2026.
      assert.deepEqual(
        computeDeadlines({ type: "complaint", receivedOn: "2026-04-02" }, config.rules.deadlines),
        computeDeadlines({ type: "complaint", receivedOn: "2026-04-02" }, DEFAULT_RULES.deadlines),
      );
      assert.equal(computeDeadlines({ type: "complaint", receivedOn: "2026-04-02", complexity: 60 }, config.rules.deadlines).respondBy, "2026-07-01");
      assert.equal(config.rules.nudgeWindowWorkingDays, 2);
      assert.deepEqual(config.rules.investigations, { workingDays: 10, reminderWorkingDays: 2 });
      assert.deepEqual(config.rules.updates, { workingDays: 20 });
      assert.ok(
        Object.values(config.rules.alerts).every((on) => on),
        "every alert is on",
      );
    });
  });

  describe("the shipped files", () => {
    it("the example file parses and is England's rules, every field given and explained", () => {
      const json = readJson(EXAMPLE) as Record<string, any>;
      const parsed = parseRules(json);
      assert.ok(parsed.ok);
      assert.deepEqual({ ...parsed.rules, name: "" }, { ...DEFAULT_RULES, name: "" }, "the same values as no file at all");
      assert.deepEqual(
        Object.keys(json.alerts)
          .filter((k) => k !== "$comment")
          .sort(),
        Object.keys(DEFAULT_RULES.alerts).sort(),
        "every alert is listed",
      );
      for (const section of [json, json.deadlines, json.deadlines.complaint, json.nudges, json.investigations, json.updates, json.alerts]) {
        assert.equal(typeof section.$comment, "string", "each level is explained");
      }
      const config = parseConfig({ RULES_FILE: "env/rules.example.json" });
      assert.equal(config.rulesFile, EXAMPLE);
    });

    it("the Wales file parses: acknowledge in 5 working days (since SI 2023/274), respond in 30 whatever the tier, 6 months at most, 12 months to raise it", () => {
      const rules = walesRules();
      assert.match(rules.name, /Wales/);
      assert.equal(rules.deadlines.acknowledgeWorkingDays, 5);
      assert.deepEqual(rules.deadlines.complexityWorkingDays, { 25: 30, 40: 30, 60: 30 });
      assert.equal(rules.deadlines.backstopMonths, 6);
      assert.equal(rules.deadlines.outOfTimeMonths, 12);
      const comment = (readJson(WALES) as { $comment: string }).$comment;
      for (const source of ["legislation.gov.uk/wsi/2011/704", "legislation.gov.uk/wsi/2023/274", "senedd", "ombudsman.wales", "bma.org.uk"])
        assert.ok(comment.includes(source), `cites ${source}`);
      assert.match(comment, /COULD NOT CONFIRM/, "says what could not be confirmed");
    });
  });

  describe("Wales deadlines on known dates (worked out by hand)", () => {
    it("a concern received on Tuesday 7 April 2026, the day after Easter Monday", () => {
      const rules = walesRules();
      const due = computeDeadlines({ type: "complaint", receivedOn: "2026-04-07", complexity: 25 }, rules.deadlines);
      // Counting starts the next working day: Wed 8 (1), Thu 9 (2), Fri 10 (3), Mon 13 (4), Tue 14 (5).
      assert.equal(due.acknowledgeBy, "2026-04-14");
      // April: 8-10 (3), 13-17 (8), 20-24 (13), 27-30 (17); May: Fri 1 (18), Mon 4 is the early May bank
      // holiday, 5-8 (22), 11-15 (27), 18-20 (30): Wednesday 20 May.
      assert.equal(due.respondBy, "2026-05-20");
      assert.equal(due.backstop, "2026-10-06");
      // Every tier is 30 working days in Wales.
      assert.equal(computeDeadlines({ type: "complaint", receivedOn: "2026-04-07", complexity: 60 }, rules.deadlines).respondBy, "2026-05-20");
      // England's, the same day: 3 working days (Fri 10 April) and 25 (Wed 13 May).
      assert.deepEqual(computeDeadlines({ type: "complaint", receivedOn: "2026-04-07" }, DEFAULT_RULES.deadlines), {
        acknowledgeBy: "2026-04-10",
        respondBy: "2026-05-13",
        backstop: "2026-10-06",
      });
    });

    it("across Christmas: received Wednesday 23 December 2026, acknowledged by Monday 4 January 2027", () => {
      // 24 Dec (1); 25 Christmas, 28 Boxing Day substitute (26th is a Saturday); Tue 29 (2), Wed 30 (3), Thu 31 (4);
      // Fri 1 January is New Year's Day; Mon 4 (5).
      assert.equal(computeDeadlines({ type: "complaint", receivedOn: "2026-12-23" }, walesRules().deadlines).acknowledgeBy, "2027-01-04");
    });

    it("across Easter: received Thursday 2 April 2026, acknowledged by Monday 13 April", () => {
      // Good Friday 3 and Easter Monday 6 April are bank holidays: Tue 7 (1), Wed 8 (2), Thu 9 (3), Fri 10 (4), Mon 13 (5).
      assert.equal(computeDeadlines({ type: "complaint", receivedOn: "2026-04-02" }, walesRules().deadlines).acknowledgeBy, "2026-04-13");
    });

    it("a new case logged under the Wales rules gets them, and is out of time after 12 months", () => {
      const rules = walesRules();
      const c = newCase(parsedContact({ contactType: "complaint", receivedOn: "2026-04-07", eventOn: "2025-04-06", complexity: "" }, "2026-04-07"), {
        id: "3f0e2b9a-1c4d-4e5f-8a6b-7c8d9e0f1a2b",
        trustId: "tenant-1",
        reference: "PALS-2026-000123",
        now: new Date("2026-04-07T10:00:00Z"),
        by: { aadObjectId: "officer-1", name: "Priya Shah" },
        rules,
      });
      assert.deepEqual(c.deadlines, { acknowledgeBy: "2026-04-14", respondBy: "2026-05-20", backstop: "2026-10-06" });
      assert.ok(c.flags.includes("out-of-time"));
      // Letters give the working days of the stored date: 30 in Wales, England's 25 for England's cases.
      const letterCtx = { today: "2026-04-08", officerName: "Priya Shah", events: [], rules: walesRules() };
      assert.equal(letterView(c, letterCtx).responseWorkingDays, "30");
      assert.equal(letterView(makeCase(), letterCtx).responseWorkingDays, "25");
    });

    it("the complaints process card gives the trust's numbers and its nation's bodies", () => {
      const wales = cardText(complaintsProcessCard(loadSignpostingDirectory(undefined, "wales").directory, walesRules()));
      assert.match(wales, /How it works in Wales/);
      assert.match(wales, /within \*\*5 working days\*\* and offer you a listening discussion/);
      assert.match(wales, /full response within \*\*30 working days\*\*/);
      assert.match(wales, /Public Services Ombudsman for Wales \(PSOW\)[\s\S]*0300 790 0203/);
      assert.match(wales, /A Llais complaints advocate/);
      assert.doesNotMatch(wales, /Parliamentary|PHSO|NHS Complaints Advocacy|NHS complaints advocate|Local Government|LGSCO|England|agree a longer time/);
      const england = cardText(complaintsProcessCard(loadSignpostingDirectory(undefined, "england").directory, DEFAULT_RULES));
      assert.match(england, /How it works in England/);
      assert.match(england, /Parliamentary and Health Service Ombudsman \(PHSO\)/);
      assert.match(england, /Local Government and Social Care Ombudsman/);
      assert.doesNotMatch(england, /Wales|Llais|listening discussion/);
      assert.match(england, /often 25 to 60 working days/);
      // Regs 13-14 as written: the time is agreed (or set by the trust and told in writing); six months is the law's limit.
      assert.match(england, /our practice, not a legal limit\)[\s\S]*If you'd rather not discuss it, we set the time ourselves and tell you in writing/);
      assert.match(
        england,
        /By law the response is due within \*\*6 months\*\* of the day we received your complaint, unless you agree a longer time with us before then/,
      );
      assert.doesNotMatch(england, /If we can't agree a time/);
    });
  });

  describe("every field of the rules file reaches its use (issue 31 item 10)", () => {
    // Received Tuesday 3 March 2026 (the fixture's date); each field is set on its own, unlike England's value.
    const RECEIVED = "2026-03-03";
    const logged = (rules: Rules, overrides: Record<string, unknown> = {}) =>
      newCase(parsedContact({ receivedOn: RECEIVED, ...overrides }, "2027-12-31"), {
        rules,
        id: "3f0e2b9a-1c4d-4e5f-8a6b-7c8d9e0f1a2b",
        trustId: "tenant-1",
        reference: "PALS-2026-000123",
        now: new Date("2026-03-03T10:15:00Z"),
        by: { aadObjectId: "officer-1", name: "Priya Shah" },
      });
    const at = (iso: string, rules: Rules) => ({ actor: { aadObjectId: "officer-1", name: "Priya Shah" }, now: new Date(iso), rules });
    /** A complaint with one open request to a clinical lead, due Friday 20 March 2026. */
    const withRequest = (rules: Rules) =>
      requestInvestigation(
        logged(rules),
        {
          id: "a3c2b1d0-0000-4000-8000-000000000001",
          division: "Medicine",
          lead: { aadObjectId: "lead-1", name: "Dr Lee" },
          summary: "What happened",
          questions: "Who was there?",
          includeNhsNumber: false,
          dueOn: "2026-03-20",
          defaultWorkingDays: rules.investigations.workingDays,
        },
        at("2026-03-04T10:00:00Z", rules),
      ).updated;

    /** Each field's path in the file, a value unlike England's, and what it changes where it is used. */
    const FIELDS: Record<string, { value: unknown; reaches: (rules: Rules) => void }> = {
      name: { value: "Example Trust rules", reaches: (r) => assert.equal(r.name, "Example Trust rules") },
      nation: {
        value: "wales",
        reaches: (r) => assert.match(cardText(complaintsProcessCard(loadSignpostingDirectory(undefined, r.nation).directory, r)), /How it works in Wales/),
      },
      "deadlines.enquiry.workingDays": {
        value: 5,
        reaches: (r) => assert.equal(logged(r, { contactType: "enquiry", subjects: "" }).deadlines.respondBy, addWorkingDays(RECEIVED, 5)),
      },
      "deadlines.concern.workingDays": {
        value: 7,
        reaches: (r) => assert.equal(logged(r, { contactType: "concern" }).deadlines.respondBy, addWorkingDays(RECEIVED, 7)),
      },
      "deadlines.complaint.acknowledgeWorkingDays": { value: 4, reaches: (r) => assert.equal(logged(r).deadlines.acknowledgeBy, addWorkingDays(RECEIVED, 4)) },
      "deadlines.complaint.workingDays.standard": {
        value: 22,
        reaches: (r) => assert.equal(logged(r, { complexity: "25" }).deadlines.respondBy, addWorkingDays(RECEIVED, 22)),
      },
      "deadlines.complaint.workingDays.complex": {
        value: 33,
        reaches: (r) => assert.equal(logged(r, { complexity: "40" }).deadlines.respondBy, addWorkingDays(RECEIVED, 33)),
      },
      "deadlines.complaint.workingDays.veryComplex": {
        value: 44,
        reaches: (r) => assert.equal(logged(r, { complexity: "60" }).deadlines.respondBy, addWorkingDays(RECEIVED, 44)),
      },
      "deadlines.complaint.defaultTier": {
        value: "complex",
        reaches: (r) => assert.equal(logged(r, { complexity: "" }).deadlines.respondBy, addWorkingDays(RECEIVED, 40)),
      },
      // Nine months beginning with 3 March 2026 end on 2 December 2026.
      "deadlines.complaint.backstopMonths": { value: 9, reaches: (r) => assert.equal(logged(r).deadlines.backstop, "2026-12-02") },
      // Received 3 March 2026 about 1 June 2024: 21 months later, out of time under 18, in time under 24.
      "deadlines.complaint.outOfTimeMonths": {
        value: 24,
        reaches: (r) => {
          assert.ok(!logged(r, { eventOn: "2024-06-01" }).flags.includes("out-of-time"));
          assert.equal(addCalendarMonths("2024-06-01", r.deadlines.outOfTimeMonths), "2026-06-01");
        },
      },
      "nudges.windowWorkingDays": {
        value: 5,
        reaches: (r) => {
          const c = logged(r);
          assert.equal(attentionDay(c, r), subtractWorkingDays(c.nextDueOn!, 5));
          assert.ok(digestItem({ ...c, nextDueOn: addWorkingDays("2026-03-04", 5) }, "2026-03-04", r.nudgeWindowWorkingDays));
        },
      },
      // The case card's "Answer needed by" starts this many working days from today (Wednesday 4 March 2026).
      "investigations.workingDays": {
        value: 15,
        reaches: (r) => {
          const data = caseCardData(logged(r), { rules: r, retention: DEFAULT_RETENTION, roles: new Set(["officer"]), today: "2026-03-04" });
          assert.equal((data.draft as Record<string, string>).investigationDueOn, addWorkingDays("2026-03-04", 15));
        },
      },
      // Due Friday 20 March: 4 working days before is Monday 16 March.
      "investigations.reminderWorkingDays": {
        value: 4,
        reaches: (r) =>
          assert.deepEqual(
            investigationReminders(withRequest(r), "2026-03-16", r.investigations.reminderWorkingDays).map((x) => x.reminder),
            ["before"],
          ),
      },
      // Acknowledged 4 March: the next update to the complainant is due 5 working days later.
      "updates.workingDays": {
        value: 5,
        reaches: (r) => {
          const acknowledged = recordAcknowledgement(logged(r, { complexity: "60" }), "2026-03-04", at("2026-03-04T10:00:00Z", r)).updated;
          assert.equal(acknowledged.nextDueOn, addWorkingDays("2026-03-04", 5));
        },
      },
      ...Object.fromEntries(
        ALERT_REASONS.map((reason) => [
          `alerts.${reason.id}`,
          {
            value: false,
            reaches: (r: Rules) => {
              assert.equal(alertIsOn(r, reason.id), false);
              for (const other of ALERT_REASONS) if (other.id !== reason.id) assert.equal(alertIsOn(r, other.id), true, other.id);
            },
          },
        ]),
      ),
    };

    /** Every leaf of the file's schema, as a dotted path ("$comment" aside). */
    function leaves(schema: z.ZodTypeAny, prefix = ""): string[] {
      const inner = schema instanceof z.ZodOptional ? schema.unwrap() : schema;
      if (!(inner instanceof z.ZodObject)) return [prefix];
      return Object.entries(inner.shape as Record<string, z.ZodTypeAny>)
        .filter(([key]) => key !== "$comment")
        .flatMap(([key, child]) => leaves(child, prefix ? `${prefix}.${key}` : key));
    }

    it("has a case below for every field the file may set", () => {
      assert.deepEqual(leaves(RulesFileSchema).sort(), Object.keys(FIELDS).sort());
    });

    for (const [field, { value, reaches }] of Object.entries(FIELDS)) {
      it(`${field}: set to ${JSON.stringify(value)}, it changes what it decides (England's value does not pass)`, () => {
        const file: Record<string, unknown> = {};
        const keys = field.split(".");
        keys.reduce((node, key, i) => (node[key] = i === keys.length - 1 ? value : {}) as Record<string, unknown>, file);
        const parsed = parseRules(file);
        assert.ok(parsed.ok, parsed.ok ? "" : parsed.problems.join("; "));
        reaches(parsed.rules);
        assert.throws(() => reaches(DEFAULT_RULES), assert.AssertionError, "the check tells the field's value from England's");
      });
    }
  });

  describe("a wrong rules file stops start-up, naming the field", () => {
    it("a number of days written in words", () => {
      const message = configProblems(JSON.stringify({ deadlines: { complaint: { workingDays: { standard: "twenty" } } } }));
      assert.match(message, /PALS Desk cannot start/);
      assert.match(message, /RULES_FILE .*rules\.json: deadlines\.complaint\.workingDays\.standard must be a whole number of days \(it is "twenty"\)/);
    });

    it("every wrong field, each by name: a fraction, a zero, a wrong tier, an alert that is not true or false", () => {
      const message = configProblems(
        JSON.stringify({
          deadlines: { concern: { workingDays: 2.5 }, complaint: { acknowledgeWorkingDays: 0, defaultTier: "hard", backstopMonths: 6 } },
          alerts: { safeguarding: "no" },
        }),
      );
      assert.match(message, /some settings are wrong/);
      assert.match(message, /deadlines\.concern\.workingDays must be a whole number of days \(it is 2\.5\)/);
      assert.match(message, /deadlines\.complaint\.acknowledgeWorkingDays must be at least 1 day \(it is 0\)/);
      assert.match(message, /deadlines\.complaint\.defaultTier must be standard, complex or veryComplex \(it is "hard"\)/);
      assert.match(message, /alerts\.safeguarding must be true or false \(it is "no"\)/);
    });

    it("a misspelt or unknown rule, rather than ignoring it", () => {
      assert.match(
        configProblems(JSON.stringify({ deadlines: { complaint: { acknowledgeWorkingdays: 2 } } })),
        /deadlines\.complaint\.acknowledgeWorkingdays is not a rule PALS Desk knows/,
      );
      assert.match(configProblems(JSON.stringify({ alerts: { "patient-unhappy": false } })), /alerts\.patient-unhappy is not a rule PALS Desk knows/);
    });

    it("a file that is not JSON, or not an object", () => {
      assert.match(configProblems('{ "deadlines": { } // England\n}'), /is not valid JSON .*put comments in a "\$comment" field/);
      assert.match(configProblems("[1, 2]"), /the file must be a JSON object of rules/);
    });

    it("a missing file", () => {
      assert.throws(
        () => parseConfig({ RULES_FILE: "env/no-such-rules.json" }),
        (error: unknown) =>
          error instanceof ConfigError &&
          /RULES_FILE must be a JSON file that exists \(relative to the working directory\) \(it is "env\/no-such-rules\.json"\)/.test(error.message),
      );
    });

    it("exits with 78 and the field's name when starting the bot", function () {
      this.timeout(30000);
      const file = rulesFile(JSON.stringify({ deadlines: { complaint: { backstopMonths: "six" } } }));
      const result = spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "src", "index.ts")], {
        env: { ...process.env, RULES_FILE: file, LOG_LEVEL: "silent" },
        encoding: "utf8",
      });
      assert.equal(result.status, 78);
      assert.match(result.stderr, /deadlines\.complaint\.backstopMonths must be a whole number of months \(it is "six"\)/);
      assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
    });
  });

  describe("a partial file", () => {
    it("changes only what it gives; England's values fill the rest", () => {
      const parsed = parseRules({ deadlines: { concern: { workingDays: 5 } }, alerts: { "repeat-contact": false } });
      assert.ok(parsed.ok);
      assert.equal(parsed.rules.deadlines.concernWorkingDays, 5);
      assert.equal(parsed.rules.deadlines.acknowledgeWorkingDays, 3);
      assert.equal(parsed.rules.alerts["repeat-contact"], false);
      assert.equal(parsed.rules.alerts.safeguarding, true);
    });
  });

  describe("nudge windows and alerts from the rules", () => {
    it("a wider nudge window brings the case into the digest and the sweep's watch earlier", () => {
      const c: Case = { ...makeCase(), nextDueOn: "2026-03-16" };
      const wide = { ...DEFAULT_RULES, nudgeWindowWorkingDays: 5 };
      assert.equal(attentionDay(c, DEFAULT_RULES), "2026-03-12");
      assert.equal(attentionDay(c, wide), "2026-03-09");
      assert.equal(digestItem(c, "2026-03-10", DEFAULT_RULES.nudgeWindowWorkingDays), undefined, "4 working days away: outside England's 2");
      assert.equal(digestItem(c, "2026-03-10", wide.nudgeWindowWorkingDays)?.state, "due-soon");
    });

    it("an alert switched off is never queued; the others still are", () => {
      const c: Case = { ...makeCase(), flags: ["safeguarding", "high-risk"] };
      const off: Rules = { ...DEFAULT_RULES, alerts: { ...DEFAULT_RULES.alerts, safeguarding: false } };
      const ctx = { today: "2026-03-10", now: new Date("2026-03-10T10:00:00Z") };
      const reasons = (rules: Rules = DEFAULT_RULES) => alertsFor(undefined, c, { ...ctx, rules }).map((item) => (item.payload as { reason: string }).reason);
      assert.deepEqual(reasons(), ["high-risk", "safeguarding"]);
      assert.deepEqual(reasons(off), ["high-risk"]);
    });
  });

  describe("changing the rules changes future deadlines only", () => {
    it("recalculation applies the current rules from the day the clock started, keeping what was done or agreed", () => {
      const england = makeCase({ receivedOn: "2026-04-07", eventOn: "2026-04-01" });
      assert.deepEqual(england.deadlines, { acknowledgeBy: "2026-04-10", respondBy: "2026-05-13", backstop: "2026-10-06" });
      const ctx = { actor: { aadObjectId: "officer-1", name: "Priya Shah" }, now: new Date("2026-04-08T09:00:00Z"), rules: walesRules() };
      const result = recalculateDeadlines(england, ctx);
      assert.deepEqual(result.updated.deadlines, { acknowledgeBy: "2026-04-14", respondBy: "2026-05-20", backstop: "2026-10-06" });
      assert.equal(result.updated.nextDueOn, "2026-04-14");
      assert.equal(result.event.kind, "deadlines-recalculated");
      assert.match(
        result.event.summary,
        /acknowledge by from Friday 10 April 2026 to Tuesday 14 April 2026; respond by from Wednesday 13 May 2026 to Wednesday 20 May 2026/,
      );
      assert.deepEqual(result.event.changes, [
        { field: "acknowledgeBy", before: "2026-04-10", after: "2026-04-14" },
        { field: "respondBy", before: "2026-05-13", after: "2026-05-20" },
      ]);
      const agreed: Case = { ...england, deadlines: { ...england.deadlines, acknowledgedOn: "2026-04-08", respondBy: "2026-06-01", respondByAgreed: true } };
      const kept = recalculateDeadlines(agreed, ctx).updated.deadlines;
      assert.equal(kept.respondBy, "2026-06-01", "a date agreed with the person stays");
      assert.equal(kept.acknowledgedOn, "2026-04-08");
      assert.throws(
        () => recalculateDeadlines(england, { ...ctx, rules: DEFAULT_RULES }),
        (e: unknown) => e instanceof CaseRuleError && /already follow the current rules/.test(e.message),
      );
      assert.throws(
        () => recalculateDeadlines({ ...england, status: "closed" }, ctx),
        (e: unknown) => e instanceof CaseRuleError && /closed/.test(e.message),
      );
    });

    it("recalculation also moves the next update to the complainant when only the trust's update cadence changed", () => {
      // Acknowledged Wednesday 8 April 2026; 20 working days on (the early May bank holiday skipped) is Thursday 7 May, 10 is Wednesday 22 April.
      const acknowledged: Case = { ...makeCase({ receivedOn: "2026-04-07", eventOn: "2026-04-01" }), nextDueOn: "2026-05-07" };
      acknowledged.deadlines = { ...acknowledged.deadlines, acknowledgedOn: "2026-04-08" };
      const ctx = { actor: { aadObjectId: "officer-1", name: "Priya Shah" }, now: new Date("2026-04-09T09:00:00Z"), rules: DEFAULT_RULES };
      assert.throws(
        () => recalculateDeadlines(acknowledged, { ...ctx, rules: { ...DEFAULT_RULES, updates: { workingDays: 20 } } }),
        (e: unknown) => e instanceof CaseRuleError && /already follow/.test(e.message),
      );
      const result = recalculateDeadlines(acknowledged, { ...ctx, rules: { ...DEFAULT_RULES, updates: { workingDays: 10 } } });
      assert.equal(result.updated.nextDueOn, "2026-04-22");
      assert.deepEqual(result.updated.deadlines, acknowledged.deadlines, "the stored deadlines stay");
      assert.match(result.event.summary, /next deadline from Thursday 7 May 2026 to Wednesday 22 April 2026/);
    });
  });
});
