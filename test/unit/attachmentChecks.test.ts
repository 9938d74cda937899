// What PALS Desk keeps out of an email's attachments (src/mail/attachmentChecks.ts): programs whatever their name,
// files locked with a password, and names that could reach outside their folder or pass for something else.
import { strict as assert } from "node:assert";
import { EMAIL_LIMITS } from "../../src/domain/inbox/email";
import {
  attachmentRefusal,
  isEncryptedOffice,
  isEncryptedPdf,
  isEncryptedZip,
  isExecutableContent,
  isExecutableName,
  safeAttachmentName,
  zipFacts,
} from "../../src/mail/attachmentChecks";

/** A zip of stored entries, built by hand: local headers, central directory, end record. `flags` per entry. */
function zip(entries: { name: string; flags?: number; data?: string }[], options: { centralDirectory?: boolean } = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const { name, flags = 0, data = "hello" } of entries) {
    const nameBytes = Buffer.from(name);
    const body = Buffer.from(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(body.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    locals.push(local, nameBytes, body);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(flags, 8);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(body.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + body.length;
  }
  if (options.centralDirectory === false) return Buffer.concat(locals);
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const facts = (name: string, content: Buffer, contentType = "application/octet-stream") => ({
  name,
  contentType,
  size: content.length,
  head: content.subarray(0, 64),
  content,
});

describe("attachments PALS Desk keeps out (attachmentChecks)", () => {
  it("makes names safe to show and store: no folders, no invisible characters, no leading dots, bounded, never empty", () => {
    assert.equal(safeAttachmentName("../../etc/passwd"), "passwd");
    assert.equal(safeAttachmentName("C:\\Users\\ruth\\Documents\\letter.pdf"), "letter.pdf");
    assert.equal(safeAttachmentName(".htaccess"), "htaccess");
    assert.equal(safeAttachmentName("invoice\u202Efdp.exe"), "invoicefdp.exe", "a right-to-left override no longer makes it look like a PDF");
    assert.equal(safeAttachmentName("report\u0000.pdf\r\n"), "report.pdf");
    assert.equal(safeAttachmentName('what?*<>|":.pdf'), "what_______.pdf");
    assert.equal(safeAttachmentName("setup.exe. . "), "setup.exe", "Windows ignores trailing dots and spaces");
    assert.equal(safeAttachmentName("CON.txt"), "_CON.txt");
    for (const empty of [undefined, "", "   ", "../", "...", "\u202e"]) assert.equal(safeAttachmentName(empty), "attachment", JSON.stringify(empty));
    const long = safeAttachmentName(`${"a".repeat(1000)}.pdf`);
    assert.equal(long.length, EMAIL_LIMITS.name);
    assert.ok(long.endsWith(".pdf"), "the extension is kept");
  });

  it("knows programs by their extension, however many come before it, and by their first bytes whatever they are called", () => {
    for (const name of [
      "setup.exe",
      "report.pdf.exe",
      "INVOICE.PDF.SCR",
      "run.bat",
      "x.ps1",
      "a.vbs",
      "a.js",
      "a.hta",
      "a.jar",
      "a.lnk",
      "disk.iso",
      "disk.img",
      "app.apk",
      "x.sh",
      "x.reg",
      "x.msi",
      "x.dll",
      "x.cpl",
    ]) {
      assert.ok(isExecutableName(name), name);
    }
    for (const name of ["letter.pdf", "photo.jpg", "notes.docx", "scan.tiff", "exe", "report.exe.pdf", "node.js-guide.pdf"])
      assert.ok(!isExecutableName(name), name);
    assert.ok(isExecutableContent(Buffer.from("MZ\x90\x00", "latin1")), "Windows");
    assert.ok(isExecutableContent(Buffer.from("\x7fELF\x02\x01", "latin1")), "Linux");
    assert.ok(isExecutableContent(Buffer.from([0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1])), "macOS");
    assert.ok(!isExecutableContent(Buffer.from("%PDF-1.7")));
    assert.ok(!isExecutableContent(Buffer.from([0xff, 0xd8, 0xff, 0xe0])));
    assert.equal(attachmentRefusal(facts("photo.jpg", Buffer.from("MZ\x90\x00rest of a program", "latin1"), "image/jpeg")), "executable");
    assert.equal(attachmentRefusal(facts("update.bin", Buffer.from("data"), "application/x-msdownload")), "executable", "by its declared type");
    assert.equal(attachmentRefusal(facts("scans.zip", zip([{ name: "scan1.pdf" }, { name: "docs/scan2.pdf.exe" }]))), "executable", "a zip holding one");
  });

  it("knows files locked with a password: an encrypted zip entry, a PDF with /Encrypt, a protected Word, Excel or PowerPoint file", () => {
    assert.ok(isEncryptedZip(zip([{ name: "a.txt" }, { name: "records.txt", flags: 1 }])), "from the central directory");
    assert.ok(isEncryptedZip(zip([{ name: "records.txt", flags: 1 }], { centralDirectory: false })), "a zip cut short: from its local headers");
    assert.ok(!isEncryptedZip(zip([{ name: "a.txt" }, { name: "b.txt", flags: 8 }])));
    assert.deepEqual(zipFacts(zip([{ name: "a.txt" }, { name: "b/c.txt" }]))?.names, ["a.txt", "b/c.txt"]);
    assert.equal(zipFacts(Buffer.from("not a zip")), undefined);
    assert.ok(isEncryptedPdf(Buffer.from("%PDF-1.6\n1 0 obj<<>>endobj\ntrailer\n<< /Root 1 0 R /Encrypt 3 0 R >>\n%%EOF")));
    assert.ok(isEncryptedPdf(Buffer.from("%PDF-1.6\ntrailer<</Encrypt<</Filter/Standard>>>>")));
    assert.ok(!isEncryptedPdf(Buffer.from("%PDF-1.4\n(/EncryptionNotes) Tj\ntrailer<</Root 1 0 R>>")), "a name that only starts with /Encrypt");
    assert.ok(!isEncryptedPdf(Buffer.from("/Encrypt 3 0 R but not a PDF")));
    const cfb = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504)]);
    assert.ok(isEncryptedOffice("minutes.docx", cfb), "a .docx that is a compound file is a protected one");
    assert.ok(!isEncryptedOffice("minutes.doc", cfb), "an old .doc is a compound file anyway");
    assert.ok(isEncryptedOffice("minutes.doc", Buffer.concat([cfb, Buffer.from("EncryptedPackage", "utf16le")])));
    assert.equal(attachmentRefusal(facts("records.zip", zip([{ name: "records.txt", flags: 1 }]))), "password-protected");
  });

  it("refuses a program first, then size, undecodable content, a password; keeps the rest", () => {
    const pdf = Buffer.from("%PDF-1.4\n%%EOF");
    assert.equal(attachmentRefusal(facts("letter.pdf", pdf, "application/pdf")), undefined);
    const { content: _content, ...large } = facts("setup.exe", pdf);
    assert.equal(attachmentRefusal({ ...large, size: EMAIL_LIMITS.attachmentBytes + 1 }), "executable");
    assert.equal(attachmentRefusal({ ...large, name: "scan.pdf", size: EMAIL_LIMITS.attachmentBytes + 1 }), "too-large");
    assert.equal(attachmentRefusal({ ...facts("scan.pdf", pdf), undecodable: true }), "unreadable");
  });
});
