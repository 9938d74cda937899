// Names and typed text in the manager's files: never a formula in a spreadsheet, never markup in the case file.
import { strict as assert } from "node:assert";
import { parse } from "csv-parse/sync";
import Mustache from "mustache";
import { caseFileHtml, casesCsv, ko41aCsv, ko41aReturn, type Case, type CaseEvent, DEFAULT_RULES } from "../../src/domain";
import { makeCase } from "../helpers/caseFixtures";
import { hostileCase } from "../helpers/hostile";

/** Cells a spreadsheet runs as a formula: = + - @ first (after any spaces or line breaks), or a leading tab or return. */
const FORMULA = /^[\s\u00a0]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]|^[\t\r\n]/;

const FORMULAS = [
  '=HYPERLINK("https://evil.example","x")',
  "+cmd|' /C calc'!A0",
  "-1+1",
  "@SUM(1)",
  "\t=1+1",
  "\r=1+1",
  "\n=1+1",
  " =1+1",
  "\u00a0=1+1",
  "＝1+1",
];

const MARKUP = [
  "<script>alert(1)</script>",
  '"><img src=x onerror=alert(1)>',
  "' onmouseover='alert(1)",
  "</td></tr></table><h1>forged</h1>",
  "{{reference}} {{{summary}}}",
];

function events(c: Case, h: string): CaseEvent[] {
  const by = { aadObjectId: "officer-1", name: h };
  return [
    { id: "e1", caseId: c.id, trustId: c.trustId, reference: c.reference, kind: "note-added", at: "2026-03-04T10:00:00Z", by, summary: h, detail: h },
    {
      id: "e2",
      caseId: c.id,
      trustId: c.trustId,
      reference: c.reference,
      kind: "letter-sent",
      at: "2026-03-05T10:00:00Z",
      by,
      summary: h,
      changes: [{ field: "letter", after: h }],
    },
  ];
}

/** Every tag in a document, as written: the hostile text must add none. */
const tags = (html: string) => new Set(html.match(/<[^>]*>/g) ?? []);

describe("hostile text in exported files", () => {
  it("no cell of the cases CSV, with or without patient details, is a formula", () => {
    const formulas: string[] = [];
    for (const h of FORMULAS) {
      const c = hostileCase(h);
      for (const withPatientDetails of [false, true]) {
        const rows: string[][] = parse(casesCsv([c], { rules: DEFAULT_RULES, withPatientDetails }), { bom: true });
        formulas.push(
          ...new Set(
            rows
              .flat()
              .filter((cell) => FORMULA.test(cell))
              .map((cell) => JSON.stringify(cell)),
          ),
        );
        assert.ok(
          rows[1].some((cell) => cell.includes(h.trim())),
          `${JSON.stringify(h)} is still in the file, as text`,
        );
      }
    }
    assert.deepEqual([...new Set(formulas)], []);
  });

  it("no cell of the KO41a CSV is a formula", () => {
    const rows: string[][] = parse(ko41aCsv(ko41aReturn([hostileCase(FORMULAS[0])], 2025)), { bom: true });
    assert.deepEqual(
      rows.flat().filter((cell) => FORMULA.test(cell)),
      [],
    );
  });

  it("the case file escapes every value, in text and attributes, and adds no markup", () => {
    const plain = makeCase();
    const benign = tags(
      caseFileHtml(hostileCase("Olivia"), events(plain, "Olivia"), {
        rules: DEFAULT_RULES,
        generatedAt: new Date("2026-06-02T09:00:00Z"),
        generatedBy: "Olivia",
        trustName: "Example NHS Trust",
      }),
    );
    for (const h of MARKUP) {
      const html = caseFileHtml(hostileCase(h), events(plain, h), {
        rules: DEFAULT_RULES,
        generatedAt: new Date("2026-06-02T09:00:00Z"),
        generatedBy: h,
        trustName: h,
      });
      const added = [...tags(html)].filter((tag) => !benign.has(tag));
      assert.deepEqual(added, [], JSON.stringify(h));
      assert.doesNotMatch(html, /<script|<img|<h1>forged|onerror=|onmouseover=/i);
      // Shown as typed (escaped), never filled in as a template.
      assert.ok(html.includes(Mustache.escape(h)), JSON.stringify(h));
    }
  });
});
