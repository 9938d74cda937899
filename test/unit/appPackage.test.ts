import { strict as assert } from "node:assert";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import AjvDraft04 from "ajv-draft-04";
import addFormats from "ajv-formats";
import JSZip from "jszip";
import { PNG } from "pngjs";
import { COMMANDS } from "../../src/teams/commands";
import { SEARCH_COMMAND_ID } from "../../src/teams/signposting/messageExtension";
import { APP_PACKAGE_DIR, buildManifest, COMMAND_LIMITS, commandListsFor, commandTitle, packageApp, readAppEnv } from "../../src/tools/packageApp";

const template = fs.readFileSync(path.join(APP_PACKAGE_DIR, "manifest.json"), "utf8");
const local = readAppEnv("local");

/**
 * The Teams manifest JSON schema for the template's manifestVersion, as shipped offline by
 * @microsoft/app-manifest (the Microsoft 365 Agents Toolkit's manifest library).
 */
function schemaFor(manifestVersion: string): object {
  return JSON.parse(
    fs.readFileSync(require.resolve(`@microsoft/app-manifest/build/json-schemas/teams/v${manifestVersion}/MicrosoftTeams.schema.json`), "utf8"),
  );
}

function validate(manifest: Record<string, any>): string[] {
  const ajv = new AjvDraft04({ allErrors: true, strict: false });
  addFormats(ajv);
  const check = ajv.compile(schemaFor(manifest.manifestVersion));
  return check(manifest) ? [] : (check.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`);
}

function readPng(file: string): PNG {
  return PNG.sync.read(fs.readFileSync(path.join(APP_PACKAGE_DIR, file)));
}

describe("Teams app package (appPackage/, npm run package)", () => {
  it("builds a manifest that is valid against the Teams manifest schema it names", () => {
    const manifest = buildManifest(template, local);
    assert.ok(Number(manifest.manifestVersion) >= 1.19, "a current manifest version");
    assert.equal(manifest.$schema, `https://developer.microsoft.com/en-us/json-schemas/teams/v${manifest.manifestVersion}/MicrosoftTeams.schema.json`);
    assert.deepEqual(validate(manifest), []);
  });

  it("the schema check catches a broken manifest", () => {
    const manifest = buildManifest(template, local);
    delete manifest.developer;
    manifest.bots[0].scopes = ["everywhere"];
    assert.equal(validate(manifest).length >= 2, true);
  });

  it("fills in the app and bot ids from the env file, for the bot and its message extension", () => {
    const manifest = buildManifest(template, local);
    assert.equal(manifest.id, local.TEAMS_APP_ID);
    assert.equal(manifest.bots[0].botId, local.BOT_ID);
    assert.equal(manifest.composeExtensions[0].botId, local.BOT_ID);
    assert.doesNotMatch(JSON.stringify(manifest), /\$\{\{/);
  });

  it("the Playground's env file names the Playground's bot", () => {
    const playground = readAppEnv("playground");
    const yml = fs.readFileSync(path.join(APP_PACKAGE_DIR, "..", ".m365agentsplayground.yml"), "utf8");
    assert.match(yml, new RegExp(`id: "28:${playground.BOT_ID}"`));
  });

  it("refuses ids that are not GUIDs, and a placeholder nobody set, naming them", () => {
    assert.throws(() => readAppEnv("local", { BOT_ID: "my-bot" }), /BOT_ID must be a GUID/);
    assert.throws(() => readAppEnv("sample", {}), /TEAMS_APP_ID must be a GUID/);
    assert.throws(() => readAppEnv("../secrets", {}), /APP_ENV must be a name/);
    assert.throws(() => buildManifest(template.replace("PALS Desk", "${{APP_NAME}}"), local), /needs APP_NAME/);
  });

  it("puts the bot in personal, team and group chat scopes with the message extension's search command", () => {
    const manifest = buildManifest(template, local);
    assert.deepEqual(manifest.bots[0].scopes, ["personal", "team", "groupChat"]);
    const search = manifest.composeExtensions[0].commands.find((c: any) => c.type === "query");
    assert.equal(search.id, SEARCH_COMMAND_ID, "the id the bot listens for (src/teams/signposting/messageExtension.ts)");
  });

  it("lists the welcome card's commands (src/teams/commands.ts) in each scope, within Teams' limits", () => {
    const manifest = buildManifest(template, local);
    const lists = manifest.bots[0].commandLists as ReturnType<typeof commandListsFor>;
    assert.deepEqual(
      lists.map((l) => l.scopes),
      [["personal"], ["team"], ["groupChat"]],
    );
    const typed = COMMANDS.map((c) => commandTitle(c.command));
    for (const list of lists) {
      assert.ok(list.commands.length <= COMMAND_LIMITS.perList, `${list.scopes[0]}: at most ${COMMAND_LIMITS.perList} commands`);
      assert.ok(
        list.commands.some((c) => c.title === "help"),
        `${list.scopes[0]} has help`,
      );
      for (const command of list.commands) {
        assert.ok(typed.includes(command.title), `"${command.title}" is a command the bot knows`);
        assert.ok(command.title.length <= COMMAND_LIMITS.title && command.description.length <= COMMAND_LIMITS.description);
      }
    }
    // Every command fits somewhere unless there are more than Teams can show.
    const everywhere = new Set(lists.flatMap((l) => l.commands.map((c) => c.title)));
    if (COMMANDS.length <= COMMAND_LIMITS.perList) assert.deepEqual([...everywhere].sort(), [...new Set(typed)].sort());
  });

  it("names each command by the words typed and keeps channel-only commands to teams", () => {
    assert.equal(commandTitle("case PALS-2026-000123"), "case");
    assert.equal(commandTitle("find <words or NHS number>"), "find");
    assert.equal(commandTitle("report ko41a <year>"), "report ko41a");
    const lists = commandListsFor([
      { command: "set division channel", description: "(In a channel) Send requests here.", who: { kind: "anyone" }, channelOnly: true, inMenu: true },
      { command: "new", description: "Log a contact.", who: { kind: "verb", verb: "log-contact" }, inMenu: true },
    ]);
    assert.deepEqual(
      lists.map((l) => l.commands.map((c) => c.title)),
      [["new"], ["set division channel", "new"], ["new"]],
    );
  });

  it("offers only the everyday commands (managers' are on their help card), and never drops help, when a scope has more than Teams shows", () => {
    const anyone = { kind: "anyone" } as const;
    const many = [
      ...Array.from({ length: 10 }, (_, i) => ({ command: `cmd${i}`, description: "Something.", who: anyone, inMenu: true })),
      { command: "report", description: "Figures.", who: { kind: "reports" } as const },
      { command: "help", description: "Show this list of commands.", who: anyone },
    ];
    const [personal] = commandListsFor(many);
    assert.equal(personal.commands.length, 10);
    assert.ok(!personal.commands.some((c) => c.title === "report" || c.title === "cmd9"));
    assert.equal(personal.commands.at(-1)!.title, "help");
    const menu = commandListsFor().flatMap((l) => l.commands.map((c) => c.title));
    assert.ok(
      !menu.some((title) => ["report", "subject access", "export cases", "set alerts channel"].includes(title)),
      "no manager-only command in everyone's menu",
    );
  });

  it("has a 192x192 colour icon on NHS blue", () => {
    const color = readPng("color.png");
    assert.deepEqual([color.width, color.height], [192, 192]);
    assert.deepEqual([...color.data.subarray(0, 4)], [0x00, 0x5e, 0xb8, 255], "NHS blue in the corner");
    for (let i = 3; i < color.data.length; i += 4) assert.equal(color.data[i], 255, "opaque");
  });

  it("has a 32x32 outline icon: a white glyph on a transparent background", () => {
    const outline = readPng("outline.png");
    assert.deepEqual([outline.width, outline.height], [32, 32]);
    let opaque = 0;
    for (let i = 0; i < outline.data.length; i += 4) {
      const [r, g, b, a] = outline.data.subarray(i, i + 4);
      if (a > 0) assert.deepEqual([r, g, b], [255, 255, 255], "only white is drawn");
      if (a === 255) opaque += 1;
    }
    for (const [x, y] of [
      [0, 0],
      [31, 0],
      [0, 31],
      [31, 31],
    ])
      assert.equal(outline.data[(y * 32 + x) * 4 + 3], 0, "transparent corners");
    assert.ok(opaque > 100, "a visible glyph");
  });

  it("zips manifest.json, color.png and outline.png at the root of appPackage.zip", async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pals-package-")), "appPackage.zip");
    try {
      await packageApp("local", {}, out);
      const zip = await JSZip.loadAsync(fs.readFileSync(out));
      assert.deepEqual(Object.keys(zip.files).sort(), ["color.png", "manifest.json", "outline.png"]);
      const manifest = JSON.parse(await zip.file("manifest.json")!.async("string"));
      assert.equal(manifest.id, local.TEAMS_APP_ID);
      assert.deepEqual(validate(manifest), []);
      assert.deepEqual(await zip.file("outline.png")!.async("nodebuffer"), fs.readFileSync(path.join(APP_PACKAGE_DIR, "outline.png")));
    } finally {
      fs.rmSync(path.dirname(out), { recursive: true, force: true });
    }
  });
});
