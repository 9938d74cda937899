import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import type { CaseRepository, OutboxStore, RetentionRules, SweepLease, SweepSchedule } from "../domain";
import type { Logger } from "../logger";
import { Dispatcher, type Deliverer, type DispatchReport, type SendHooks } from "./dispatcher";
import { startScheduler, type Scheduler } from "./scheduler";
import { sweep, type SweepReport } from "./sweep";

export interface Jobs {
  /** Runs one sweep now (the scheduler, POST /api/jobs/sweep and tests call this). */
  sweepNow(): Promise<SweepReport>;
  /** New messages were queued: run a sweep soon to send them. */
  kick(): void;
  /** Sends these queued messages now, outside the sweep (each is still claimed before it is sent). */
  deliverNow(tenantId: string, outboxIds: readonly string[]): Promise<DispatchReport>;
  stop(): Promise<void>;
}

export interface JobsOptions {
  readonly cases: CaseRepository;
  readonly outbox: OutboxStore;
  readonly schedule: SweepSchedule;
  readonly lease: SweepLease;
  readonly deliverer: Deliverer;
  readonly hooks: SendHooks;
  readonly log: Logger;
  readonly now: () => Date;
  readonly intervalSeconds: number;
  readonly retention: RetentionRules;
  readonly finishPendingCases: () => Promise<number>;
  readonly applyRetention: (tenantId: string, caseId: string) => Promise<"applied" | "not-due" | "try-again">;
  readonly instanceId?: string;
}

/** The lease outlives a slow sweep comfortably, and a dead holder blocks others for at most this long. */
const LEASE_MS = 5 * 60_000;

export function startJobs(options: JobsOptions): Jobs {
  const log = options.log.child({ component: "jobs" });
  const dispatcher = new Dispatcher(options.outbox, options.deliverer, log, options.hooks);
  const deps = {
    cases: options.cases,
    retention: options.retention,
    finishPendingCases: options.finishPendingCases,
    applyRetention: options.applyRetention,
    schedule: options.schedule,
    outbox: options.outbox,
    lease: options.lease,
    dispatcher,
    log,
    instanceId: options.instanceId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`,
    leaseMs: LEASE_MS,
  };
  const run = () => sweep(deps, options.now());
  const scheduler: Scheduler | undefined = options.intervalSeconds > 0 ? startScheduler(options.intervalSeconds * 1000, run, log) : undefined;
  return {
    sweepNow: run,
    kick: () => scheduler?.kick(),
    deliverNow: (tenantId, outboxIds) => dispatcher.deliver(outboxIds.map((id) => ({ id, tenantId })), options.now()),
    stop: async () => scheduler?.stop(),
  };
}
