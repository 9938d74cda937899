import type { Config } from "../config";
import type { Case, CaseRepository, ChannelDirectory, OutboxStore, PeopleDirectory, SignpostingDirectory, TimelineRepository } from "../domain";
import type { Logger } from "../logger";
import type { Store } from "../store/cosmos";
import type { DownloadShelf } from "./downloads";

/** What every Teams feature handler may use. Time comes from `now` so tests can fix it. */
export interface BotDeps {
  readonly config: Config;
  readonly log: Logger;
  readonly store: Store;
  readonly cases: CaseRepository;
  readonly timeline: TimelineRepository;
  readonly people: PeopleDirectory;
  readonly channels: ChannelDirectory;
  readonly outbox: OutboxStore;
  /** Call after every save of a case: files it for nudges and queues any manager alerts. */
  readonly caseSaved: (c: Case) => Promise<void>;
  /** National organisations and the trust's local services, loaded once at start-up. */
  readonly signposting: SignpostingDirectory;
  /** One-time download links for files in local mode (see files.ts). */
  readonly downloads: DownloadShelf;
  readonly now: () => Date;
}
