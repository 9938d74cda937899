import { createCaseDesk, type CaseDesk, type CaseDeskDeps } from "../../src/cases";
import { parseConfig } from "../../src/config";
import type { Logger } from "../../src/logger";
import { CosmosCaseRepository } from "../../src/store/caseRepository";
import type { Store } from "../../src/store/cosmos";
import { CosmosOutboxStore } from "../../src/store/jobsRepository";
import { LetterTemplates } from "../../src/store/letterTemplates";
import { CosmosChannelDirectory, CosmosPeopleDirectory } from "../../src/store/peopleRepository";
import { loadSignpostingDirectory } from "../../src/store/signpostingFile";
import { CosmosTimelineRepository } from "../../src/store/timelineRepository";
import { settingsRoles } from "../../src/teams/identity";

/** The application layer over a store, as the bot builds it (no Teams, no sends): for store tests and benchmarks. */
export function deskDeps(store: Store, options: { readonly log: Logger; readonly now: () => Date; readonly env?: Record<string, string> }): CaseDeskDeps {
  const config = parseConfig({ ...options.env });
  return {
    cases: new CosmosCaseRepository(store.containers.cases, config.retention),
    timeline: new CosmosTimelineRepository(store.containers.events),
    outbox: new CosmosOutboxStore(store.containers.jobs),
    people: new CosmosPeopleDirectory(store.containers.conversations, options.now),
    channels: new CosmosChannelDirectory(store.containers.conversations, options.now),
    roles: settingsRoles(config),
    signposting: loadSignpostingDirectory(undefined).directory,
    letters: new LetterTemplates(),
    retention: config.retention,
    log: options.log,
    now: options.now,
    sendSoon: () => undefined,
    sendNow: async () => undefined,
  };
}

export function deskFor(store: Store, options: Parameters<typeof deskDeps>[1]): CaseDesk {
  return createCaseDesk(deskDeps(store, options));
}
