// Entra ID credentials: PALS Desk's identity towards Cosmos DB (managed identity, or a developer's az login)
// and the bot's own identity towards Microsoft Graph (client secret, or the bot's user-assigned managed identity).
import {
  ClientSecretCredential,
  DefaultAzureCredential,
  ManagedIdentityCredential,
  type ClientSecretCredentialOptions,
  type TokenCredential,
} from "@azure/identity";
import type { Config } from "../config";

/** Microsoft Graph, app-only: whatever application permissions the admin consented to. */
export const GRAPH_SCOPE = "https://graph.microsoft.com/.default";

/**
 * For tests only: where the token service is (an https address, as @azure/identity insists) and how requests
 * reach it (a transport that takes them to a loopback server). Production leaves both alone.
 */
export interface TokenServiceOverride {
  readonly authorityHost: string;
  readonly httpClient: NonNullable<ClientSecretCredentialOptions["httpClient"]>;
}

/**
 * Cosmos DB without keys: the user-assigned managed identity named by AZURE_CLIENT_ID (App Service gets it from
 * the Bicep), else DefaultAzureCredential, which on a developer's machine is their `az login`.
 */
export function cosmosCredential(clientId: string | undefined): TokenCredential {
  return clientId ? new ManagedIdentityCredential({ clientId }) : new DefaultAzureCredential();
}

/**
 * The bot's identity, for app-only Graph tokens in one tenant: its client secret (client credentials flow),
 * or for MicrosoftAppType=UserAssignedMSI its managed identity (MicrosoftAppId is that identity's client id).
 */
export function botCredential(bot: NonNullable<Config["bot"]>, tenantId: string, override?: TokenServiceOverride): TokenCredential {
  if (bot.appType === "UserAssignedMSI") return new ManagedIdentityCredential({ clientId: bot.appId });
  return new ClientSecretCredential(tenantId, bot.appId, bot.appPassword ?? "", {
    ...(override ? { authorityHost: override.authorityHost, httpClient: override.httpClient, disableInstanceDiscovery: true } : {}),
  });
}
