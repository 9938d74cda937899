import { errorFacts, type Logger } from "../logger";

export interface Scheduler {
  /** Runs a sweep soon (e.g. after an alert was queued), without waiting for the next tick. */
  kick(): void;
  /** No sweep starts after this; resolves when the one running (if any) has finished. */
  stop(): Promise<void>;
}

/**
 * Runs `run` every `intervalMs`, never two at once in this process (the lease stops other instances).
 * A failed run is logged and the next tick tries again.
 */
export function startScheduler(intervalMs: number, run: () => Promise<unknown>, log: Logger): Scheduler {
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  const tick = () => {
    // A kick from a turn still draining at shutdown must not start a sweep (and take the lease) after stop.
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = run()
      .then(() => undefined)
      // Name and code only: a store error's message can quote a document.
      .catch((error: Error) => log.error({ err: errorFacts(error) }, "Sweep failed; the next tick will try again"))
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          tick();
        }
      });
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    kick: () => setImmediate(tick),
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
