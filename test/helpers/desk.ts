import { createCaseDesk, type CaseDesk, type CaseDeskDeps } from "../../src/cases";
import { parseConfig } from "../../src/config";
import { caseDeskDeps, repositoriesOf } from "../../src/index";
import type { Logger } from "../../src/logger";
import type { Store } from "../../src/store/cosmos";
import { LetterTemplates } from "../../src/store/letterTemplates";
import { loadSignpostingDirectory } from "../../src/store/signpostingFile";
import { settingsRoles } from "../../src/teams/access/identity";

/**
 * The application layer over a store, wired as the bot wires it (src/index.ts caseDeskDeps: the trust's rules,
 * retention and names from the settings), without Teams or sends: for store tests and benchmarks. `env` holds
 * settings, as the bot reads them (RULES_FILE, ROLE_*...).
 */
export function deskDeps(store: Store, options: { readonly log: Logger; readonly now: () => Date; readonly env?: Record<string, string> }): CaseDeskDeps {
  const config = parseConfig({ ...options.env });
  return caseDeskDeps(config, repositoriesOf(config, store, options.now), {
    roles: settingsRoles(config),
    signposting: loadSignpostingDirectory(config.signpostingLocalFile, config.rules.nation).directory,
    letters: new LetterTemplates(config.letterTemplatesDir),
    log: options.log,
    now: options.now,
    sendSoon: () => undefined,
    sendNow: async () => undefined,
  });
}

export function deskFor(store: Store, options: Parameters<typeof deskDeps>[1]): CaseDesk {
  return createCaseDesk(deskDeps(store, options));
}
