import pLimit from "p-limit";

/**
 * Teams requests worked on a few at a time, the rest waiting first come, first served.
 *
 * Why: Node (libuv since 1.45) accepts one new connection per turn of its event loop. With every request of a
 * burst in progress at once, each loop turn runs all their store replies, takes over 100 ms, and the burst's last
 * connections wait seconds to be accepted while the first ones go round and round. A few turns at a time keep
 * each loop turn short and answer in arrival order; the total work is the same.
 */
export interface TurnQueue {
  run<T>(turn: () => Promise<T>): Promise<T>;
  /** Requests waiting for a place. */
  readonly waiting: number;
  /** Requests being worked on, those past their place's time included. */
  readonly running: number;
}

/** How long one turn keeps its place: a turn stuck on a slow call must not hold up everyone behind it. */
export const PLACE_MS = 10_000;

export function turnQueue(turnsAtOnce: number, options: { placeMs?: number; onWait?: (waiting: number) => void } = {}): TurnQueue {
  const limit = pLimit(turnsAtOnce);
  const placeMs = options.placeMs ?? PLACE_MS;
  let running = 0;
  return {
    run<T>(turn: () => Promise<T>): Promise<T> {
      if (limit.activeCount >= turnsAtOnce) options.onWait?.(limit.pendingCount + 1);
      return new Promise<T>((resolve, reject) => {
        void limit(async () => {
          running += 1;
          const done = (async () => turn())().finally(() => (running -= 1));
          done.then(resolve, reject);
          let timer: NodeJS.Timeout | undefined;
          const placeTimeUp = new Promise<void>((timeUp) => (timer = setTimeout(timeUp, placeMs)));
          await Promise.race([done.catch(() => undefined), placeTimeUp]);
          clearTimeout(timer);
        });
      });
    },
    get waiting() {
      return limit.pendingCount;
    },
    get running() {
      return running;
    },
  };
}
