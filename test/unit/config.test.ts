import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ConfigError, loadConfig, parseConfig } from "../../src/config";

describe("settings", () => {
  it("defaults to local mode on 127.0.0.1:3978 with the embedded store", () => {
    const config = parseConfig({});
    assert.equal(config.port, 3978);
    assert.equal(config.host, "127.0.0.1");
    assert.equal(config.bot, undefined);
    assert.equal(config.cosmos, undefined);
    assert.equal(config.cosmosDatabase, "pals");
    assert.equal(config.turnsAtOnce, 4);
  });

  it("names the setting and what it expects when a value is wrong", () => {
    assert.throws(
      () => parseConfig({ PORT: "eighty" }),
      (error: unknown) => error instanceof ConfigError && /PORT must be a port number \(it is "eighty"\)/.test(error.message),
    );
    assert.throws(() => parseConfig({ PORT: "70000" }), /PORT must be a port from 0 to 65535/);
    assert.throws(() => parseConfig({ LOG_LEVEL: "loud" }), /LOG_LEVEL must be/);
    assert.throws(() => parseConfig({ COSMOS_ENDPOINT: "not a url" }), /COSMOS_ENDPOINT must be an https:\/\/ URL/);
    assert.throws(() => parseConfig({ TURNS_AT_ONCE: "0" }), /TURNS_AT_ONCE must be at least 1 turn/);
    assert.throws(() => parseConfig({ TURNS_AT_ONCE: "2.5" }), /TURNS_AT_ONCE must be a whole number of turns/);
    assert.equal(parseConfig({ TURNS_AT_ONCE: "16" }).turnsAtOnce, 16);
  });

  it("connects to a Cosmos DB account with its key when COSMOS_KEY is set, without echoing secrets", () => {
    const config = parseConfig({ COSMOS_ENDPOINT: "https://pals.documents.azure.com:443/", COSMOS_KEY: "c2VjcmV0" });
    assert.deepEqual(config.cosmos, { endpoint: "https://pals.documents.azure.com:443/", auth: "key", key: "c2VjcmV0" });
    assert.throws(
      () => parseConfig({ COSMOS_ENDPOINT: "https://pals.documents.azure.com:443/", COSMOS_AUTH: "key" }),
      (error: unknown) => error instanceof ConfigError && /COSMOS_KEY must be the account key .* when COSMOS_AUTH=key/.test(error.message),
    );
    assert.throws(
      () => parseConfig({ COSMOS_ENDPOINT: "https://pals.documents.azure.com:443/", COSMOS_AUTH: "identity", COSMOS_KEY: "c2VjcmV0" }),
      (error: unknown) =>
        error instanceof ConfigError && /COSMOS_KEY must be unset when COSMOS_AUTH=identity/.test(error.message) && !error.message.includes("c2VjcmV0"),
    );
  });

  it("needs a secret or a managed identity once a bot registration is named", () => {
    assert.throws(() => parseConfig({ MicrosoftAppId: "11111111-1111-1111-1111-111111111111" }), /MicrosoftAppPassword must be/);
    assert.throws(
      () => parseConfig({ MicrosoftAppId: "11111111-1111-1111-1111-111111111111", MicrosoftAppType: "SingleTenant", MicrosoftAppPassword: "x" }),
      /MicrosoftAppTenantId must be/,
    );
    const msi = parseConfig({
      MicrosoftAppId: "11111111-1111-1111-1111-111111111111",
      MicrosoftAppType: "UserAssignedMSI",
      MicrosoftAppTenantId: "22222222-2222-2222-2222-222222222222",
    });
    assert.equal(msi.bot?.appType, "UserAssignedMSI");
  });

  it("reads env/.env.local, with the process environment winning", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pals-config-"));
    fs.mkdirSync(path.join(dir, "env"));
    fs.writeFileSync(path.join(dir, "env", ".env.local"), "PORT=4000\nLOG_LEVEL=warn\n");
    const config = loadConfig({ LOG_LEVEL: "error" }, dir);
    assert.equal(config.port, 4000);
    assert.equal(config.logLevel, "error");
    assert.throws(() => loadConfig({ ENV_FILE: "env/.env.missing" }, dir), /ENV_FILE must name a file that exists/);
  });

  it("stops start-up with a clear message and no stack trace when a setting is wrong", function () {
    this.timeout(30000);
    const result = spawnSync(process.execPath, ["--import", "tsx", path.join(__dirname, "..", "..", "src", "index.ts")], {
      env: { ...process.env, PORT: "eighty", LOG_LEVEL: "silent" },
      encoding: "utf8",
    });
    assert.equal(result.status, 78);
    assert.match(result.stderr, /PALS Desk cannot start: a setting is wrong/);
    assert.match(result.stderr, /PORT must be a port number \(it is "eighty"\)/);
    assert.match(result.stderr, /See the Settings table in docs\/operations.md/);
    assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
  });

  it("takes an optional signposting file that must exist, and stops start-up naming a bad entry in it", function () {
    this.timeout(30000);
    assert.equal(parseConfig({}).signpostingLocalFile, undefined);
    const example = parseConfig({ SIGNPOSTING_LOCAL_FILE: "env/signposting.local.example.json" });
    assert.equal(example.signpostingLocalFile, path.resolve("env/signposting.local.example.json"));
    assert.throws(() => parseConfig({ SIGNPOSTING_LOCAL_FILE: "env/missing.json" }), /SIGNPOSTING_LOCAL_FILE must be a JSON file that exists/);
    assert.throws(() => parseConfig({ SIGNPOSTING_LOCAL_FILE: "env" }), /SIGNPOSTING_LOCAL_FILE must be a JSON file that exists/);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pals-config-"));
    const bad = path.join(dir, "local.json");
    fs.writeFileSync(
      bad,
      JSON.stringify({ entries: [{ id: "chaplaincy", name: "Chaplaincy", purpose: "p", whenToUse: "w", hours: "h", contact: { web: "ftp://x" } }] }),
    );
    const result = spawnSync(process.execPath, ["--import", "tsx", path.join(__dirname, "..", "..", "src", "index.ts")], {
      env: { ...process.env, PORT: "0", LOG_LEVEL: "silent", SIGNPOSTING_LOCAL_FILE: bad },
      encoding: "utf8",
    });
    assert.equal(result.status, 78);
    assert.ok(result.stderr.includes(bad), result.stderr);
    assert.match(result.stderr, /entry 1 \(index 0, id "chaplaincy"\): contact\.web must be an https:\/\/ web address/);
    assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
  });
});
