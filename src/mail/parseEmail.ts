// An email to the PALS team's shared mailbox, read from its raw MIME (Microsoft Graph's `$value`, or an .eml file in
// the local folder) into what PALS Desk keeps of it (ParsedEmail). Mail comes from anyone on the internet: reading
// it never throws, never takes more than bounded memory and time, and gives only plain text and bounded fields.
//
// mailparser (streaming, not simpleParser) reads the MIME. Its own limits are kept or tightened: a part's header
// block at most HEAD_BYTES, at most MIME_PARTS parts. Read here as well: parts nested deeper than MIME_DEPTH stop
// the reading (each line is checked against every open multipart's boundary, so depth multiplies the work); text
// parts beyond TEXT_PART_BYTES are not passed on (mailparser keeps them in memory whole); and the whole reading
// stops after PARSE_TIME_MS. mailparser never converts HTML to text itself (it would walk deep markup recursively):
// the domain's depth-safe converter does.
import { createHash } from "node:crypto";
import { MailParser, type AddressObject, type AttachmentStream, type EmailAddress, type HeaderLines, type Headers, type MessageText } from "mailparser";
import { htmlToPlainText } from "../domain/case/plainText";
import { automaticKind } from "../domain/inbox/automatic";
import { EMAIL_LIMITS, type ParsedAttachment, type ParsedEmail } from "../domain/inbox/email";
import { attachmentRefusal, safeAttachmentName } from "./attachmentChecks";

/** A MIME part's header block at most (Exchange Online accepts headers up to 256 KB). */
const HEAD_BYTES = 256 * 1024;
/** MIME parts at most (mailsplit's own default): EMAIL_LIMITS.attachments and their text parts, many times over. */
const MIME_PARTS = 1000;
/** Multiparts nested at most. Real mail nests a few levels (a forwarded email in a reply adds two or three). */
const MIME_DEPTH = 32;
/** Raw bytes of text and HTML parts passed to mailparser at most, together; the rest is cut (textCut). */
const TEXT_PART_BYTES = 8 * 1024 * 1024;
/** HTML converted to text at most, in characters: far more markup than EMAIL_LIMITS.text of text needs. */
const HTML_CHARS = 2_000_000;
/** The whole reading at most; a message still being read then is kept as malformed with what was read. */
const PARSE_TIME_MS = 20_000;
/** Bytes written to the parser at a time (it reads 64 KB at a time itself). */
const FEED_BYTES = 64 * 1024;
/** First bytes kept of every attachment, to know a program by its content when the rest is not kept. */
const HEAD_OF_CONTENT = 64;
/** A header value read at most (the decision on automatic mail and the ids read raw header values). */
const HEADER_VALUE_CHARS = 4000;
const ADDRESSES = 100;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Reads an email from its raw MIME. Never throws: MIME that can't be read gives `unreadable: "malformed"` with
 * whatever could be read; an email larger than EMAIL_LIMITS.rawBytes gives `unreadable: "too-large"` with its
 * headers only. `receivedAt` is the mailbox's received time when known; `now` when PALS Desk read it.
 */
export async function parseEmail(raw: Buffer, options: { receivedAt?: Date; now: Date }): Promise<ParsedEmail> {
  const tooLarge = raw.length > EMAIL_LIMITS.rawBytes;
  const source = withoutMboxLine(tooLarge ? headerBlock(raw) : raw);
  try {
    return emailOf(raw, await readMime(source), options, tooLarge);
  } catch {
    // Not expected (readMime resolves whatever it meets): the email is still kept, as unreadable.
    return emailOf(raw, emptyRead(true), options, tooLarge);
  }
}

// --- reading the MIME ----------------------------------------------------------------------------

interface Base64Check {
  /** Position in the current quartet of base64 characters. */
  quartet: number;
  invalid: boolean;
}

interface CollectedAttachment {
  readonly filename?: string;
  readonly contentType: string;
  readonly cid?: string;
  /** Shown in the text rather than attached (inline, or part of multipart/related). */
  readonly inline: boolean;
  readonly partId: string;
  size: number;
  head: Buffer;
  /** Undefined once the content is not kept (too large, or too many attachments before it). */
  chunks?: Buffer[];
  failed: boolean;
}

interface MimeRead {
  headers?: Headers;
  headerLines?: HeaderLines;
  text?: string;
  html?: string;
  attachments: CollectedAttachment[];
  partTypes: string[];
  /** The message's own boundary when it is a multipart (false: it declares none). */
  rootBoundary?: Buffer | false;
  /** Parts found directly under the message. */
  rootParts: number;
  /** Base64 parts whose encoding is broken, by part id. */
  undecodable: Set<string>;
  textCut: boolean;
  malformed: boolean;
}

function emptyRead(malformed: boolean): MimeRead {
  return { attachments: [], partTypes: [], rootParts: 0, undecodable: new Set(), textCut: false, malformed };
}

/** mailsplit's MIME node as mailparser's (internal) processChunk receives it; only read here. */
interface SplitNode {
  readonly type: "node";
  readonly root?: boolean;
  readonly contentType?: string | false;
  readonly encoding?: string | false;
  readonly disposition?: string | false;
  readonly multipart?: string | false;
  readonly partNr?: readonly (number | string)[] | false;
  readonly parentNode?: SplitNode | false;
  readonly _parentBoundary?: Buffer | false;
  readonly _boundary?: Buffer | false;
}
type SplitChunk = SplitNode | { readonly type: "body" | "data"; readonly node?: SplitNode; readonly value?: Buffer };
interface ParserInternals {
  processChunk?: (data: SplitChunk, done: (err?: Error | null) => void) => void;
}

/** Base64 alphabet: 1 for a character, 2 for padding, 3 for whitespace, 0 for anything else. */
const BASE64_CLASS = (() => {
  const table = new Uint8Array(256);
  for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") table[c.charCodeAt(0)] = 1;
  table[0x3d] = 2;
  for (const c of [0x09, 0x0a, 0x0d, 0x20]) table[c] = 3;
  return table;
})();

function checkBase64(check: Base64Check, bytes: Buffer): void {
  if (check.invalid) return;
  let quartet = check.quartet;
  for (let i = 0; i < bytes.length; i++) {
    const kind = BASE64_CLASS[bytes[i]!]!;
    if (kind === 0) {
      check.invalid = true;
      return;
    }
    if (kind !== 3) quartet = (quartet + 1) & 3;
  }
  check.quartet = quartet;
}

/** The IMAP-style part id mailparser gives the attachment of this node ("" for the root). */
function partIdOf(node: SplitNode): string {
  if (!node._parentBoundary) return "";
  return (node.partNr || []).filter((nr) => typeof nr === "number").join(".");
}

function depthOf(node: SplitNode, limit: number): number {
  let depth = 0;
  for (let parent = node.parentNode; parent && depth <= limit; parent = parent.parentNode) depth++;
  return depth;
}

function isTextNode(node: SplitNode): boolean {
  const type = node.contentType || "text/plain";
  return !node.multipart && (type === "text/plain" || type === "text/html") && (!node.disposition || node.disposition === "inline");
}

/** Reads MIME with mailparser, within the bounds above; resolves (never rejects) with what was read. */
function readMime(raw: Buffer): Promise<MimeRead> {
  const read = emptyRead(false);
  const parser = new MailParser({
    skipHtmlToText: true,
    skipTextToHtml: true,
    skipTextLinks: true,
    skipImageLinks: true,
    keepDeliveryStatus: true,
    checksumAlgo: false,
    maxHeadSize: HEAD_BYTES,
    maxChildNodes: MIME_PARTS,
  });

  let stopped = false;
  let stop: (malformed: boolean) => void = () => undefined;
  const finished = new Promise<MimeRead>((resolve) => {
    stop = (malformed) => {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      read.malformed ||= malformed;
      resolve(read);
      if (malformed) parser.destroy();
    };
  });
  const timer = setTimeout(() => stop(true), PARSE_TIME_MS);
  timer.unref();

  // Watched on their way into mailparser (its processChunk, an internal of mailparser 3.14): each part's type,
  // depth and base64 encoding, and the text parts' size. Without it the reading still works, less watched.
  const internals = parser as unknown as ParserInternals;
  const passOn = internals.processChunk?.bind(parser);
  if (passOn) {
    const base64 = new Map<SplitNode, Base64Check>();
    let textBytes = 0;
    internals.processChunk = (data, done) => {
      if (stopped) return;
      if (data.type === "node") {
        if (data.contentType && read.partTypes.length < MIME_PARTS) read.partTypes.push(data.contentType);
        if (data.root) read.rootBoundary = data.multipart ? (data._boundary ?? false) : undefined;
        else if (data.parentNode && data.parentNode.root) read.rootParts++;
        if (depthOf(data, MIME_DEPTH) > MIME_DEPTH) return stop(true);
        if (data.encoding === "base64" && !isTextNode(data)) base64.set(data, { quartet: 0, invalid: false });
      } else if (data.type === "body" && data.node && data.value) {
        const check = base64.get(data.node);
        if (check) checkBase64(check, data.value);
        if (isTextNode(data.node)) {
          textBytes += data.value.length;
          if (textBytes > TEXT_PART_BYTES) {
            read.textCut = true;
            setImmediate(done);
            return;
          }
        }
      }
      passOn(data, done);
    };
    parser.once("end", () => {
      for (const [node, check] of base64) if (check.invalid || check.quartet !== 0) read.undecodable.add(partIdOf(node));
    });
  }

  let listed = 0;
  parser.on("headers", (headers: Headers) => (read.headers = headers));
  parser.on("headerLines", (lines: HeaderLines) => (read.headerLines = lines));
  parser.on("data", (data: AttachmentStream | MessageText) => {
    if (data.type === "text") {
      if (typeof data.text === "string") read.text = data.text;
      if (typeof data.html === "string") read.html = data.html;
      return;
    }
    const attachment: CollectedAttachment = {
      ...(data.filename ? { filename: data.filename } : {}),
      contentType: (data.contentType || "application/octet-stream").toLowerCase(),
      ...(data.cid ? { cid: data.cid } : {}),
      inline: data.contentDisposition === "inline" || data.related === true,
      partId: data.partId ?? "",
      size: 0,
      head: Buffer.alloc(0),
      failed: false,
    };
    // Content is kept for the attachments that can be listed; an inline picture may turn out not to be listed.
    const mayBeListed = attachment.contentType !== "message/delivery-status";
    if (mayBeListed && !(attachment.cid && attachment.inline)) listed++;
    if (mayBeListed && (listed <= EMAIL_LIMITS.attachments || (attachment.cid && attachment.inline))) attachment.chunks = [];
    if (read.attachments.length < MIME_PARTS) read.attachments.push(attachment);
    const release = () => data.release?.();
    data.content.on("data", (chunk: Buffer) => {
      if (attachment.head.length < HEAD_OF_CONTENT)
        attachment.head = Buffer.concat([attachment.head, chunk.subarray(0, HEAD_OF_CONTENT - attachment.head.length)]);
      attachment.size += chunk.length;
      if (attachment.chunks && attachment.size <= EMAIL_LIMITS.attachmentBytes) attachment.chunks.push(chunk);
      else delete attachment.chunks;
    });
    data.content.once("end", release);
    data.content.on("error", () => {
      attachment.failed = true;
      delete attachment.chunks;
      release();
    });
  });
  // Every error, not only the first: a destroyed parser's streams may report again, and an error nobody listens to
  // would end the process.
  parser.on("error", () => stop(true));
  parser.once("end", () => stop(false));

  void (async () => {
    try {
      for (let at = 0; at < raw.length && !stopped; at += FEED_BYTES) {
        if (!parser.write(raw.subarray(at, at + FEED_BYTES))) {
          await Promise.race([new Promise((resolve) => parser.once("drain", resolve)), finished]);
        }
      }
      if (!stopped) parser.end();
    } catch {
      stop(true);
    }
  })();
  return finished;
}

/** The header block of a message too large to read: up to its first empty line, when that is near the start. */
function headerBlock(raw: Buffer): Buffer {
  const window = raw.subarray(0, HEAD_BYTES);
  const crlf = window.indexOf("\r\n\r\n");
  const lf = window.indexOf("\n\n");
  const ends = [crlf < 0 ? -1 : crlf + 4, lf < 0 ? -1 : lf + 2].filter((at) => at > 0);
  return ends.length ? raw.subarray(0, Math.min(...ends)) : Buffer.alloc(0);
}

/** An .eml saved from an mbox file starts with a "From sender date" line, which is not a header. */
function withoutMboxLine(raw: Buffer): Buffer {
  if (!raw.subarray(0, 5).equals(Buffer.from("From "))) return raw;
  const end = raw.indexOf("\n");
  return end < 0 ? Buffer.alloc(0) : raw.subarray(end + 1);
}

// --- what is kept --------------------------------------------------------------------------------

function emailOf(raw: Buffer, read: MimeRead, options: { receivedAt?: Date; now: Date }, tooLarge: boolean): ParsedEmail {
  const headers = rawHeaders(read.headerLines);
  const messageId = messageIdOf(headers.get("message-id")) ?? hashId(raw);
  const from = fromOf(read.headers?.get("from"));
  const subject = oneLine(typeof read.headers?.get("subject") === "string" ? (read.headers.get("subject") as string) : "", EMAIL_LIMITS.subject);
  const broken = !tooLarge && brokenStructure(raw, read);
  // A multipart whose parts could not be found: its body, as text, is what could be read of it.
  const body = tooLarge ? { text: "", cut: false } : textOf(broken && !read.text?.trim() && !read.html ? { ...read, text: rawBody(raw) } : read);
  const inReplyTo = messageIdOf(headers.get("in-reply-to"));
  const automatic = automaticKind({
    headers,
    subject,
    ...(from?.address ? { from: from.address } : {}),
    ...(headers.has("content-type") ? { contentType: headers.get("content-type")! } : {}),
    partTypes: read.partTypes,
  });
  const malformed = !tooLarge && (read.malformed || broken || badHeaderLines(read.headerLines));
  return {
    messageId,
    ...(from ? { from } : {}),
    to: addressesOf(read.headers?.get("to")),
    subject,
    receivedAt: receivedAtOf(headers.get("date"), options),
    text: body.text,
    textCut: body.cut,
    ...(inReplyTo ? { inReplyTo } : {}),
    references: referencesOf(headers.get("references")),
    ...(automatic ? { automatic } : {}),
    attachments: tooLarge ? [] : attachmentsOf(read),
    ...(tooLarge ? { unreadable: "too-large" as const } : malformed ? { unreadable: "malformed" as const } : {}),
  };
}

/** The message's own header lines, unfolded, by lower-case name (the first when repeated), each bounded. */
function rawHeaders(lines: HeaderLines | undefined): Map<string, string> {
  const headers = new Map<string, string>();
  for (const { key, line } of lines ?? []) {
    if (!key || headers.has(key)) continue;
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    headers.set(
      key,
      line
        .slice(colon + 1, colon + 1 + HEADER_VALUE_CHARS)
        .replace(/\r?\n[ \t]+/g, " ")
        .replace(/\r?\n/g, "")
        .trim(),
    );
  }
  return headers;
}

/** A root multipart with no boundary, no part under it, or no closing delimiter (the message was cut short). */
function brokenStructure(raw: Buffer, read: MimeRead): boolean {
  if (read.rootBoundary === undefined) return false;
  if (read.rootBoundary === false || read.rootParts === 0) return true;
  return raw.indexOf(Buffer.concat([Buffer.from("--"), read.rootBoundary, Buffer.from("--")])) < 0;
}

/** The body after the header block, read as UTF-8 (bounded): for a message whose structure is broken. */
function rawBody(raw: Buffer): string {
  const crlf = raw.indexOf("\r\n\r\n");
  const lf = raw.indexOf("\n\n");
  const start = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf + 4 : lf >= 0 ? lf + 2 : raw.length;
  return raw.toString("utf8", start, Math.min(raw.length, start + EMAIL_LIMITS.text * 4));
}

/** Header lines that are not `Name: value` (RFC 5322: printable ASCII, no colon, in the name). */
function badHeaderLines(lines: HeaderLines | undefined): boolean {
  if (!lines || lines.length === 0) return true;
  return lines.some(({ key, line }) => !/^[\x21-\x39\x3b-\x7e]+$/.test(key) || !/^[\x21-\x39\x3b-\x7e]+[ \t]*:/.test(line));
}

function hashId(raw: Buffer): string {
  return `<sha256-${createHash("sha256").update(raw).digest("hex")}@pals-desk.invalid>`;
}

// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;
/** Bidirectional overrides and isolates: they make text read differently from what it holds. */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** One line of text: control characters gone, whitespace collapsed, at most `max` characters. */
function oneLine(value: string, max: number): string {
  const line = safeSlice(value, max * 4)
    .replace(BIDI, "")
    .replace(CONTROLS, " ")
    .replace(/\s+/g, " ")
    .trim();
  return line.length <= max ? line : `${safeSlice(line, max - 1).trimEnd()}…`;
}

/** At most `max` UTF-16 units, never half a surrogate pair. */
function safeSlice(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

/** A message id as `<...>`: the first one in the value, no whitespace or controls; a hash of it when too long. */
function messageIdOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const bracketed = /<([^<>]*)>/.exec(value)?.[1];
  const id = (bracketed ?? value.split(/\s+/)[0] ?? "").replace(CONTROLS, "").replace(BIDI, "").replace(/\s+/g, "");
  if (!id) return undefined;
  if (id.length > EMAIL_LIMITS.messageId) return `<sha256-${createHash("sha256").update(id).digest("hex")}@pals-desk.invalid>`;
  return `<${id}>`;
}

/** The References: the first (the thread's start) and the most recent, EMAIL_LIMITS.references in all. */
function referencesOf(value: string | undefined): string[] {
  if (!value) return [];
  const tokens = value.includes("<") ? (value.match(/<[^<>]*>/g) ?? []) : value.split(/\s+/);
  const ids = [...new Set(tokens.map((token) => messageIdOf(token)).filter((id): id is string => id !== undefined))];
  if (ids.length <= EMAIL_LIMITS.references) return ids;
  return [ids[0]!, ...ids.slice(ids.length - (EMAIL_LIMITS.references - 1))];
}

function mailboxes(value: unknown): EmailAddress[] {
  const objects = (Array.isArray(value) ? value : value ? [value] : []) as AddressObject[];
  const found: EmailAddress[] = [];
  for (const object of objects) {
    for (const entry of Array.isArray(object?.value) ? object.value : []) {
      if (found.length >= ADDRESSES) return found;
      if (Array.isArray(entry.group)) found.push(...entry.group.slice(0, ADDRESSES - found.length));
      else found.push(entry);
    }
  }
  return found;
}

function addressText(address: string | undefined): string | undefined {
  const text = (address ?? "").replace(CONTROLS, "").replace(BIDI, "").replace(/\s+/g, "").toLowerCase().slice(0, EMAIL_LIMITS.address);
  return text || undefined;
}

/** The sender, as text only: never an identity. */
function fromOf(value: unknown): ParsedEmail["from"] {
  const first = mailboxes(value)[0];
  if (!first) return undefined;
  const name = oneLine(first.name ?? "", EMAIL_LIMITS.name);
  const address = addressText(first.address);
  if (!name && !address) return undefined;
  return { ...(name ? { name } : {}), ...(address ? { address } : {}) };
}

function addressesOf(value: unknown): string[] {
  return mailboxes(value)
    .map((mailbox) => addressText(mailbox.address))
    .filter((address): address is string => address !== undefined);
}

/** The mailbox's time; else the Date header when it is a date and not more than a day ahead; else now. */
function receivedAtOf(dateHeader: string | undefined, options: { receivedAt?: Date; now: Date }): string {
  if (options.receivedAt && Number.isFinite(options.receivedAt.getTime())) return options.receivedAt.toISOString();
  const date = dateHeader ? new Date(dateHeader) : undefined;
  if (date && Number.isFinite(date.getTime()) && date.getTime() <= options.now.getTime() + DAY_MS) return date.toISOString();
  return options.now.toISOString();
}

// --- text ----------------------------------------------------------------------------------------

/** The text part, else the HTML made plain, normalised and cut to EMAIL_LIMITS.text. */
function textOf(read: MimeRead): { text: string; cut: boolean } {
  let cut = read.textCut;
  let text = read.text ?? "";
  // Two blank lines in a row are kept as typed; made from HTML (Outlook writes an empty paragraph between
  // paragraphs), one is enough.
  let blankLines = 2;
  if (text.trim() === "" && read.html) {
    const html = read.html.length > HTML_CHARS ? read.html.slice(0, HTML_CHARS) : read.html;
    cut ||= html.length < read.html.length;
    text = htmlToPlainText(html);
    blankLines = 1;
  }
  const scanned = text.length > EMAIL_LIMITS.text * 4 ? safeSlice(text, EMAIL_LIMITS.text * 4) : text;
  cut ||= scanned.length < text.length;
  const plain = plainText(scanned, blankLines);
  if (plain.length <= EMAIL_LIMITS.text) return { text: plain, cut };
  return { text: safeSlice(plain, EMAIL_LIMITS.text).trimEnd(), cut: true };
}

/**
 * Line endings as \n, no control characters but \n and \t, no-break spaces as spaces, no trailing spaces, at most
 * `blankLines` blank lines in a row.
 */
function plainText(text: string, blankLines: number): string {
  return (
    text
      .replace(/\r\n?/g, "\n")
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, "")
      .replace(BIDI, "")
      .replace(/\u00a0/g, " ")
      .split("\n")
      .map((line) => line.trimEnd())
      .join("\n")
      .replace(new RegExp(`\\n{${blankLines + 2},}`, "g"), "\n".repeat(blankLines + 1))
      .trim()
  );
}

// --- attachments ---------------------------------------------------------------------------------

/** The cid: references in the HTML, lower case. */
function referencedCids(html: string | undefined): Set<string> {
  const cids = new Set<string>();
  for (const match of (html ?? "").matchAll(/cid:([^"'\s>)]{1,256})/gi)) cids.add(match[1]!.toLowerCase());
  return cids;
}

/**
 * The attachments as listed: pictures shown in the text (inline, referenced by the HTML) and delivery reports left
 * out; the first EMAIL_LIMITS.attachments checked (attachmentChecks.ts), the rest as one "too-many" entry.
 */
function attachmentsOf(read: MimeRead): ParsedAttachment[] {
  const cids = referencedCids(read.html);
  const listed = read.attachments.filter(
    (a) => a.contentType !== "message/delivery-status" && !(a.inline && a.cid !== undefined && cids.has(a.cid.toLowerCase())),
  );
  const shown: ParsedAttachment[] = listed.slice(0, EMAIL_LIMITS.attachments).map((a) => {
    const name = safeAttachmentName(a.filename);
    const contentType = a.contentType.slice(0, 200);
    const content = a.chunks && !a.failed ? Buffer.concat(a.chunks, a.size) : undefined;
    const refused = attachmentRefusal({
      name,
      contentType,
      size: a.size,
      head: a.head,
      ...(content ? { content } : {}),
      undecodable: a.failed || read.undecodable.has(a.partId),
    });
    return { name, contentType, size: a.size, ...(refused ? { refused } : content ? { content } : {}) };
  });
  const rest = listed.slice(EMAIL_LIMITS.attachments);
  if (rest.length > 0) {
    shown.push({
      name: `${rest.length} more attachment${rest.length === 1 ? "" : "s"}`,
      contentType: "application/octet-stream",
      size: rest.reduce((sum, a) => sum + a.size, 0),
      refused: "too-many",
    });
  }
  return shown;
}
