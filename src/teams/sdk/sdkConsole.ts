// What the Bot Framework SDK prints while it authenticates a request, turned into one log line.
import { AsyncLocalStorage } from "node:async_hooks";
import { errorFacts, type Logger } from "../../logger";

/**
 * botbuilder's CloudAdapter.process prints every error it answers with console.error (botbuilder
 * lib/cloudAdapter.js:106), and botframework-connector's JwtTokenExtractor prints expired tokens and key
 * failures (lib/auth/jwtTokenExtractor.js:162, 165): every refused token became a stack trace on
 * stderr, which reads as a fault and bypasses the structured log. While the adapter handles a request
 * (not while our turn runs), those calls are kept and reported by `reportSdkConsole` instead.
 */
/** What the SDK printed while handling one request; `open` ends with the handling, so later async output is not kept. */
interface Capture {
  open: boolean;
  readonly items: unknown[];
}

const captured = new AsyncLocalStorage<Capture>();
let consolePatched = false;

function patchConsole(): void {
  if (consolePatched) return;
  consolePatched = true;
  for (const level of ["error", "warn"] as const) {
    const original = console[level];
    console[level] = function (...args: unknown[]) {
      const capture = captured.getStore();
      if (capture?.open) capture.items.push(...args);
      else Reflect.apply(original, console, args);
    };
  }
}

/** Runs the adapter's handling of one request, keeping what the SDK prints; returns what it printed. */
export async function capturingSdkConsole(work: () => Promise<void>): Promise<unknown[]> {
  patchConsole();
  const capture: Capture = { open: true, items: [] };
  try {
    await captured.run(capture, work);
  } finally {
    // Timers and promises started in there keep this store: what they print later is not the SDK's answer.
    capture.open = false;
  }
  return capture.items;
}

/** Our own turn inside the adapter: its console output (if any) is not the SDK's and goes through. */
export function outsideSdkCapture<T>(work: () => T): T {
  return captured.exit(work);
}

/** A fixed vocabulary for why a token was refused: the SDK's messages can quote claims, so they are not logged. */
const REFUSALS: readonly [RegExp, string][] = [
  [/expired/i, "token expired"],
  [/signing key|finding key|signature|endorsement|algorithm/i, "unknown signing key"],
  [/invalid appid|audience|appid" claim|azp/i, "token for another bot"],
  [/serviceurl/i, "service URL does not match the token"],
  [/issuer/i, "untrusted issuer"],
  [/request is not authorized|authheader/i, "no token"],
  [/no valid identity|not authenticated|unauthorized|jwt/i, "not a valid token"],
];

/** One line for what the SDK printed while handling a request that was answered `status`. */
export function reportSdkConsole(printed: readonly unknown[], status: number, log: Logger): void {
  if (printed.length === 0) return;
  const errors = printed.filter((item): item is Error => item instanceof Error);
  // The signing keys could not be fetched (a wrong BOT_OPENID_METADATA_URL, no network): the SDK still answers 401.
  const keysUnavailable = errors.some((error) => /failed to load/i.test(error.message) || (error as { statusCode?: unknown }).statusCode === 500);
  if (status === 401 && !keysUnavailable) {
    const text = errors.map((error) => `${error.name} ${error.message}`).join(" ");
    const reason = REFUSALS.find(([pattern]) => pattern.test(text))?.[1] ?? "other";
    log.warn({ status, reason }, "Refused a request without a valid Bot Framework token");
    return;
  }
  // Other lines (strings, warnings) are counted, not quoted: they may repeat a token's claims.
  const fields = {
    status,
    errors: errors.map((error) => errorFacts(error)),
    otherLines: printed.length - errors.length,
    ...(keysUnavailable ? { reason: "could not load the Bot Framework signing keys" } : {}),
  };
  if (status >= 500 || keysUnavailable) log.error(fields, "The Bot Framework SDK failed to handle a request");
  else log.warn(fields, "The Bot Framework SDK reported a problem with a request");
}
