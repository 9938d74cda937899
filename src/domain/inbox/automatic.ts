// Mail sent by a machine (auto-replies, out-of-office notices, bounces, bulk mail): recognised from its headers and
// subject, so it never becomes a triage card or a case and is never answered (no mail loops). A false positive
// hides a person's email from the team, so only signals that machines set, or subjects in the exact form mail
// systems write them, count: "Out of office hours care for my mum" is a person writing.
import type { AutomaticKind } from "./email";

/** What the decision reads: the message's headers (any case of name), its subject and sender, its MIME types. */
export interface AutomaticFacts {
  /** Header name -> value (the first one when repeated). Names in any case. */
  readonly headers: ReadonlyMap<string, string> | Readonly<Record<string, string>>;
  readonly subject: string;
  /** The From address. */
  readonly from?: string;
  /** The message's own Content-Type header value, parameters included (`multipart/report; report-type=...`). */
  readonly contentType?: string;
  /** The content types of the message's parts (a `message/delivery-status` part marks a bounce). */
  readonly partTypes?: readonly string[];
}

/**
 * Subjects mail systems write on delivery failures, whole (Postfix, Gmail, Exim, sendmail, qmail) or as a prefix
 * with its colon (Exchange): "Returned mail from the ward" is a person writing.
 */
const BOUNCE_SUBJECT =
  /^(?:undeliverable:|undelivered mail returned to sender$|delivery status notification \((?:failure|delay)\)$|mail delivery failed: returning message to sender$|returned mail: see transcript for details$|failure notice$)/i;
/** Subjects of out-of-office notices (Outlook and Exchange write "Automatic reply:"), always followed by a colon. */
const OUT_OF_OFFICE_SUBJECT = /^(?:automatic reply|out of (?:the )?office(?: reply| auto-?reply)?|auto(?:matic)?[ -]?(?:reply|response)|autoreply)\s*:/i;
/** Local parts that only mail systems send from (RFC 5321 postmaster; the MTA's daemon). */
const BOUNCE_SENDER = /^(?:mailer-daemon|postmaster)@/i;

function headerOf(headers: AutomaticFacts["headers"], name: string): string | undefined {
  const entries: Iterable<readonly [string, string]> = headers instanceof Map ? (headers as ReadonlyMap<string, string>) : Object.entries(headers);
  for (const [key, value] of entries) if (key.toLowerCase() === name) return value;
  return undefined;
}

/** The first token of a header value, lower case, without parameters or comments. */
function token(value: string | undefined): string {
  return (value ?? "")
    .replace(/\([^)]*\)/g, " ")
    .split(";")[0]!
    .trim()
    .toLowerCase();
}

/** A Content-Type's `report-type` parameter, lower case. */
function reportType(contentType: string | undefined): string | undefined {
  if (token(contentType) !== "multipart/report") return undefined;
  return /;\s*report-type\s*=\s*"?([a-z0-9-]+)/i.exec(contentType ?? "")?.[1]?.toLowerCase();
}

/**
 * Which kind of automatic mail this is, or undefined when a person may have written it. A bounce is recognised
 * first (bounces often also say Auto-Submitted), then out-of-office and other auto-replies, then bulk mail.
 *
 * - bounce: a `multipart/report; report-type=delivery-status` or a `message/delivery-status` part (RFC 3464), mail
 *   from `mailer-daemon@` or `postmaster@`, or a subject such as "Undeliverable:" or "Delivery Status
 *   Notification (Failure)";
 * - out-of-office: an auto-reply (below) with `X-Auto-Response-Suppress` (Exchange sets it on its own automatic
 *   replies) or an out-of-office subject, or a subject in the form "Automatic reply: ..." alone;
 * - auto-reply: `Auto-Submitted` other than `no` (RFC 3834), `X-Autoreply`, or a read receipt
 *   (`report-type=disposition-notification`, RFC 8098);
 * - bulk: `Precedence: bulk`, `junk` or `list`, or a `List-Id` or `List-Unsubscribe` header (RFC 2369, 2919).
 */
export function automaticKind(facts: AutomaticFacts): AutomaticKind | undefined {
  const header = (name: string) => headerOf(facts.headers, name);
  const subject = facts.subject.trim();
  const report = reportType(facts.contentType ?? header("content-type"));

  const deliveryStatusPart = (facts.partTypes ?? []).some((type) => token(type) === "message/delivery-status");
  if (report === "delivery-status" || deliveryStatusPart || BOUNCE_SENDER.test((facts.from ?? "").trim()) || BOUNCE_SUBJECT.test(subject)) {
    return "bounce";
  }

  const autoSubmitted = token(header("auto-submitted"));
  const xAutoreply = token(header("x-autoreply"));
  const autoReply = (autoSubmitted !== "" && autoSubmitted !== "no") || xAutoreply === "yes" || report === "disposition-notification";
  if (OUT_OF_OFFICE_SUBJECT.test(subject)) return "out-of-office";
  if (autoReply) return header("x-auto-response-suppress") !== undefined ? "out-of-office" : "auto-reply";

  const precedence = token(header("precedence"));
  if (precedence === "bulk" || precedence === "junk" || precedence === "list") return "bulk";
  if (header("list-id") !== undefined || header("list-unsubscribe") !== undefined) return "bulk";
  return undefined;
}
