import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import type { Case, CaseRepository, RetentionRules, TimelineRepository } from "../domain";
import type { Logger } from "../logger";
import type { Store } from "../store/cosmos";
import { CosmosOutboxStore, CosmosSweepLease, CosmosSweepSchedule } from "../store/jobsRepository";
import { watchCase } from "./caseWatch";
import { Dispatcher, type Deliverer } from "./dispatcher";
import { startScheduler, type Scheduler } from "./scheduler";
import { sweep, type SweepReport } from "./sweep";

export interface Jobs {
  /** Runs one sweep now (the scheduler, POST /api/jobs/sweep and tests call this). */
  sweepNow(): Promise<SweepReport>;
  /** After a case is saved: file it for nudges, queue alerts, and send them soon. */
  caseSaved(c: Case): Promise<void>;
  stop(): Promise<void>;
}

export interface JobsOptions {
  readonly store: Store;
  readonly cases: CaseRepository;
  readonly outbox: CosmosOutboxStore;
  readonly deliverer: Deliverer;
  readonly log: Logger;
  readonly now: () => Date;
  readonly intervalSeconds: number;
  readonly timeline: TimelineRepository;
  readonly retention: RetentionRules;
  readonly instanceId?: string;
}

/** The lease outlives a slow sweep comfortably, and a dead holder blocks others for at most this long. */
const LEASE_MS = 5 * 60_000;

export function startJobs(options: JobsOptions): Jobs {
  const log = options.log.child({ component: "jobs" });
  const schedule = new CosmosSweepSchedule(options.store.containers.jobs);
  const deps = {
    cases: options.cases,
    timeline: options.timeline,
    retention: options.retention,
    schedule,
    outbox: options.outbox,
    lease: new CosmosSweepLease(options.store.containers.jobs),
    dispatcher: new Dispatcher(options.outbox, options.deliverer, log),
    log,
    instanceId: options.instanceId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`,
    leaseMs: LEASE_MS,
  };
  const run = () => sweep(deps, options.now());
  const scheduler: Scheduler | undefined = options.intervalSeconds > 0 ? startScheduler(options.intervalSeconds * 1000, run, log) : undefined;
  return {
    sweepNow: run,
    async caseSaved(c) {
      const queued = await watchCase({ cases: options.cases, schedule, outbox: options.outbox, retention: options.retention }, c, options.now());
      if (queued > 0) scheduler?.kick();
    },
    stop: async () => scheduler?.stop(),
  };
}
