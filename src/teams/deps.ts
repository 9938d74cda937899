import type { CaseDesk } from "../cases";
import type { Config } from "../config";
import type { SignpostingDirectory } from "../domain";
import type { Logger } from "../logger";
import type { DownloadShelf } from "./reports/downloads";

/** What every Teams feature handler may use: the application layer, settings, and the clock (tests fix it). */
export interface TeamsDeps {
  readonly config: Config;
  readonly log: Logger;
  readonly desk: CaseDesk;
  /** National organisations and the trust's local services, loaded once at start-up. */
  readonly signposting: SignpostingDirectory;
  /** One-time download links for files in local mode (see files.ts). */
  readonly downloads: DownloadShelf;
  readonly now: () => Date;
}
