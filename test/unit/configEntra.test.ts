import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { ConfigError, parseConfig } from "../../src/config";

const ENDPOINT = "https://pals.documents.azure.com:443/";
const APP_ID = "11111111-1111-4111-8111-111111111111";
const TENANT = "72f988bf-0000-4000-8000-0000000000aa";
const GROUP_A = "3f2b8c1e-0000-4000-8000-000000000001";
const GROUP_B = "3F2B8C1E-0000-4000-8000-000000000002";
const BOT = { MicrosoftAppId: APP_ID, MicrosoftAppPassword: "not-shown", ALLOWED_TENANT_IDS: TENANT };

/** The one problem a ConfigError reports, or fails. */
function problemOf(env: Record<string, string>): string {
  try {
    parseConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    assert.equal(error.problems.length, 1, error.message);
    return error.problems[0];
  }
  assert.fail("the settings were accepted");
}

describe("settings for Cosmos DB without keys", () => {
  it("uses a managed identity when COSMOS_ENDPOINT is set without COSMOS_KEY", () => {
    assert.deepEqual(parseConfig({ COSMOS_ENDPOINT: ENDPOINT }).cosmos, { endpoint: ENDPOINT, auth: "identity", clientId: undefined });
    assert.deepEqual(parseConfig({ COSMOS_ENDPOINT: ENDPOINT, COSMOS_AUTH: "identity", AZURE_CLIENT_ID: "AAAAAAAA-0000-4000-8000-00000000000C" }).cosmos, {
      endpoint: ENDPOINT,
      auth: "identity",
      clientId: "aaaaaaaa-0000-4000-8000-00000000000c",
    });
  });

  it("keeps keys: COSMOS_KEY means a key unless COSMOS_AUTH says otherwise", () => {
    assert.deepEqual(parseConfig({ COSMOS_ENDPOINT: ENDPOINT, COSMOS_KEY: "a2V5" }).cosmos, { endpoint: ENDPOINT, auth: "key", key: "a2V5" });
    assert.deepEqual(parseConfig({ COSMOS_ENDPOINT: ENDPOINT, COSMOS_AUTH: "key", COSMOS_KEY: "a2V5" }).cosmos, {
      endpoint: ENDPOINT,
      auth: "key",
      key: "a2V5",
    });
  });

  it("names a wrong COSMOS_AUTH or AZURE_CLIENT_ID and what it expects", () => {
    assert.equal(problemOf({ COSMOS_ENDPOINT: ENDPOINT, COSMOS_AUTH: "aad" }), 'COSMOS_AUTH must be key or identity (it is "aad")');
    assert.equal(
      problemOf({ COSMOS_ENDPOINT: ENDPOINT, AZURE_CLIENT_ID: "my-identity" }),
      'AZURE_CLIENT_ID must be the client id (a GUID) of the user-assigned managed identity (it is "my-identity")',
    );
  });
});

describe("settings for roles from Entra ID security groups", () => {
  it("reads ROLE_*_GROUPS as group object ids (lower case, once each), looked up in the tenants served", () => {
    const config = parseConfig({ ...BOT, ROLE_MANAGERS_GROUPS: `${GROUP_A}, ${GROUP_B},${GROUP_A}`, ROLE_CLINICAL_LEADS_GROUPS: GROUP_B });
    assert.deepEqual(config.roleGroups, {
      byRole: { officer: [], volunteer: [], manager: [GROUP_A, GROUP_B.toLowerCase()], admin: [], lead: [GROUP_B.toLowerCase()] },
      tenants: [TENANT],
    });
    assert.equal(parseConfig(BOT).roleGroups, undefined, "no groups, no Graph");
  });

  it("looks groups up in MicrosoftAppTenantId's tenant when ALLOWED_TENANT_IDS is not set, and only there for a managed identity", () => {
    const single = parseConfig({
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: "x",
      MicrosoftAppType: "SingleTenant",
      MicrosoftAppTenantId: TENANT,
      ROLE_OFFICERS_GROUPS: GROUP_A,
    });
    assert.deepEqual(single.roleGroups?.tenants, [TENANT]);
    const msi = parseConfig({
      MicrosoftAppId: APP_ID,
      MicrosoftAppType: "UserAssignedMSI",
      MicrosoftAppTenantId: TENANT,
      ALLOWED_TENANT_IDS: `${TENANT},0b0b0b0b-0000-4000-8000-0000000000bb`,
      ROLE_OFFICERS_GROUPS: GROUP_A,
    });
    assert.deepEqual(msi.roleGroups?.tenants, [TENANT]);
  });

  it("names a group id that is not a GUID", () => {
    assert.equal(
      problemOf({ ...BOT, ROLE_OFFICERS_GROUPS: `${GROUP_A},PALS Officers` }),
      `ROLE_OFFICERS_GROUPS must be a comma-separated list of Entra ID group object ids (GUIDs such as 3f2b8c1e-0000-4000-8000-000000000001) (it is "${GROUP_A},PALS Officers")`,
    );
    for (const name of ["ROLE_VOLUNTEERS_GROUPS", "ROLE_MANAGERS_GROUPS", "ROLE_ADMINS_GROUPS", "ROLE_CLINICAL_LEADS_GROUPS"]) {
      assert.match(
        problemOf({ ...BOT, [name]: "3f2b8c1e-0000-4000-8000" }),
        new RegExp(`^${name} must be a comma-separated list of Entra ID group object ids`),
      );
    }
  });

  it("refuses groups without bot credentials, saying Graph is read with the bot's identity", () => {
    assert.equal(
      problemOf({ ROLE_MANAGERS_GROUPS: GROUP_A, ALLOWED_TENANT_IDS: TENANT }),
      "MicrosoftAppId must be the bot's app (client) id when ROLE_MANAGERS_GROUPS is set: group membership is read from Microsoft Graph with the bot's identity",
    );
    assert.match(
      problemOf({ ROLE_MANAGERS_GROUPS: GROUP_A, ROLE_ADMINS_GROUPS: GROUP_B }),
      /^MicrosoftAppId must be .* when ROLE_MANAGERS_GROUPS, ROLE_ADMINS_GROUPS are set/,
    );
  });

  it("refuses groups when it can't tell which tenant they belong to", () => {
    assert.match(
      problemOf({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: "x", ROLE_ADMINS_GROUPS: GROUP_A }),
      /^ALLOWED_TENANT_IDS must be your trust's Entra ID tenant id when ROLE_ADMINS_GROUPS is set \(or set MicrosoftAppTenantId\)/,
    );
  });

  it("stops start-up (exit 78) naming a group setting that is wrong, without echoing the bot's secret", function () {
    this.timeout(30_000);
    const result = spawnSync(process.execPath, ["--import", "tsx", path.join(__dirname, "..", "..", "src", "index.ts")], {
      env: {
        ...process.env,
        PORT: "0",
        LOG_LEVEL: "silent",
        MicrosoftAppId: APP_ID,
        MicrosoftAppPassword: "do-not-print-me",
        ALLOWED_TENANT_IDS: TENANT,
        ROLE_MANAGERS_GROUPS: "PALS Managers",
      },
      encoding: "utf8",
    });
    assert.equal(result.status, 78, result.stderr);
    assert.match(result.stderr, /ROLE_MANAGERS_GROUPS must be a comma-separated list of Entra ID group object ids/);
    assert.doesNotMatch(result.stderr, /do-not-print-me/);
  });
});
