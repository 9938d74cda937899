/**
 * Problems the bot logged (pino JSON lines on its stdout). A turn that fails on the store still answers
 * 200 with an apology, so HTTP statuses alone undercount errors: these lines are the other half.
 */

interface Logged {
  readonly at: number;
  readonly level: "warn" | "error" | "fatal";
  readonly storeUnavailable: boolean;
}

export interface LoggedProblems {
  /** Lines at level error or fatal. */
  readonly errors: number;
  /** Of those, errors from the store being unreachable, timing out or throttling. */
  readonly storeErrors: number;
  /** Warn lines about the store being unreachable, timing out or throttling. */
  readonly storeWarnings: number;
}

/** Same rule as isStoreUnavailable in src/teams/app.ts, on the logged error facts (their cause too). */
function storeUnavailable(facts: unknown, depth = 0): boolean {
  if (!facts || typeof facts !== "object" || depth > 3) return false;
  const { code, name, statusCode, cause } = facts as Record<string, unknown>;
  if (["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", 408, 429, 503, "TimeoutError", "timeout"].includes(code as string | number)) return true;
  if (name === "TimeoutError" || name === "StoreUnavailableError" || statusCode === 408 || statusCode === 429 || statusCode === 503) return true;
  return storeUnavailable(cause, depth + 1);
}

/** No store-specific warn message exists in src/ today; this catches one if it is added. */
const STORE_WORDS = /time[sd]? ?out|throttl|too many requests|can(?:'|no)t reach|unreachable|case store/i;

export class LogCounter {
  private readonly lines: Logged[] = [];

  /** Takes one stdout line; anything that is not a warn, error or fatal JSON line is ignored cheaply. */
  add(line: string): void {
    if (!/"level":"(warn|error|fatal)"/.test(line)) return;
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    const level = parsed.level as Logged["level"];
    const at = typeof parsed.time === "string" ? Date.parse(parsed.time) : typeof parsed.time === "number" ? parsed.time : Date.now();
    const facts = parsed.err ?? parsed.error;
    const storeIssue = storeUnavailable(facts) || (typeof parsed.msg === "string" && STORE_WORDS.test(parsed.msg) && level === "warn");
    this.lines.push({ at, level, storeUnavailable: storeIssue });
  }

  /** Problems logged from `from` (inclusive) to `to` (exclusive), by the line's own timestamp. */
  between(from: number, to: number): LoggedProblems {
    const inWindow = this.lines.filter((l) => l.at >= from && l.at < to);
    const errors = inWindow.filter((l) => l.level !== "warn");
    return {
      errors: errors.length,
      storeErrors: errors.filter((l) => l.storeUnavailable).length,
      storeWarnings: inWindow.filter((l) => l.level === "warn" && l.storeUnavailable).length,
    };
  }
}
