import { AsyncLocalStorage } from "node:async_hooks";
import pino, { type DestinationStream, type Logger } from "pino";

export type { Logger } from "pino";

/**
 * Patient data must never reach a log line. Anything that might carry it is censored wherever it
 * appears (top level or one/two levels down), so a careless `log.info({ case })` stays safe.
 */
const PATIENT_FIELDS = [
  "patient",
  "patientName",
  "nhsNumber",
  "dateOfBirth",
  "contactDetails",
  "communicationNeeds",
  "raiser",
  "raiserName",
  "summary",
  "desiredOutcome",
  "learning",
  "note",
  "text",
  "value",
  "attachments",
  "email",
];

/** An error's words, wherever one is logged by hand: they can quote a document. */
const ERROR_TEXT_FIELDS = ["message", "stack"];

const REDACT_PATHS = [
  ...[...PATIENT_FIELDS, ...ERROR_TEXT_FIELDS],
  ...[...PATIENT_FIELDS, ...ERROR_TEXT_FIELDS].map((field) => `*.${field}`),
  ...[...PATIENT_FIELDS, ...ERROR_TEXT_FIELDS].map((field) => `*.*.${field}`),
  "req.headers.authorization",
  "headers.authorization",
];

/** The parts of an error that say what went wrong without quoting anything (SDK, store and system errors). */
const ERROR_FACTS = ["name", "code", "statusCode", "status", "substatus", "activityId", "syscall", "errno", "retryAfterInMs"] as const;

/**
 * What may be logged of an error: its name, codes and status, never its message or stack, because an SDK or
 * Cosmos DB error can quote a document or an activity (a patient's name, a note).
 */
export function errorFacts(error: unknown, depth = 0): Record<string, unknown> {
  if (error === null || typeof error !== "object") return { name: typeof error };
  const facts: Record<string, unknown> = {};
  for (const key of ERROR_FACTS) {
    const value = (error as Record<string, unknown>)[key];
    if (typeof value === "number" || typeof value === "boolean") facts[key] = value;
    // Codes and names are short identifiers; anything longer or with spaces could be prose.
    else if (typeof value === "string" && /^[\w.:/-]{1,80}$/.test(value)) facts[key] = value;
  }
  const cause = (error as { cause?: unknown }).cause;
  if (cause !== undefined && depth < 2) facts.cause = errorFacts(cause, depth + 1);
  return facts;
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      name: "pals-desk",
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      formatters: { level: (label) => ({ level: label }) },
      // Whatever a caller passes as an error, only its facts are written.
      serializers: { err: errorFacts, error: errorFacts },
      hooks: {
        logMethod(args, method) {
          const [first, second] = args as unknown[];
          // log.error(error): pino would write error.message as the line's message.
          if (first instanceof Error) return method.apply(this, [{ err: first }, typeof second === "string" ? second : "Error"]);
          const hasError =
            first !== null && typeof first === "object" && ["err", "error"].some((key) => (first as Record<string, unknown>)[key] instanceof Error);
          if (hasError && typeof second !== "string") return method.apply(this, [first as object, "Error"]);
          return method.apply(this, args);
        },
      },
    },
    destination,
  );
}

const activityLogs = new AsyncLocalStorage<Logger>();

/** Runs `work` with `log` as the logger of everything it calls (a turn's logger carries its request id). */
export function runWithLog<T>(log: Logger, work: () => T): T {
  return activityLogs.run(log, work);
}

/** The logger of the activity being handled, or `fallback` outside one (the sweep, start-up). */
export function activityLog(fallback: Logger): Logger {
  return activityLogs.getStore() ?? fallback;
}
