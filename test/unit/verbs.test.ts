import { strict as assert } from "node:assert";
import fs from "node:fs";
import path from "node:path";
import { CASE_VERB_DEFINITIONS, CASE_VERB_NAMES, CASE_VERBS, DEFAULT_RULES, may, refusal, type CaseVerbDefinition, type CaseVerbName } from "../../src/domain";
import { registerFeatures } from "../../src/teams/app";
import type { TeamsDeps } from "../../src/teams/deps";
import type { BotRoutes } from "../../src/teams/sdk/turn";
import { makeCase } from "../helpers/caseFixtures";

const CARDS = path.join(__dirname, "..", "..", "cards");

/** Every Action.Execute verb written in cards/*.json. */
function cardVerbs(): Set<string> {
  const verbs = new Set<string>();
  for (const file of fs.readdirSync(CARDS).filter((f) => f.endsWith(".json"))) {
    for (const match of fs.readFileSync(path.join(CARDS, file), "utf8").matchAll(/"verb":\s*"([^"]+)"/g)) verbs.add(match[1]);
  }
  return verbs;
}

/** Every verb a feature registers a handler for, as the bot registers them. */
function handledVerbs(): Set<string> {
  const verbs = new Set<string>();
  const routes: BotRoutes = {
    command: () => undefined,
    message: () => undefined,
    files: () => undefined,
    verb: (verb) => void verbs.add(verb),
    search: () => undefined,
    messageAction: () => undefined,
    fileConsent: () => undefined,
    installed: () => undefined,
    uninstalled: () => undefined,
  };
  registerFeatures(routes, {} as TeamsDeps);
  return verbs;
}

describe("one definition per case verb (src/domain/case/caseVerbs.ts)", () => {
  it("every verb on a card has a handler, and every handler a card", () => {
    const onCards = cardVerbs();
    const handled = handledVerbs();
    assert.deepEqual([...onCards].filter((verb) => !handled.has(verb)).sort(), [], "verbs on cards that nothing handles");
    assert.deepEqual([...handled].filter((verb) => !onCards.has(verb)).sort(), [], "handlers no card calls");
  });

  it("every case verb's button is on the case card, shown by its own flag", () => {
    const card = fs.readFileSync(path.join(CARDS, "case.json"), "utf8");
    for (const name of CASE_VERB_NAMES) {
      assert.match(card, new RegExp(`"verb": "case\\.${name}"`), `case.${name}`);
      assert.match(card, new RegExp(`can\\.${name}\\b`), `can.${name}`);
    }
  });

  it("gives each verb a permission the access check knows, refusal words, and a rule that records the event it names", () => {
    const c = makeCase();
    for (const name of CASE_VERB_NAMES) {
      const definition = CASE_VERB_DEFINITIONS[name];
      assert.ok(CASE_VERBS.includes(definition.access), `${name}: ${definition.access} is a permission`);
      assert.match(refusal(definition.access, { type: "concern" }), new RegExp(definition.phrase), `${name}: the refusal uses its words`);
      // Officers may every verb but the managers' own (records retention: legal holds).
      assert.equal(
        may(new Set(["officer"]), definition.access),
        !("managers" in definition),
        `${name}: officers ${"managers" in definition ? "may not" : "may"}`,
      );
      assert.equal(may(new Set(["manager"]), definition.access), true, `${name}: managers may`);
      assert.equal(may(new Set(["lead"]), definition.access), false, `${name}: clinical leads may not`);
    }
    // A rule run on a case it applies to records the event its definition names.
    const ctx = { actor: { aadObjectId: "o", name: "Olivia" }, now: new Date("2026-03-10T10:00:00Z"), rules: DEFAULT_RULES };
    const run = (name: CaseVerbName, input: Record<string, string>) => (CASE_VERB_DEFINITIONS[name] as CaseVerbDefinition).rule(c, input, ctx, {}).event.kind;
    assert.equal(run("addNote", { note: "Rang the ward" }), CASE_VERB_DEFINITIONS.addNote.event);
    assert.equal(run("takeOwnership", {}), CASE_VERB_DEFINITIONS.takeOwnership.event);
    const concern = makeCase({ contactType: "concern" });
    assert.equal((CASE_VERB_DEFINITIONS.escalate as CaseVerbDefinition).rule(concern, {}, ctx, {}).event.kind, CASE_VERB_DEFINITIONS.escalate.event);
  });
});
