import fs from "node:fs";
import path from "node:path";
import dotenv from "dotenv";
import JSZip from "jszip";
import { z } from "zod";
import { COMMANDS, type CommandHelp } from "../teams/commands";

/**
 * `npm run package`: appPackage/manifest.json with its ${{NAME}} placeholders filled from
 * env/.env.<APP_ENV> (or TEAMSFX_ENV; default local; the process environment wins, as for the bot's settings),
 * the bot's command lists generated from src/teams/commands.ts, zipped with the icons into
 * appPackage/build/appPackage.zip, ready to upload to Teams.
 */

const ROOT = path.resolve(__dirname, "..", "..");
export const APP_PACKAGE_DIR = path.join(ROOT, "appPackage");

/** What Teams accepts in a bot's command menu (the schema allows longer text; Teams' validation does not). */
export const COMMAND_LIMITS = { perList: 10, title: 32, description: 128 } as const;
export type Scope = "personal" | "team" | "groupChat";
export interface CommandList {
  scopes: Scope[];
  commands: { title: string; description: string }[];
}

const guid = (name: string) =>
  z
    .string({ required_error: `${name} must be set (a GUID, e.g. 00000000-0000-4000-8000-000000000000)` })
    .trim()
    .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, `${name} must be a GUID, e.g. 00000000-0000-4000-8000-000000000000`);

/** The ids the manifest needs: the Teams app's own id and the bot's Entra ID app (client) id. */
export const AppEnvSchema = z
  .object({ TEAMS_APP_ID: guid("TEAMS_APP_ID"), BOT_ID: guid("BOT_ID") })
  .passthrough()
  .transform((env) => env as Record<string, string> & { TEAMS_APP_ID: string; BOT_ID: string });
export type AppEnv = z.output<typeof AppEnvSchema>;

export class PackageError extends Error {
  override name = "PackageError";
}

/** env/.env.<appEnv> under the process environment; TEAMS_APP_ID and BOT_ID checked as GUIDs. */
export function readAppEnv(appEnv: string, processEnv: NodeJS.ProcessEnv = process.env, root = ROOT): AppEnv {
  if (!/^[a-z0-9][a-z0-9-]*$/i.test(appEnv)) throw new PackageError(`APP_ENV must be a name like local or playground (it is "${appEnv}")`);
  const file = path.join(root, "env", `.env.${appEnv}`);
  if (!fs.existsSync(file)) throw new PackageError(`There is no env/.env.${appEnv} for APP_ENV=${appEnv}`);
  const parsed = AppEnvSchema.safeParse({ ...dotenv.parse(fs.readFileSync(file)), ...definedOnly(processEnv) });
  if (!parsed.success) throw new PackageError(`env/.env.${appEnv}: ${parsed.error.issues.map((issue) => issue.message).join("; ")}`);
  return parsed.data;
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => typeof entry[1] === "string" && entry[1] !== ""));
}

/** The words a person types: `case PALS-2026-000123` gives `case`, `find <words or NHS number>` gives `find`. */
export function commandTitle(command: string): string {
  const words: string[] = [];
  for (const word of command.split(" ")) {
    if (!/^[a-z][a-z0-9']*$/.test(word)) break;
    words.push(word);
  }
  return words.join(" ");
}

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`);

/**
 * One command list per scope. Teams' command menu is static, the same for everyone in the app (no per-user lists)
 * and at most 10 a scope, so it holds the everyday commands (commands.ts `inMenu`), officers' first, in the
 * welcome card's order; channel-only ones in teams only. Over 10, the last go first; `help` always stays.
 * Each person's `help` lists everything their roles allow, managers' commands included.
 */
export function commandListsFor(commands: readonly CommandHelp[] = COMMANDS): CommandList[] {
  const scopes: Scope[] = ["personal", "team", "groupChat"];
  const isHelp = (c: CommandHelp) => commandTitle(c.command) === "help";
  return scopes.map((scope) => {
    let chosen = commands.filter((c) => (c.inMenu || isHelp(c)) && (scope === "team" || !c.channelOnly));
    while (chosen.length > COMMAND_LIMITS.perList) {
      const index = chosen.map((c) => !isHelp(c)).lastIndexOf(true);
      chosen = chosen.filter((_, i) => i !== index);
    }
    return {
      scopes: [scope],
      commands: chosen.map((c) => {
        const title = commandTitle(c.command);
        const usage = c.command !== title ? `${c.command}: ` : "";
        return { title: clip(title, COMMAND_LIMITS.title), description: clip(`${usage}${c.description}`, COMMAND_LIMITS.description) };
      }),
    };
  });
}

/** The manifest template with ${{NAME}} filled in and the command lists added. */
export function buildManifest(template: string, env: Record<string, string>, commands: readonly CommandHelp[] = COMMANDS): Record<string, any> {
  const missing = new Set<string>();
  const filled = template.replace(/\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_match, name: string) => {
    const value = env[name];
    if (value === undefined) {
      missing.add(name);
      return "";
    }
    return JSON.stringify(value).slice(1, -1);
  });
  if (missing.size > 0) throw new PackageError(`appPackage/manifest.json needs ${[...missing].join(", ")}: set it in the env file or the environment`);
  const manifest = JSON.parse(filled) as Record<string, any>;
  for (const bot of manifest.bots ?? []) bot.commandLists = commandListsFor(commands).filter((list) => bot.scopes.includes(list.scopes[0]));
  return manifest;
}

/** Builds appPackage/build/appPackage.zip (manifest.json, color.png, outline.png at its root). */
export async function packageApp(
  appEnv: string,
  processEnv: NodeJS.ProcessEnv = process.env,
  outFile = path.join(APP_PACKAGE_DIR, "build", "appPackage.zip"),
): Promise<{ zipFile: string; manifest: Record<string, any> }> {
  const env = readAppEnv(appEnv, processEnv);
  const manifest = buildManifest(fs.readFileSync(path.join(APP_PACKAGE_DIR, "manifest.json"), "utf8"), env);
  const zip = new JSZip();
  // A fixed date keeps the zip the same byte for byte when nothing changed.
  const date = new Date("2026-01-01T00:00:00Z");
  zip.file("manifest.json", `${JSON.stringify(manifest, null, 2)}\n`, { date });
  for (const icon of [manifest.icons.color, manifest.icons.outline] as string[]) {
    zip.file(path.basename(icon), fs.readFileSync(path.join(APP_PACKAGE_DIR, icon)), { date });
  }
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, await zip.generateAsync({ type: "nodebuffer", compression: "DEFLATE", platform: "UNIX" }));
  return { zipFile: outFile, manifest };
}

if (require.main === module) {
  // TEAMSFX_ENV: what the Agents Toolkit sets when it runs this from m365agents.playground.yml.
  const appEnv = process.env.APP_ENV ?? process.env.TEAMSFX_ENV ?? "local";
  packageApp(appEnv)
    .then(({ zipFile, manifest }) => {
      const commands = (manifest.bots[0].commandLists as CommandList[]).map((list) => `${list.scopes[0]} ${list.commands.length}`).join(", ");
      process.stdout.write(
        `Built ${path.relative(process.cwd(), zipFile)} for APP_ENV=${appEnv} (app ${manifest.id}, bot ${manifest.bots[0].botId}; commands: ${commands})\n`,
      );
    })
    .catch((error: unknown) => {
      process.stderr.write(`npm run package failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    });
}
