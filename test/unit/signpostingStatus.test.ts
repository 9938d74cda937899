import { strict as assert } from "node:assert";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describeProblem, NATIONAL_DIRECTORY, parseDirectory, SignpostingDirectory, STATUS_MAX } from "../../src/domain";
import { loadSignpostingDirectory, SignpostingFileError } from "../../src/store/signpostingFile";
import { directoryCard, entryCard } from "../../src/teams/signposting/signpostingView";
import { cardElements, cardText } from "../helpers/bot";

function localEntry(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: "local-healthwatch",
    name: "Healthwatch Exampleshire",
    purpose: "Gathers local people's views of health and care services.",
    whenToUse: "Someone wants to share feedback about local services.",
    contact: { phone: "01632 960456" },
    hours: "Monday to Friday, 9am to 5pm.",
    ...overrides,
  };
}

/** The TextRuns of the status container on an entry card (attention style). */
function statusRuns(card: unknown): string[] {
  return cardElements(card)
    .filter((node) => node.type === "Container" && node.style === "attention")
    .flatMap((container) =>
      cardElements(container.items)
        .filter((node) => node.type === "TextRun")
        .map((run) => run.text as string),
    );
}

describe("signposting status notes (organisations that are changing)", () => {
  it("the Healthwatch entry says it is changing, and is kept", () => {
    const healthwatch = NATIONAL_DIRECTORY.find((e) => e.id === "healthwatch");
    assert.ok(healthwatch, "kept until it closes");
    assert.match(
      healthwatch.status ?? "",
      /^Changing: Healthwatch's functions are moving to the NHS and local councils \(10 Year Health Plan, July 2025\)\. Check locally before referring\.$/,
    );
    const others = NATIONAL_DIRECTORY.filter((e) => e.status !== undefined && !/healthwatch/.test(e.id));
    assert.deepEqual(
      others.map((e) => e.id),
      [],
      "only Healthwatch carries a note",
    );
  });

  it("a trust's own file may give a status note, as plain text", () => {
    const parsed = parseDirectory(
      { entries: [localEntry({ status: "  Closing on 31 March: refer to the council's patient voice team.  " })] },
      { scope: "local" },
    );
    assert.ok(parsed.ok);
    assert.equal(parsed.entries[0]!.status, "Closing on 31 March: refer to the council's patient voice team.");
    const without = parseDirectory({ entries: [localEntry()] }, { scope: "local" });
    assert.ok(without.ok);
    assert.equal(without.entries[0]!.status, undefined);
  });

  it("refuses a note that is too long, empty or not text, naming the entry and the field", () => {
    const parsed = parseDirectory(
      { entries: [localEntry({ status: "x".repeat(STATUS_MAX + 1) }), localEntry({ id: "second", status: "" }), localEntry({ id: "third", status: 3 })] },
      { scope: "local" },
    );
    assert.ok(!parsed.ok);
    const problems = parsed.problems.map(describeProblem);
    assert.deepEqual(problems, [
      `entry 1 (index 0, id "local-healthwatch"): status must be ${STATUS_MAX} characters or fewer`,
      'entry 2 (index 1, id "second"): status must not be empty',
      'entry 3 (index 2, id "third"): status must be text',
    ]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pals-signposting-"));
    const file = path.join(dir, "local.json");
    fs.writeFileSync(file, JSON.stringify({ entries: [localEntry({ status: "x".repeat(STATUS_MAX + 1) })] }));
    assert.throws(
      () => loadSignpostingDirectory(file, "england"),
      (error: unknown) => error instanceof SignpostingFileError && /status must be 200 characters or fewer/.test(error.message),
    );
  });

  it("the entry card shows the note in attention style, as plain text (never markdown)", () => {
    const note = "Changing: **not bold** [a link](https://example.org) <at>Someone</at>";
    const card = entryCard({ ...NATIONAL_DIRECTORY.find((e) => e.id === "healthwatch")!, status: note });
    assert.deepEqual(statusRuns(card), [note], "shown exactly as written, in a TextRun");
    assert.ok(!cardElements(card).some((node) => node.type === "TextBlock" && String(node.text).includes("not bold")), "never in a markdown TextBlock");
    const plain = entryCard(NATIONAL_DIRECTORY.find((e) => e.id === "phso")!);
    assert.deepEqual(statusRuns(plain), [], "no note, no attention box");
    assert.match(cardText(entryCard(NATIONAL_DIRECTORY.find((e) => e.id === "healthwatch")!)), /Changing: Healthwatch's functions are moving/);
  });

  it("the directory card shows the note beside the entry", () => {
    const card = directoryCard(new SignpostingDirectory([...NATIONAL_DIRECTORY]));
    const runs = cardElements(card).filter((node) => node.type === "TextRun" && node.color === "Attention");
    assert.equal(runs.length, 1);
    assert.match(runs[0].text, /^ Changing: Healthwatch's functions/);
  });
});
