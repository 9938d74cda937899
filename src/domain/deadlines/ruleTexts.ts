// Words on cards that state a timescale, from the trust's rules: England's rules give the texts of today
// ("Standard: 25 working days", "6-month limit"), a Wales rules file gives Wales' figures.
import { COMPLEXITY_TIERS, type ComplexityTier } from "../case/caseSchema";
import type { Choice } from "../case/choice";
import { tierWorkingDays, type DeadlineRules } from "./deadlines";

// The backstop's name, backstopLabel, is in deadlines.ts: its own messages use it.
import { flagTitle } from "../case/triage";

type Deadlines = Readonly<DeadlineRules>;

const tierName = (tier: ComplexityTier): string => COMPLEXITY_TIERS.find((t) => t.id === tier)?.title ?? String(tier);
/** "2 working days", "1 working day". */
export const workingDaysText = (days: number): string => `${days} working day${days === 1 ? "" : "s"}`;
const workingDays = workingDaysText;
const months = (count: number) => `${count} month${count === 1 ? "" : "s"}`;

/** "Standard: 25 working days": the tier's name and the working days the rules give it. */
export function complexityTierTitle(tier: ComplexityTier, rules: Deadlines): string {
  return `${tierName(tier)}: ${workingDays(tierWorkingDays(rules, tier))}`;
}

/** The complexity pick list: ids as stored (25, 40, 60), titles with the trust's working days. */
export function complexityTierChoices(rules: Deadlines): Choice[] {
  return COMPLEXITY_TIERS.map((t) => ({ id: String(t.id), title: complexityTierTitle(t.id, rules) }));
}

/** What a complaint gets when no tier is chosen: "Standard (25 working days)". */
export function defaultComplexityText(rules: Deadlines): string {
  return `${tierName(rules.defaultComplexity)} (${workingDays(tierWorkingDays(rules, rules.defaultComplexity))})`;
}

/** "3 working days", for "acknowledge within 3 working days". */
export function acknowledgePeriod(rules: Deadlines): string {
  return workingDays(rules.acknowledgeWorkingDays);
}

/** "6 months", for "a date beyond 6 months". */
export function backstopPeriod(rules: Deadlines): string {
  return months(rules.backstopMonths);
}

/** A case flag in plain English; the out-of-time flag names the trust's period. */
export function caseFlagTitle(flag: string, rules: Deadlines): string {
  if (flag !== "out-of-time") return flagTitle(flag);
  return `Out of time: made more than ${months(rules.outOfTimeMonths)} after the event and after they knew of it; it can still be considered if there is good reason and a fair investigation is possible`;
}
