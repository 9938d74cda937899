import { spawn } from "node:child_process";
import path from "node:path";
import { loadConfig } from "./config";
import { startBot } from "./index";
import { createLogger } from "./logger";

/**
 * `npm run playground`: PALS Desk on its embedded store plus the Microsoft 365 Agents Playground
 * pointed at it. The Playground reads the pretend trust from .m365agentsplayground.yml.
 */
async function main(): Promise<void> {
  const config = loadConfig({ ENV_FILE: path.join("env", ".env.playground"), ...process.env });
  const playgroundPort = config.playgroundPort;
  const log = createLogger(config.logLevel);
  const bot = await startBot(config, { log });
  const root = path.resolve(__dirname, "..");
  const playground = spawn(
    process.execPath,
    [
      require.resolve("@microsoft/m365agentsplayground/cli.js"),
      "-e",
      `${bot.url}/api/messages`,
      "-c",
      "msteams",
      "-p",
      String(playgroundPort),
      "--disable-telemetry",
    ],
    { cwd: root, stdio: "inherit", env: { ...process.env, TEAMSAPPTESTER_BROWSER: process.env.TEAMSAPPTESTER_BROWSER ?? "none" } },
  );
  log.info({ url: `http://127.0.0.1:${playgroundPort}` }, "Agents Playground starting: open this address in a browser");
  let stopping = false;
  const stop = async (exitCode: number) => {
    stopping = true;
    playground.kill("SIGTERM");
    await bot.close();
    process.exit(exitCode);
  };
  playground.on("exit", (code) => {
    if (stopping) return; // we stopped it
    if (code) log.error({ exitCode: code }, "The Agents Playground stopped with an error (is .m365agentsplayground.yml valid?)");
    void stop(code ?? 0);
  });
  // A second Ctrl+C (or SIGTERM) stops at once.
  const onSignal = () => (stopping ? process.exit(130) : void stop(0));
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
