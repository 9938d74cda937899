import { randomBytes } from "node:crypto";

/** A file waiting to be downloaded once. */
export interface ShelvedFile {
  readonly name: string;
  readonly contentType: string;
  readonly content: Buffer;
  /** Counts and ids for the log line when it is fetched. */
  readonly logged: Record<string, unknown>;
}

/** How long a download link works. */
export const DOWNLOAD_TTL_MS = 10 * 60_000;
/** Files kept at once (oldest dropped first), so a busy morning can't fill the memory. */
const MAX_FILES = 50;
const MAX_BYTES = 64 * 1024 * 1024;

/**
 * One-time download links for local mode (the Agents Playground has no OneDrive and shows no file
 * attachments): files live in this process's memory only, each fetched at most once, for 10 minutes.
 * Config refuses this mode with bot credentials, so it is never a way to reach patient data from outside.
 */
export class DownloadShelf {
  private readonly files = new Map<string, { file: ShelvedFile; expiresAt: number }>();
  /** This bot's own address (set once it listens), e.g. http://127.0.0.1:3978. */
  baseUrl = "";

  constructor(private readonly now: () => Date) {}

  /** Shelves the file and returns its one-time link. */
  put(file: ShelvedFile): string {
    this.prune();
    const token = randomBytes(32).toString("base64url");
    this.files.set(token, { file, expiresAt: this.now().getTime() + DOWNLOAD_TTL_MS });
    let bytes = [...this.files.values()].reduce((sum, entry) => sum + entry.file.content.length, 0);
    for (const [oldest, entry] of this.files) {
      if (this.files.size <= MAX_FILES && bytes <= MAX_BYTES) break;
      bytes -= entry.file.content.length;
      this.files.delete(oldest);
    }
    return `${this.baseUrl}/api/files/${token}`;
  }

  /** The file for a token, once; undefined when unknown, used or expired. */
  take(token: string): ShelvedFile | undefined {
    this.prune();
    const entry = this.files.get(token);
    if (!entry) return undefined;
    this.files.delete(token);
    return entry.file;
  }

  private prune(): void {
    const now = this.now().getTime();
    for (const [token, entry] of this.files) if (entry.expiresAt <= now) this.files.delete(token);
  }
}
