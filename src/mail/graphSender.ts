// Sending as a trust's shared mailbox through Microsoft Graph (production), exactly once per sendId.
//
// An email is a draft in the shared mailbox, marked with its sendId (a hash of it, in a string extended property in
// PALS Desk's own property set), then sent. Every try starts by looking for that mark across the whole mailbox:
//   - a message with it that is no longer a draft (Sent Items, or any folder the team filed it into), or one Exchange
//     has accepted for sending (PidTagMessageFlags: mfSubmitted set or mfUnsent cleared, which happens the moment the
//     send is accepted, before the message leaves Drafts): it was sent; nothing is sent again;
//   - a draft with it: an earlier try stopped part way (a crash, an outage); that draft is finished (the attachments
//     it lacks are added) and sent;
//   - nothing: a new draft is made, with the small attachments in the same request, then the others, then sent.
// So a process that dies after Graph accepted the send (but before PALS Desk recorded it) is followed by a try that
// finds the message and sends nothing, whichever instance makes it. Two tries of one sendId at the same moment from
// two instances could each make a draft: the caller runs one send of a sendId at a time (the outbox lease).
//
// Graph requests per send (see `requests`): 3 for an email whose attachments are small (look, create with the
// attachments, send); each attachment over the create request's budget adds 1 (POST, up to 3 MB) or 1 + its chunks
// (an upload session, then a PUT per 3.75 MiB); a send already made costs 1 (the look).
import { createHash } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import type { TokenCredential } from "@azure/identity";
import { ResponseType } from "@microsoft/microsoft-graph-client";
import { z } from "zod";
import type { MailSender, OutgoingEmail, SendOutcome } from "../domain/ports";
import { graphErrorCode, isTokenError, readBounded, retryAfterSeconds, TenantClients } from "../entra/graphClient";
import type { Logger } from "../logger";
import { outgoingMessageId, SEND_ID_PATTERN, sendIdHash, usableMessageId } from "./folderSender";

/** The mark on every message PALS Desk sends: a string named property in PALS Desk's own property set (GUID). */
export const SEND_ID_PROPERTY = "String {5b8e2f4c-3a71-4d2e-9c06-7f1e8a4d2b93} Name PalsDeskSendId";

/**
 * The mark's value: the SHA-256 of the sendId in hex. Graph compares a property's value without regard to case,
 * so "send-A" and "send-a" would find each other's email; their hashes (lower case hex) differ.
 */
export function sendMarker(sendId: string): string {
  return createHash("sha256").update(sendId, "utf8").digest("hex");
}
/** PidTagInReplyToId and PidTagInternetReferences: Exchange writes them as the In-Reply-To and References headers. */
export const IN_REPLY_TO_PROPERTY = "String 0x1042";
export const REFERENCES_PROPERTY = "String 0x1039";
/** PidTagMessageFlags, read on each message found: whether Exchange has accepted it for sending. */
export const MESSAGE_FLAGS_PROPERTY = "Integer 0x0E07";
const MF_SUBMITTED = 0x4;
const MF_UNSENT = 0x8;

/** Failures (throttling, outages, no answer) one send survives: each waits, then the send starts again from the look. */
export const MAX_TRIES = 4;
/** Graph asking for a longer wait than this ends the send (not permanent): the caller tries again later. */
export const MAX_RETRY_AFTER_MS = 120_000;
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;
/** An attachment up to this size is posted whole (base64 in JSON, under Graph's 4 MB request limit); larger ones go through an upload session. */
export const SMALL_ATTACHMENT_MAX_BYTES = 3_000_000;
/** Small attachments ride in the draft's create request while their sizes add up to at most this. */
export const CREATE_ATTACHMENTS_MAX_BYTES = 2_500_000;
/** Graph's limit for one attachment (through an upload session). The tenant's message size limit (35 MB by default) applies too. */
export const MAX_ATTACHMENT_BYTES = 150 * 1024 * 1024;
/** One PUT of an upload session: a multiple of 320 KiB, under the 4 MB Graph advises per PUT. */
export const UPLOAD_CHUNK_BYTES = 12 * 320 * 1024;
const JSON_TIMEOUT_MS = 60_000;
const CHUNK_TIMEOUT_MS = 120_000;
const MAX_JSON_BYTES = 10 * 1024 * 1024;
/** Messages found with one sendId (more than one is a draft made twice: the first is used). */
const LOOKUP_TOP = 10;
const MAX_ATTACHMENT_PAGES = 20;

export interface GraphSenderOptions {
  readonly mailboxes: readonly { readonly trustId: string; readonly address: string; readonly tenantId: string }[];
  /** The bot's identity in a tenant (credentials.ts botCredential): app-only tokens for Graph (Mail.ReadWrite and Mail.Send on the mailbox). */
  readonly credentialFor: (tenantId: string) => TokenCredential;
  readonly log: Logger;
  readonly now?: () => Date;
  /** Tests: waits without real time. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Tests only: another Graph (an https address) and the transport that reaches it (and the upload URLs it gives). */
  readonly graphBaseUrl?: string;
  readonly fetch?: typeof fetch;
}

/** Why a request failed: "retry" (throttling, outage, no answer), "gone" (the draft went: look again), "stop" (permanent, or no token). */
class Failure extends Error {
  constructor(
    readonly kind: "retry" | "gone" | "permanent" | "stop",
    readonly status: number,
    readonly code: string | undefined,
    readonly retryAfterMs?: number,
  ) {
    super(`Microsoft Graph answered ${status || "nothing"}${code ? ` (${code})` : ""}`);
    this.name = "GraphSendFailure";
  }
}

interface Slot {
  readonly index: number;
  readonly trustId: string;
  readonly address: string;
  readonly tenantId: string;
}

/** One send: its mailbox, what it has cost and whether it has asked Graph to send. */
interface Run {
  readonly slot: Slot;
  readonly email: OutgoingEmail;
  readonly hash: string;
  readonly user: string;
  requests: number;
  failures: number;
  sendRequested: boolean;
  reusedDraft: boolean;
  added: number;
}

const Found = z.object({
  id: z.string().min(1).max(1_000),
  internetMessageId: z.string().max(1_000).nullish(),
  isDraft: z.boolean().nullish(),
  singleValueExtendedProperties: z
    .array(z.object({ id: z.string().max(200), value: z.string().max(100).nullish() }))
    .nullish()
    .catch(undefined),
});
type FoundMessage = z.infer<typeof Found>;
const FoundList = z.object({ value: z.array(Found).max(1_000) });
const Created = z.object({ id: z.string().min(1).max(1_000), internetMessageId: z.string().max(1_000).nullish() });
const AttachmentList = z.object({
  value: z.array(z.object({ name: z.string().max(1_000).nullish() })).max(10_000),
  "@odata.nextLink": z.string().max(20_000).optional(),
});
const UploadSession = z.object({ uploadUrl: z.string().min(1).max(20_000) });
const UploadProgress = z.object({ nextExpectedRanges: z.array(z.string().max(100)).max(100).optional() });

/** Sends as the trusts' shared mailboxes through Microsoft Graph: draft, attachments, send; never twice for one sendId. */
export class GraphSender implements MailSender {
  private readonly slots: readonly Slot[];
  private readonly clients: TenantClients;
  private readonly inFlight = new Map<string, Promise<SendOutcome>>();
  private readonly now: () => Date;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly transport: typeof fetch;
  private count = 0;

  constructor(private readonly options: GraphSenderOptions) {
    this.clients = new TenantClients(options);
    const addresses = options.mailboxes.map((mailbox) => mailbox.address.trim().toLowerCase());
    if (new Set(addresses).size !== addresses.length) throw new Error("A shared mailbox is configured twice");
    this.slots = options.mailboxes.map((mailbox, index) => ({
      index,
      trustId: mailbox.trustId,
      address: addresses[index],
      tenantId: mailbox.tenantId.toLowerCase(),
    }));
    this.now = options.now ?? (() => new Date());
    this.sleep = options.sleep ?? ((ms) => delay(ms));
    this.transport = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** Requests made so far (Graph's and the upload PUTs; every try counts), for the bench and the docs. */
  get requests(): number {
    return this.count;
  }

  send(email: OutgoingEmail): Promise<SendOutcome> {
    const running = this.inFlight.get(email.sendId);
    if (running) return running;
    const made = this.sendOnce(email).finally(() => this.inFlight.delete(email.sendId));
    this.inFlight.set(email.sendId, made);
    return made;
  }

  private async sendOnce(email: OutgoingEmail): Promise<SendOutcome> {
    const log = this.options.log;
    if (!SEND_ID_PATTERN.test(email.sendId)) {
      log.error("Refused an email whose sendId is not 1 to 100 letters, digits and hyphens");
      return { ok: false, status: 0, permanent: true, code: "InvalidSendId" };
    }
    const hash = sendIdHash(email.sendId);
    const address = email.mailbox.trim().toLowerCase();
    const slot = this.slots.find((candidate) => candidate.trustId === email.trustId && candidate.address === address);
    if (!slot) {
      log.error({ send: hash }, "No Graph mailbox is configured for the trust's shared mailbox: the email was not sent");
      return { ok: false, status: 0, permanent: true, code: "NoMailbox" };
    }
    if (email.attachments.some((attachment) => attachment.content.length > MAX_ATTACHMENT_BYTES)) {
      log.error({ send: hash, mailbox: slot.index }, "An attachment is over Microsoft Graph's 150 MB limit: the email was not sent");
      return { ok: false, status: 0, permanent: true, code: "AttachmentTooLarge" };
    }
    const run: Run = {
      slot,
      email,
      hash,
      user: `/users/${encodeURIComponent(slot.address)}`,
      requests: 0,
      failures: 0,
      sendRequested: false,
      reusedDraft: false,
      added: 0,
    };
    for (;;) {
      let failure: Failure;
      try {
        return await this.attempt(run);
      } catch (error) {
        if (!(error instanceof Failure)) throw error;
        failure = error;
      }
      const facts = { send: hash, mailbox: slot.index, status: failure.status || undefined, code: failure.code, requests: run.requests };
      if (failure.kind === "permanent") {
        log.error(facts, "Microsoft Graph refused the email: it was not sent");
        return { ok: false, status: failure.status, permanent: true, code: failure.code };
      }
      run.failures += 1;
      const wait = failure.kind === "stop" ? undefined : this.retryWait(failure, run.failures);
      if (wait === undefined) {
        const retryAfterSeconds =
          failure.retryAfterMs !== undefined && Number.isFinite(failure.retryAfterMs) ? Math.ceil(failure.retryAfterMs / 1000) : undefined;
        log.warn({ ...facts, failures: run.failures, retryAfterSeconds }, "Microsoft Graph is throttling or unavailable: the email is not sent yet");
        return { ok: false, status: failure.status, permanent: false, code: failure.code, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) };
      }
      log.warn(
        { ...facts, failures: run.failures, waitMs: Math.round(wait) },
        "Microsoft Graph is throttling or unavailable: trying the email again after a wait",
      );
      if (wait > 0) await this.sleep(wait);
    }
  }

  /** One try, from the look: sent already, or finish (or make) the draft and send it. */
  private async attempt(run: Run): Promise<SendOutcome> {
    const { email, user } = run;
    const found = await this.lookup(run);
    const sent = found.find(isSent);
    if (sent) {
      // This send asked Graph to send it (an answer was lost): it is sent now, not before.
      const alreadySent = !run.sendRequested;
      this.options.log.info(
        { send: run.hash, mailbox: run.slot.index, requests: run.requests, alreadySent },
        alreadySent ? "The email was sent before: not sent again" : "Sent an email from the shared mailbox through Microsoft Graph",
      );
      return { ok: true, messageId: sent.internetMessageId || outgoingMessageId(email.sendId, run.slot.address), alreadySent };
    }
    const drafts = found.filter((message) => !isSent(message)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    if (drafts.length > 1)
      this.options.log.warn({ send: run.hash, mailbox: run.slot.index, drafts: drafts.length }, "The email has more than one draft: the first is sent");

    let draft: { id: string; internetMessageId?: string | null };
    let have: string[];
    if (drafts[0]) {
      draft = drafts[0];
      run.reusedDraft = true;
      have = await this.attachmentNames(run, draft.id);
    } else {
      const { created, carried } = await this.create(run);
      draft = created;
      have = carried;
    }
    const path = `${user}/messages/${encodeURIComponent(draft.id)}`;
    for (const attachment of missing(email.attachments, have)) {
      if (attachment.content.length <= SMALL_ATTACHMENT_MAX_BYTES) {
        await this.json(run, "POST", `${path}/attachments`, fileAttachment(attachment));
      } else {
        await this.upload(run, path, attachment);
      }
      run.added += 1;
    }
    let messageId = draft.internetMessageId;
    if (!messageId) {
      const read = shaped(Created, await this.json(run, "GET", `${path}?$select=id,internetMessageId`));
      messageId = read.internetMessageId;
    }
    run.sendRequested = true;
    await this.json(run, "POST", `${path}/send`);
    this.options.log.info(
      {
        send: run.hash,
        mailbox: run.slot.index,
        requests: run.requests,
        attachmentCount: email.attachments.length,
        added: run.added,
        reusedDraft: run.reusedDraft,
      },
      "Sent an email from the shared mailbox through Microsoft Graph",
    );
    return { ok: true, messageId: messageId || outgoingMessageId(email.sendId, run.slot.address), alreadySent: false };
  }

  /** Every message of the mailbox (any folder) marked with this sendId, with whether Exchange has taken it for sending. */
  private async lookup(run: Run): Promise<FoundMessage[]> {
    const filter = `singleValueExtendedProperties/Any(ep: ep/id eq '${SEND_ID_PROPERTY}' and ep/value eq '${sendMarker(run.email.sendId)}')`;
    const expand = `singleValueExtendedProperties($filter=id eq '${MESSAGE_FLAGS_PROPERTY}')`;
    const path =
      `${run.user}/messages?$filter=${encodeURIComponent(filter)}&$select=id,internetMessageId,isDraft` +
      `&$expand=${encodeURIComponent(expand)}&$top=${LOOKUP_TOP}`;
    return shaped(FoundList, await this.json(run, "GET", path)).value;
  }

  /** The draft, marked, with the small attachments that fit the create request; what it carries. */
  private async create(run: Run): Promise<{ created: z.infer<typeof Created>; carried: string[] }> {
    const { email } = run;
    const carried: OutgoingEmail["attachments"][number][] = [];
    let budget = CREATE_ATTACHMENTS_MAX_BYTES;
    for (const attachment of email.attachments) {
      if (attachment.content.length <= SMALL_ATTACHMENT_MAX_BYTES && attachment.content.length <= budget) {
        carried.push(attachment);
        budget -= attachment.content.length;
      }
    }
    const inReplyTo = usableMessageId(email.inReplyTo);
    const body = {
      subject: email.subject,
      body: { contentType: "text", content: email.text },
      toRecipients: [{ emailAddress: { address: email.to.address, ...(email.to.name ? { name: email.to.name } : {}) } }],
      internetMessageId: outgoingMessageId(email.sendId, run.slot.address),
      singleValueExtendedProperties: [
        { id: SEND_ID_PROPERTY, value: sendMarker(email.sendId) },
        ...(inReplyTo
          ? [
              { id: IN_REPLY_TO_PROPERTY, value: inReplyTo },
              { id: REFERENCES_PROPERTY, value: inReplyTo },
            ]
          : []),
      ],
      ...(carried.length > 0 ? { attachments: carried.map(fileAttachment) } : {}),
    };
    const created = shaped(Created, await this.json(run, "POST", `${run.user}/messages`, body));
    return { created, carried: carried.map((attachment) => attachment.name) };
  }

  /** The names of the attachments a draft has (a draft left by an earlier try may have some). */
  private async attachmentNames(run: Run, id: string): Promise<string[]> {
    const names: string[] = [];
    let path: string | undefined = `${run.user}/messages/${encodeURIComponent(id)}/attachments?$select=name,size`;
    for (let page = 0; path && page < MAX_ATTACHMENT_PAGES; page += 1) {
      const listed: z.infer<typeof AttachmentList> = shaped(AttachmentList, await this.json(run, "GET", path));
      names.push(...listed.value.map((attachment) => attachment.name ?? ""));
      const next = listed["@odata.nextLink"];
      path = next && this.isGraphLink(next) ? next : undefined;
    }
    return names;
  }

  /** A large attachment through an upload session: PUTs of UPLOAD_CHUNK_BYTES to its pre-authorised URL (no token). */
  private async upload(run: Run, messagePath: string, attachment: OutgoingEmail["attachments"][number]): Promise<void> {
    const size = attachment.content.length;
    const session = shaped(
      UploadSession,
      await this.json(run, "POST", `${messagePath}/attachments/createUploadSession`, {
        AttachmentItem: { attachmentType: "file", name: attachment.name, size, contentType: attachment.contentType },
      }),
    );
    let url: URL;
    try {
      url = new URL(session.uploadUrl);
    } catch {
      throw new Failure("permanent", 0, "UnexpectedUploadUrl");
    }
    if (url.protocol !== "https:") throw new Failure("permanent", 0, "UnexpectedUploadUrl");
    let offset = 0;
    for (let chunks = 0; offset < size; chunks += 1) {
      if (chunks > Math.ceil(size / UPLOAD_CHUNK_BYTES) * 2 + 2) throw new Failure("retry", 0, "UploadNotProgressing");
      const end = Math.min(offset + UPLOAD_CHUNK_BYTES, size) - 1;
      this.count += 1;
      run.requests += 1;
      let response: Response;
      try {
        response = await this.transport(url.toString(), {
          method: "PUT",
          headers: { "content-type": "application/octet-stream", "content-range": `bytes ${offset}-${end}/${size}` },
          body: attachment.content.subarray(offset, end + 1),
          signal: AbortSignal.timeout(CHUNK_TIMEOUT_MS),
        });
      } catch (error) {
        throw new Failure("retry", 0, wordCode((error as { name?: unknown }).name));
      }
      if (response.status === 201) {
        await response.body?.cancel().catch(() => undefined);
        return;
      }
      if (!response.ok) {
        const failure = await this.failureOf(response);
        // An expired or forgotten session: the next try makes a new one.
        throw [404, 410].includes(failure.status) ? new Failure("gone", failure.status, failure.code) : failure;
      }
      const raw = await readBounded(response, MAX_JSON_BYTES);
      const progress = UploadProgress.safeParse(raw && raw.length > 0 ? safeJson(raw) : {});
      const next = Number(/^(\d+)/.exec(progress.success ? (progress.data.nextExpectedRanges?.[0] ?? "") : "")?.[1] ?? Number.NaN);
      offset = Number.isSafeInteger(next) && next > offset && next <= size ? next : end + 1;
    }
    throw new Failure("retry", 0, "UploadNotFinished");
  }

  // ---- Graph requests ----

  private async json(run: Run, method: "GET" | "POST", path: string, body?: unknown): Promise<unknown> {
    const client = this.clients.for(run.slot.tenantId);
    this.count += 1;
    run.requests += 1;
    let response: Response;
    try {
      const request = client.api(path).responseType(ResponseType.RAW).option("signal", AbortSignal.timeout(JSON_TIMEOUT_MS));
      response = (await (method === "GET" ? request.get() : request.post(body))) as Response;
    } catch (error) {
      const { statusCode, code } = (error ?? {}) as { statusCode?: unknown; code?: unknown };
      if (isTokenError(code)) throw new Failure("stop", 0, String(code));
      if (typeof statusCode === "number" && statusCode > 0) throw this.classify(statusCode, wordCode(code), undefined);
      throw new Failure("retry", 0, wordCode(code));
    }
    if (!response.ok) throw await this.failureOf(response);
    const raw = await readBounded(response, MAX_JSON_BYTES);
    if (!raw) throw new Failure("retry", response.status, "ResponseTooLarge");
    return raw.length === 0 ? undefined : safeJson(raw);
  }

  private async failureOf(response: Response): Promise<Failure> {
    const code = await graphErrorCode(response);
    const retryAfterMs = response.headers.get("retry-after") ? retryAfterSeconds(response, this.now().getTime()) * 1000 : undefined;
    return this.classify(response.status, code, retryAfterMs);
  }

  /** Throttling and outages are tried again; a request Graph refuses (bad address, too large, no permission, no mailbox) is not. */
  private classify(status: number, code: string | undefined, retryAfterMs: number | undefined): Failure {
    if (status === 429 || status === 408 || status >= 500) return new Failure("retry", status, code, retryAfterMs);
    if (status === 404 && code === "ErrorItemNotFound") return new Failure("gone", status, code);
    // 401: the token was refused (the app's consent or credential): the email is fine; the next try may succeed.
    if (status === 401) return new Failure("stop", status, code, retryAfterMs);
    return new Failure("permanent", status, code);
  }

  private retryWait(failure: Failure, failures: number): number | undefined {
    if (failures >= MAX_TRIES) return undefined;
    if (failure.kind === "gone") return 0;
    if (failure.retryAfterMs !== undefined) {
      if (!Number.isFinite(failure.retryAfterMs) || failure.retryAfterMs > MAX_RETRY_AFTER_MS) return undefined;
      if (failure.retryAfterMs > 0) return failure.retryAfterMs;
    }
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (failures - 1));
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  /** Only links to Graph itself are followed (the token goes with them). */
  private isGraphLink(link: string): boolean {
    try {
      return new URL(link).origin === new URL(this.options.graphBaseUrl ?? "https://graph.microsoft.com/").origin;
    } catch {
      return false;
    }
  }
}

/** Graph's answer in the shape asked for; any other is a failure to try again (bounded), never a crash. */
function shaped<S extends z.ZodTypeAny>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new Failure("retry", 200, "UnexpectedResponse");
  return parsed.data as z.infer<S>;
}

/** Sent, or accepted for sending: no longer a draft, or Exchange's flags say it was submitted. */
function isSent(message: FoundMessage): boolean {
  if (message.isDraft === false) return true;
  const flags = Number(message.singleValueExtendedProperties?.find((property) => sameProperty(property.id, MESSAGE_FLAGS_PROPERTY))?.value);
  return Number.isInteger(flags) && ((flags & MF_SUBMITTED) !== 0 || (flags & MF_UNSENT) === 0);
}

/** Whether two tagged property ids are one property: Graph writes "Integer 0x0E07" back as "Integer 0xe07". */
function sameProperty(given: string, wanted: string): boolean {
  const tag = (id: string) => {
    const parsed = /^(\w+)\s+0x([0-9a-f]{1,4})$/i.exec(id.trim());
    return parsed ? `${parsed[1].toLowerCase()} ${parseInt(parsed[2], 16)}` : id;
  };
  return tag(given) === tag(wanted);
}

/** The attachments a draft still lacks: each name counted as often as it is wanted, less those it has. */
function missing<T extends { readonly name: string }>(wanted: readonly T[], have: readonly string[]): T[] {
  const counts = new Map<string, number>();
  for (const name of have) counts.set(name, (counts.get(name) ?? 0) + 1);
  return wanted.filter((attachment) => {
    const left = counts.get(attachment.name) ?? 0;
    if (left === 0) return true;
    counts.set(attachment.name, left - 1);
    return false;
  });
}

function fileAttachment(attachment: OutgoingEmail["attachments"][number]): Record<string, unknown> {
  return {
    "@odata.type": "#microsoft.graph.fileAttachment",
    name: attachment.name,
    contentType: attachment.contentType,
    contentBytes: attachment.content.toString("base64"),
  };
}

/** A code as the logs may carry it: a short identifier, never prose. */
function wordCode(code: unknown): string | undefined {
  return typeof code === "string" && /^[\w.]{1,80}$/.test(code) ? code : undefined;
}

function safeJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString("utf8")) as unknown;
  } catch {
    return undefined;
  }
}
