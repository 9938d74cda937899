// The shared mailbox on the embedded default (MAILBOX_DIR): a folder per mailbox, whose inbox/ takes .eml files.
// A file dropped (moved, whole) into inbox/ arrives as a new email; once PALS Desk has kept it, it is moved to read/.
// A crash before the move gives it again at the next look, which the inbox recognises by its Message-ID.
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { EMAIL_LIMITS, type IncomingEmail, type MailboxSource, type ParsedEmail } from "../domain";
import { errorFacts, type Logger } from "../logger";

export interface FolderMailboxOptions {
  readonly mailboxes: readonly { readonly trustId: string; readonly address: string; readonly dir: string }[];
  readonly parse: (raw: Buffer, options: { receivedAt?: Date; now: Date }) => Promise<ParsedEmail>;
  readonly log: Logger;
  readonly now?: () => Date;
  /** How often inbox/ is looked at besides the file-system watch (0: only by catchUp, as tests do). */
  readonly pollMs?: number;
}

/** What is read of a file over the size bound: enough for its headers. */
const HEAD_BYTES = 256 * 1024;

export class FolderMailbox implements MailboxSource {
  private receive?: (incoming: IncomingEmail) => Promise<void>;
  private timer?: NodeJS.Timeout;
  private readonly watchers: fs.FSWatcher[] = [];
  private running?: Promise<number>;
  private again = false;

  constructor(private readonly options: FolderMailboxOptions) {}

  async start(receive: (incoming: IncomingEmail) => Promise<void>): Promise<void> {
    this.receive = receive;
    for (const mailbox of this.options.mailboxes) {
      for (const sub of ["inbox", "read", "sent"]) await fsp.mkdir(path.join(mailbox.dir, sub), { recursive: true });
      try {
        // A change in inbox/ starts a look soon; the poll below is the fallback where watching is unreliable.
        this.watchers.push(fs.watch(path.join(mailbox.dir, "inbox"), () => this.kick()).on("error", () => undefined));
      } catch {
        // Some file systems can't be watched: the poll does the work.
      }
    }
    const pollMs = this.options.pollMs ?? 2_000;
    if (pollMs > 0) this.timer = setInterval(() => this.kick(), pollMs).unref();
    this.kick();
  }

  private kick(): void {
    this.catchUp().catch((error: unknown) => this.options.log.warn({ err: errorFacts(error) }, "Could not read the mailbox folder; trying again shortly"));
  }

  /** Reads every waiting .eml now; one look at a time (a look asked for meanwhile runs once after it). */
  async catchUp(): Promise<number> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      let given = 0;
      do {
        this.again = false;
        for (const mailbox of this.options.mailboxes) given += await this.readFolder(mailbox);
      } while (this.again);
      return given;
    })().finally(() => (this.running = undefined));
    return this.running;
  }

  private async readFolder(mailbox: FolderMailboxOptions["mailboxes"][number]): Promise<number> {
    const receive = this.receive;
    if (!receive) return 0;
    const inbox = path.join(mailbox.dir, "inbox");
    const names = (await fsp.readdir(inbox).catch(() => [] as string[])).filter((name) => name.toLowerCase().endsWith(".eml") && !name.startsWith(".")).sort();
    let given = 0;
    for (const name of names) {
      const file = path.join(inbox, name);
      const stat = await fsp.stat(file).catch(() => undefined);
      if (!stat?.isFile()) continue;
      const now = this.options.now?.() ?? new Date();
      const raw = stat.size > EMAIL_LIMITS.rawBytes ? await readHead(file, stat.size) : await fsp.readFile(file);
      // When it landed in the folder is when the mailbox received it (never later than now).
      const email = await this.options.parse(raw, { receivedAt: stat.mtime > now ? now : stat.mtime, now });
      try {
        await receive({ trustId: mailbox.trustId, mailbox: mailbox.address.toLowerCase(), email });
      } catch (error) {
        // Left in inbox/: it is given again at the next look.
        this.options.log.warn({ err: errorFacts(error) }, "An email from the mailbox folder could not be kept; it will be read again");
        continue;
      }
      await moveToRead(file, path.join(mailbox.dir, "read", name));
      given += 1;
    }
    return given;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const watcher of this.watchers.splice(0)) watcher.close();
    await this.running?.catch(() => undefined);
  }
}

/** The head of an over-sized file, marked so the parser knows the whole was larger than the bound. */
async function readHead(file: string, size: number): Promise<Buffer> {
  const handle = await fsp.open(file, "r");
  try {
    const head = Buffer.alloc(Math.min(HEAD_BYTES, size));
    await handle.read(head, 0, head.length, 0);
    // Padded to the true size's bound so the parser sees it is too large (without holding the whole file).
    return Buffer.concat([head, Buffer.alloc(EMAIL_LIMITS.rawBytes + 1 - head.length)]);
  } finally {
    await handle.close();
  }
}

async function moveToRead(from: string, to: string): Promise<void> {
  let target = to;
  for (let n = 1; fs.existsSync(target); n++) target = to.replace(/\.eml$/i, `.${n}.eml`);
  await fsp.rename(from, target);
}
