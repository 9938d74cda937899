// Sending as a trust's shared mailbox on the embedded default: the email is written, as the MIME a mail server
// would send, to the mailbox folder's sent/ (the folders of folderMailbox.ts), named by its sendId. The file is
// the send: it is written whole (a partial file, then one link or rename), so a crash leaves either no email or
// the whole email, and a second send with the same sendId finds the file and writes nothing.
import { createHash, randomBytes } from "node:crypto";
import fsp from "node:fs/promises";
import path from "node:path";
import MailComposer from "nodemailer/lib/mail-composer";
import type { MailSender, OutgoingEmail, SendOutcome } from "../domain/ports";
import { errorFacts, type Logger } from "../logger";

/** What a sendId may be: it names a file here and goes into a Graph $filter there, so nothing that needs quoting. */
export const SEND_ID_PATTERN = /^[A-Za-z0-9-]{1,100}$/;

/** The display name the shared mailbox sends as, unless the mailbox's own is configured. */
export const DEFAULT_DISPLAY_NAME = "PALS";

/**
 * The Message-ID an email sent with this sendId carries: the same for every try, so a retry can never make a
 * second identity for one email, and a reply's References lead back to it. The shared mailbox's domain (its
 * right-hand side) keeps it unique to the trust, as RFC 5322 asks.
 */
export function outgoingMessageId(sendId: string, mailbox: string): string {
  const domain = /@([A-Za-z0-9.-]+)$/.exec(mailbox.trim())?.[1]?.toLowerCase() || "pals-desk.invalid";
  return `<${sendId}.pals-desk@${domain}>`;
}

/** What the logs name a send by: a short hash of its sendId (a sendId may carry a case reference). */
export function sendIdHash(sendId: string): string {
  return createHash("sha256").update(sendId, "utf8").digest("hex").slice(0, 12);
}

/** A Message-ID as the In-Reply-To and References headers take it (one `<...>`, no spaces); anything else is left out. */
export function usableMessageId(given: string | undefined): string | undefined {
  const trimmed = given?.trim();
  return trimmed && /^<[^<>\s]{1,995}>$/.test(trimmed) ? trimmed : undefined;
}

export interface FolderSenderOptions {
  readonly mailboxes: readonly { readonly trustId: string; readonly address: string; readonly dir: string; readonly displayName?: string }[];
  readonly log: Logger;
  readonly now?: () => Date;
}

type Mailbox = FolderSenderOptions["mailboxes"][number];

export class FolderSender implements MailSender {
  /** Sends under way in this process, by sendId: a second call for one joins the first. */
  private readonly inFlight = new Map<string, Promise<SendOutcome>>();

  constructor(private readonly options: FolderSenderOptions) {}

  send(email: OutgoingEmail): Promise<SendOutcome> {
    const running = this.inFlight.get(email.sendId);
    if (running) return running;
    const made = this.sendOnce(email).finally(() => this.inFlight.delete(email.sendId));
    this.inFlight.set(email.sendId, made);
    return made;
  }

  private async sendOnce(email: OutgoingEmail): Promise<SendOutcome> {
    if (!SEND_ID_PATTERN.test(email.sendId)) {
      this.options.log.error("Refused an email whose sendId is not 1 to 100 letters, digits and hyphens");
      return { ok: false, status: 0, permanent: true, code: "InvalidSendId" };
    }
    const send = sendIdHash(email.sendId);
    const mailbox = this.mailboxOf(email);
    if (!mailbox) {
      this.options.log.error({ send }, "No mailbox folder is configured for the trust's shared mailbox: the email was not sent");
      return { ok: false, status: 0, permanent: true, code: "NoMailbox" };
    }
    const messageId = outgoingMessageId(email.sendId, mailbox.address);
    const sent = path.join(mailbox.dir, "sent");
    const target = path.join(sent, `${email.sendId}.eml`);
    if (await exists(target)) {
      this.options.log.info({ send }, "The email was sent before: not sent again");
      return { ok: true, messageId, alreadySent: true };
    }
    let raw: Buffer;
    try {
      raw = await this.compose(email, mailbox, messageId);
    } catch (error) {
      this.options.log.error({ send, err: errorFacts(error) }, "Could not make the email's MIME: it was not sent");
      return { ok: false, status: 0, permanent: true, code: "ComposeFailed" };
    }
    try {
      await fsp.mkdir(sent, { recursive: true });
      const partial = path.join(sent, `.${email.sendId}.${randomBytes(6).toString("hex")}.partial`);
      const written = await writeWhole(partial, target, raw);
      if (!written) {
        this.options.log.info({ send }, "The email was sent meanwhile: not sent again");
        return { ok: true, messageId, alreadySent: true };
      }
    } catch (error) {
      this.options.log.warn({ send, err: errorFacts(error) }, "Could not write the email to the mailbox folder; it can be tried again");
      return {
        ok: false,
        status: 0,
        permanent: false,
        code: typeof (error as { code?: unknown }).code === "string" ? (error as { code: string }).code : undefined,
      };
    }
    this.options.log.info({ send, attachmentCount: email.attachments.length, bytes: raw.length }, "Sent an email from the shared mailbox folder");
    return { ok: true, messageId, alreadySent: false };
  }

  private mailboxOf(email: OutgoingEmail): Mailbox | undefined {
    const address = email.mailbox.trim().toLowerCase();
    return this.options.mailboxes.find((mailbox) => mailbox.trustId === email.trustId && mailbox.address.trim().toLowerCase() === address);
  }

  private async compose(email: OutgoingEmail, mailbox: Mailbox, messageId: string): Promise<Buffer> {
    const inReplyTo = usableMessageId(email.inReplyTo);
    const composer = new MailComposer({
      from: { name: mailbox.displayName ?? DEFAULT_DISPLAY_NAME, address: mailbox.address.trim().toLowerCase() },
      to: email.to.name ? { name: email.to.name, address: email.to.address } : email.to.address,
      subject: email.subject,
      date: this.options.now?.() ?? new Date(),
      messageId,
      ...(inReplyTo ? { inReplyTo, references: [inReplyTo] } : {}),
      text: email.text,
      attachments: email.attachments.map((attachment) => ({
        filename: attachment.name,
        contentType: attachment.contentType,
        content: attachment.content,
      })),
      // The headers come from these fields only: nothing in a name or subject can add one.
      disableFileAccess: true,
      disableUrlAccess: true,
    });
    return await composer.compile().build();
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fsp.access(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes `raw` to `target` whole: to a partial file first (flushed to disk), then linked into place, which fails
 * if `target` exists (another writer got there first: false). Where hard links can't be made, a rename, after a
 * last look that the target is still absent.
 */
async function writeWhole(partial: string, target: string, raw: Buffer): Promise<boolean> {
  const handle = await fsp.open(partial, "wx", 0o600);
  try {
    await handle.writeFile(raw);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fsp.link(partial, target);
    return true;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "EEXIST") return false;
    if (!["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS", "EXDEV", "EMLINK"].includes(String(code))) throw error;
    if (await exists(target)) return false;
    await fsp.rename(partial, target);
    return true;
  } finally {
    await fsp.rm(partial, { force: true });
  }
}
