import type { Config } from "../config";
import type { CaseRepository, PeopleDirectory, TimelineRepository } from "../domain";
import type { Logger } from "../logger";
import type { Store } from "../store/cosmos";

/** What every Teams feature handler may use. Time comes from `now` so tests can fix it. */
export interface BotDeps {
  readonly config: Config;
  readonly log: Logger;
  readonly store: Store;
  readonly cases: CaseRepository;
  readonly timeline: TimelineRepository;
  readonly people: PeopleDirectory;
  readonly now: () => Date;
}
