import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import type { CaseRepository, OutboxStore, RetentionRules, Rules, SweepCursor, SweepLease } from "../domain";
import { errorFacts, type Logger } from "../logger";
import { Dispatcher, type Deliverer, type DispatchReport, type SendHooks } from "./dispatcher";
import { startScheduler, type Scheduler } from "./scheduler";
import { NOT_RUN, sweep, type SweepReport } from "./sweep";

export interface Jobs {
  /** Runs one sweep now (the scheduler, POST /api/jobs/sweep and tests call this). */
  sweepNow(): Promise<SweepReport>;
  /** New messages were queued: run a sweep soon to send them. */
  kick(): void;
  /** Sends these queued messages now, outside the sweep (each is still claimed before it is sent). */
  deliverNow(trustId: string, outboxIds: readonly string[]): Promise<DispatchReport>;
  /**
   * Starts no more sweeps, waits (at most `waitMs`) for the running ones, then gives up the sweep lease if
   * this instance still holds it, so another instance can sweep at once rather than after the lease expires.
   */
  stop(waitMs?: number): Promise<void>;
}

export interface JobsOptions {
  readonly cases: CaseRepository;
  readonly outbox: OutboxStore;
  readonly cursor: SweepCursor;
  readonly lease: SweepLease;
  readonly deliverer: Deliverer;
  readonly hooks: SendHooks;
  readonly log: Logger;
  readonly now: () => Date;
  readonly intervalSeconds: number;
  readonly retention: RetentionRules;
  /** The trust's rules. */
  readonly rules: Rules;
  readonly finishPendingCases: () => Promise<number>;
  readonly remindOfWaitingEmail?: (today: string, before: string) => Promise<number>;
  readonly applyRetention: (trustId: string, caseId: string) => Promise<"applied" | "not-due" | "try-again">;
  readonly noticeRetentionReviews?: (after: string, today: string) => Promise<number>;
  readonly instanceId?: string;
}

/** Teams' shortest rate-limit window: messages held back by it are tried again this much later. */
const RATE_LIMIT_RETRY_MS = 1_000;

/** The lease outlives a slow sweep comfortably, and a dead holder blocks others for at most this long. */
const LEASE_MS = 5 * 60_000;

export function startJobs(options: JobsOptions): Jobs {
  const log = options.log.child({ component: "jobs" });
  const dispatcher = new Dispatcher(options.outbox, options.deliverer, log, options.hooks);
  const deps = {
    cases: options.cases,
    retention: options.retention,
    rules: options.rules,
    finishPendingCases: options.finishPendingCases,
    remindOfWaitingEmail: options.remindOfWaitingEmail,
    applyRetention: options.applyRetention,
    noticeRetentionReviews: options.noticeRetentionReviews,
    cursor: options.cursor,
    outbox: options.outbox,
    lease: options.lease,
    dispatcher,
    log,
    instanceId: options.instanceId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`,
    leaseMs: LEASE_MS,
  };
  // Every sweep of this instance, the timer's and POST /api/jobs/sweep's, so stop can wait for them all.
  const sweeping = new Set<Promise<SweepReport>>();
  let stopped = false;
  const run = () => {
    // Once stopping, no sweep starts (a POST /api/jobs/sweep still being read): it would take the lease again.
    if (stopped) return Promise.resolve(NOT_RUN);
    const once = sweep(deps, options.now());
    sweeping.add(once);
    void once
      .then((report) => {
        // Held back by Teams' limit for a conversation (7 a second): try again once a second has passed, not at the next tick.
        if (report.delivery?.deferredByRateLimit && !stopped) setTimeout(() => scheduler?.kick(), RATE_LIMIT_RETRY_MS).unref();
      })
      .catch(() => undefined)
      .finally(() => sweeping.delete(once));
    return once;
  };
  const scheduler: Scheduler | undefined = options.intervalSeconds > 0 ? startScheduler(options.intervalSeconds * 1000, run, log) : undefined;
  return {
    sweepNow: run,
    kick: () => scheduler?.kick(),
    deliverNow: (trustId, outboxIds) =>
      dispatcher.deliver(
        outboxIds.map((id) => ({ id, trustId })),
        options.now(),
      ),
    stop: async (waitMs = 10_000) => {
      stopped = true;
      let timer: NodeJS.Timeout | undefined;
      const waited = await Promise.race([
        Promise.allSettled([scheduler?.stop(), ...sweeping]).then(() => true),
        new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), waitMs))),
      ]);
      clearTimeout(timer);
      if (!waited) log.warn({ waitMs }, "A sweep was still running at shutdown; it stops here and the next sweep redoes its work");
      // A finished sweep has released the lease already; this covers one cut short. Only our own lease is released.
      await options.lease
        .release(deps.instanceId)
        .catch((error: unknown) => log.warn({ err: errorFacts(error) }, "Could not release the sweep lease at shutdown; it expires by itself"));
    },
  };
}
