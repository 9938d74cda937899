// What PALS Desk will not keep of an email's attachments, decided from the name as sent, the declared type and the
// bytes: programs (whatever they are called), files locked with a password (nobody on the team can open them, and
// no scanner can look inside), and content that could not be decoded. Pure functions: nothing here opens a file.
import type { RefusedAttachmentReason } from "../domain/inbox/email";
import { EMAIL_LIMITS } from "../domain/inbox/email";

/**
 * Extensions of files that run when opened: Windows programs, installers, scripts, shortcuts and disk images (an
 * .iso or .img opens as a drive holding programs), Java, Android, macOS and Linux packages. Close to the list of
 * extensions Outlook itself blocks.
 */
export const EXECUTABLE_EXTENSIONS: ReadonlySet<string> = new Set([
  // Windows programs, libraries and installers
  "exe",
  "com",
  "scr",
  "pif",
  "cpl",
  "dll",
  "ocx",
  "sys",
  "drv",
  "msi",
  "msp",
  "mst",
  "msu",
  "msix",
  "msixbundle",
  "appx",
  "appxbundle",
  "application",
  "appref-ms",
  "gadget",
  "xll",
  "cab",
  // scripts
  "bat",
  "cmd",
  "ps1",
  "ps1xml",
  "ps2",
  "ps2xml",
  "psc1",
  "psc2",
  "psd1",
  "psm1",
  "vb",
  "vbs",
  "vbe",
  "js",
  "jse",
  "ws",
  "wsf",
  "wsc",
  "wsh",
  "hta",
  "sct",
  "msc",
  "msh",
  "reg",
  "inf",
  "scf",
  "chm",
  "hlp",
  "url",
  "website",
  // shortcuts
  "lnk",
  "shb",
  "shs",
  // disk images
  "iso",
  "img",
  "vhd",
  "vhdx",
  "dmg",
  // Java, Android, iOS, macOS, Linux
  "jar",
  "jnlp",
  "class",
  "apk",
  "ipa",
  "app",
  "pkg",
  "command",
  "sh",
  "bash",
  "csh",
  "ksh",
  "run",
  "deb",
  "rpm",
  "elf",
]);

/** Office Open XML names: a zip when open, an OLE compound file ("EncryptedPackage") when locked with a password. */
const OOXML_EXTENSIONS: ReadonlySet<string> = new Set([
  "docx",
  "docm",
  "dotx",
  "dotm",
  "xlsx",
  "xlsm",
  "xlsb",
  "xltx",
  "xltm",
  "pptx",
  "pptm",
  "potx",
  "ppsx",
  "ppsm",
]);

/** Characters that are not shown but change what is shown: controls, bidirectional overrides, zero-width marks. */
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;
/** Characters Windows and SharePoint refuse in a file name. */
const NOT_IN_NAMES = /[<>:"|?*]/g;
/** Names Windows keeps for devices. */
const DEVICE_NAME = /^(?:con|prn|aux|nul|com\d|lpt\d)(?:\.|$)/i;
const LONGEST_EXTENSION = 20;

/**
 * The attachment's name as sent, made safe to show and store: no folders (only what follows the last `/` or `\`),
 * no invisible or control characters (a right-to-left override makes "invoice‮fdp.exe" look like a PDF), none of
 * the characters Windows refuses, no leading dots or trailing dots and spaces, at most EMAIL_LIMITS.name characters
 * with the extension kept; "attachment" when nothing is left.
 */
export function safeAttachmentName(name: string | undefined): string {
  let safe = (name ?? "").replace(INVISIBLE, "");
  safe = safe.slice(Math.max(safe.lastIndexOf("/"), safe.lastIndexOf("\\")) + 1);
  safe = safe
    .replace(NOT_IN_NAMES, "_")
    .replace(/\s+/g, " ")
    .replace(/^[\s.]+/, "")
    .replace(/[\s.]+$/, "");
  if (DEVICE_NAME.test(safe)) safe = `_${safe}`;
  if (safe.length > EMAIL_LIMITS.name) {
    const dot = safe.lastIndexOf(".");
    const extension = dot > 0 && safe.length - dot <= LONGEST_EXTENSION + 1 ? safe.slice(dot) : "";
    safe = `${safe.slice(0, EMAIL_LIMITS.name - extension.length).trimEnd()}${extension}`;
  }
  return safe || "attachment";
}

/** The last extension of a (safe) name, lower case, without the dot; "" when none. */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
}

/** A name that runs when opened: its last extension is a program's, however many come before it (report.pdf.exe). */
export function isExecutableName(name: string): boolean {
  return EXECUTABLE_EXTENSIONS.has(extensionOf(safeAttachmentName(name)));
}

const startsWith = (bytes: Uint8Array, signature: readonly number[], at = 0) =>
  bytes.length >= at + signature.length && signature.every((byte, i) => bytes[at + i] === byte);

/**
 * A program by its first bytes, whatever it is called: Windows ("MZ", which every .exe and .dll starts with),
 * Linux (ELF), macOS (Mach-O, 32 and 64 bit, both byte orders, and universal binaries, whose "CAFEBABE" Java
 * classes share), and Windows shortcuts (.lnk).
 */
export function isExecutableContent(head: Uint8Array): boolean {
  return (
    startsWith(head, [0x4d, 0x5a]) ||
    startsWith(head, [0x7f, 0x45, 0x4c, 0x46]) ||
    startsWith(head, [0xfe, 0xed, 0xfa, 0xce]) ||
    startsWith(head, [0xfe, 0xed, 0xfa, 0xcf]) ||
    startsWith(head, [0xce, 0xfa, 0xed, 0xfe]) ||
    startsWith(head, [0xcf, 0xfa, 0xed, 0xfe]) ||
    startsWith(head, [0xca, 0xfe, 0xba, 0xbe]) ||
    startsWith(head, [0x4c, 0x00, 0x00, 0x00, 0x01, 0x14, 0x02, 0x00])
  );
}

const u16 = (bytes: Uint8Array, at: number) => bytes[at]! | (bytes[at + 1]! << 8);
const u32 = (bytes: Uint8Array, at: number) => (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;

const ZIP_LOCAL = [0x50, 0x4b, 0x03, 0x04];
const ZIP_CENTRAL = [0x50, 0x4b, 0x01, 0x02];
const ZIP_END = [0x50, 0x4b, 0x05, 0x06];

/** What a zip's headers say: whether an entry is encrypted, and the entries' names (as far as they could be read). */
export interface ZipFacts {
  readonly encrypted: boolean;
  readonly names: readonly string[];
}

/**
 * A zip's entries, read from its headers, never from the compressed data: whether one is encrypted (general purpose
 * flag bit 0, set by ZipCrypto and by AES zips alike) and their names. The central directory is read when the zip
 * has one; a zip cut short is read from its local headers, in order, for as long as their sizes say where the next
 * one starts. Undefined when the bytes are not a zip.
 */
export function zipFacts(bytes: Uint8Array): ZipFacts | undefined {
  if (!startsWith(bytes, ZIP_LOCAL)) return undefined;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const names: string[] = [];
  let encrypted = false;
  // End of central directory: in the last 22 bytes, or before a comment of at most 65,535 bytes.
  for (let end = bytes.length - 22; end >= Math.max(0, bytes.length - 22 - 0xffff); end--) {
    if (!startsWith(bytes, ZIP_END, end)) continue;
    const entries = u16(bytes, end + 10);
    let at = u32(bytes, end + 16);
    if (at >= bytes.length) break; // zip64 or damaged: read the local headers instead
    for (let i = 0; i < entries && at + 46 <= bytes.length && startsWith(bytes, ZIP_CENTRAL, at); i++) {
      if (u16(bytes, at + 8) & 1) encrypted = true;
      const nameLength = u16(bytes, at + 28);
      names.push(buffer.toString("utf8", at + 46, Math.min(at + 46 + nameLength, bytes.length)));
      at += 46 + nameLength + u16(bytes, at + 30) + u16(bytes, at + 32);
    }
    return { encrypted, names };
  }
  for (let at = 0; at + 30 <= bytes.length && startsWith(bytes, ZIP_LOCAL, at);) {
    const flags = u16(bytes, at + 6);
    if (flags & 1) encrypted = true;
    const nameLength = u16(bytes, at + 26);
    names.push(buffer.toString("utf8", at + 30, Math.min(at + 30 + nameLength, bytes.length)));
    // Sizes after the data (bit 3) or in zip64 (0xFFFFFFFF): where the next header starts is not known.
    const size = u32(bytes, at + 18);
    if (flags & 8 || size === 0xffffffff) break;
    at += 30 + nameLength + u16(bytes, at + 28) + size;
  }
  return { encrypted, names };
}

/** A zip with an encrypted entry. */
export function isEncryptedZip(bytes: Uint8Array): boolean {
  return zipFacts(bytes)?.encrypted === true;
}

const PDF_DELIMITERS = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20, 0x28, 0x29, 0x3c, 0x3e, 0x5b, 0x5d, 0x7b, 0x7d, 0x2f, 0x25]);

/** A PDF (its "%PDF-" header in the first 1,024 bytes, as readers accept it) with an /Encrypt dictionary. */
export function isEncryptedPdf(bytes: Uint8Array): boolean {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = buffer.indexOf("%PDF-");
  if (header < 0 || header > 1024) return false;
  for (let at = buffer.indexOf("/Encrypt"); at >= 0; at = buffer.indexOf("/Encrypt", at + 8)) {
    const next = buffer[at + 8];
    if (next === undefined || PDF_DELIMITERS.has(next)) return true;
  }
  return false;
}

const CFB = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const ENCRYPTED_PACKAGE = Buffer.from("EncryptedPackage", "utf16le");

/**
 * A Word, Excel or PowerPoint file locked with a password: Office stores a protected .docx/.xlsx/.pptx as an OLE
 * compound file holding an "EncryptedPackage" stream (MS-OFFCRYPTO), where an open one is a zip.
 */
export function isEncryptedOffice(name: string, bytes: Uint8Array): boolean {
  if (!startsWith(bytes, CFB)) return false;
  if (OOXML_EXTENSIONS.has(extensionOf(name))) return true;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(ENCRYPTED_PACKAGE) >= 0;
}

/** Locked with a password: an encrypted zip, PDF or Office file. */
export function isPasswordProtected(name: string, bytes: Uint8Array): boolean {
  return isEncryptedZip(bytes) || isEncryptedPdf(bytes) || isEncryptedOffice(name, bytes);
}

/** Declared types of programs, scripts, installers and disk images. */
const EXECUTABLE_TYPES: ReadonlySet<string> = new Set([
  "application/x-msdownload",
  "application/x-msdos-program",
  "application/x-ms-dos-executable",
  "application/vnd.microsoft.portable-executable",
  "application/x-dosexec",
  "application/x-executable",
  "application/x-elf",
  "application/x-mach-binary",
  "application/x-msi",
  "application/x-ms-installer",
  "application/x-ms-shortcut",
  "application/x-bat",
  "application/x-sh",
  "application/x-shellscript",
  "application/x-csh",
  "application/hta",
  "application/javascript",
  "text/javascript",
  "application/x-javascript",
  "text/vbscript",
  "application/java-archive",
  "application/x-java-archive",
  "application/vnd.android.package-archive",
  "application/x-apple-diskimage",
  "application/x-iso9660-image",
]);

/** What the parser knows of one attachment. */
export interface AttachmentFacts {
  /** The name made safe (safeAttachmentName). */
  readonly name: string;
  /** The declared type, lower case, without parameters. */
  readonly contentType: string;
  readonly size: number;
  /** The first bytes, even when the content is not kept. */
  readonly head: Uint8Array;
  /** The whole content, when it was kept (not when larger than EMAIL_LIMITS.attachmentBytes). */
  readonly content?: Uint8Array;
  /** Its transfer encoding could not be decoded (broken base64). */
  readonly undecodable?: boolean;
}

/** A program by its name, its declared type, its first bytes, or a zip holding one by name. */
export function isExecutable(attachment: Pick<AttachmentFacts, "name" | "contentType" | "head" | "content">): boolean {
  if (isExecutableName(attachment.name) || EXECUTABLE_TYPES.has(attachment.contentType) || isExecutableContent(attachment.head)) return true;
  const zip = attachment.content ? zipFacts(attachment.content) : undefined;
  return zip?.names.some((entry) => isExecutableName(entry)) === true;
}

/**
 * Why PALS Desk keeps an attachment out, or undefined when it is kept. A program is named as one first (even when it
 * is also too large), then the size, content that could not be decoded, and a password.
 */
export function attachmentRefusal(attachment: AttachmentFacts): RefusedAttachmentReason | undefined {
  if (isExecutable(attachment)) return "executable";
  if (attachment.size > EMAIL_LIMITS.attachmentBytes) return "too-large";
  if (attachment.undecodable || !attachment.content) return "unreadable";
  if (isPasswordProtected(attachment.name, attachment.content)) return "password-protected";
  return undefined;
}

const FILE_REFUSALS: Readonly<Record<RefusedAttachmentReason, string>> = {
  executable: "PALS Desk doesn't keep programs or scripts. Send the document itself (a PDF, a photo, a Word file).",
  "password-protected": "The file is protected by a password, so PALS Desk can't check it. Send it without the password.",
  "too-large": "The file is over 25 MB: PALS Desk keeps files up to 25 MB.",
  "too-many": "Send one file at a time.",
  unreadable: "PALS Desk couldn't read the file. Send it again.",
};

/** The same checks for a file a person adds to a case, as the plain sentence they are told (undefined: it is kept). */
export function fileRefusal(name: string, contentType: string, content: Buffer): string | undefined {
  const reason = attachmentRefusal({
    name,
    contentType: contentType.toLowerCase().split(";")[0].trim(),
    size: content.length,
    head: content.subarray(0, 64),
    content,
  });
  return reason ? FILE_REFUSALS[reason] : undefined;
}
