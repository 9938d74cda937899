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

const REDACT_PATHS = [
  ...PATIENT_FIELDS,
  ...PATIENT_FIELDS.map((field) => `*.${field}`),
  ...PATIENT_FIELDS.map((field) => `*.*.${field}`),
  "req.headers.authorization",
  "headers.authorization",
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      name: "pals-desk",
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      formatters: { level: (label) => ({ level: label }) },
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
