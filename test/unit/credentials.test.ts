import { strict as assert } from "node:assert";
import { ClientSecretCredential, DefaultAzureCredential, ManagedIdentityCredential } from "@azure/identity";
import { parseConfig } from "../../src/config";
import { botCredential, cosmosCredential } from "../../src/entra/credentials";

const APP_ID = "6d1f2c3b-0000-4000-8000-00000000a99e";
const TENANT = "72f988bf-0000-4000-8000-0000000000aa";

describe("which Entra ID credential is used", () => {
  it("for Cosmos DB: the user-assigned managed identity named by AZURE_CLIENT_ID, else DefaultAzureCredential (az login)", () => {
    assert.ok(cosmosCredential("aaaaaaaa-0000-4000-8000-00000000000c") instanceof ManagedIdentityCredential);
    assert.ok(cosmosCredential(undefined) instanceof DefaultAzureCredential);
  });

  it("for Microsoft Graph: the bot's client secret, or its managed identity for MicrosoftAppType=UserAssignedMSI", () => {
    const secret = parseConfig({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: "s" }).bot!;
    assert.ok(botCredential(secret, TENANT) instanceof ClientSecretCredential);
    const msi = parseConfig({ MicrosoftAppId: APP_ID, MicrosoftAppType: "UserAssignedMSI", MicrosoftAppTenantId: TENANT }).bot!;
    assert.ok(botCredential(msi, TENANT) instanceof ManagedIdentityCredential);
  });
});
