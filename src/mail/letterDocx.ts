// Letters as Word documents on the trust's letterhead: the filled plain-text letter (src/domain/letters) poured
// into the trust's .docx template with docxtemplater. The template is the only source of tags and markup: every
// value is text, escaped as XML by docxtemplater and never parsed again as a tag. Templates are untrusted files
// (a trust uploads them): size, zip expansion and tags are checked before docxtemplater reads them.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import Docxtemplater from "docxtemplater";
import InspectModule from "docxtemplater/js/inspect-module";
import PizZip from "pizzip";
import { LETTER_FIELDS, type LetterField } from "../domain/letters/letters";

/** The example letterhead PALS Desk ships (built by src/tools/makeLetterhead.ts); LETTERHEAD_TEMPLATE replaces it. */
export const DEFAULT_LETTERHEAD = path.resolve(__dirname, "..", "..", "cards", "letters", "letterhead.docx");

/** The largest template file accepted. */
export const MAX_TEMPLATE_BYTES = 5 * 1024 * 1024;
/** The most a template may unpack to, all its parts together (a zip bomb stops here, without unpacking the rest). */
export const MAX_UNZIPPED_BYTES = 20 * 1024 * 1024;
/** The most parts (files inside the zip) a template may have. */
export const MAX_PARTS = 1000;

/** The loops a letterhead may use; inside them, `{text}` is the paragraph or signature line. */
export const LETTERHEAD_LOOPS = {
  paragraphs: "the letter's paragraphs, from “Dear …” to “Yours sincerely,”",
  signature: "the lines after “Yours sincerely,”: the officer's name, role and trust",
} as const;

/**
 * What a letter on letterhead is filled with: any letter field as text (a missing one shows its placeholder, e.g.
 * "[trust name]"), the letter's paragraphs and its signature lines. A paragraph's single line breaks become Word
 * line breaks.
 */
export type LetterDocxData = Readonly<Partial<Record<LetterField, string>>> & {
  readonly paragraphs: readonly string[];
  readonly signature?: readonly string[];
};

export class LetterheadTemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LetterheadTemplateError";
  }
}

// --- splitting a filled letter ----------------------------------------------------------------------------

/** A closing such as "Yours sincerely," on a line of its own: what comes after it is the signature. */
const VALEDICTION = /^(yours\s+(sincerely|faithfully|truly)|(with\s+)?(kind(est)?\s+|best\s+|warm\s+)?(regards|wishes)|yours)\s*[,.]?$/i;

/** A date on a line of its own, as the letters write it ("Tuesday 10 March 2026", "10 March 2026"). */
const PLAIN_DATE =
  /^((mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?\d{1,2}(st|nd|rd|th)?\s+(january|february|march|april|may|june|july|august|september|october|november|december),?\s+\d{4}$/i;

/** Lines the letterhead already shows (the date, "Our reference: ..."), left out of the letter's opening. */
function shownByLetterhead(line: string, letterDate: string | undefined): boolean {
  const text = line.trim();
  return text === letterDate || text === `[${LETTER_FIELDS.letterDate}]` || PLAIN_DATE.test(text) || /^(our\s+)?ref(erence)?\s*[:.]/i.test(text);
}

/** The letter as paragraphs (split at blank lines; single line breaks stay inside a paragraph), trailing spaces gone. */
export function letterParagraphs(text: string): string[] {
  return text
    .replace(/\r\n?/g, "\n")
    .split(/\n[ \t]*\n/)
    .map((paragraph) =>
      paragraph
        .split("\n")
        .map((line) => line.trimEnd())
        .join("\n")
        .replace(/^\n+|\n+$/g, ""),
    )
    .filter((paragraph) => paragraph.trim() !== "");
}

/**
 * A filled letter (fillLetter's text) as letterhead data:
 * - the letter fields given (letterView's result will do; only text fields are kept), with the addressee taken from
 *   the letter's "Dear ...," when it isn't given;
 * - the paragraphs from "Dear ..." to "Yours sincerely,": the date and "Our reference" lines at the top are left
 *   out, as the letterhead shows them;
 * - the lines after "Yours sincerely," (or "Yours faithfully,", "Kind regards," ...) as the signature. A letter
 *   without such a closing keeps every paragraph and has no signature lines.
 */
export function letterDocxData(filled: string, fields: Readonly<Partial<Record<LetterField, unknown>>>): LetterDocxData {
  const given: Partial<Record<LetterField, string>> = {};
  for (const name of Object.keys(LETTER_FIELDS) as LetterField[]) {
    const value = fields[name];
    if (typeof value === "string" && value.trim() !== "") given[name] = value;
  }
  const paragraphs = letterParagraphs(filled);
  // The opening lines the letterhead repeats: drop them, paragraph by paragraph, until the first that is not one.
  while (paragraphs.length > 0 && paragraphs[0].split("\n").every((line) => shownByLetterhead(line, given.letterDate))) paragraphs.shift();
  let signature: string[] = [];
  for (let i = paragraphs.length - 1; i > 0; i -= 1) {
    const [first, ...rest] = paragraphs[i].split("\n");
    if (!VALEDICTION.test(first.trim())) continue;
    signature = [...rest, ...paragraphs.slice(i + 1).flatMap((paragraph) => paragraph.split("\n"))].filter((line) => line.trim() !== "");
    paragraphs.splice(i, paragraphs.length - i, first);
    break;
  }
  const salutation = /^Dear\s+(.+?)\s*,?$/i.exec(paragraphs[0]?.split("\n")[0] ?? "")?.[1];
  if (given.addresseeName === undefined && salutation) given.addresseeName = salutation;
  return { ...given, paragraphs, signature };
}

// --- reading a template safely ----------------------------------------------------------------------------

/**
 * What pizzip keeps for an entry it has not unpacked yet (its CompressedObject: pizzip's own, not its typed API;
 * pizzip is pinned). Should a new pizzip keep it differently, every template is refused at start-up, loudly.
 */
interface PackedEntry {
  readonly compressionMethod: string;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly crc32: number;
  getCompressedContent(): unknown;
}

const STORED = "\x00\x00";
const DEFLATED = "\x08\x00";

function packedEntry(file: PizZip.ZipObject): PackedEntry | undefined {
  const data: unknown = (file as unknown as { _data?: unknown })._data;
  if (!data || typeof data !== "object") return undefined;
  const d = data as Partial<PackedEntry>;
  return typeof d.compressionMethod === "string" && typeof d.uncompressedSize === "number" && typeof d.getCompressedContent === "function"
    ? (d as PackedEntry)
    : undefined;
}

function bytesOf(data: unknown): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof Uint8Array) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (typeof data === "string") return Buffer.from(data, "latin1");
  if (Array.isArray(data)) return Buffer.from(data as number[]);
  throw new Error("unreadable zip entry");
}

const megabytes = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, "")} MB`;

type Opened = { ok: true; zip: PizZip } | { ok: false; problem: string };

/**
 * Opens a .docx without trusting it: at most MAX_TEMPLATE_BYTES, at most MAX_PARTS parts, and every part unpacked
 * with zlib under what is left of MAX_UNZIPPED_BYTES (the sizes a zip declares can lie), each checked against its
 * CRC. Returns a fresh zip holding exactly the checked bytes, for docxtemplater.
 */
function openDocx(docx: Buffer): Opened {
  if (docx.length > MAX_TEMPLATE_BYTES) {
    return { ok: false, problem: `The file is ${megabytes(docx.length)}; a letterhead template may be at most ${megabytes(MAX_TEMPLATE_BYTES)}.` };
  }
  let packed: PizZip;
  try {
    // pizzip reads the zip's directory here; it unpacks nothing until asked.
    packed = new PizZip(docx);
  } catch {
    return { ok: false, problem: "The file is not a Word document (.docx): it could not be opened as one. Save it from Word as a .docx and try again." };
  }
  const files = Object.values(packed.files).filter((file) => !file.dir);
  if (files.length > MAX_PARTS) return { ok: false, problem: `The file has ${files.length} parts inside; a Word document has far fewer.` };
  const tooBig = { ok: false, problem: `The file unpacks to more than ${megabytes(MAX_UNZIPPED_BYTES)}; a letterhead template must be smaller.` } as const;
  const declared = files.reduce((sum, file) => sum + (packedEntry(file)?.uncompressedSize ?? 0), 0);
  if (declared > MAX_UNZIPPED_BYTES) return tooBig;
  const clean = new PizZip();
  let total = 0;
  for (const file of files) {
    const entry = packedEntry(file);
    if (!entry) return { ok: false, problem: "The file is not a Word document (.docx): a part inside it could not be read." };
    let content: Buffer;
    try {
      const raw = bytesOf(entry.getCompressedContent());
      if (entry.compressionMethod === STORED) content = raw;
      else if (entry.compressionMethod === DEFLATED) content = zlib.inflateRawSync(raw, { maxOutputLength: Math.max(1, MAX_UNZIPPED_BYTES - total) });
      else return { ok: false, problem: "The file is not a Word document (.docx): it is packed in a way Word doesn't use." };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE" || error instanceof RangeError) return tooBig;
      return { ok: false, problem: "The file is not a Word document (.docx): it is damaged (a part inside it could not be unpacked)." };
    }
    total += content.length;
    if (total > MAX_UNZIPPED_BYTES) return tooBig;
    if (content.length !== entry.uncompressedSize || zlib.crc32(content) !== entry.crc32 >>> 0) {
      return { ok: false, problem: "The file is not a Word document (.docx): it is damaged (a part inside it does not match its checksum)." };
    }
    clean.file(file.name, content, { binary: true, date: file.date, createFolders: false });
  }
  if (!clean.file("word/document.xml") || !clean.file("[Content_Types].xml")) {
    return { ok: false, problem: "The file is not a Word document (.docx): it has no document inside (word/document.xml)." };
  }
  return { ok: true, zip: clean };
}

// --- tags ---------------------------------------------------------------------------------------------------

const isField = (name: string): name is LetterField => Object.prototype.hasOwnProperty.call(LETTER_FIELDS, name);
const isLoop = (name: string): name is keyof typeof LETTERHEAD_LOOPS => Object.prototype.hasOwnProperty.call(LETTERHEAD_LOOPS, name);

/** "[trust name]": what a field with no value shows, as in the plain-text letter. */
const placeholder = (name: string): string => (isField(name) ? `[${LETTER_FIELDS[name]}]` : "");

/** Own properties only: a tag never reaches an object's prototype (`{constructor}`, `{__proto__}`). */
function lookUp(scope: unknown, name: string): unknown {
  if (name === ".") return scope;
  if (scope === null || typeof scope !== "object" || !Object.prototype.hasOwnProperty.call(scope, name)) return undefined;
  return (scope as Record<string, unknown>)[name];
}

interface TagPart {
  readonly type?: unknown;
  readonly value?: unknown;
  readonly module?: unknown;
  readonly inverted?: unknown;
  readonly subparsed?: unknown;
}

/** What is wrong with the template's tags, or undefined: only letter fields, the two loops and {text} inside them. */
function tagProblem(parts: readonly TagPart[], insideLoop: string | undefined, found: Set<string>): string | undefined {
  for (const part of parts) {
    if (part.type !== "placeholder") continue;
    const name = typeof part.value === "string" ? part.value : "";
    if (part.module === "loop") {
      const opening = part.inverted === true ? "^" : "#";
      if (!(isLoop(name) || isField(name)) || (isLoop(name) && insideLoop !== undefined)) {
        return `The template has the section {${opening}${name}}, which PALS Desk doesn't fill. It can repeat {#paragraphs}{text}{/paragraphs} and {#signature}{text}{/signature}, once each, or show a part only when a field has a value ({#phsoName}...{/phsoName}).`;
      }
      found.add(name);
      const inner = Array.isArray(part.subparsed) ? (part.subparsed as TagPart[]) : [];
      const problem = tagProblem(inner, isLoop(name) ? name : insideLoop, found);
      if (problem) return problem;
      continue;
    }
    if (part.module !== undefined) {
      return `The template has the tag {${part.module === "rawxml" ? "@" : ""}${name}}, which PALS Desk doesn't allow: letters are filled with plain text only.`;
    }
    if (isField(name) || (name === "text" && insideLoop !== undefined)) {
      found.add(name);
      continue;
    }
    const known = `${Object.keys(LETTER_FIELDS)
      .map((field) => `{${field}}`)
      .join(", ")}, and {text} inside {#paragraphs} or {#signature}`;
    return `The template has the tag {${name}}, which PALS Desk doesn't fill. The tags it fills are ${known}.`;
  }
  return undefined;
}

/** docxtemplater's own description of what is wrong (an unclosed tag, a loop never closed...), in a sentence or two. */
function templaterProblem(error: unknown): string {
  const explain = (e: unknown): string | undefined => {
    const properties = (e as { properties?: { explanation?: unknown } } | undefined)?.properties;
    return typeof properties?.explanation === "string" ? properties.explanation : undefined;
  };
  const inner = (error as { properties?: { errors?: unknown } } | undefined)?.properties?.errors;
  const all = (Array.isArray(inner) ? (inner as unknown[]).map(explain) : [explain(error)]).filter((e): e is string => e !== undefined);
  const unique = [...new Set(all)];
  if (unique.length === 0) return `The template's tags could not be read (${error instanceof Error ? error.message : "unknown error"}).`;
  const shown = unique.slice(0, 3).map((e) => e.replace(/\.?$/, "."));
  return `The template's tags have a mistake: ${shown.join(" ")}${unique.length > 3 ? ` (and ${unique.length - 3} more)` : ""}`;
}

type Compiled = { ok: true; doc: Docxtemplater<PizZip> } | { ok: false; problem: string };

/** Opens and compiles a template, checking its tags; the same path for the start-up check and every letter. */
function compile(template: Buffer): Compiled {
  const opened = openDocx(template);
  if (!opened.ok) return opened;
  const inspect = new InspectModule();
  let doc: Docxtemplater<PizZip>;
  try {
    doc = new Docxtemplater(opened.zip, {
      modules: [inspect],
      paragraphLoop: true,
      linebreaks: true,
      stripInvalidXMLChars: true,
      errorLogging: false,
      // No "{=[[ ]]=}" delimiter changes: the tags a trust writes are the ones PALS Desk lists.
      syntax: { changeDelimiterPrefix: null },
      parser: (tag: string) => {
        const name = tag.trim();
        return { get: (scope: unknown) => lookUp(scope, name) };
      },
      nullGetter: (part) => (part.module ? "" : placeholder(String(part.value).trim())),
    });
  } catch (error) {
    return { ok: false, problem: templaterProblem(error) };
  }
  const found = new Set<string>();
  const problem = tagProblem(inspect.getAllStructuredTags() as TagPart[], undefined, found);
  if (problem) return { ok: false, problem };
  if (!found.has("paragraphs")) {
    return {
      ok: false,
      problem:
        "The template has no {#paragraphs}{text}{/paragraphs}, so the letter's text would be missing. Put {#paragraphs}, {text} and {/paragraphs} in three paragraphs of their own where the letter goes.",
    };
  }
  return { ok: true, doc };
}

/** Is this .docx usable as the trust's letterhead? A plain-English problem when not. */
export function checkLetterheadTemplate(docx: Buffer): { ok: true } | { ok: false; problem: string } {
  const compiled = compile(docx);
  return compiled.ok ? { ok: true } : { ok: false, problem: compiled.problem };
}

// --- rendering ----------------------------------------------------------------------------------------------

/** Characters XML 1.0 cannot hold (control characters, lone surrogates, U+FFFE/U+FFFF): dropped from values. */
const NOT_XML_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** A value as Word text: one kind of line break, nothing XML cannot hold. Data only: it is never read for tags. */
function cleanText(value: string): string {
  return value.replace(/\r\n?/g, "\n").replace(NOT_XML_CHAR, "");
}

/** The template's data: letter fields (blank ones left out, so they show their placeholder), the two loops. */
function templateData(letter: LetterDocxData): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const name of Object.keys(LETTER_FIELDS) as LetterField[]) {
    const value = letter[name];
    if (typeof value === "string" && value.trim() !== "") data[name] = cleanText(value);
  }
  data.paragraphs = letter.paragraphs.map((text) => ({ text: cleanText(text) }));
  data.signature = (letter.signature ?? []).map((text) => ({ text: cleanText(text) }));
  return data;
}

/** The letter on the trust's letterhead, as .docx bytes. Throws LetterheadTemplateError when the template can't be used. */
export function renderLetterDocx(template: Buffer, letter: LetterDocxData): Buffer {
  const compiled = compile(template);
  if (!compiled.ok) throw new LetterheadTemplateError(compiled.problem);
  try {
    compiled.doc.render(templateData(letter));
  } catch (error) {
    throw new LetterheadTemplateError(templaterProblem(error));
  }
  return compiled.doc.toBuffer({ compression: "DEFLATE" });
}

/** Reads the trust's letterhead (LETTERHEAD_TEMPLATE) or the shipped example and checks it, for start-up. */
export function loadLetterhead(file?: string): Buffer {
  const where = file && file.trim() !== "" ? path.resolve(file) : DEFAULT_LETTERHEAD;
  const fail = (problem: string) => new LetterheadTemplateError(`The letterhead template ${where} can't be used. ${problem}`);
  let docx: Buffer;
  try {
    const size = fs.statSync(where).size;
    if (size > MAX_TEMPLATE_BYTES) throw fail(`The file is ${megabytes(size)}; a letterhead template may be at most ${megabytes(MAX_TEMPLATE_BYTES)}.`);
    docx = fs.readFileSync(where);
  } catch (error) {
    if (error instanceof LetterheadTemplateError) throw error;
    throw fail(`It could not be read (${(error as NodeJS.ErrnoException).code ?? "error"}).`);
  }
  const checked = checkLetterheadTemplate(docx);
  if (!checked.ok) throw fail(checked.problem);
  return docx;
}

// --- reading a document back ----------------------------------------------------------------------------------

const XML_NAME = String.raw`[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?`;
const TOKEN = new RegExp(
  String.raw`<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!\[CDATA\[([\s\S]*?)\]\]>|<!|</(${XML_NAME})\s*>|<(${XML_NAME})((?:\s+${XML_NAME}\s*=\s*(?:"[^<"]*"|'[^<']*'))*)\s*(/?)>|<|[^<]+`,
  "y",
);
const ENTITY = /&(?:(amp|lt|gt|quot|apos)|#([0-9]+)|#x([0-9a-fA-F]+));|&/g;
const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
const BAD_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** Text with its entities resolved; throws on a bare "&", an unknown entity or a character XML cannot hold. */
function xmlText(raw: string, where: string): string {
  if (BAD_CHAR.test(raw)) throw new Error(`${where}: a character XML cannot hold`);
  return raw.replace(ENTITY, (match: string, named?: string, dec?: string, hex?: string) => {
    if (named) return NAMED[named];
    if (dec === undefined && hex === undefined) throw new Error(`${where}: a bare "&" or an unknown entity`);
    const code = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex!, 16);
    const char = code <= 0x10ffff ? String.fromCodePoint(code) : "";
    if (char === "" || BAD_CHAR.test(char) || (code >= 0xd800 && code <= 0xdfff)) throw new Error(`${where}: ${match} is not a character`);
    return char;
  });
}

/**
 * The visible text of one WordprocessingML part, one line per paragraph; strict: throws when the part is not
 * well-formed XML (tags that don't match, text XML cannot hold, a bare "&", "]]>" in text, a DOCTYPE).
 */
function partText(xml: string, where: string): string[] {
  const lines: string[] = [];
  const open: string[] = [];
  const paragraphs: string[] = [];
  /** Inside mc:Fallback (a copy of mc:Choice for old readers), w:instrText (field codes) or w:delText: not shown. */
  let hidden = 0;
  let roots = 0;
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < xml.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(xml);
    if (!m || m[0] === "<" || m[0] === "<!") throw new Error(`${where}: not well-formed XML at character ${at}`);
    const [token, cdata, closing, opening, attributes, selfClosing] = m;
    if (token.startsWith("<?") || token.startsWith("<!--")) continue;
    if (opening !== undefined) {
      if (open.length === 0 && (roots += 1) > 1) throw new Error(`${where}: more than one root element`);
      xmlText(attributes ?? "", where);
      const parent = open[open.length - 1];
      if (selfClosing) {
        if (hidden === 0 && paragraphs.length > 0 && parent === "w:r") {
          if (opening === "w:br" || opening === "w:cr") paragraphs[paragraphs.length - 1] += "\n";
          if (opening === "w:tab") paragraphs[paragraphs.length - 1] += "\t";
        }
        if (opening === "w:p" && hidden === 0) lines.push("");
        continue;
      }
      open.push(opening);
      if (opening === "mc:Fallback" || opening === "w:instrText" || opening === "w:delText") hidden += 1;
      if (opening === "w:p") paragraphs.push("");
      continue;
    }
    if (closing !== undefined) {
      if (open.pop() !== closing) throw new Error(`${where}: </${closing}> does not close the element that is open`);
      if (closing === "mc:Fallback" || closing === "w:instrText" || closing === "w:delText") hidden -= 1;
      if (closing === "w:p") {
        const text = paragraphs.pop() ?? "";
        if (hidden === 0) lines.push(text);
      }
      continue;
    }
    // Character data (or a CDATA section).
    if (open.length === 0) {
      if (token.trim() !== "" || cdata !== undefined) throw new Error(`${where}: text outside the root element`);
      continue;
    }
    if (cdata === undefined && token.includes("]]>")) throw new Error(`${where}: "]]>" in text`);
    const text = cdata !== undefined ? cdata : xmlText(token, where);
    if (cdata !== undefined && BAD_CHAR.test(cdata)) throw new Error(`${where}: a character XML cannot hold`);
    // Word shows a line break typed inside w:t as a space: only <w:br/> breaks a line.
    if (hidden === 0 && open[open.length - 1] === "w:t" && paragraphs.length > 0) paragraphs[paragraphs.length - 1] += text.replace(/\r\n?|\n/g, " ");
  }
  if (open.length > 0) throw new Error(`${where}: <${open[open.length - 1]}> is never closed`);
  if (roots !== 1) throw new Error(`${where}: no root element`);
  return lines;
}

const partNumber = (name: string): number => Number(/(\d+)\.xml$/.exec(name)?.[1] ?? 0);

/**
 * The document's visible text: its headers, its body and its footers, one line per paragraph (a line break inside
 * a paragraph is a "\n" too). Throws when the file can't be opened or a part is not well-formed XML, so it is also
 * a check that a rendered letter is sound.
 */
export function docxText(docx: Buffer): string {
  const opened = openDocx(docx);
  if (!opened.ok) throw new Error(opened.problem);
  const zip = opened.zip;
  const named = (pattern: RegExp) =>
    Object.keys(zip.files)
      .filter((name) => pattern.test(name))
      .sort((a, b) => partNumber(a) - partNumber(b));
  const parts = [...named(/^word\/header\d*\.xml$/), "word/document.xml", ...named(/^word\/footer\d*\.xml$/)];
  return parts.flatMap((name) => partText(zip.file(name)!.asText(), name)).join("\n");
}
