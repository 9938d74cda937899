import type { Logger } from "../logger";
import type { Store } from "../store/cosmos";

/** What every Teams feature handler may use. Time comes from `now` so tests can fix it. */
export interface BotDeps {
  readonly log: Logger;
  readonly store: Store;
  readonly now: () => Date;
}
