// The PALS inbox: how long an email takes from landing in the mailbox to its triage card, how many presses from
// the card to a case, and what each email costs in Cosmos DB and Microsoft Graph requests (the figures that carry
// over to Azure). In process: the real bot on the embedded store behind a counting proxy, a fake Teams connector,
// and for Graph the fake Graph and token service on loopback (test/helpers/fakeGraphMail.ts).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { parseConfig } from "../src/config";
import { startBot, type RunningBot } from "../src/index";
import { createLogger } from "../src/logger";
import type { GraphMailbox } from "../src/mail/graphMailbox";
import { GraphSender } from "../src/mail/graphSender";
import { botCredential } from "../src/entra/credentials";
import { startEmbeddedCosmos } from "../src/store/embedded";
import { cardAction, channelMessage, MANAGER, OFFICER, personalMessage, TENANT_ID } from "../test/helpers/activities";
import { cardOf } from "../test/helpers/bot";
import { contactForm } from "../test/helpers/caseFixtures";
import { GRAPH_BASE, LOGIN_HOST } from "../test/helpers/fakeEntra";
import { FakeConnector } from "../test/helpers/fakeConnector";
import { FakeGraphMail } from "../test/helpers/fakeGraphMail";
import { CountingProxy } from "./requests.bench";
import { formatMs, percentile } from "./stats";

const EMAILS = 20;
const quiet = () => createLogger("silent", new Writable({ write: (_c, _e, done) => done() }));

function mime(n: number, to: string): string {
  return [
    `Message-ID: <bench-${n}-${randomUUID()}@example.org>`,
    "From: Sam Example <sam.example@example.org>",
    `To: ${to}`,
    `Subject: Appointment letter ${n}`,
    `Date: ${new Date().toUTCString()}`,
    "Content-Type: text/plain; charset=utf-8",
    "",
    `My appointment letter ${n} never arrived. Please can someone call me back.`,
    "",
  ].join("\r\n");
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
const perEmail = (counts: Record<string, number>, n: number) =>
  Object.entries(counts)
    .filter(([, v]) => v > 0)
    .map(([k, v]) => `${k} ${(v / n).toFixed(1)}`)
    .join(", ");

async function post(bot: RunningBot, activity: object): Promise<any> {
  const answer = await fetch(`${bot.url}/api/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(activity) });
  const text = await answer.text();
  return text ? JSON.parse(text) : undefined;
}

/** The folder mailbox: .eml moved into inbox/ (as a mail system delivers), watched by the bot; timed to the card's POST at Teams. */
async function folderMailbox(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pals-bench-inbox-"));
  const connector = await new FakeConnector().start();
  const store = await startEmbeddedCosmos();
  const proxy = await new CountingProxy(store.endpoint).start();
  const config = parseConfig({
    PORT: "0",
    COSMOS_ENDPOINT: proxy.endpoint,
    COSMOS_KEY: store.key,
    MAILBOX: "folder",
    MAILBOX_DIR: path.join(dir, "mailbox"),
    MAILBOX_TRUST: TENANT_ID,
    DOCUMENTS_DIR: path.join(dir, "documents"),
    ROLE_OFFICERS: OFFICER.aadObjectId,
    ROLE_MANAGERS: MANAGER.aadObjectId,
    TRUST_NAME: "Example Hospitals NHS Foundation Trust",
    LOG_LEVEL: "silent",
  });
  const bot = await startBot(config, { log: quiet() });
  try {
    const serviceUrl = connector.url;
    await post(bot, channelMessage("set inbox channel", { serviceUrl, from: MANAGER }));
    await post(bot, personalMessage("help", { serviceUrl, from: OFFICER }));
    await proxy.quiet();
    const cardsPosted = () => connector.sentActivities.filter((a) => JSON.stringify(cardOf(a) ?? {}).includes('"inbox.log"')).length;
    const latencies: number[] = [];
    proxy.reset();
    for (let n = 1; n <= EMAILS; n++) {
      const before = cardsPosted();
      const partial = path.join(dir, "mailbox", `.${n}.partial`);
      fs.writeFileSync(partial, mime(n, "pals@trust.example"));
      const started = performance.now();
      fs.renameSync(partial, path.join(dir, "mailbox", "inbox", `${n}.eml`));
      await connector.waitFor(() => cardsPosted() > before);
      latencies.push(performance.now() - started);
    }
    await proxy.quiet();
    const received = { ...proxy.counts };
    console.log(`\nThe PALS inbox, folder mailbox (${EMAILS} emails, one at a time, file-system watch; ${new Date().toISOString().slice(0, 10)})`);
    console.log(
      `  email landed in inbox/ -> triage card posted to Teams: median ${formatMs(percentile(latencies, 50))}, p95 ${formatMs(percentile(latencies, 95))}`,
    );
    console.log(
      `  Cosmos DB requests per email (kept, card queued, sent, card's place recorded): ${(total(received) / EMAILS).toFixed(1)} (${perEmail(received, EMAILS)})`,
    );

    // From the card to a case: press 1 "Log as contact" (the form comes filled in), press 2 "Log contact".
    const card = connector.sentActivities.map(cardOf).find((c) => c && JSON.stringify(c).includes('"inbox.log"'));
    const emailId = /"emailId":"([^"]+)"/.exec(JSON.stringify(card))![1];
    proxy.reset();
    const t0 = performance.now();
    await post(bot, cardAction("inbox.log", { emailId }, { serviceUrl, from: OFFICER }));
    const t1 = performance.now();
    await proxy.quiet(300);
    const pressOne = { ...proxy.counts };
    proxy.reset();
    const t2 = performance.now();
    await post(
      bot,
      cardAction(
        "contact.submit",
        { formId: randomUUID(), ...contactForm({ receivedOn: new Date().toISOString().slice(0, 10), nhsNumber: "" }), fromEmail: emailId },
        { serviceUrl, from: OFFICER },
      ),
    );
    const t3 = performance.now();
    await proxy.quiet(300);
    const pressTwo = { ...proxy.counts };
    console.log(`  card -> case: 2 presses (Log as contact, then Log contact on the filled-in form)`);
    console.log(`    Log as contact: ${formatMs(t1 - t0)}, ${total(pressOne)} Cosmos DB requests (${perEmail(pressOne, 1)})`);
    console.log(
      `    Log contact (the case, the email marked, the card redrawn queued): ${formatMs(t3 - t2)}, ${total(pressTwo)} Cosmos DB requests (${perEmail(pressTwo, 1)})`,
    );

    // From the case card to a sent acknowledgement: Preview, then Send (the Word letter made, the email written to sent/).
    const today = new Date().toISOString().slice(0, 10);
    const logged = await post(
      bot,
      cardAction(
        "contact.submit",
        { formId: randomUUID(), ...contactForm({ receivedOn: today, nhsNumber: "", contactDetails: "margaret.jones@example.org" }) },
        { serviceUrl, from: OFFICER },
      ),
    );
    const caseId = /"caseId":"([0-9a-f-]{36})"/.exec(JSON.stringify(logged))![1];
    await proxy.quiet(300);
    proxy.reset();
    const p0 = performance.now();
    const preview = await post(
      bot,
      cardAction("mail.preview", { caseId, emailKind: "acknowledgement", emailMessage: "", emailDocuments: "" }, { serviceUrl, from: OFFICER }),
    );
    const p1 = performance.now();
    await proxy.quiet(300);
    const previewCounts = { ...proxy.counts };
    const sendData = JSON.parse(/"verb":"mail\.send","style":"positive","data":(\{[^}]*\})/.exec(JSON.stringify(preview))![1]) as Record<string, unknown>;
    proxy.reset();
    const s0 = performance.now();
    const sent = await post(bot, cardAction("mail.send", sendData, { serviceUrl, from: OFFICER }));
    const s1 = performance.now();
    await proxy.quiet(300);
    const sendCounts = { ...proxy.counts };
    if (!JSON.stringify(sent).includes("Sent to")) throw new Error("The acknowledgement was not sent");
    console.log(`  case card -> acknowledgement sent: 3 presses (Email the complainant, Preview, Send)`);
    console.log(`    Preview (the letter filled): ${formatMs(p1 - p0)}, ${total(previewCounts)} Cosmos DB requests (${perEmail(previewCounts, 1)})`);
    console.log(
      `    Send (Word letter made and kept, email written, acknowledgement and update recorded): ${formatMs(s1 - s0)}, ${total(sendCounts)} Cosmos DB requests (${perEmail(sendCounts, 1)})`,
    );
  } finally {
    await bot.close();
    await proxy.stop();
    await store.stop();
    await connector.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Microsoft Graph: the fake Graph notifies the bot's route; timed to the email kept with its card queued (sending needs a real Bot Framework token). */
async function graphMailbox(): Promise<void> {
  const appId = "6d1f2c3b-0000-4000-8000-00000000a99e";
  const secret = "bench-client-secret";
  const address = "pals.benchtrust@nhs.net";
  const graph = await new FakeGraphMail(appId, secret).start();
  graph.addMailbox(address);
  const store = await startEmbeddedCosmos();
  const { freePort } = await import("../test/helpers/ports");
  const port = await freePort();
  const config = parseConfig({
    PORT: String(port),
    COSMOS_ENDPOINT: store.endpoint,
    COSMOS_KEY: store.key,
    MicrosoftAppId: appId,
    MicrosoftAppPassword: secret,
    ALLOWED_TENANT_IDS: TENANT_ID,
    MAILBOX: "graph",
    MAILBOX_ADDRESSES: address,
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    MAIL_CLIENT_STATE: "bench-client-state-0123456789abcdef",
    LOG_LEVEL: "silent",
  });
  const bot = await startBot(config, {
    log: quiet(),
    entra: { graphBaseUrl: GRAPH_BASE, fetch: graph.fetch, tokenService: { authorityHost: LOGIN_HOST, httpClient: graph.httpClient } },
  });
  try {
    await (bot.mailbox as GraphMailbox).idle();
    const queued = async () =>
      (await bot.store.containers.jobs.items.query("SELECT VALUE COUNT(1) FROM c WHERE c.payload.kind = 'inbox-email'").fetchAll()).resources[0] as number;
    const latencies: number[] = [];
    const calls = graph.graphCalls.length;
    for (let n = 1; n <= EMAILS; n++) {
      const before = await queued();
      const started = performance.now();
      await graph.deliver(address, mime(n, address));
      while ((await queued()) <= before) await new Promise((resolve) => setTimeout(resolve, 2));
      latencies.push(performance.now() - started);
    }
    await (bot.mailbox as GraphMailbox).idle();
    const perMessage = (graph.graphCalls.length - calls) / EMAILS;
    const catchUpStart = graph.graphCalls.length;
    for (let n = 1; n <= 50; n++) await graph.deliver(address, mime(100 + n, address), { notify: false });
    await bot.mailbox!.catchUp();
    const perCaughtUp = (graph.graphCalls.length - catchUpStart) / 50;
    console.log(`\nThe PALS inbox, Microsoft Graph (fake Graph on loopback; ${EMAILS} emails, each announced by a change notification)`);
    console.log(
      `  delivered at Graph -> email kept and its triage card queued: median ${formatMs(percentile(latencies, 50))}, p95 ${formatMs(percentile(latencies, 95))}`,
    );
    console.log(
      `  Graph requests per email: ${perMessage.toFixed(2)} when notified one by one (a delta page and the message's MIME), ${perCaughtUp.toFixed(2)} in a catch-up of 50`,
    );
    console.log(`  plus, per mailbox: one delta request a poll (MAIL_POLL_SECONDS) and one subscription renewal about every 6 days`);

    // Sending as the shared mailbox through Graph: requests per send.
    const sender = new GraphSender({
      mailboxes: [{ trustId: TENANT_ID, address, tenantId: TENANT_ID }],
      credentialFor: (tenantId) =>
        botCredential({ appId, appPassword: secret, appType: "MultiTenant" }, tenantId, { authorityHost: LOGIN_HOST, httpClient: graph.httpClient }),
      log: quiet(),
      graphBaseUrl: GRAPH_BASE,
      fetch: graph.fetch,
    });
    const letter = {
      name: "letter.docx",
      contentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      content: Buffer.alloc(40 * 1024, 1),
    };
    const base = {
      trustId: TENANT_ID,
      mailbox: address,
      to: { name: "Sam Example", address: "sam.example@example.org" },
      subject: "PALS-2026-000001: acknowledgement",
      text: "Dear Sam,",
    };
    const r0 = sender.requests;
    const small = await sender.send({ ...base, sendId: randomUUID(), attachments: [letter] });
    const r1 = sender.requests;
    const large = await sender.send({
      ...base,
      sendId: randomUUID(),
      attachments: [letter, { name: "records.pdf", contentType: "application/pdf", content: Buffer.alloc(5 * 1024 * 1024, 2) }],
    });
    const r2 = sender.requests;
    if (!small.ok || !large.ok) throw new Error("A Graph send failed in the bench");
    console.log(
      `  Graph requests per send: ${r1 - r0} with a letter (look for it, create the draft with the letter, send), ${r2 - r1} with a 5 MB attachment too (an upload session in chunks)`,
    );
  } finally {
    await bot.close();
    await store.stop();
    await graph.stop();
  }
}

export async function inboxFigures(): Promise<void> {
  await folderMailbox();
  await graphMailbox();
}

if (require.main === module) {
  inboxFigures().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
