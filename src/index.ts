import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import restify from "restify";
import { ConfigError, loadConfig, type Config } from "./config";
import { createLogger, type Logger } from "./logger";
import { CosmosCaseRepository } from "./store/caseRepository";
import { openStore, type Store } from "./store/cosmos";
import { CosmosPeopleDirectory } from "./store/peopleRepository";
import { CosmosTimelineRepository } from "./store/timelineRepository";
import { createAdapter, createApplication } from "./teams/app";
import type { BotDeps } from "./teams/deps";
import { setTurnLog } from "./teams/turnLog";

export interface RunningBot {
  /** Base URL, e.g. http://127.0.0.1:3978 */
  readonly url: string;
  readonly store: Store;
  close(): Promise<void>;
}

export interface StartOptions {
  readonly log?: Logger;
  readonly now?: () => Date;
}

export async function startBot(config: Config, options: StartOptions = {}): Promise<RunningBot> {
  const log = options.log ?? createLogger(config.logLevel);
  const store = await openStore(
    { account: config.cosmos, database: config.cosmosDatabase, embeddedPort: config.embeddedCosmosPort },
    log,
  );
  const now = options.now ?? (() => new Date());
  const deps: BotDeps = {
    config,
    log,
    store,
    cases: new CosmosCaseRepository(store.containers.cases),
    timeline: new CosmosTimelineRepository(store.containers.events),
    people: new CosmosPeopleDirectory(store.containers.conversations, now),
    now,
  };
  const adapter = createAdapter(config, deps);
  const app = createApplication(adapter, deps);

  const server = restify.createServer({ name: "pals-desk", handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ maxBodySize: 1024 * 1024, mapParams: false }));

  server.post("/api/messages", async (req, res) => {
    const activity = (req.body ?? {}) as { id?: unknown; type?: unknown; channelId?: unknown; conversation?: { conversationType?: unknown } };
    const requestLog = log.child({
      requestId: typeof activity.id === "string" && activity.id.length <= 200 ? activity.id : randomUUID(),
    });
    requestLog.debug(
      { activityType: activity.type, channelId: activity.channelId, conversationType: activity.conversation?.conversationType },
      "Activity received",
    );
    await adapter.process(req, res, async (context) => {
      setTurnLog(context, requestLog);
      await app.run(context);
    });
  });

  server.get("/healthz", (_req, res, next) => {
    res.send(200, { status: "ok" });
    next();
  });

  server.get("/readyz", async (_req, res) => {
    const cosmosReachable = await store.isReachable();
    res.send(cosmosReachable ? 200 : 503, { status: cosmosReachable ? "ready" : "not ready", cosmos: cosmosReachable ? "reachable" : "unreachable" });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => {
      server.removeListener("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;

  if (config.bot) {
    log.info({ appId: config.bot.appId, appType: config.bot.appType }, "Bot Framework authentication is ON: every request to /api/messages needs a valid token");
  } else {
    log.warn("Local mode: no MicrosoftAppId is set, so requests to /api/messages are NOT authenticated. Use only on this machine or with the Agents Playground.");
  }
  log.info({ url, messagesEndpoint: `${url}/api/messages` }, "PALS Desk is listening");

  return {
    url,
    store,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
    },
  };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee the Settings table in README.md.\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const log = createLogger(config.logLevel);
  const bot = await startBot(config, { log });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "PALS Desk is stopping");
    await bot.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`PALS Desk failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
