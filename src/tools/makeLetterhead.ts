import fs from "node:fs";
import path from "node:path";
import PizZip from "pizzip";

/**
 * Writes the example letterhead once; cards/letters/letterhead.docx is committed. A trust replaces it with its own
 * Word file (LETTERHEAD_TEMPLATE) or edits a copy of it in Word. Run again after changing the XML below:
 * `npx tsx src/tools/makeLetterhead.ts`. The output is byte-for-byte the same on every run (fixed dates).
 *
 * Hand-written, minimal WordprocessingML: A4, Arial 11 pt, the trust's name and PALS address in the header, the
 * switchboard in the footer, and docxtemplater tags for what PALS Desk fills in (see src/mail/letterDocx.ts).
 * Every tag sits whole in one run, and each loop tag in a paragraph of its own (docxtemplater's paragraphLoop), so
 * every paragraph of the letter becomes one Word paragraph.
 */

const W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

/** NHS blue and the NHS identity's dark grey. */
const BLUE = "005EB8";
const GREY = "425563";

/** Text for a w:t: the few characters XML needs escaped (the text here is ours, but stay correct). */
const esc = (text: string): string => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** One paragraph: an optional style, optional extra paragraph properties (schema order) and one run of text. */
function p(text: string, { style, pPr = "", bold = false }: { style?: string; pPr?: string; bold?: boolean } = {}): string {
  const props = `${style ? `<w:pStyle w:val="${style}"/>` : ""}${pPr}`;
  const run = text === "" ? "" : `<w:r>${bold ? "<w:rPr><w:b/></w:rPr>" : ""}<w:t xml:space="preserve">${esc(text)}</w:t></w:r>`;
  return `<w:p>${props ? `<w:pPr>${props}</w:pPr>` : ""}${run}</w:p>`;
}

const CONTENT_TYPES = `${XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>
<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>
<Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/>
<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>
</Types>`;

const PACKAGE_RELS = `${XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
</Relationships>`;

const DOCUMENT_RELS = `${XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/>
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/>
<Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/>
</Relationships>`;

/** Word 2013+ mode (without it Word opens the file in Compatibility Mode) and British English proofing. */
const SETTINGS = `${XML}<w:settings xmlns:w="${W}">
<w:defaultTabStop w:val="720"/>
<w:characterSpacingControl w:val="doNotCompress"/>
<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>
<w:themeFontLang w:val="en-GB"/>
</w:settings>`;

const STYLES = `${XML}<w:styles xmlns:w="${W}">
<w:docDefaults>
<w:rPrDefault><w:rPr><w:rFonts w:ascii="Arial" w:hAnsi="Arial" w:eastAsia="Arial" w:cs="Arial"/><w:sz w:val="22"/><w:szCs w:val="22"/><w:lang w:val="en-GB" w:eastAsia="en-GB" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>
<w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="264" w:lineRule="auto"/></w:pPr></w:pPrDefault>
</w:docDefaults>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>
<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont"><w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/><w:unhideWhenUsed/></w:style>
<w:style w:type="paragraph" w:styleId="BodyText"><w:name w:val="Body Text"/><w:basedOn w:val="Normal"/><w:qFormat/><w:pPr><w:spacing w:after="220"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Header"><w:name w:val="header"/><w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="right"/></w:pPr><w:rPr><w:color w:val="${GREY}"/><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Footer"><w:name w:val="footer"/><w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="center"/></w:pPr><w:rPr><w:color w:val="${GREY}"/><w:sz w:val="16"/><w:szCs w:val="16"/></w:rPr></w:style>
<w:style w:type="paragraph" w:customStyle="1" w:styleId="TrustName"><w:name w:val="Trust Name"/><w:basedOn w:val="Header"/><w:qFormat/><w:rPr><w:b/><w:bCs/><w:color w:val="${BLUE}"/><w:sz w:val="32"/><w:szCs w:val="32"/></w:rPr></w:style>
<w:style w:type="paragraph" w:customStyle="1" w:styleId="ServiceName"><w:name w:val="Service Name"/><w:basedOn w:val="Header"/><w:qFormat/><w:pPr><w:spacing w:after="80"/></w:pPr><w:rPr><w:b/><w:bCs/><w:color w:val="${BLUE}"/><w:sz w:val="22"/><w:szCs w:val="22"/></w:rPr></w:style>
<w:style w:type="paragraph" w:customStyle="1" w:styleId="LetterSignature"><w:name w:val="Letter Signature"/><w:basedOn w:val="Normal"/><w:qFormat/></w:style>
</w:styles>`;

/** The letterhead: the trust's name, the service, and the PALS address block the trust fills in once, ruled off in NHS blue. */
const HEADER = `${XML}<w:hdr xmlns:w="${W}" xmlns:r="${R}">
${p("{trustName}", { style: "TrustName" })}
${p("Patient Advice and Liaison Service", { style: "ServiceName" })}
${p("[PALS address, first line]", { style: "Header" })}
${p("[Town]  [Postcode]", { style: "Header" })}
${p("Telephone: [PALS telephone number]", { style: "Header" })}
${p("Email: [PALS email address]", {
  style: "Header",
  pPr: `<w:pBdr><w:bottom w:val="single" w:sz="8" w:space="6" w:color="${BLUE}"/></w:pBdr><w:spacing w:after="360"/>`,
})}
</w:hdr>`;

const FOOTER = `${XML}<w:ftr xmlns:w="${W}" xmlns:r="${R}">
${p("{trustName}  |  Switchboard: [switchboard telephone number]  |  [trust website]", { style: "Footer" })}
</w:ftr>`;

/**
 * The letter: date, reference, the addressee, the letter's paragraphs (from the filled template, salutation to
 * "Yours sincerely,"), room to sign, then the signature lines (the officer's name, role and trust).
 */
const DOCUMENT = `${XML}<w:document xmlns:w="${W}" xmlns:r="${R}">
<w:body>
${p("Date: {letterDate}")}
${p("Our reference: {reference}", { pPr: '<w:spacing w:after="440"/>' })}
${p("Private and confidential", { bold: true })}
${p("{addresseeName}", { pPr: '<w:spacing w:after="440"/>' })}
${p("{#paragraphs}")}
${p("{text}", { style: "BodyText" })}
${p("{/paragraphs}")}
${p("", { pPr: '<w:spacing w:after="480"/>' })}
${p("{#signature}")}
${p("{text}", { style: "LetterSignature" })}
${p("{/signature}")}
<w:sectPr>
<w:headerReference w:type="default" r:id="rId3"/>
<w:footerReference w:type="default" r:id="rId4"/>
<w:pgSz w:w="11906" w:h="16838"/>
<w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1418" w:header="567" w:footer="567" w:gutter="0"/>
<w:cols w:space="708"/>
</w:sectPr>
</w:body>
</w:document>`;

/** The parts, in the order Word writes them ([Content_Types].xml first). */
export const LETTERHEAD_PARTS: readonly (readonly [string, string])[] = [
  ["[Content_Types].xml", CONTENT_TYPES],
  ["_rels/.rels", PACKAGE_RELS],
  ["word/document.xml", DOCUMENT],
  ["word/_rels/document.xml.rels", DOCUMENT_RELS],
  ["word/styles.xml", STYLES],
  ["word/settings.xml", SETTINGS],
  ["word/header1.xml", HEADER],
  ["word/footer1.xml", FOOTER],
];

/** A fixed date for every entry (local time, as zip stores it), so the committed file only changes when the XML does. */
const FIXED_DATE = new Date(2026, 0, 1);

/** The example letterhead as .docx bytes. */
export function letterheadDocx(): Buffer {
  const zip = new PizZip();
  for (const [name, xml] of LETTERHEAD_PARTS) zip.file(name, xml, { date: FIXED_DATE, createFolders: false });
  return zip.generate({ type: "nodebuffer", compression: "DEFLATE", platform: "DOS" });
}

export const LETTERHEAD_FILE = path.resolve(__dirname, "..", "..", "cards", "letters", "letterhead.docx");

if (require.main === module) {
  fs.writeFileSync(LETTERHEAD_FILE, letterheadDocx());
  process.stdout.write(`Wrote ${LETTERHEAD_FILE}\n`);
}
