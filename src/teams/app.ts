import { Application, TeamsAdapter } from "@microsoft/teams-ai";
import { CallerIdConstants, INVOKE_RESPONSE_KEY, type ConfigurationBotFrameworkAuthenticationOptions, type TurnContext } from "botbuilder";
import { AuthenticationConstants } from "botframework-connector";
import type { Config } from "../config";
import { registerCaseCard } from "./caseCard";
import { registerCaseLookup } from "./caseLookup";
import { registerComplaintsProcess } from "./complaintsProcess";
import type { BotDeps } from "./deps";
import { identify } from "./identity";
import { registerInvestigations, registerInvestigationThreads } from "./investigations";
import { registerLogContact } from "./logContact";
import { registerFiles } from "./files";
import { registerLetters } from "./letters";
import { registerOmbudsman } from "./ombudsman";
import { registerReports } from "./reports";
import { registerNudges } from "./nudges";
import { registerMessageExtension } from "./messageExtension";
import { registerSignposting } from "./signposting";
import { tell } from "./caller";
import { noticeCard } from "./caseView";
import { answerWithCard } from "./invoke";
import { turnLog } from "./turnLog";
import { registerUnknownText, registerWelcome } from "./welcome";

/**
 * With no bot credentials the adapter runs in local mode: it neither checks incoming tokens nor
 * sends any (Agents Playground, tests). With credentials every request needs a valid Bot Framework JWT.
 */
function authOptions(config: Config): ConfigurationBotFrameworkAuthenticationOptions {
  if (!config.bot) return {} as ConfigurationBotFrameworkAuthenticationOptions;
  const credentials = {
    MicrosoftAppId: config.bot.appId,
    MicrosoftAppPassword: config.bot.appPassword ?? "",
    MicrosoftAppType: config.bot.appType,
    MicrosoftAppTenantId: config.bot.tenantId ?? "",
  };
  if (!config.botOpenIdMetadataUrl) return credentials as ConfigurationBotFrameworkAuthenticationOptions;
  // Naming one endpoint switches the SDK to "parameterised" mode, where every value must be given.
  return {
    ...credentials,
    ValidateAuthority: true,
    ToChannelFromBotLoginUrl: AuthenticationConstants.ToChannelFromBotLoginUrlPrefix + (config.bot.tenantId ?? AuthenticationConstants.DefaultChannelAuthTenant),
    ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
    ToBotFromChannelTokenIssuer: AuthenticationConstants.ToBotFromChannelTokenIssuer,
    OAuthUrl: AuthenticationConstants.OAuthUrl,
    ToBotFromChannelOpenIdMetadataUrl: config.botOpenIdMetadataUrl,
    ToBotFromEmulatorOpenIdMetadataUrl: config.botOpenIdMetadataUrl,
    CallerId: CallerIdConstants.PublicAzureChannel,
  } as ConfigurationBotFrameworkAuthenticationOptions;
}

/** For proactive sends: no onTurnError, so a failed send reaches the outbox, which decides what to do. */
export function createProactiveAdapter(config: Config): TeamsAdapter {
  return new TeamsAdapter(authOptions(config));
}

/** Cosmos DB unreachable (refused, reset, timed out) or still throttling after the SDK's own retries. */
function isStoreUnavailable(error: unknown): boolean {
  const { code, name } = (error ?? {}) as { code?: unknown; name?: unknown };
  return ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", 429, 503, "TimeoutError"].includes(code as string | number) || name === "TimeoutError";
}

export function createAdapter(config: Config, deps: Pick<BotDeps, "log">): TeamsAdapter {
  const adapter = new TeamsAdapter(authOptions(config));
  adapter.onTurnError = async (context, error) => {
    // Error text from the SDKs carries ids and status codes, never the case content we send.
    turnLog(context, deps.log).error(
      { err: { name: (error as Error).name, message: (error as Error).message, stack: (error as Error).stack } },
      "Unhandled error while handling an activity",
    );
    const storeDown = isStoreUnavailable(error);
    const title = storeDown ? "PALS Desk can't reach its case store right now" : "Sorry, something went wrong on our side";
    const text = "Nothing was saved. Please try again in a minute; if it keeps happening, tell your PALS Desk admin.";
    if (context.activity.type === "message") {
      await context.sendActivity(`**${title}.** ${text}`).catch(() => undefined);
    } else if (context.activity.type === "invoke" && !context.turnState.get(INVOKE_RESPONSE_KEY)) {
      await answerWithCard(context, noticeCard(title, text, "attention")).catch(() => undefined);
    }
  };
  return adapter;
}

/** Keeps the staff directory current (names, how to reach people) without holding up the turn on failure. */
async function rememberPerson(context: TurnContext, deps: BotDeps): Promise<void> {
  const identified = identify(context, deps.config);
  if (!identified.ok) return;
  const { caller } = identified;
  const personal = context.activity.conversation?.conversationType === "personal";
  try {
    await deps.people.remember(
      caller.tenantId,
      { aadObjectId: caller.actor.aadObjectId, name: caller.actor.name, teamsUserId: caller.teamsUserId },
      personal
        ? {
            conversationId: context.activity.conversation.id,
            serviceUrl: context.activity.serviceUrl,
            channelId: context.activity.channelId,
            botId: context.activity.recipient?.id,
            conversationType: "personal",
          }
        : undefined,
    );
  } catch (error) {
    turnLog(context, deps.log).warn({ err: { message: (error as Error).message } }, "Could not record the person in the staff directory");
  }
}

/** Install and uninstall notices carry no request to refuse. */
function isInstallChange(context: TurnContext): boolean {
  return context.activity.type === "conversationUpdate" || context.activity.type === "installationUpdate";
}

export function createApplication(adapter: TeamsAdapter, deps: BotDeps): Application {
  const app = new Application({
    adapter,
    botAppId: deps.config.bot?.appId ?? "",
    removeRecipientMention: true,
    startTypingTimer: false,
    longRunningMessages: false,
  });
  app.turn("beforeTurn", async (context) => {
    // Another organisation's users are served nothing at all, not even help.
    const identified = identify(context, deps.config);
    if (!identified.ok && deps.config.allowedTenantIds.length > 0 && !isInstallChange(context)) {
      turnLog(context, deps.log).warn({ activityType: context.activity.type }, "Refused an activity from a tenant that is not served");
      await tell(context, "PALS Desk can't help with that", identified.refusal);
      return false;
    }
    await rememberPerson(context, deps);
    return true;
  });
  registerWelcome(app, deps);
  registerLogContact(app, deps);
  registerCaseCard(app, deps);
  registerCaseLookup(app, deps);
  registerNudges(app, deps);
  registerSignposting(app, deps);
  registerComplaintsProcess(app, deps);
  registerMessageExtension(app, deps);
  registerInvestigations(app, deps);
  registerReports(app, deps);
  registerLetters(app, deps);
  registerOmbudsman(app, deps);
  registerFiles(app, deps);
  // After every command, so "@PALS Desk help" in a request thread still shows help.
  registerInvestigationThreads(app, deps);
  // Must stay last: it answers any message no feature claimed.
  registerUnknownText(app);
  return app;
}
