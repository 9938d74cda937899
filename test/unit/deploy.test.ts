import { strict as assert } from "node:assert";
import { builtinModules } from "node:module";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Ajv from "ajv";
import dotenv from "dotenv";
import ts from "typescript";
import { parse as parseYaml } from "yaml";
import { CONTAINERS } from "../../src/store/cosmos";
import { RUNTIME_PATHS, stageRelease } from "../../src/tools/release";
import { bicepResources, parseObjectBody, type BicepValue } from "../helpers/bicepText";

/**
 * Deployment files (m365agents.yml, infra/, Dockerfile) and the production start. Nothing here can run the
 * Agents Toolkit, Bicep or Docker: the YAML is checked against the Toolkit's own schema, the rest as text.
 * .ci/production-start starts the release build for real.
 */

const ROOT = path.resolve(__dirname, "..", "..");
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");
const packageJson = JSON.parse(read("package.json")) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

type Action = { uses: string; name?: string; with?: Record<string, any>; env?: Record<string, string>; writeToEnvironmentFile?: Record<string, string> };
type ProjectFile = { version: string; provision?: Action[]; deploy?: Action[]; publish?: Action[] };

/** As the Toolkit CLI checks a project file: Ajv (draft-07) with union types and its extra keyword. */
function schemaErrors(project: unknown, version: string): string[] {
  const schemaFile = path.join(ROOT, "test", "fixtures", "m365agents-yaml-schema", version, "yaml.schema.json");
  assert.ok(fs.existsSync(schemaFile), `no copy of the Toolkit's ${version} schema in test/fixtures/m365agents-yaml-schema`);
  const ajv = new Ajv({ allowUnionTypes: true, allErrors: true });
  ajv.addKeyword("deprecationMessage");
  const check = ajv.compile(JSON.parse(fs.readFileSync(schemaFile, "utf8")));
  return check(project) ? [] : (check.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`);
}

function projectFile(file: string): { text: string; project: ProjectFile } {
  const text = read(file);
  return { text, project: parseYaml(text) as ProjectFile };
}

const placeholders = (text: string) => [...text.matchAll(/\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g)].map((m) => m[1]);
const bicep = read("infra/azure.bicep");
const resources = bicepResources(bicep);
const resourcesOf = (type: string) => resources.filter((r) => r.type === type);
const bicepOutputs = [...bicep.matchAll(/^output\s+(\w+)\s+/gm)].map((m) => m[1]);

/** The packages a file loads, following its relative imports through src/ (package name -> a file requiring it). */
function packagesLoadedBy(entry: string): Map<string, string> {
  const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
  const seen = new Set<string>();
  const packages = new Map<string, string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    if (file.endsWith(".json")) return;
    // Transpiled as tsc would: imports used only as types disappear, as they do from dist/.
    const js = ts.transpileModule(fs.readFileSync(file, "utf8"), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    }).outputText;
    for (const [, specifier] of js.matchAll(/require\("([^"]+)"\)/g)) {
      if (specifier.startsWith(".")) {
        const base = path.resolve(path.dirname(file), specifier);
        const target = [base, `${base}.ts`, path.join(base, "index.ts")].find((candidate) => fs.existsSync(candidate) && fs.statSync(candidate).isFile());
        assert.ok(target, `${path.relative(ROOT, file)} requires ${specifier}, which is not in src/`);
        visit(target);
      } else if (!builtins.has(specifier)) {
        const name = specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0];
        packages.set(name, path.relative(ROOT, file));
      }
    }
  };
  visit(entry);
  return packages;
}

describe("Agents Toolkit project files (m365agents*.yml)", () => {
  for (const file of ["m365agents.yml", "m365agents.playground.yml"]) {
    it(`${file} is valid against the Toolkit's schema for the version it declares`, () => {
      const { text, project } = projectFile(file);
      const declared = /^# yaml-language-server: \$schema=\S+\/(v[\d.]+)\/yaml\.schema\.json$/m.exec(text)?.[1];
      assert.equal(declared, project.version, "the $schema comment and `version` name the same schema");
      assert.deepEqual(schemaErrors(project, project.version), []);
    });
  }

  it("the schema check catches a wrong action or a missing input", () => {
    const { project } = projectFile("m365agents.yml");
    const broken = structuredClone(project);
    broken.deploy!.push({ uses: "azureAppService/zipDeploy", with: { artifactFolder: "./release" } });
    broken.provision!.push({ uses: "teamsApp/sideload", with: {} });
    assert.ok(schemaErrors(broken, project.version).length > 0);
  });

  it("provisions the Teams app and the Azure resources, then builds the package with npm run package", () => {
    const { project } = projectFile("m365agents.yml");
    const uses = project.provision!.map((a) => a.uses);
    for (const action of ["teamsApp/create", "arm/deploy", "teamsApp/validateManifest", "teamsApp/validateAppPackage", "teamsApp/update"])
      assert.ok(uses.includes(action), action);
    assert.ok(uses.indexOf("teamsApp/create") < uses.indexOf("teamsApp/update"));

    const arm = project.provision!.find((a) => a.uses === "arm/deploy")!;
    for (const template of arm.with!.templates as { path: string; parameters: string }[]) {
      assert.ok(fs.existsSync(path.join(ROOT, template.path)), template.path);
      assert.ok(fs.existsSync(path.join(ROOT, template.parameters)), template.parameters);
    }
    const manifest = project.provision!.find((a) => a.uses === "teamsApp/validateManifest")!;
    assert.ok(fs.existsSync(path.join(ROOT, manifest.with!.manifestPath)));

    // npm run package writes appPackage/build/appPackage.zip for APP_ENV (the Toolkit's environment name).
    for (const stage of [project.provision!, project.publish!]) {
      const packaging = stage.find((a) => a.uses === "cli/runNpmCommand" && a.with!.args === "run package")!;
      assert.equal(packaging.env?.APP_ENV, "${{TEAMSFX_ENV}}");
      const packaged = stage.filter((a) => a.with?.appPackagePath).map((a) => a.with!.appPackagePath);
      assert.ok(packaged.length >= 2);
      for (const zip of packaged) assert.equal(zip, "./appPackage/build/appPackage.zip");
      assert.ok(stage.findIndex((a) => a === packaging) < stage.findIndex((a) => a.with?.appPackagePath));
    }
    assert.ok(project.publish!.some((a) => a.uses === "teamsApp/publishAppPackage"));
  });

  it("deploys only the run-time files, with run-time dependencies only, to the App Service it provisioned", () => {
    const { project } = projectFile("m365agents.yml");
    const steps = project.deploy!;
    const npm = steps.filter((a) => a.uses === "cli/runNpmCommand").map((a) => `${a.with!.workingDirectory ?? "."}: npm ${a.with!.args}`);
    assert.deepEqual(npm, [
      ".: npm ci --no-audit --no-fund",
      ".: npm run build",
      ".: npm run release",
      "./release: npm ci --omit=dev --ignore-scripts --no-audit --no-fund",
    ]);
    const zip = steps[steps.length - 1];
    assert.equal(zip.uses, "azureAppService/zipDeploy");
    assert.equal(zip.with!.artifactFolder, "./release");
    assert.equal(zip.with!.resourceId, "${{AZURE_APP_SERVICE_RESOURCE_ID}}");
    assert.ok(bicepOutputs.includes("AZURE_APP_SERVICE_RESOURCE_ID"));
  });

  it("every npm script the project files run exists", () => {
    for (const file of ["m365agents.yml", "m365agents.playground.yml"]) {
      const { project } = projectFile(file);
      const actions = [...(project.provision ?? []), ...(project.deploy ?? []), ...(project.publish ?? [])];
      const scripts = actions.flatMap((a) => [a.with?.args, a.with?.run]).flatMap((command) => /(?:^|npm )run (\S+)/.exec(command ?? "")?.[1] ?? []);
      for (const script of scripts) assert.ok(packageJson.scripts[script], `${file} runs npm run ${script}`);
    }
  });

  it("every ${{VARIABLE}} it uses has a value by the time it is needed", () => {
    const { text, project } = projectFile("m365agents.yml");
    const dev = dotenv.parse(read("env/.env.dev"));
    // Set by the Toolkit itself (TEAMSFX_ENV from the file; it asks for the subscription and group when empty
    // and makes RESOURCE_SUFFIX), written by an action, or an output of the Bicep (arm/deploy).
    const written = [...project.provision!, ...project.publish!].flatMap((a) => Object.values(a.writeToEnvironmentFile ?? {}));
    const known = new Set([...Object.keys(dev), ...written, ...bicepOutputs]);
    for (const name of [...placeholders(text), ...placeholders(read("infra/azure.parameters.json"))])
      assert.ok(known.has(name), `${name} is in env/.env.dev or written by provision`);
    // The Toolkit writes outputs into env/.env.dev: list them there so readers know what to expect.
    for (const name of [...written, ...bicepOutputs]) assert.ok(name in dev, `env/.env.dev lists ${name}`);
    assert.equal(dev.TEAMSFX_ENV, "dev");
    for (const builtIn of ["AZURE_SUBSCRIPTION_ID", "AZURE_RESOURCE_GROUP_NAME", "RESOURCE_SUFFIX"]) assert.ok(builtIn in dev, builtIn);
  });

  it("env/.env.dev holds no secret and no setting of the bot itself", () => {
    const dev = dotenv.parse(read("env/.env.dev"));
    for (const name of Object.keys(dev)) assert.doesNotMatch(name, /^(SECRET_|COSMOS_KEY$|MicrosoftAppPassword$)/);
  });
});

describe("Azure resources (infra/azure.bicep, as text)", () => {
  it("declares every parameter the parameters file sets, and the parameters file sets every required one", () => {
    const params = [...bicep.matchAll(/^param\s+(\w+)\s+\w+(\s*=)?/gm)].map((m) => ({ name: m[1], required: !m[2] }));
    const given = Object.keys((JSON.parse(read("infra/azure.parameters.json")) as { parameters: object }).parameters);
    for (const name of given)
      assert.ok(
        params.some((p) => p.name === name),
        `param ${name}`,
      );
    for (const p of params.filter((p) => p.required)) assert.ok(given.includes(p.name), `infra/azure.parameters.json sets ${p.name}`);
  });

  it("has the four containers of src/store/cosmos.ts with the same partition keys, unique keys and indexes", () => {
    const containers = resourcesOf("Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers").map((r) => parseObjectBody(r.body));
    assert.deepEqual(
      containers.map((c) => c.name).sort(),
      Object.values(CONTAINERS)
        .map((c) => c.id)
        .sort(),
    );
    for (const container of containers) {
      const shape = Object.values(CONTAINERS).find((c) => c.id === container.name)!;
      const resource = (container.properties as any).resource;
      assert.equal(resource.id, container.name);
      assert.deepEqual(resource.partitionKey.paths, [shape.partitionKey], `${container.name} partition key`);
      assert.deepEqual(
        resource.uniqueKeyPolicy?.uniqueKeys ?? [],
        shape.uniqueKeys.length ? [{ paths: [...shape.uniqueKeys] }] : [],
        `${container.name} unique keys`,
      );
      const expectedIndexes = shape.compositeIndexes.map((index) => index.map(({ path, order }) => ({ path, order })));
      if (expectedIndexes.length === 0) {
        // The code leaves Cosmos DB's default indexing policy (every path): so does the Bicep.
        assert.equal(resource.indexingPolicy, undefined, `${container.name} keeps the default indexing policy`);
      } else {
        assert.deepEqual(
          resource.indexingPolicy,
          { indexingMode: "consistent", automatic: true, includedPaths: [{ path: "/*" }], compositeIndexes: expectedIndexes },
          `${container.name} indexing policy`,
        );
      }
    }
    // The policy the code creates, checked as text since it is not exported.
    assert.match(
      read("src/store/cosmos.ts"),
      /indexingPolicy: \{ indexingMode: "consistent", automatic: true, includedPaths: \[\{ path: "\/\*" \}\], compositeIndexes \}/,
    );
  });

  it("Cosmos DB takes no keys: local auth off, TLS 1.2, and the identity holds the built-in data contributor role", () => {
    const [account] = resourcesOf("Microsoft.DocumentDB/databaseAccounts").map((r) => parseObjectBody(r.body).properties as Record<string, BicepValue>);
    assert.equal(account.disableLocalAuth, true);
    assert.equal(account.minimalTlsVersion, "Tls12");
    assert.deepEqual(account.capabilities, [{ name: "EnableServerless" }]);
    assert.equal((account.backupPolicy as any).type, "Continuous");
    const [role] = resourcesOf("Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments").map((r) => parseObjectBody(r.body));
    assert.ok(role, "a Cosmos DB SQL role assignment");
    assert.match(bicep, /var cosmosDataContributor = '00000000-0000-0000-0000-000000000002'/);
    const properties = role.properties as Record<string, any>;
    assert.equal(properties.roleDefinitionId, "${cosmos.id}/sqlRoleDefinitions/${cosmosDataContributor}");
    assert.deepEqual(properties.principalId, { expression: "identity.properties.principalId" });
    assert.deepEqual(properties.scope, { expression: "cosmos.id" });
  });

  it("App Service: Linux, Node 24, HTTPS only, TLS 1.2, health check /healthz, started with node dist/index.js", () => {
    const [site] = resourcesOf("Microsoft.Web/sites").map((r) => parseObjectBody(r.body));
    const properties = site.properties as Record<string, any>;
    assert.equal(site.kind, "app,linux");
    assert.equal(properties.httpsOnly, true);
    assert.deepEqual(properties.siteConfig.linuxFxVersion, { expression: "linuxFxVersion" });
    assert.match(bicep, /param linuxFxVersion string = 'NODE\|24-lts'/);
    assert.equal(properties.siteConfig.appCommandLine, "node dist/index.js");
    assert.equal(properties.siteConfig.healthCheckPath, "/healthz");
    assert.equal(properties.siteConfig.minTlsVersion, "1.2");
    assert.equal(properties.siteConfig.alwaysOn, true);
    assert.match(JSON.stringify(site.identity), /UserAssigned/);
  });

  it("app settings: the managed identity for the bot and Cosmos DB, no key, and only names PALS Desk or App Service reads", () => {
    const [config] = resourcesOf("Microsoft.Web/sites/config");
    const union = /properties:\s*union\(trustSettings,\s*\{([\s\S]*)\}\)\s*\n\s*dependsOn/.exec(config.body);
    assert.ok(union, "appsettings are union(trustSettings, { ... })");
    const settings = parseObjectBody(union[1]);
    assert.deepEqual(settings.MicrosoftAppId, { expression: "identity.properties.clientId" });
    assert.deepEqual(settings.AZURE_CLIENT_ID, { expression: "identity.properties.clientId" });
    assert.equal(settings.MicrosoftAppType, "UserAssignedMSI");
    assert.deepEqual(settings.MicrosoftAppTenantId, { expression: "identity.properties.tenantId" });
    assert.deepEqual(settings.COSMOS_ENDPOINT, { expression: "cosmos.properties.documentEndpoint" });
    assert.equal(settings.HOST, "0.0.0.0");
    assert.equal(settings.COSMOS_KEY, undefined);
    assert.equal(settings.MicrosoftAppPassword, undefined);
    // A misspelt name would be ignored without a word: each must be a setting of src/config.ts (or App Service's own).
    const configSource = read("src/config.ts");
    const trustSettings = (JSON.parse(read("infra/azure.parameters.json")) as any).parameters.trustSettings.value as Record<string, string>;
    for (const name of [...Object.keys(settings), ...Object.keys(trustSettings)]) {
      assert.ok(/^(WEBSITE_|SCM_)/.test(name) || new RegExp(`\\b${name}\\b`).test(configSource), `${name} is read by src/config.ts`);
    }
    // AZURE_CLIENT_ID is read by @azure/identity as well as by config.
  });

  it("Azure Bot signs in as the managed identity, points at /api/messages and has the Teams channel", () => {
    const [bot] = resourcesOf("Microsoft.BotService/botServices").map((r) => parseObjectBody(r.body).properties as Record<string, any>);
    assert.equal(bot.msaAppType, "UserAssignedMSI");
    assert.deepEqual(bot.msaAppId, { expression: "identity.properties.clientId" });
    assert.deepEqual(bot.msaAppMSIResourceId, { expression: "identity.id" });
    assert.match(bot.endpoint, /^https:\/\/\$\{webApp\.properties\.defaultHostName\}\/api\/messages$/);
    const [channel] = resourcesOf("Microsoft.BotService/botServices/channels").map((r) => parseObjectBody(r.body));
    assert.equal(channel.name, "MsTeamsChannel");
  });

  it("sends App Service and Cosmos DB logs to a Log Analytics workspace", () => {
    assert.equal(resourcesOf("Microsoft.OperationalInsights/workspaces").length, 1);
    const scopes = resourcesOf("Microsoft.Insights/diagnosticSettings")
      .map((r) => parseObjectBody(r.body))
      .map((d) => ({ scope: (d.scope as any).expression, workspace: (d.properties as any).workspaceId.expression }));
    assert.deepEqual(scopes.map((s) => s.scope).sort(), ["cosmos", "webApp"]);
    for (const s of scopes) assert.equal(s.workspace, "logs.id");
  });
});

describe("Dockerfile (as text)", () => {
  const dockerfile = read("Dockerfile");
  const instructions = dockerfile
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"));
  const stages: string[][] = [];
  for (const line of instructions) {
    if (/^FROM\s/i.test(line)) stages.push([]);
    stages[stages.length - 1]?.push(line);
  }
  const runtime = stages[stages.length - 1];

  it("builds in one stage and runs in a slim, pinned Node 24 image as a non-root user", () => {
    assert.ok(stages.length >= 2, "multi-stage");
    // The Node of npm ci (the `node` devDependency) in both stages.
    for (const stage of stages) assert.equal(/^FROM node:(24\.\d+\.\d+)-bookworm-slim\b/.exec(stage[0])?.[1], packageJson.devDependencies.node, stage[0]);
    assert.ok(stages[0].some((l) => /^RUN npm ci\b/.test(l)) && stages[0].some((l) => l === "RUN npm run build"));
    const user = runtime.filter((l) => /^USER\s/.test(l)).pop();
    assert.ok(user && !/^USER\s+(root|0)\b/.test(user), "USER is not root");
  });

  it("installs run-time dependencies only and starts node dist/index.js on 0.0.0.0:3978 with a /healthz check", () => {
    assert.ok(runtime.some((l) => /^RUN npm ci\b.*--omit=dev/.test(l)));
    assert.ok(runtime.some((l) => /^ENV\b.*\bHOST=0\.0\.0\.0\b/.test(l)));
    assert.ok(runtime.includes("EXPOSE 3978"));
    const healthcheck = runtime.find((l) => l.startsWith("HEALTHCHECK"));
    assert.ok(healthcheck && /CMD \["node"/.test(healthcheck) && healthcheck.includes("/healthz"), "HEALTHCHECK with node on /healthz");
    assert.equal(runtime[runtime.length - 1], 'CMD ["node", "dist/index.js"]');
  });

  it("copies what runs (the same list as npm run release), from paths that exist and .dockerignore lets through", () => {
    const copies = instructions.filter((l) => /^COPY\s/.test(l)).map((l) => l.split(/\s+/).slice(1));
    const allowed = read(".dockerignore")
      .split("\n")
      .filter((l) => l.startsWith("!"))
      .map((l) => l.slice(1).replace(/\/$/, ""));
    for (const args of copies.filter((a) => !a[0].startsWith("--from"))) {
      for (const source of args.slice(0, -1).filter((a) => !a.startsWith("--"))) {
        assert.ok(fs.existsSync(path.join(ROOT, source)), `COPY ${source}: it exists`);
        assert.ok(allowed.includes(source), `COPY ${source}: .dockerignore lets it through`);
      }
    }
    const runtimeCopies = runtime.filter((l) => /^COPY\s/.test(l)).join("\n");
    for (const entry of RUNTIME_PATHS)
      assert.match(runtimeCopies, new RegExp(`(^|[\\s/])${entry.replace(".", "\\.")}(\\s|$)`, "m"), `the runtime stage copies ${entry}`);
  });
});

describe("production start (npm run build, then node dist/index.js)", () => {
  it("start:prod runs the build, and the build of src/index.ts is dist/index.js", () => {
    assert.equal(packageJson.scripts["start:prod"], "exec node dist/index.js");
    const tsconfig = ts.readConfigFile(path.join(ROOT, "tsconfig.json"), ts.sys.readFile).config as {
      compilerOptions: { outDir: string; rootDir: string; resolveJsonModule: boolean };
    };
    assert.equal(tsconfig.compilerOptions.outDir, "dist");
    assert.equal(tsconfig.compilerOptions.rootDir, "src");
    // src/domain/signposting/national.json is imported, so tsc copies it to dist/.
    assert.equal(tsconfig.compilerOptions.resolveJsonModule, true);
  });

  it("everything src/index.ts loads at run time is a dependency, not a devDependency", () => {
    const packages = packagesLoadedBy(path.join(ROOT, "src", "index.ts"));
    for (const [name, from] of packages) assert.ok(packageJson.dependencies[name], `${name} (required by ${from}) must be in dependencies`);
    assert.ok(packages.has("restify") && packages.has("@azure/cosmos"), "followed the imports");
    // The check can fail: npm run package's tool needs jszip, a devDependency.
    const tool = packagesLoadedBy(path.join(ROOT, "src", "tools", "packageApp.ts"));
    assert.ok(tool.has("jszip") && !packageJson.dependencies.jszip && packageJson.devDependencies.jszip);
  });

  describe("npm run release", () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "pals-release-"));
      const root = path.join(dir, "project");
      for (const file of [
        "package.json",
        "package-lock.json",
        "dist/index.js",
        "dist/domain/signposting/national.json",
        "cards/welcome.json",
        "cards/letters/final.md",
        "src/index.ts",
        "test/a.test.ts",
      ]) {
        fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        fs.writeFileSync(path.join(root, file), file);
      }
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("copies package.json, the lock file, dist/ and cards/, and nothing else", () => {
      const out = stageRelease(path.join(dir, "out"), path.join(dir, "project"));
      const files = (fs.readdirSync(out, { recursive: true }) as string[])
        .filter((f) => fs.statSync(path.join(out, f)).isFile())
        .map((f) => f.split(path.sep).join("/"))
        .sort();
      assert.deepEqual(files, [
        ".pals-desk-release",
        "cards/letters/final.md",
        "cards/welcome.json",
        "dist/domain/signposting/national.json",
        "dist/index.js",
        "package-lock.json",
        "package.json",
      ]);
      fs.writeFileSync(path.join(out, "stale.txt"), "left from last time");
      stageRelease(path.join(dir, "out"), path.join(dir, "project"));
      assert.equal(fs.existsSync(path.join(out, "stale.txt")), false, "a second run starts afresh");
    });

    it("refuses before a build, and never empties the project or a folder it did not make", () => {
      const root = path.join(dir, "project");
      fs.mkdirSync(path.join(dir, "mine"));
      fs.writeFileSync(path.join(dir, "mine", "notes.txt"), "keep me");
      assert.throws(() => stageRelease(path.join(dir, "mine"), root), /not empty and was not made by npm run release/);
      assert.equal(fs.readFileSync(path.join(dir, "mine", "notes.txt"), "utf8"), "keep me");
      assert.throws(() => stageRelease(root, root), /holds the project itself/);
      assert.throws(() => stageRelease(dir, root), /holds the project itself/);
      fs.rmSync(path.join(root, "dist"), { recursive: true });
      assert.throws(() => stageRelease(path.join(dir, "out"), root), /run npm run build first/);
    });
  });
});
