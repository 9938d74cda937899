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
