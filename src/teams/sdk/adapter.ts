// The Bot Framework adapter: authentication of incoming requests and of our replies.
import { TeamsAdapter } from "@microsoft/teams-ai";
import { CallerIdConstants, type ConfigurationBotFrameworkAuthenticationOptions } from "botbuilder";
import { AuthenticationConstants } from "botframework-connector";
import type { Config } from "../../config";

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
    ToChannelFromBotLoginUrl:
      AuthenticationConstants.ToChannelFromBotLoginUrlPrefix + (config.bot.tenantId ?? AuthenticationConstants.DefaultChannelAuthTenant),
    ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
    ToBotFromChannelTokenIssuer: AuthenticationConstants.ToBotFromChannelTokenIssuer,
    OAuthUrl: AuthenticationConstants.OAuthUrl,
    ToBotFromChannelOpenIdMetadataUrl: config.botOpenIdMetadataUrl,
    ToBotFromEmulatorOpenIdMetadataUrl: config.botOpenIdMetadataUrl,
    CallerId: CallerIdConstants.PublicAzureChannel,
  } as ConfigurationBotFrameworkAuthenticationOptions;
}

/** The adapter for incoming activities; teamsAi.ts gives it its error handler. */
export function createAdapter(config: Config): TeamsAdapter {
  return new TeamsAdapter(authOptions(config));
}

/** For proactive sends: no onTurnError, so a failed send reaches the outbox, which decides what to do. */
export function createProactiveAdapter(config: Config): TeamsAdapter {
  return new TeamsAdapter(authOptions(config));
}
