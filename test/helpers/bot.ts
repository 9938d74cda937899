import { Writable } from "node:stream";
import { parseConfig } from "../../src/config";
import { startBot, type RunningBot, type StartOptions } from "../../src/index";
import { createLogger } from "../../src/logger";
import type { Case } from "../../src/domain";
import { cardAction, TENANT_ID, type TeamsUser } from "./activities";
import { FakeConnector } from "./fakeConnector";

/** What an Action.Execute invoke answers: the card to show in place of the pressed one. */
export interface InvokeBody {
  readonly statusCode: number;
  readonly type: string;
  readonly value: any;
}

export interface TestBot {
  readonly bot: RunningBot;
  readonly connector: FakeConnector;
  /** Every log line the bot wrote, parsed, so tests can check what reaches the logs. */
  readonly logLines: Record<string, unknown>[];
  /** POSTs an activity to /api/messages as the Bot Connector would; resolves with the HTTP answer. */
  send(activity: object): Promise<{ status: number; body: any }>;
  /** `from` presses an Action.Execute button (an adaptiveCard/action invoke, with `activity` merged in); fails unless it answers 200. */
  press(verb: string, data: Record<string, unknown>, from: TeamsUser, options?: { tenantId?: string; activity?: object }): Promise<InvokeBody>;
  close(): Promise<void>;
}

export interface TestBotOptions {
  readonly env?: Record<string, string>;
  readonly now?: () => Date;
  /** A fake Microsoft Graph and token service (see fakeEntra.ts), for ROLE_*_GROUPS. */
  readonly entra?: StartOptions["entra"];
  /** The Authorization header of every activity sent (a Bot Framework token), when the bot has credentials. */
  readonly authorization?: (serviceUrl: string) => string;
}

/** The real restify server and teams-ai app on a fresh embedded store, with a fake connector. */
export async function startTestBot(options: TestBotOptions = {}): Promise<TestBot> {
  const connector = await new FakeConnector().start();
  const logLines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n")) if (line.trim()) logLines.push(JSON.parse(line));
      done();
    },
  });
  // No background sweeps: tests run them with bot.jobs.sweepNow() at the time they choose.
  const config = parseConfig({ PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "debug", SWEEP_INTERVAL_SECONDS: "0", ...options.env });
  const bot = await startBot(config, { log: createLogger("debug", sink), now: options.now, entra: options.entra });
  async function send(activity: object): Promise<{ status: number; body: any }> {
    const authorization = options.authorization?.((activity as { serviceUrl?: string }).serviceUrl ?? connector.url);
    const response = await fetch(`${bot.url}/api/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
      body: JSON.stringify(activity),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }
  return {
    bot,
    connector,
    logLines,
    send,
    async press(verb, data, from, pressOptions = {}) {
      const answer = await send({ ...cardAction(verb, data, { serviceUrl: connector.url, from, tenantId: pressOptions.tenantId }), ...pressOptions.activity });
      if (answer.status !== 200) throw new Error(`invoke ${verb} answered ${answer.status}`);
      return answer.body as InvokeBody;
    },
    async close() {
      await bot.close();
      await connector.stop();
    },
  };
}

/** The Adaptive Card content of a sent activity, or undefined. */
export function cardOf(activity: any): any {
  return activity?.attachments?.find((a: any) => a.contentType === "application/vnd.microsoft.card.adaptive")?.content;
}

/** Every element, action and input of a card (inside Action.ShowCard too), in the order they are shown. */
export function cardElements(card: any): any[] {
  const elements: any[] = [];
  const visit = (node: any) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== "object") return;
    elements.push(node);
    for (const value of Object.values(node)) if (typeof value === "object") visit(value);
  };
  visit(card);
  return elements;
}

/** All text shown on a card (TextBlocks, rich text lines, FactSet titles and values), for readable assertions. */
export function cardText(card: any): string {
  return cardElements(card)
    .flatMap((node): string[] => {
      if (node.type === "TextBlock" && typeof node.text === "string") return [node.text];
      if (node.type === "FactSet") return (node.facts ?? []).map((fact: any) => `${fact.title}: ${fact.value}`);
      if (node.type === "RichTextBlock") return [(node.inlines ?? []).map((run: any) => run.text).join("")];
      return [];
    })
    .join("\n");
}

/** The values of the card's inputs as shown (what a client sends for inputs the person left alone). */
export function inputValues(card: any): Record<string, string> {
  const values: Record<string, string> = {};
  for (const node of cardElements(card)) {
    if (typeof node.type === "string" && node.type.startsWith("Input.") && typeof node.id === "string") {
      values[node.id] = node.type === "Input.Toggle" ? String(node.value ?? node.valueOff ?? "false") : String(node.value ?? "");
    }
  }
  return values;
}

/** The case as stored in the test bot's store (the default trust). */
export async function storedCase(t: TestBot, id: string): Promise<Case> {
  return (await t.bot.store.containers.cases.item(id, TENANT_ID).read<Case>()).resource!;
}

/** The kinds of a case's timeline entries, oldest first. */
export async function timelineKinds(t: TestBot, id: string): Promise<string[]> {
  const { resources } = await t.bot.store.containers.events.items
    .query<{ kind: string }>({ query: "SELECT c.kind FROM c WHERE c.caseId = @id ORDER BY c.at", parameters: [{ name: "@id", value: id }] })
    .fetchAll();
  return resources.map((r) => r.kind);
}
