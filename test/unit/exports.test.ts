import { strict as assert } from "node:assert";
import { parse } from "csv-parse/sync";
import { caseFileHtml, casesCsv, ko41aCsv, ko41aReturn, neutraliseFormula, toCsv, type CaseEvent, DEFAULT_RULES } from "../../src/domain";
import { ConfigError, parseConfig } from "../../src/config";
import { DownloadShelf } from "../../src/teams/reports/downloads";
import { makeCase } from "../helpers/caseFixtures";
import { reportCases } from "../helpers/reportFixtures";

/** Reads CSV back the way a spreadsheet import would. */
function readCsv(text: string): string[][] {
  return parse(text, { bom: true, relax_column_count: false });
}

describe("exports", () => {
  describe("CSV", () => {
    it("quotes commas, quotes and line breaks, and keeps unicode, with CRLF line ends and a byte order mark", () => {
      const text = toCsv(
        ["Name", "Note"],
        [
          ["Siân O'Brien, Jr", 'She said "no"\nthen left'],
          ["Zoë 🙂 Łukasz", "plain"],
        ],
      );
      assert.ok(text.startsWith("\uFEFF"), "UTF-8 BOM for Excel");
      assert.match(text, /\r\n/);
      assert.match(text, /"Siân O'Brien, Jr","She said ""no""\nthen left"\r\n/);
      assert.deepEqual(readCsv(text), [
        ["Name", "Note"],
        ["Siân O'Brien, Jr", 'She said "no"\nthen left'],
        ["Zoë 🙂 Łukasz", "plain"],
      ]);
    });

    it("neutralises formulas: a cell starting = + - @ tab or return gets a leading apostrophe", () => {
      for (const dangerous of ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\tleading tab", "\rcr", "＝1+1"]) {
        assert.equal(neutraliseFormula(dangerous), `'${dangerous}`);
      }
      for (const safe of ["Ward 7", "2026-03-01", "a=b", "", "O'Brien"]) assert.equal(neutraliseFormula(safe), safe);
      const rows = readCsv(
        toCsv(
          ["Summary", "Score"],
          [
            ["=cmd|' /C calc'!A0", 12],
            ["-", -3],
          ],
        ),
      );
      assert.deepEqual(rows[1], ["'=cmd|' /C calc'!A0", "12"]);
      assert.deepEqual(rows[2], ["'-", "-3"], "numbers are numbers, not text to neutralise");
    });

    it("exports cases without patient details unless asked, with the fields Datix and Ulysses imports use", () => {
      const c = { ...makeCase(), summary: "=1+1", ward: "Ward 7, bay 2", patient: { ...makeCase().patient, name: '=Margaret "Peggy" Jones' } };
      const without = readCsv(casesCsv([c], { rules: DEFAULT_RULES, withPatientDetails: false }));
      const header = without[0];
      for (const column of [
        "Reference",
        "Received date",
        "Type",
        "Status",
        "Division",
        "Service",
        "Ward or department",
        "KO41a subjects",
        "KO41a professions",
        "KO41a service area",
        "Risk score",
        "Risk band",
        "Safeguarding",
        "Outcome",
        "Closed date",
        "Acknowledged on",
        "Response due",
        "Owner",
      ]) {
        assert.ok(header.includes(column), column);
      }
      assert.ok(!header.includes("Patient name") && !header.includes("NHS number"));
      assert.doesNotMatch(JSON.stringify(without), /Margaret|9434765919|1948-05-17|07700/);
      const row = Object.fromEntries(header.map((h, i) => [h, without[1][i]]));
      assert.equal(row.Reference, "PALS-2026-000123");
      assert.equal(row["Ward or department"], "Ward 7, bay 2");
      assert.equal(row["KO41a subjects"], "Communications");
      assert.equal(row.Safeguarding, "No");
      assert.equal(row.Owner, "");

      const withDetails = readCsv(casesCsv([c], { rules: DEFAULT_RULES, withPatientDetails: true }));
      const detailRow = Object.fromEntries(withDetails[0].map((h, i) => [h, withDetails[1][i]]));
      assert.equal(detailRow["Patient name"], '\'=Margaret "Peggy" Jones');
      assert.equal(detailRow["NHS number"], "9434765919");
      assert.equal(detailRow["Date of birth"], "1948-05-17");
    });

    it("writes the KO41a return as section, category, code and count", () => {
      const cases = Object.values(reportCases("trust-1")).filter((c) => c.trustId === "trust-1");
      const rows = readCsv(ko41aCsv(ko41aReturn(cases, 2025)));
      assert.deepEqual(rows[0], ["Section", "Category", "Code", "Count"]);
      assert.deepEqual(rows[3], ["Section 2: Summary", "New complaints received", "received", "5"]);
      const find = (section: string, code: string) => rows.find((r) => r[0] === section && r[2] === code)?.[3];
      assert.equal(find("Section 7: Subject area", "communications"), "2");
      assert.equal(find("Section 7: Subject area", "clinical-treatment"), "2");
      assert.equal(find("Section 8: Profession (staff group)", "medical"), "1");
      assert.equal(find("Section 8: Profession (staff group)", "nursing"), "5");
      assert.equal(find("Section 2: Summary", "upheld"), "1");
      assert.equal(find("Section 5: Service area", "not-recorded"), "4");
    });
  });

  describe("the case file for the Ombudsman", () => {
    it("holds the case, timeline, investigation answers, letters and PHSO referral, with every value HTML-escaped", () => {
      const c = {
        ...makeCase(),
        summary: "<script>alert(1)</script> & more",
        ombudsman: { referredOn: "2026-06-01", reference: "C-2026-0001", stage: "investigation" as const, responseDueOn: "2026-06-20" },
      };
      const events: CaseEvent[] = [
        {
          id: "e1",
          caseId: c.id,
          trustId: c.trustId,
          reference: c.reference,
          kind: "created",
          at: "2026-03-03T10:15:00Z",
          by: { aadObjectId: "o", name: "Priya Shah" },
          summary: "Complaint logged",
        },
        {
          id: "e2",
          caseId: c.id,
          trustId: c.trustId,
          reference: c.reference,
          kind: "letter-sent",
          at: "2026-03-04T11:00:00Z",
          by: { aadObjectId: "o", name: "Priya Shah" },
          summary: "Acknowledgement letter sent",
          changes: [{ field: "letter", after: "acknowledgement" }],
        },
        {
          id: "e3",
          caseId: c.id,
          trustId: c.trustId,
          reference: c.reference,
          kind: "note-added",
          at: "2026-03-05T11:00:00Z",
          by: { aadObjectId: "o", name: "Priya Shah" },
          summary: "Note added",
          detail: "Rang <b>ward</b>",
        },
      ];
      const html = caseFileHtml(c, events, {
        rules: DEFAULT_RULES,
        generatedAt: new Date("2026-06-02T09:00:00Z"),
        generatedBy: "Maya Manager",
        trustName: "Example NHS Trust",
      });
      assert.match(html, /^<!DOCTYPE html>/);
      assert.match(html, /Case file: PALS-2026-000123/);
      assert.match(html, /&lt;script&gt;alert\(1\)&lt;&#x2F;script&gt; &amp; more/);
      assert.doesNotMatch(html, /<script>/);
      assert.match(html, /Rang &lt;b&gt;ward&lt;&#x2F;b&gt;/);
      assert.match(html, /PHSO reference C-2026-0001/);
      assert.match(html, /Saturday 20 June 2026/);
      assert.match(html, /Acknowledgement letter<\/th><td>4 March 2026 at 11:00 by Priya Shah/);
      assert.match(html, /Margaret Jones/);
      assert.match(html, /Example NHS Trust/);
    });
  });

  describe("settings and download links", () => {
    it("reads TRUST_NAME, LETTER_TEMPLATES_DIR and FILE_DELIVERY, and keeps download links to local mode", () => {
      const config = parseConfig({ TRUST_NAME: " Example NHS Trust ", LETTER_TEMPLATES_DIR: "cards/letters", FILE_DELIVERY: "link" });
      assert.equal(config.trustName, "Example NHS Trust");
      assert.match(config.letterTemplatesDir!, /cards[\\/]letters$/);
      assert.equal(config.fileDelivery, "link");
      assert.equal(parseConfig({}).fileDelivery, "auto");
      assert.throws(
        () => parseConfig({ LETTER_TEMPLATES_DIR: "no/such/folder" }),
        (e: unknown) => e instanceof ConfigError && /LETTER_TEMPLATES_DIR must be a folder that exists/.test(e.message),
      );
      assert.throws(
        () => parseConfig({ FILE_DELIVERY: "link", MicrosoftAppId: "00000000-0000-4000-8000-000000000001", MicrosoftAppPassword: "secret" }),
        (e: unknown) => e instanceof ConfigError && /FILE_DELIVERY must be auto or consent when MicrosoftAppId is set/.test(e.message),
      );
      assert.throws(() => parseConfig({ FILE_DELIVERY: "inline" }), ConfigError);
    });

    it("serves each file once, for 10 minutes", () => {
      let now = new Date("2026-03-10T10:00:00Z");
      const shelf = new DownloadShelf(() => now);
      shelf.baseUrl = "http://127.0.0.1:3978";
      const file = { name: "a.csv", contentType: "text/csv", content: Buffer.from("x"), logged: {} };
      const url = shelf.put(file);
      assert.match(url, /^http:\/\/127\.0\.0\.1:3978\/api\/files\/[A-Za-z0-9_-]{43}$/);
      const token = url.split("/").pop()!;
      assert.equal(shelf.take(token), file);
      assert.equal(shelf.take(token), undefined, "used");
      const later = shelf.put(file).split("/").pop()!;
      now = new Date("2026-03-10T10:10:00Z");
      assert.equal(shelf.take(later), undefined, "expired");
      assert.equal(shelf.take("guess"), undefined);
    });
  });
});
