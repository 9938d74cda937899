import { strict as assert } from "node:assert";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  describeProblem,
  entriesFor,
  isCrisisNeed,
  mergeDirectories,
  NATIONAL_DIRECTORY,
  NATIONAL_ORGANISATIONS,
  organisationTitle,
  parseDirectory,
  SignpostingDirectory,
  type SignpostEntry,
} from "../../src/domain";
import { loadSignpostingDirectory, SignpostingFileError } from "../../src/store/signpostingFile";

const ENGLAND = entriesFor(NATIONAL_DIRECTORY, "england");
const directory = new SignpostingDirectory(ENGLAND);
const top = (need: string, n = 1) => directory.search(need, n).matches.map((m) => m.entry.id);

/** A valid local entry, as a trust would write it. */
function localEntry(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: "ward-7-carers",
    name: "Ward 7 carers' group",
    purpose: "A weekly group for carers of patients on ward 7.",
    whenToUse: "A carer wants to meet others in the same position.",
    contact: { phone: "01632 960123" },
    hours: "Wednesdays, 2pm to 4pm.",
    ...overrides,
  };
}

describe("signposting directory", () => {
  it("ships every organisation of the design, with the ids stored on cases", () => {
    const ids = NATIONAL_DIRECTORY.map((e) => e.id);
    for (const id of ["nhs-complaints-advocacy", "phso", "lgsco", "icb-complaints", "cqc", "healthwatch", "citizens-advice", "avma", "imha", "samaritans"]) {
      assert.ok(ids.includes(id), id);
    }
    assert.equal(new Set(ids).size, ids.length, "ids are unique");
    const samaritans = NATIONAL_DIRECTORY.find((e) => e.id === "samaritans")!;
    assert.equal(samaritans.contact.phone, "116 123");
    assert.ok(samaritans.tags.includes("crisis"));
    assert.equal(NATIONAL_DIRECTORY.find((e) => e.id === "phso")!.contact.phone, "0345 015 4033");
    assert.equal(organisationTitle("phso"), "Parliamentary and Health Service Ombudsman (PHSO)");
    assert.equal(organisationTitle("no-such-place"), "no-such-place");
    assert.equal(NATIONAL_ORGANISATIONS.length, NATIONAL_DIRECTORY.length);
    for (const e of NATIONAL_DIRECTORY) {
      assert.equal(e.scope, "national");
      assert.ok(e.contact.web?.startsWith("https://"), `${e.id} has a website`);
    }
  });

  describe("ranking real needs", () => {
    const TABLE: [need: string, first: string][] = [
      ["help writing a complaint", "nhs-complaints-advocacy"],
      ["someone to help me complain", "nhs-complaints-advocacy"],
      ["an advocate for my complaint meeting", "nhs-complaints-advocacy"],
      ["unhappy with complaint response", "phso"],
      ["not happy with the trust's reply", "phso"],
      ["my complaint is taking too long", "phso"],
      ["ombudsman", "phso"],
      ["social care", "lgsco"],
      ["care home fees", "lgsco"],
      ["home care agency missed visits", "lgsco"],
      ["the council's care assessment", "lgsco"],
      ["detained under the mental health act", "imha"],
      ["sectioned", "imha"],
      ["on a section 3", "imha"],
      ["suicidal", "samaritans"],
      ["GP practice complaint", "icb-complaints"],
      ["complaint about my dentist", "icb-complaints"],
      ["pharmacy complaint", "icb-complaints"],
      ["report unsafe care", "cqc"],
      ["inspection", "cqc"],
      ["legal advice after a medical accident", "avma"],
      ["medical negligence compensation", "avma"],
      ["benefits", "citizens-advice"],
      ["money", "citizens-advice"],
      ["debt and housing", "citizens-advice"],
      ["feedback about local services", "healthwatch"],
      ["share my experience of care", "healthwatch"],
      ["urgent medical help out of hours", "nhs-111"],
      ["would rather text than talk", "shout"],
    ];
    for (const [need, first] of TABLE) {
      it(`"${need}" → ${first}`, () => {
        assert.equal(top(need)[0], first, `got ${top(need, 3).join(", ")}`);
      });
    }

    it("puts Samaritans then urgent help first for crisis needs, always", () => {
      for (const need of [
        "suicidal",
        "suicide",
        "I want to kill myself",
        "she wants to die",
        "self-harm",
        "self harming",
        "he took an overdose",
        "mental health crisis",
        "doesn't want to live any more",
        "suicidel",
        "sucide",
        "suiside",
        "crises",
      ]) {
        const result = directory.search(need, 5);
        assert.equal(result.crisis, true, need);
        assert.deepEqual(
          result.matches.slice(0, 2).map((m) => m.entry.id),
          ["samaritans", "nhs-111"],
          need,
        );
      }
      // Crisis first even when the rest of the need is about something else.
      const mixed = directory.search("complaint about the ward, and he is suicidal", 5);
      assert.deepEqual(
        mixed.matches.slice(0, 2).map((m) => m.entry.id),
        ["samaritans", "nhs-111"],
      );
      assert.ok(mixed.matches.some((m) => m.entry.id === "nhs-complaints-advocacy" || m.entry.id === "phso"));
    });

    it("does not treat everyday needs as a crisis", () => {
      for (const need of [
        "help writing a complaint",
        "care home fees",
        "sectioned",
        "crisps",
        "crisp packet",
        "suitcase",
        "squid",
        "overdone",
        "the food was overdone",
      ])
        assert.equal(isCrisisNeed(need), false, need);
    });

    it("tolerates typos", () => {
      assert.equal(top("ombudsmen")[0], "phso");
      assert.equal(top("ombudsmn")[0], "phso");
      assert.equal(top("advocasy")[0], "nhs-complaints-advocacy");
      assert.equal(top("samaritens")[0], "samaritans");
      assert.equal(top("healthwach")[0], "healthwatch");
      assert.equal(top("citizen advise")[0], "citizens-advice");
      assert.equal(top("compensasion")[0], "avma");
    });

    it("matches prefixes as people type", () => {
      assert.equal(top("samar")[0], "samaritans");
      assert.equal(top("ombud")[0], "phso");
      assert.equal(top("advoc")[0], "nhs-complaints-advocacy");
      assert.equal(top("healthw")[0], "healthwatch");
      assert.equal(top("inspec")[0], "cqc");
    });

    it("understands synonyms and short names", () => {
      assert.equal(top("PHSO")[0], "phso");
      assert.equal(top("advocate")[0], "nhs-complaints-advocacy");
      assert.equal(top("doctor's surgery")[0], "icb-complaints");
      assert.equal(top("CQC")[0], "cqc");
      assert.equal(top("AvMA")[0], "avma");
      assert.equal(top("LGO")[0], "lgsco");
      assert.ok(top("ombudsman", 2).includes("lgsco"), "both ombudsmen match");
    });

    it("finds nothing for nothing, and says so for unknown words", () => {
      assert.deepEqual(directory.search("", 5).matches, []);
      assert.deepEqual(directory.search("the a of", 5).matches, []);
      assert.deepEqual(directory.search("xylophone zebra", 5).matches, []);
    });

    it("caps the result count and the length of the need", () => {
      assert.ok(directory.search("complaint", 3).matches.length <= 3);
      const long = `${"words ".repeat(100)}suicidal`;
      assert.equal(directory.search(long, 5).crisis, false, "text beyond 200 characters is not searched");
    });
  });

  it("lists the most-used organisations first when nothing is typed, and groups the directory", () => {
    const featured = directory.featured(5).map((e) => e.id);
    assert.deepEqual(featured, ["nhs-complaints-advocacy", "phso", "healthwatch", "icb-complaints", "cqc"]);
    const groups = directory.groups();
    assert.equal(groups[0].category, "urgent");
    assert.deepEqual(groups[0].entries.map((e) => e.id).slice(0, 2), ["samaritans", "nhs-111"]);
    assert.equal(
      groups.reduce((n, g) => n + g.entries.length, 0),
      ENGLAND.length,
    );
  });

  it("gives a trust in Wales Wales' bodies and no English ones, and a trust in England the other way round (issue 31)", () => {
    const wales = loadSignpostingDirectory(undefined, "wales").directory;
    const ids = wales.entries.map((e) => e.id);
    for (const id of ["psow", "llais", "hiw", "nhs-111-wales", "samaritans", "citizens-advice"]) assert.ok(ids.includes(id), id);
    for (const id of ["phso", "nhs-complaints-advocacy", "lgsco", "icb-complaints", "cqc", "healthwatch", "nhs-111"]) assert.ok(!ids.includes(id), id);
    assert.equal(wales.search("ombudsman", 1).matches[0].entry.id, "psow");
    assert.equal(wales.search("help writing a complaint", 1).matches[0].entry.id, "llais");
    assert.deepEqual(
      wales.featured(2).map((e) => e.id),
      ["llais", "psow"],
    );
    const england = loadSignpostingDirectory(undefined, "england").directory.entries.map((e) => e.id);
    for (const id of ["psow", "llais", "hiw", "nhs-111-wales"]) assert.ok(!england.includes(id), id);
    // A stored choice still has its title whichever nation the case was logged under.
    assert.equal(organisationTitle("psow"), "Public Services Ombudsman for Wales (PSOW)");
  });

  describe("local services", () => {
    it("adds local entries and lets one replace a national entry by id", () => {
      const parsed = parseDirectory(
        { entries: [localEntry(), localEntry({ id: "nhs-complaints-advocacy", name: "Example Advocacy", keywords: ["help writing a complaint"] })] },
        { scope: "local" },
      );
      assert.ok(parsed.ok);
      assert.equal(parsed.entries[0].scope, "local");
      assert.equal(parsed.entries[0].category, "local");
      const merged = mergeDirectories(NATIONAL_DIRECTORY, parsed.entries);
      assert.deepEqual(merged.replaced, ["nhs-complaints-advocacy"]);
      assert.equal(merged.entries.length, NATIONAL_DIRECTORY.length + 1);
      const combined = new SignpostingDirectory(merged.entries);
      assert.equal(combined.get("nhs-complaints-advocacy")?.name, "Example Advocacy");
      assert.equal(combined.search("carers group", 1).matches[0].entry.id, "ward-7-carers");
      assert.equal(combined.title("ward-7-carers"), "Ward 7 carers' group");
      assert.ok(combined.choices.some((c) => c.id === "ward-7-carers"));
    });

    it("names the entry (index and id) and the field of every problem", () => {
      const parsed = parseDirectory(
        {
          entries: [
            localEntry(),
            localEntry({ id: "bad-web", contact: { web: "http://example.org" } }),
            localEntry({ id: "Bad Id" }),
            localEntry({ id: "no-contact", contact: {} }),
            localEntry({ id: "typo", contcat: { phone: "01632 960000" } }),
            { name: "No id at all" },
            localEntry(),
            localEntry({ id: "bad-phone", contact: { phone: "call us" } }),
            localEntry({ id: "bad-category", category: "misc" }),
          ],
        },
        { scope: "local" },
      );
      assert.equal(parsed.ok, false);
      const messages = !parsed.ok ? parsed.problems.map(describeProblem) : [];
      const has = (pattern: RegExp) =>
        assert.ok(
          messages.some((m) => pattern.test(m)),
          `${pattern} in:\n${messages.join("\n")}`,
        );
      has(/^entry 2 \(index 1, id "bad-web"\): contact\.web must be an https:\/\/ web address$/);
      has(/^entry 3 \(index 2, id "Bad Id"\): id must be lower-case letters, digits and hyphens/);
      has(/^entry 4 \(index 3, id "no-contact"\): contact needs at least one of phone/);
      has(/^entry 5 \(index 4, id "typo"\): entry has unknown field\(s\) contcat$/);
      has(/^entry 6 \(index 5, no id\): id is required$/);
      has(/^entry 6 \(index 5, no id\): purpose is required$/);
      has(/^entry 7 \(index 6, id "ward-7-carers"\): id is already used by entry 1 \(index 0\)$/);
      has(/^entry 8 \(index 7, id "bad-phone"\): contact\.phone must be a phone number/);
      has(/^entry 9 \(index 8, id "bad-category"\): category must be one of urgent, complaints/);
    });

    it("says what shape the file must have", () => {
      for (const raw of [[localEntry()], "entries", null, { entries: {} }, { entries: [], extra: true }]) {
        const parsed = parseDirectory(raw, { scope: "local" });
        assert.equal(parsed.ok, false);
        assert.match(!parsed.ok ? describeProblem(parsed.problems[0]) : "", /"entries" list/);
      }
    });

    it("loads the trust's file at start-up, naming the file, entry and field when it is wrong", () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pals-signposting-"));
      const good = path.join(dir, "good.json");
      fs.writeFileSync(good, JSON.stringify({ entries: [localEntry()] }));
      const loaded = loadSignpostingDirectory(good, "england");
      assert.equal(loaded.localCount, 1);
      assert.equal(loaded.directory.entries.length, ENGLAND.length + 1);

      const bad = path.join(dir, "bad.json");
      fs.writeFileSync(bad, JSON.stringify({ entries: [localEntry(), localEntry({ id: "chaplaincy", hours: "" })] }));
      assert.throws(
        () => loadSignpostingDirectory(bad, "england"),
        (error: unknown) =>
          error instanceof SignpostingFileError &&
          error.message.includes(bad) &&
          /entry 2 \(index 1, id "chaplaincy"\): hours must not be empty/.test(error.message),
      );
      const notJson = path.join(dir, "broken.json");
      fs.writeFileSync(notJson, "{ entries: [");
      assert.throws(
        () => loadSignpostingDirectory(notJson, "england"),
        (error: unknown) => error instanceof SignpostingFileError && /not valid JSON/.test(error.message) && error.message.includes(notJson),
      );
    });

    it("ships a valid example file", () => {
      const loaded = loadSignpostingDirectory(path.join(__dirname, "..", "..", "env", "signposting.local.example.json"), "england");
      assert.ok(loaded.localCount >= 3);
      assert.deepEqual(loaded.replaced, ["nhs-complaints-advocacy"]);
      // A local crisis line joins the crisis services, after Samaritans and urgent help.
      const ids = loaded.directory.search("suicidal", 5).matches.map((m) => m.entry.id);
      assert.deepEqual(ids.slice(0, 2), ["samaritans", "nhs-111"]);
      assert.ok(ids.includes("example-crisis-line"));
    });
  });

  it("still finds an entry with no keywords by what it is for, after entries whose names match", () => {
    const parsed = parseDirectory(
      { entries: [localEntry({ keywords: [] }), localEntry({ id: "weekly-clinic", name: "Weekly clinic", purpose: "A clinic.", keywords: [] })] },
      { scope: "local" },
    );
    assert.ok(parsed.ok);
    const local = new SignpostingDirectory([...NATIONAL_DIRECTORY, ...parsed.entries]);
    assert.deepEqual(
      local.search("weekly", 5).matches.map((m) => m.entry.id),
      ["weekly-clinic", "ward-7-carers"],
    );
  });

  describe("on a large directory (thousands of local services)", () => {
    const local: SignpostEntry[] = Array.from({ length: 2500 }, (_, i) => ({
      id: `local-${i}`,
      name: `${["Riverside", "Hilltop", "Northgate", "Eastfield", "Westbrook"][i % 5]} community support service ${i}`,
      category: "local" as const,
      purpose: "Community support for local people.",
      whenToUse: "Someone wants local community support.",
      contact: { phone: "01632 960000" },
      hours: "Monday to Friday, 9am to 5pm.",
      keywords: ["community support", i % 3 === 0 ? "money advice" : "carers"],
      tags: i % 50 === 0 ? ["crisis"] : [],
      scope: "local" as const,
    }));
    const big = new SignpostingDirectory([...NATIONAL_DIRECTORY, ...local]);
    const bigTop = (need: string, n = 1) => big.search(need, n).matches.map((m) => m.entry.id);

    it("ranks the national organisations as on their own, ignoring a word nearly every entry has", () => {
      assert.equal(bigTop("feedback about local services")[0], "healthwatch");
      assert.equal(bigTop("ombudsman")[0], "phso");
      assert.equal(bigTop("advocasy")[0], "nhs-complaints-advocacy");
      assert.equal(bigTop("samaritens")[0], "samaritans");
      assert.equal(bigTop("samar")[0], "samaritans");
      assert.equal(bigTop("healthw")[0], "healthwatch");
      assert.equal(bigTop("benefits")[0], "citizens-advice");
      // Alone, the common word is still searched.
      assert.equal(big.search("service", 25).matches.length, 25);
    });

    it("puts crisis support first, and a shorter list is the start of a longer one", () => {
      for (const need of ["suicidal", "community support, he is suicidal", "self-harm and money worries"]) {
        const long = big.search(need, 80).matches.map((m) => m.entry.id);
        assert.deepEqual(long.slice(0, 2), ["samaritans", "nhs-111"], need);
        for (const limit of [1, 5, 25, 60])
          assert.deepEqual(
            big.search(need, limit).matches.map((m) => m.entry.id),
            long.slice(0, limit),
            `${need} (${limit})`,
          );
      }
      for (const need of ["community support", "money advice", "carers"]) {
        const long = big.search(need, 80).matches.map((m) => m.entry.id);
        for (const limit of [1, 5, 25])
          assert.deepEqual(
            big.search(need, limit).matches.map((m) => m.entry.id),
            long.slice(0, limit),
            `${need} (${limit})`,
          );
      }
    });

    it("orders a list of hundreds (sorted in full) as it orders the best few (picked one by one)", () => {
      for (const need of ["community support", "money advice", "riverside carers", "money advice, he is suicidal"]) {
        const result = big.search(need, 400);
        const long = result.matches;
        assert.ok(long.length > 100, need);
        if (!result.crisis)
          assert.ok(
            long.every((m, i) => i === 0 || m.score <= long[i - 1].score),
            `${need}: best first`,
          );
        for (const limit of [25, 100])
          assert.deepEqual(
            big.search(need, limit).matches.map((m) => m.entry.id),
            long.slice(0, limit).map((m) => m.entry.id),
            `${need} (${limit})`,
          );
      }
    });
  });

  it("gives each search its own results, however many searches follow", () => {
    const first = directory.search("complaint", 5);
    const before = JSON.stringify(first);
    for (const need of ["ombudsman", "suicidal", "advocasy", "samar", "complaint"]) directory.search(need, 25);
    assert.equal(JSON.stringify(first), before);
    assert.notEqual(directory.search("complaint", 5).matches, first.matches);
  });

  it("refuses a directory in which two entries share an id", () => {
    const entry = NATIONAL_DIRECTORY[0];
    assert.throws(() => new SignpostingDirectory([entry, { ...entry, name: "Another" }]), new RegExp(`duplicate entry id ${entry.id}`));
  });

  it("keeps the search fast on a large directory", () => {
    const many: SignpostEntry[] = Array.from({ length: 2000 }, (_, i) => ({
      ...NATIONAL_DIRECTORY[i % NATIONAL_DIRECTORY.length],
      id: `entry-${i}`,
      scope: "local" as const,
    }));
    const big = new SignpostingDirectory([...NATIONAL_DIRECTORY, ...many]);
    const started = process.hrtime.bigint();
    for (let i = 0; i < 20; i++) big.search("help writing a complaint to the ombudsmen", 25);
    const ms = Number(process.hrtime.bigint() - started) / 1e6 / 20;
    assert.ok(ms < 250, `one search took ${ms.toFixed(1)} ms`);
  });
});
