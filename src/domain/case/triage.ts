import type { ConsentStatus, ContactType, RaisedBy, ReceivedVia } from "./caseSchema";
import { isOutOfTime, type DeadlineRules } from "../deadlines/deadlines";
import { isHighRisk } from "./risk";

/** Reasons a case needs a second look; shown as badges and used to alert managers. Order is display order. */
export const CASE_FLAGS = [
  { id: "high-risk", title: "High risk: scores 15 or more on the 5x5 risk matrix" },
  { id: "safeguarding", title: "Safeguarding concern" },
  { id: "patient-safety", title: "Possible patient safety incident" },
  { id: "consent-needed", title: "Consent needed: the patient's consent has not been received yet" },
  {
    id: "out-of-time",
    title:
      "Out of time: made more than 12 months after the event and after they knew of it; it can still be considered if there is good reason and a fair investigation is possible",
  },
  { id: "mp-involved", title: "MP involved" },
  { id: "regulator-involved", title: "Regulator or Ombudsman involved" },
] as const;

export type CaseFlag = (typeof CASE_FLAGS)[number]["id"];

/** What triage looks at; a stored Case has this shape, so cases can be re-triaged after an edit. */
export interface TriageInput {
  type: ContactType;
  receivedVia: ReceivedVia;
  raisedBy: RaisedBy;
  consent?: ConsentStatus;
  receivedOn: string;
  /** When it happened. */
  eventOn?: string;
  /** When it came to the complainant's notice, if later: reg 12 runs from the later. */
  noticedOn?: string;
  /** Absent until someone assesses it: never high risk by default. */
  risk?: { score: number };
  safeguarding: boolean;
  safetyIncident?: boolean;
}

/** Whether someone other than the patient needs the patient's consent recorded before we share anything. */
export function needsConsent(input: Pick<TriageInput, "type" | "raisedBy">): boolean {
  // Compliments share nothing about the patient; staff raise things in their own right.
  return input.type !== "compliment" && input.raisedBy !== "patient" && input.raisedBy !== "staff";
}

/** `rules`: the trust's deadline rules, whose out-of-time period decides the out-of-time flag (England's 12 months when left out). */
export function triageFlags(input: TriageInput, rules: Readonly<DeadlineRules>): CaseFlag[] {
  const flags = new Set<CaseFlag>();
  if (input.risk && isHighRisk(input.risk.score)) flags.add("high-risk");
  if (input.safeguarding) flags.add("safeguarding");
  if (input.safetyIncident) flags.add("patient-safety");
  if (needsConsent(input) && (input.consent === undefined || input.consent === "not-yet")) flags.add("consent-needed");
  if (input.type === "complaint" && input.eventOn && isOutOfTime(input.eventOn, input.receivedOn, rules, input.noticedOn)) flags.add("out-of-time");
  if (input.raisedBy === "mp" || input.receivedVia === "mp-letter") flags.add("mp-involved");
  if (input.raisedBy === "regulator" || input.receivedVia === "regulator") flags.add("regulator-involved");
  return CASE_FLAGS.map((f) => f.id).filter((id) => flags.has(id));
}

/** Plain English for a flag; an unknown flag (added by a later version) is shown as stored. */
export function flagTitle(flag: string): string {
  return CASE_FLAGS.find((f) => f.id === flag)?.title ?? flag;
}
