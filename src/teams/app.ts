import { Application, TeamsAdapter } from "@microsoft/teams-ai";
import type { ConfigurationBotFrameworkAuthenticationOptions } from "botbuilder";
import type { Config } from "../config";
import type { BotDeps } from "./deps";
import { turnLog } from "./turnLog";
import { registerUnknownText, registerWelcome } from "./welcome";

/**
 * With no bot credentials the adapter runs in local mode: it neither checks incoming tokens nor
 * sends any (Agents Playground, tests). With credentials every request needs a valid Bot Framework JWT.
 */
export function createAdapter(config: Config, deps: BotDeps): TeamsAdapter {
  const auth: ConfigurationBotFrameworkAuthenticationOptions = config.bot
    ? {
        MicrosoftAppId: config.bot.appId,
        MicrosoftAppPassword: config.bot.appPassword ?? "",
        MicrosoftAppType: config.bot.appType,
        MicrosoftAppTenantId: config.bot.tenantId ?? "",
      }
    : ({} as ConfigurationBotFrameworkAuthenticationOptions);
  const adapter = new TeamsAdapter(auth);
  adapter.onTurnError = async (context, error) => {
    // Error text from the SDKs carries ids and status codes, never the case content we send.
    turnLog(context, deps.log).error(
      { err: { name: (error as Error).name, message: (error as Error).message, stack: (error as Error).stack } },
      "Unhandled error while handling an activity",
    );
    if (context.activity.type === "message") {
      await context
        .sendActivity("Sorry, something went wrong on our side and nothing was saved. Please try again in a minute.")
        .catch(() => undefined);
    }
  };
  return adapter;
}

export function createApplication(adapter: TeamsAdapter, config: Config, deps: BotDeps): Application {
  const app = new Application({
    adapter,
    botAppId: config.bot?.appId ?? "",
    removeRecipientMention: true,
    startTypingTimer: false,
    longRunningMessages: false,
  });
  registerWelcome(app, deps);
  // Must stay last: it answers any message no feature claimed.
  registerUnknownText(app);
  return app;
}
