// The Teams side of PALS Desk, put together: the bot over the SDK seam (sdk/), with every feature's
// commands, card buttons and searches registered on it. Features are parse -> call src/cases -> render.
import type { Request, Response } from "restify";
import type { Config } from "../config";
import type { RoleDirectory } from "../domain";
import type { Logger } from "../logger";
import { tell } from "./caller";
import { registerCaseCard } from "./cases/caseCard";
import { registerCaseDetails } from "./cases/caseDetails";
import { registerCaseLookup } from "./cases/caseLookup";
import { noticeCard } from "./cases/caseView";
import { registerComplaintsProcess } from "./signposting/complaintsProcess";
import type { TeamsDeps } from "./deps";
import { registerFiles } from "./reports/files";
import { identify } from "./access/identity";
import { registerInvestigations } from "./investigations/investigations";
import { registerLearningActions } from "./actions/learningActions";
import { registerLetters } from "./letters/letters";
import { registerLogContact } from "./cases/logContact";
import { registerInbox } from "./inbox/inbox";
import { registerCorrespondence } from "./letters/correspondence";
import { registerMessageAction } from "./cases/messageAction";
import { registerMessageExtension } from "./signposting/messageExtension";
import { registerNudges } from "./alerts/nudges";
import { registerOmbudsman } from "./letters/ombudsman";
import { registerRecalculate } from "./cases/recalculate";
import { registerReports } from "./reports/reports";
import { registerRetention } from "./retention/retention";
import { createAdapter } from "./sdk/adapter";
import { TeamsBot } from "./sdk/teamsAi";
import type { BotRoutes, Turn } from "./sdk/turn";
import { registerSignposting } from "./signposting/signposting";
import { notUnderstood, registerWelcome, unknownVerb } from "./welcome";
import { registerYouSaidWeDid } from "./actions/youSaidWeDid";

/** Cosmos DB unreachable (refused, reset, timed out) or still throttling after the SDK's own retries. */
function isStoreUnavailable(error: unknown): boolean {
  const { code, name } = (error ?? {}) as { code?: unknown; name?: unknown };
  return ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", 429, 503, "TimeoutError"].includes(code as string | number) || name === "TimeoutError";
}

/** Install and uninstall notices carry no request to refuse. */
const isInstallChange = (turn: Turn) => turn.incoming.type === "conversationUpdate" || turn.incoming.type === "installationUpdate";

async function beforeTurn(turn: Turn, deps: TeamsDeps): Promise<boolean> {
  const { identified } = turn;
  // Group roles could not be read and nothing else gives this person a role: they are told so (Graph's failure is logged
  // where it happened). Install notices go on, so adding the app still shows the welcome card.
  if (!identified.ok && identified.reason === "roles-unchecked") {
    if (isInstallChange(turn)) return true;
    turn.log.info({ activityType: turn.incoming.type }, "Refused an activity: the person's roles could not be checked");
    await tell(turn, "PALS Desk can't help with that right now", identified.refusal);
    return false;
  }
  // Another organisation's users are served nothing at all, not even help or a welcome: one refusal when they
  // ask for something or add the bot, silence for every other notice, and nothing written.
  if (!identified.ok && (identified.reason === "tenant-not-served" || (deps.config.allowedTenantIds.length > 0 && !isInstallChange(turn)))) {
    turn.log.warn({ activityType: turn.incoming.type, reason: identified.reason }, "Refused an activity from a tenant that is not served");
    if (!isInstallChange(turn) || turn.incoming.botMembership === "added") await tell(turn, "PALS Desk can't help with that", identified.refusal);
    return false;
  }
  // People of the trust are remembered, with or without a role (a ward manager may own an action). In a shared
  // tenant, someone with no role is in no trust (identity.ts) unless in a channel of the trust's own team.
  if (turn.identified.ok && !turn.identified.addressedOnly) {
    const { incoming } = turn;
    const personalChat =
      incoming.conversationType === "personal"
        ? {
            conversationId: incoming.conversationId,
            serviceUrl: incoming.serviceUrl,
            channelId: incoming.channelId,
            botId: incoming.botId,
            conversationType: "personal",
          }
        : undefined;
    await deps.desk.directory.rememberPerson(turn.identified.caller, personalChat);
  }
  return true;
}

export interface TeamsEndpoint {
  /** Handles one POST /api/messages; every line logged while handling it goes to `log`. */
  process(req: Request, res: Response, log: Logger): Promise<void>;
}

export function createTeamsEndpoint(config: Config, roles: RoleDirectory, deps: TeamsDeps, serviceUrls = new Map<string, string>()): TeamsEndpoint {
  if (config.bot && !config.trusts && config.allowedTenantIds.length === 0) {
    deps.log.warn("ALLOWED_TENANT_IDS is empty: any organisation that installs the app is served. Set it to your trust's Entra ID tenant id.");
  }
  const bot = new TeamsBot(createAdapter(config), {
    botAppId: config.bot?.appId ?? "",
    log: deps.log,
    identify: (incoming) => identify(incoming, config, roles, serviceUrls),
    beforeTurn: (turn) => beforeTurn(turn, deps),
    noticeCard: (title, text) => noticeCard(title, text, "attention"),
    notUnderstood,
    unknownVerb,
    isStoreUnavailable,
  });
  registerFeatures(bot, deps);
  bot.finish();
  return bot;
}

/** Every feature's commands, card buttons and searches (test/unit/verbs.test.ts checks each card verb has one). */
export function registerFeatures(routes: BotRoutes, deps: TeamsDeps): void {
  registerWelcome(routes, deps);
  registerLogContact(routes, deps);
  registerCaseCard(routes, deps);
  registerCaseDetails(routes, deps);
  registerRecalculate(routes, deps);
  registerCaseLookup(routes, deps);
  registerNudges(routes, deps);
  registerInbox(routes, deps);
  registerCorrespondence(routes, deps);
  registerSignposting(routes, deps);
  registerComplaintsProcess(routes, deps);
  registerMessageExtension(routes, deps);
  registerMessageAction(routes, deps);
  registerInvestigations(routes, deps);
  registerLearningActions(routes, deps);
  registerReports(routes, deps);
  registerYouSaidWeDid(routes, deps);
  registerLetters(routes, deps);
  registerOmbudsman(routes, deps);
  registerRetention(routes, deps);
  registerFiles(routes, deps);
}
