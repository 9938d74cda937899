// The rules a trust sets: deadlines, nudge windows, investigation defaults, update cadence and which manager
// alerts are on. The defaults are England's (SI 2009/309 and common PALS practice). A trust's rules file
// (RULES_FILE) is checked here; reading it is the caller's job, so this stays pure.
import { z } from "zod";
import type { ComplexityTier } from "../case/caseSchema";
import { UPDATE_CADENCE_WORKING_DAYS } from "./complainantUpdates";
import { DEFAULT_DEADLINE_RULES, type DeadlineRules } from "./deadlines";
import { INVESTIGATION_DEFAULT_WORKING_DAYS, INVESTIGATION_REMINDER_WORKING_DAYS } from "../investigations/investigations";
import { NATIONS, type Nation } from "./nations";
import { ALERT_REASONS, NUDGE_WINDOW_WORKING_DAYS, type AlertReason } from "./nudges";

/** Everything a trust may set, as the application uses it. */
export interface Rules {
  /** What these rules are, for logs and cards (e.g. "England: NHS complaints regulations 2009"). */
  readonly name: string;
  /** Whose national bodies (Ombudsman, complaints advocacy) and whose discussion at the start (nations.ts). */
  readonly nation: Nation;
  readonly deadlines: Readonly<DeadlineRules>;
  /** Nudges and the digest start this many working days before a deadline. */
  readonly nudgeWindowWorkingDays: number;
  readonly investigations: { readonly workingDays: number; readonly reminderWorkingDays: number };
  /** Keeping a complainant updated: the next update is due this many working days after the last contact. */
  readonly updates: { readonly workingDays: number };
  /** Which manager alerts are sent; a reason switched off is never queued. */
  readonly alerts: Readonly<Record<AlertReason, boolean>>;
}

const ALL_ALERTS_ON = Object.fromEntries(ALERT_REASONS.map((r) => [r.id, true])) as Record<AlertReason, boolean>;

/** England's rules of today: what PALS Desk does with no rules file. */
export const DEFAULT_RULES: Readonly<Rules> = Object.freeze({
  name: "England: NHS complaints regulations 2009 (SI 2009/309) and common PALS practice",
  nation: "england",
  deadlines: DEFAULT_DEADLINE_RULES,
  nudgeWindowWorkingDays: NUDGE_WINDOW_WORKING_DAYS,
  investigations: Object.freeze({ workingDays: INVESTIGATION_DEFAULT_WORKING_DAYS, reminderWorkingDays: INVESTIGATION_REMINDER_WORKING_DAYS }),
  updates: Object.freeze({ workingDays: UPDATE_CADENCE_WORKING_DAYS }),
  alerts: Object.freeze({ ...ALL_ALERTS_ON }),
});

// --- the rules file --------------------------------------------------------------------------

/** JSON has no comments: every object in the file may carry a "$comment" string, which is ignored. */
const comment = z.string().max(20_000, "a comment of at most 20,000 characters").optional();

const days = (max: number) =>
  z
    .number({ invalid_type_error: "a whole number of days", required_error: "a whole number of days" })
    .int("a whole number of days")
    .min(1, "at least 1 day")
    .max(max, `at most ${max} days`);

const months = z
  .number({ invalid_type_error: "a whole number of months", required_error: "a whole number of months" })
  .int("a whole number of months")
  .min(1, "at least 1 month")
  .max(120, "at most 120 months");

/** The complexity tiers as the file names them; the case stores the tier (25, 40 or 60), the rules say its working days. */
const TIER_NAMES = { standard: 25, complex: 40, veryComplex: 60 } as const satisfies Record<string, ComplexityTier>;
type TierName = keyof typeof TIER_NAMES;

const section = <T extends z.ZodRawShape>(shape: T) => z.object({ $comment: comment, ...shape }).strict();

const AlertsSchema = section(
  Object.fromEntries(ALERT_REASONS.map((r) => [r.id, z.boolean({ invalid_type_error: "true or false" }).optional()])) as Record<
    AlertReason,
    z.ZodOptional<z.ZodBoolean>
  >,
);

/**
 * The file. Every field may be left out (England's value is used), so a trust writes only what differs; an
 * unknown field is refused, so a misspelt one is not silently ignored.
 */
export const RulesFileSchema = section({
  name: z.string().trim().min(1, "a name of 1 to 200 characters").max(200, "a name of 1 to 200 characters").optional(),
  nation: z.enum(NATIONS, { message: "england or wales" }).optional(),
  deadlines: section({
    enquiry: section({ workingDays: days(250).optional() }).optional(),
    concern: section({ workingDays: days(250).optional() }).optional(),
    complaint: section({
      acknowledgeWorkingDays: days(60).optional(),
      workingDays: section({ standard: days(250).optional(), complex: days(250).optional(), veryComplex: days(250).optional() }).optional(),
      defaultTier: z.enum(["standard", "complex", "veryComplex"], { message: "standard, complex or veryComplex" }).optional(),
      backstopMonths: months.optional(),
      outOfTimeMonths: months.optional(),
    }).optional(),
  }).optional(),
  nudges: section({ windowWorkingDays: days(30).optional() }).optional(),
  investigations: section({ workingDays: days(120).optional(), reminderWorkingDays: days(30).optional() }).optional(),
  updates: section({ workingDays: days(120).optional() }).optional(),
  alerts: AlertsSchema.optional(),
});

export type RulesFile = z.infer<typeof RulesFileSchema>;

export type RulesParse = { readonly ok: true; readonly rules: Rules } | { readonly ok: false; readonly problems: readonly string[] };

/** How a value looks in an error message: short, and only what the file itself said. */
function shown(value: unknown): string {
  if (value === undefined) return "missing";
  const text = typeof value === "string" ? `"${value}"` : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/**
 * Checks a parsed rules file and gives the rules (England's for whatever it leaves out). Problems name the
 * field by its path, say what it must be and what it is, e.g.
 * `deadlines.complaint.acknowledgeWorkingDays must be a whole number of days (it is "three")`.
 */
export function parseRules(file: unknown): RulesParse {
  const parsed = RulesFileSchema.safeParse(file);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => {
        if (issue.code === z.ZodIssueCode.unrecognized_keys) {
          const where = issue.path.length > 0 ? `${issue.path.join(".")}.` : "";
          return issue.keys.map((key) => `${where}${key} is not a rule PALS Desk knows (check its spelling, or remove it)`).join("; ");
        }
        const field = issue.path.length > 0 ? issue.path.join(".") : "the file";
        const what = issue.path.length === 0 ? "a JSON object of rules" : issue.message;
        return `${field} must be ${what} (it is ${shown(valueAt(file, issue.path))})`;
      }),
    };
  }
  return { ok: true, rules: rulesFrom(parsed.data) };
}

function rulesFrom(file: RulesFile): Rules {
  const d = DEFAULT_RULES;
  const complaint = file.deadlines?.complaint;
  const tierDays = (name: TierName) => complaint?.workingDays?.[name] ?? d.deadlines.complexityWorkingDays?.[TIER_NAMES[name]] ?? TIER_NAMES[name];
  const alerts = { ...d.alerts };
  for (const reason of Object.keys(alerts) as AlertReason[]) {
    const on = file.alerts?.[reason];
    if (on !== undefined) alerts[reason] = on;
  }
  return {
    name: file.name ?? "The trust's rules",
    nation: file.nation ?? d.nation,
    deadlines: {
      acknowledgeWorkingDays: complaint?.acknowledgeWorkingDays ?? d.deadlines.acknowledgeWorkingDays,
      defaultComplexity: complaint?.defaultTier ? TIER_NAMES[complaint.defaultTier] : d.deadlines.defaultComplexity,
      complexityWorkingDays: { 25: tierDays("standard"), 40: tierDays("complex"), 60: tierDays("veryComplex") },
      backstopMonths: complaint?.backstopMonths ?? d.deadlines.backstopMonths,
      concernWorkingDays: file.deadlines?.concern?.workingDays ?? d.deadlines.concernWorkingDays,
      enquiryWorkingDays: file.deadlines?.enquiry?.workingDays ?? d.deadlines.enquiryWorkingDays,
      outOfTimeMonths: complaint?.outOfTimeMonths ?? d.deadlines.outOfTimeMonths,
    },
    nudgeWindowWorkingDays: file.nudges?.windowWorkingDays ?? d.nudgeWindowWorkingDays,
    investigations: {
      workingDays: file.investigations?.workingDays ?? d.investigations.workingDays,
      reminderWorkingDays: file.investigations?.reminderWorkingDays ?? d.investigations.reminderWorkingDays,
    },
    updates: { workingDays: file.updates?.workingDays ?? d.updates.workingDays },
    alerts,
  };
}

/** Whether the trust has this manager alert switched on (all are, by default). */
export function alertIsOn(rules: Pick<Rules, "alerts">, reason: AlertReason): boolean {
  return rules.alerts[reason];
}
