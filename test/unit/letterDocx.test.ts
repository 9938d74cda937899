import { strict as assert } from "node:assert";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import PizZip from "pizzip";
import { closeCase, DEFAULT_RULES, fillLetter, LETTER_KINDS, letterView, NATIONAL_DIRECTORY, recordAcknowledgement, type LetterView } from "../../src/domain";
import {
  checkLetterheadTemplate,
  DEFAULT_LETTERHEAD,
  docxText,
  letterDocxData,
  LetterheadTemplateError,
  loadLetterhead,
  MAX_UNZIPPED_BYTES,
  renderLetterDocx,
  type LetterDocxData,
} from "../../src/mail/letterDocx";
import { LetterTemplates } from "../../src/store/letterTemplates";
import { letterheadDocx } from "../../src/tools/makeLetterhead";
import { makeCase } from "../helpers/caseFixtures";
import { HOSTILE, hostileCase } from "../helpers/hostile";

const PHSO = NATIONAL_DIRECTORY.find((e) => e.id === "phso")!;
const ctx = { actor: { aadObjectId: "officer-1", name: "Priya Shah" }, now: new Date("2026-03-10T10:00:00Z"), rules: DEFAULT_RULES };
const templates = new LetterTemplates();
const letterhead = () => fs.readFileSync(DEFAULT_LETTERHEAD);

/** A closed, partially upheld complaint, as the domain's letter tests use. */
function closedComplaint() {
  const acknowledged = recordAcknowledgement(makeCase(), "2026-03-04", ctx).updated;
  return closeCase(acknowledged, { outcome: "partially-upheld", learning: "Call bells checked hourly" }, ctx).updated;
}

/** A letter filled by the domain (as the case card does), then split for the letterhead. */
function filled(kind: (typeof LETTER_KINDS)[number]["id"], view: LetterView): { text: string; data: LetterDocxData } {
  const text = fillLetter(templates.get(kind), view);
  return { text, data: letterDocxData(text, view) };
}

/** Where each needle first appears at or after the previous one; fails naming the first out of order or missing. */
function assertInOrder(text: string, needles: readonly string[]): void {
  let from = 0;
  for (const needle of needles) {
    const at = text.indexOf(needle, from);
    assert.ok(at >= 0, `${JSON.stringify(needle.slice(0, 80))} is missing, or out of order, in:\n${text.slice(0, 3000)}`);
    from = at + needle.length;
  }
}

/** The letterhead's document.xml with one string replaced, as a new .docx. */
function withDocumentXml(edit: (xml: string) => string, base = letterhead()): Buffer {
  const zip = new PizZip(base);
  zip.file("word/document.xml", edit(zip.file("word/document.xml")!.asText()));
  return zip.generate({ type: "nodebuffer", compression: "DEFLATE" });
}

/** A zip written byte by byte, so its declared sizes can lie. */
function handMadeZip(entries: { name: string; data: Buffer; method: 0 | 8; crc: number; size: number }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, "utf8");
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(entry.method, 8);
    local.writeUInt16LE(0x5c21, 12); // 2026-01-01
    local.writeUInt32LE(entry.crc >>> 0, 14);
    local.writeUInt32LE(entry.data.length, 18);
    local.writeUInt32LE(entry.size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(entry.method, 10);
    central.writeUInt16LE(0x5c21, 14);
    central.writeUInt32LE(entry.crc >>> 0, 16);
    central.writeUInt32LE(entry.data.length, 20);
    central.writeUInt32LE(entry.size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, entry.data);
    centrals.push(central, name);
    offset += local.length + name.length + entry.data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** The shipped letterhead's parts, honestly packed, with document.xml replaced by `document`. */
function letterheadWithDocument(document: { data: Buffer; method: 0 | 8; crc: number; size: number }): Buffer {
  const zip = new PizZip(letterhead());
  const entries = Object.values(zip.files)
    .filter((file) => !file.dir && file.name !== "word/document.xml")
    .map((file) => {
      const content = Buffer.from(file.asUint8Array());
      return { name: file.name, data: content, method: 0 as const, crc: zlib.crc32(content), size: content.length };
    });
  return handMadeZip([...entries, { name: "word/document.xml", ...document }]);
}

describe("letters on letterhead (.docx)", () => {
  it("ships a letterhead that opens, with the header and footer parts wired in, and is what makeLetterhead writes", () => {
    const docx = letterhead();
    assert.deepEqual(docx, letterheadDocx(), "cards/letters/letterhead.docx is out of date: run `npx tsx src/tools/makeLetterhead.ts`");
    const zip = new PizZip(docx);
    for (const part of ["[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/styles.xml", "word/header1.xml", "word/footer1.xml"]) {
      assert.ok(zip.file(part), `${part} is in the package`);
    }
    const types = zip.file("[Content_Types].xml")!.asText();
    assert.match(types, /PartName="\/word\/header1\.xml" ContentType="application\/vnd\.openxmlformats-officedocument\.wordprocessingml\.header\+xml"/);
    assert.match(types, /PartName="\/word\/footer1\.xml" ContentType="application\/vnd\.openxmlformats-officedocument\.wordprocessingml\.footer\+xml"/);
    const rels = zip.file("word/_rels/document.xml.rels")!.asText();
    const header = /Id="(rId\d+)" Type="[^"]*\/header" Target="header1\.xml"/.exec(rels)?.[1];
    const footer = /Id="(rId\d+)" Type="[^"]*\/footer" Target="footer1\.xml"/.exec(rels)?.[1];
    assert.ok(header && footer, "the document's relationships name the header and footer");
    const document = zip.file("word/document.xml")!.asText();
    assert.match(document, new RegExp(`<w:headerReference w:type="default" r:id="${header}"/>`));
    assert.match(document, new RegExp(`<w:footerReference w:type="default" r:id="${footer}"/>`));
    assert.deepEqual(checkLetterheadTemplate(docx), { ok: true });
    const text = docxText(docx);
    assertInOrder(text, [
      "{trustName}",
      "Patient Advice and Liaison Service",
      "Date: {letterDate}",
      "Our reference: {reference}",
      "{addresseeName}",
      "{text}",
      "Switchboard",
    ]);
  });

  it("fills the letterhead with a real letter: the trust, date, reference, addressee and every paragraph, in order", () => {
    const view = letterView(closedComplaint(), {
      today: "2026-03-10",
      officerName: "Priya Shah",
      trustName: "Example NHS Trust",
      ombudsman: PHSO,
      events: [],
      rules: DEFAULT_RULES,
    });
    for (const { id } of LETTER_KINDS) {
      const { data } = filled(id, view);
      assert.ok(data.paragraphs.length >= 5, `${id}: the letter has its paragraphs`);
      assert.equal(data.paragraphs[0], "Dear Margaret Jones,", `${id}: the date and reference lines are the letterhead's, not the body's`);
      assert.equal(data.paragraphs[data.paragraphs.length - 1], "Yours sincerely,");
      assert.equal(data.signature?.[0], "Priya Shah");
      const text = docxText(renderLetterDocx(letterhead(), data));
      assertInOrder(text, [
        "Example NHS Trust\nPatient Advice and Liaison Service",
        "Date: Tuesday 10 March 2026",
        "Our reference: PALS-2026-000123",
        "Margaret Jones",
        // Every paragraph, one Word paragraph each, in the letter's order and nothing between them.
        data.paragraphs.join("\n"),
        (data.signature ?? []).join("\n"),
        "Example NHS Trust  |  Switchboard",
      ]);
      assert.equal(text.split("Date: Tuesday 10 March 2026").length, 2, `${id}: the date once`);
      assert.equal(text.split("Our reference:").length, 2, `${id}: the reference once`);
      assert.doesNotMatch(text, /\{|\}|undefined/, `${id}: no tag left`);
    }
    const final = docxText(renderLetterDocx(letterhead(), filled("final", view).data));
    assert.match(final, /we have partially upheld your complaint/);
    assert.match(final, /0345 015 4033/);
  });

  it("keeps a missing value's placeholder visible, as in the plain-text letter", () => {
    const view = letterView(closedComplaint(), { today: "2026-03-10", officerName: "Priya Shah", events: [], rules: DEFAULT_RULES });
    const { text: letter, data } = filled("final", view);
    assert.match(letter, /\[what we found\]/);
    const text = docxText(renderLetterDocx(letterhead(), data));
    assert.match(text, /^\[trust name\]\nPatient Advice and Liaison Service/, "the header shows the gap");
    assert.match(text, /\[what we found\]/, "the body shows the gap");
    assert.match(text, /\[trust name\] {2}\| {2}Switchboard/, "the footer shows the gap");
    const { addresseeName: _left, ...withoutAddressee } = data;
    const blank = docxText(renderLetterDocx(letterhead(), { ...withoutAddressee, reference: "  " }));
    assert.match(blank, /\nPrivate and confidential\n\[name of the person who complained\]\n/);
    assert.match(blank, /\nOur reference: \[case reference\]\n/);
  });

  it("splits a letter at blank lines, keeps single line breaks, and finds the signature after the closing", () => {
    const view = { letterDate: "Tuesday 10 March 2026", investigations: [] } as LetterView;
    const data = letterDocxData(
      "Tuesday 10 March 2026\r\nOur reference: PALS-1\r\n\r\nDear Ann,  \r\n\r\nHeading\r\nText under it.\r\n\r\n\r\nYours faithfully,\r\n\r\nPriya\r\nPALS\r\n",
      view,
    );
    assert.deepEqual(data.paragraphs, ["Dear Ann,", "Heading\nText under it.", "Yours faithfully,"]);
    assert.deepEqual(data.signature, ["Priya", "PALS"]);
    const noClosing = letterDocxData("Dear Ann,\n\nThanks.\n\nPriya", view);
    assert.deepEqual(noClosing.paragraphs, ["Dear Ann,", "Thanks.", "Priya"]);
    assert.deepEqual(noClosing.signature, []);
    // With only what the caller has (no view): the date line is still the letterhead's, the addressee comes from "Dear ...".
    const bare = letterDocxData("Wednesday 11 March 2026\n\nOur reference: PALS-2\n\nDear Mr O'Neill,\n\nThanks.\n\nKind regards,\nPriya", {
      reference: "PALS-2",
    });
    assert.deepEqual(bare, {
      reference: "PALS-2",
      addresseeName: "Mr O'Neill",
      paragraphs: ["Dear Mr O'Neill,", "Thanks.", "Kind regards,"],
      signature: ["Priya"],
    });
    assert.equal(letterDocxData("Dear Ann,\n\nHi", { addresseeName: "Ann Smith" }).addresseeName, "Ann Smith", "a given addressee wins");
    const text = docxText(renderLetterDocx(letterhead(), { ...data, trustName: "T" }));
    assertInOrder(text, ["Dear Ann,\nHeading\nText under it.\nYours faithfully,\n", "\nPriya\nPALS\nT  |  Switchboard"]);
  });

  it("puts hostile values in as text: never tags, never markup, and the document stays well-formed", () => {
    const extra = [
      "{#paragraphs}",
      "{/x}",
      "{trustName}",
      "{@paragraphs}",
      "</w:t></w:r><w:r><w:t>",
      "</w:t></w:r></w:p><w:p><w:r><w:t>injected",
      "]]>",
      "<![CDATA[x]]>",
      "&amp; &lt; &#0; &",
      "<script>alert(1)</script>",
      `"quoted" 'single'`,
      "{{officerName}}",
      "Ünïcødé “quotes” — 😀 𝔘",
      "x".repeat(10_000),
      `{#x}</w:t><w:t><script>&amp;`.repeat(400).slice(0, 10_000),
    ];
    for (const h of [...HOSTILE, ...extra]) {
      const view = letterView(hostileCase(h), { today: "2026-03-10", officerName: h, trustName: h, events: [], rules: DEFAULT_RULES });
      const { text: letter, data } = filled("acknowledgement", view);
      assert.ok(letter.includes(h), "the domain put the value in the letter");
      const docx = renderLetterDocx(letterhead(), { ...data, letterDate: h, reference: h, paragraphs: [...data.paragraphs, `${h}\n${h}`] });
      // docxText re-opens the zip with pizzip and reads every part with a strict XML reader: it throws if not well-formed.
      const text = docxText(docx);
      const lines = text.split("\n");
      const label = JSON.stringify(h.slice(0, 40));
      assert.equal(lines[0], h, `${label}: the header shows the trust's name as typed`);
      assert.ok(lines.includes(`Date: ${h}`), `${label}: date`);
      assert.ok(lines.includes(`Our reference: ${h}`), `${label}: reference`);
      assertInOrder(text, [`Private and confidential\n${h}\n`, [...data.paragraphs, `${h}\n${h}`].join("\n"), (data.signature ?? []).join("\n")]);
      assert.equal(lines[lines.length - 1], `${h}  |  Switchboard: [switchboard telephone number]  |  [trust website]`, `${label}: footer`);
      // Nothing was read as a tag: the body has exactly the letter's paragraphs, once.
      const body = new PizZip(docx).file("word/document.xml")!.asText();
      assert.equal(
        (body.match(/<w:p[ >]/g) ?? []).length,
        data.paragraphs.length + 1 + (data.signature?.length ?? 0) + 5,
        `${label}: one Word paragraph per letter paragraph`,
      );
      assert.doesNotMatch(body, /<script|<w:t[^>]*>injected/, `${label}: no markup from the value`);
    }
  });

  it("drops characters Word cannot hold, and the document stays valid", () => {
    const docx = renderLetterDocx(letterhead(), { trustName: "A\u0000B\u0007C\uD800D\uFFFEE", paragraphs: ["one\u000Btwo", "three\r\nfour\rfive"] });
    const text = docxText(docx);
    assert.match(text, /^ABCDE\n/);
    assertInOrder(text, ["onetwo\nthree\nfour\nfive\n"]);
  });

  it("reads XML strictly: a part that is not well-formed is refused", () => {
    const bad = [
      "<w:t>a & b</w:t>",
      "<w:t>a ]]> b</w:t>",
      "<w:t>a \u0001 b</w:t>",
      "<w:t>a &#1; b</w:t>",
      "<w:t>a &nbsp; b</w:t>",
      "<w:t>a</w:r>",
      "<w:t>a",
      '<w:t x="<">a</w:t>',
    ];
    const good = withDocumentXml((xml) => xml.replace("{addresseeName}", "&amp;&#233;&#x1F600;"));
    assert.match(docxText(good), /\n&é😀\n/);
    for (const fragment of bad) {
      const docx = withDocumentXml((xml) => xml.replace(/<w:t xml:space="preserve">\{addresseeName\}<\/w:t>/, fragment));
      assert.throws(() => docxText(docx), /word\/document\.xml: /, JSON.stringify(fragment));
    }
    assert.throws(() => docxText(withDocumentXml((xml) => xml.replace("<w:body>", '<!DOCTYPE x [<!ENTITY a "b">]><w:body>'))), /not well-formed/);
  });

  it("refuses a template with an unknown tag, a raw XML tag, a broken tag or no paragraphs, saying what is wrong", () => {
    const cases: [string, (xml: string) => string, RegExp][] = [
      ["unknown tag", (xml) => xml.replace("{addresseeName}", "{favouriteColour}"), /\{favouriteColour\}, which PALS Desk doesn't fill/],
      ["a prototype name", (xml) => xml.replace("{addresseeName}", "{constructor}"), /\{constructor\}, which PALS Desk doesn't fill/],
      ["{text} outside a loop", (xml) => xml.replace("{addresseeName}", "{text}"), /\{text\}, which PALS Desk doesn't fill/],
      ["raw XML", (xml) => xml.replace("{addresseeName}", "{@addresseeName}"), /\{@addresseeName\}, which PALS Desk doesn't allow/],
      ["unknown section", (xml) => xml.replace("{#signature}", "{#people}").replace("{/signature}", "{/people}"), /section \{#people\}/],
      ["unclosed tag", (xml) => xml.replace("{addresseeName}", "{addresseeName"), /tags have a mistake/],
      ["loop never closed", (xml) => xml.replace("{/paragraphs}", ""), /tags have a mistake/],
      [
        "no paragraphs",
        (xml) => xml.replace("{#paragraphs}", "").replace("{/paragraphs}", "").replace("{text}", ""),
        /no \{#paragraphs\}\{text\}\{\/paragraphs\}/,
      ],
    ];
    for (const [label, edit, problem] of cases) {
      const docx = withDocumentXml(edit);
      const result = checkLetterheadTemplate(docx);
      assert.equal(result.ok, false, label);
      assert.match((result as { problem: string }).problem, problem, label);
      assert.throws(() => renderLetterDocx(docx, { paragraphs: ["x"] }), LetterheadTemplateError, label);
    }
    const header = new PizZip(letterhead());
    header.file("word/header1.xml", header.file("word/header1.xml")!.asText().replace("{trustName}", "{trustLogo}"));
    const inHeader = checkLetterheadTemplate(header.generate({ type: "nodebuffer" }));
    assert.match((inHeader as { problem: string }).problem, /\{trustLogo\}/, "headers are checked too");
    // A condition on a letter field is allowed, and shows only with a value.
    const conditional = withDocumentXml((xml) => xml.replace("Private and confidential", "{#patientName}Re: {patientName}{/patientName}"));
    assert.deepEqual(checkLetterheadTemplate(conditional), { ok: true });
    assert.match(docxText(renderLetterDocx(conditional, { patientName: "Ann", paragraphs: [] })), /\nRe: Ann\n/);
    assert.doesNotMatch(docxText(renderLetterDocx(conditional, { paragraphs: [] })), /Re:|\[patient's name\]/);
  });

  it("refuses what is not a Word document, plainly", () => {
    const docx = letterhead();
    const notDocx: [string, Buffer, RegExp][] = [
      ["random bytes", Buffer.from("this is not a zip file at all, just text"), /not a Word document/],
      ["a truncated file", docx.subarray(0, Math.floor(docx.length / 2)), /not a Word document/],
      ["an empty file", Buffer.alloc(0), /not a Word document/],
      ["a zip without a document", new PizZip().file("hello.txt", "hi").generate({ type: "nodebuffer" }), /no document inside/],
      ["over 5 MB", Buffer.alloc(5 * 1024 * 1024 + 1), /at most 5 MB/],
    ];
    // A part whose bytes don't match its checksum (damaged in transit).
    const content = Buffer.from(new PizZip(docx).file("word/document.xml")!.asText(), "utf8");
    notDocx.push(["a bad checksum", letterheadWithDocument({ data: content, method: 0, crc: zlib.crc32(content) ^ 1, size: content.length }), /damaged/]);
    for (const [label, bytes, problem] of notDocx) {
      const result = checkLetterheadTemplate(bytes);
      assert.equal(result.ok, false, label);
      assert.match((result as { problem: string }).problem, problem, label);
    }
  });

  it("refuses a zip bomb without unpacking it all, even when the zip lies about the size", () => {
    // Honest: the zip says document.xml is 30 MB. Refused from the directory alone.
    const honest = Buffer.alloc(30 * 1024 * 1024, 0x20);
    const honestDocx = letterheadWithDocument({ data: zlib.deflateRawSync(honest), method: 8, crc: zlib.crc32(honest), size: honest.length });
    assert.match((checkLetterheadTemplate(honestDocx) as { problem: string }).problem, /unpacks to more than 20 MB/);

    // Lying: the zip says 1,500 bytes, but the part inflates to about 4 GB (a 16 MB run of spaces, flushed and repeated).
    const chunk = zlib.deflateRawSync(Buffer.alloc(16 * 1024 * 1024, 0x20), { level: 9, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    const copies = Math.floor((4.5 * 1024 * 1024) / chunk.length);
    const bomb = Buffer.concat([...Array.from({ length: copies }, () => chunk), Buffer.from([0x03, 0x00])]);
    assert.ok(copies * 16 * 1024 * 1024 > 200 * MAX_UNZIPPED_BYTES, "the bomb is far bigger than the bound");
    const lying = letterheadWithDocument({ data: bomb, method: 8, crc: 0x12345678, size: 1500 });
    assert.ok(lying.length < 5 * 1024 * 1024, "small enough to pass the file-size check");
    const started = process.hrtime.bigint();
    const result = checkLetterheadTemplate(lying);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    assert.equal(result.ok, false);
    assert.match((result as { problem: string }).problem, /unpacks to more than 20 MB/);
    // Unpacking 4 GB takes many seconds (and the memory); stopping at 20 MB takes a fraction of one.
    assert.ok(seconds < 3, `took ${seconds.toFixed(2)} s: it unpacked far more than the bound`);
    assert.throws(() => renderLetterDocx(lying, { paragraphs: ["x"] }), /unpacks to more than 20 MB/);
  });

  it("loads the trust's letterhead, or the shipped one, and names the file and the problem at start-up", () => {
    assert.deepEqual(loadLetterhead(), letterhead());
    assert.deepEqual(loadLetterhead(""), letterhead(), "an empty setting means the shipped letterhead");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "letterhead-"));
    const own = path.join(dir, "our letterhead.docx");
    fs.writeFileSync(
      own,
      withDocumentXml((xml) => xml.replace("Private and confidential", "Strictly private")),
    );
    assert.match(docxText(loadLetterhead(own)), /Strictly private/);
    const broken = path.join(dir, "broken.docx");
    fs.writeFileSync(
      broken,
      withDocumentXml((xml) => xml.replace("{addresseeName}", "{favouriteColour}")),
    );
    assert.throws(
      () => loadLetterhead(broken),
      (error: unknown) =>
        error instanceof LetterheadTemplateError && error.message.includes(broken) && /\{favouriteColour\}, which PALS Desk doesn't fill/.test(error.message),
    );
    const missing = path.join(dir, "missing.docx");
    assert.throws(
      () => loadLetterhead(missing),
      (error: unknown) => error instanceof LetterheadTemplateError && error.message.includes(missing) && /ENOENT/.test(error.message),
    );
  });
});
