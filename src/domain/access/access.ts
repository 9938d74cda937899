// Who may do what with a case. Pure: the roles come from wherever the trust keeps them (app roles, a
// settings list); this module only answers yes or no and says what to do when the answer is no.
import type { Case } from "../case/caseSchema";
import { CASE_VERB_DEFINITIONS, CASE_VERB_NAMES, type CardVerbAccess } from "../case/caseVerbs";
import { TRIAGE_VERB_NAMES, TRIAGE_VERBS, type TriageVerbName } from "../inbox/inbox";

export const ROLES = ["officer", "volunteer", "manager", "admin", "lead"] as const;
export type Role = (typeof ROLES)[number];

/** Permissions that are not case-card verbs: their rules live with their feature. */
const OTHER_VERBS = [
  "log-contact",
  "view-case",
  "list-my-cases",
  "search-cases",
  "view-timeline",
  "request-investigation",
  "decide-extension",
  "draft-letter",
  "record-ombudsman",
  "complete-details",
  "recalculate-deadlines",
  "add-action",
  "see-inbox",
  "add-document",
  "send-email",
  "review-retention",
  ...TRIAGE_VERB_NAMES.map((name) => TRIAGE_VERBS[name].access),
] as const;

/** Every permission: the case-card verbs' (caseVerbs.ts) and the others. */
export const CASE_VERBS: readonly CaseVerb[] = [...new Set<CaseVerb>([...OTHER_VERBS, ...CASE_VERB_NAMES.map((name) => CASE_VERB_DEFINITIONS[name].access)])];
export type CaseVerb = (typeof OTHER_VERBS)[number] | CardVerbAccess;

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

const EVERY_VERB: ReadonlySet<CaseVerb> = new Set(CASE_VERBS);

/** Volunteers may close cases, but not complaints (see may()). */
const VOLUNTEER_VERBS: ReadonlySet<CaseVerb> = new Set<CaseVerb>([
  "log-contact",
  "view-case",
  "list-my-cases",
  "search-cases",
  "view-timeline",
  ...CASE_VERB_NAMES.filter((name) => "volunteers" in CASE_VERB_DEFINITIONS[name]).map((name) => CASE_VERB_DEFINITIONS[name].access),
  ...TRIAGE_VERB_NAMES.filter((name) => "volunteers" in TRIAGE_VERBS[name]).map((name) => TRIAGE_VERBS[name].access),
]);

/**
 * Managers' and admins' alone: records retention (the review of files due, deciding to keep or destroy them) and
 * legal holds, which decide whether records are destroyed.
 */
const MANAGER_VERBS: ReadonlySet<CaseVerb> = new Set<CaseVerb>([
  "review-retention",
  ...CASE_VERB_NAMES.filter((name) => "managers" in CASE_VERB_DEFINITIONS[name]).map((name) => CASE_VERB_DEFINITIONS[name].access),
]);

/** Clinical leads only answer investigation requests addressed to them, which is handled elsewhere. */
const VERBS_BY_ROLE: Readonly<Record<Role, ReadonlySet<CaseVerb>>> = {
  officer: new Set([...EVERY_VERB].filter((verb) => !MANAGER_VERBS.has(verb))),
  manager: EVERY_VERB,
  admin: EVERY_VERB,
  volunteer: VOLUNTEER_VERBS,
  lead: new Set<CaseVerb>(),
};

/** Roles whose verbs apply to every kind of case (volunteers' "close" excludes complaints). */
const FULL_ROLES: readonly Role[] = ["officer", "manager", "admin"];

function hasFullRole(roles: ReadonlySet<Role>): boolean {
  return FULL_ROLES.some((r) => roles.has(r));
}

/**
 * Every verb the roles allow on at least some cases (the union over the roles). "close" is included for a
 * volunteer even though they can't close complaints: ask may() with the case before acting.
 */
export function allowedVerbs(roles: ReadonlySet<Role>): ReadonlySet<CaseVerb> {
  const verbs = new Set<CaseVerb>();
  for (const role of roles) for (const verb of VERBS_BY_ROLE[role] ?? []) verbs.add(verb);
  return verbs;
}

/** allowedVerbs(roles).has(verb) without building the set: a case card asks this a dozen times. */
function anyRoleAllows(roles: ReadonlySet<Role>, verb: CaseVerb): boolean {
  for (const role of roles) for (const allowed of VERBS_BY_ROLE[role] ?? []) if (allowed === verb) return true;
  return false;
}

/**
 * Whether someone with these roles may do this to this case. Without a case the answer is for every
 * kind of case, so a volunteer may not "close" until the case shows it isn't a complaint.
 */
export function may(roles: ReadonlySet<Role>, verb: CaseVerb, c?: Pick<Case, "type">): boolean {
  if (!anyRoleAllows(roles, verb)) return false;
  if (verb === "close" && c?.type !== undefined && c.type !== "complaint") return true;
  if (verb === "close") return hasFullRole(roles);
  return true;
}

const VERB_PHRASES: Readonly<Record<CaseVerb, string>> = {
  "log-contact": "log contacts",
  "view-case": "open cases",
  "list-my-cases": "list cases",
  "search-cases": "search cases",
  "view-timeline": "see case timelines",
  "request-investigation": "ask clinical leads for investigation input",
  "decide-extension": "agree more time for a clinical lead",
  "draft-letter": "draft letters",
  "record-ombudsman": "record Ombudsman referrals",
  "complete-details": "complete or correct a case's details",
  "recalculate-deadlines": "recalculate a case's deadlines",
  "add-action": "add actions to cases",
  "see-inbox": "see the PALS inbox",
  "add-document": "add documents to cases",
  "send-email": "send emails from cases",
  "review-retention": "review records for retention or destroy them",
  ...(Object.fromEntries(TRIAGE_VERB_NAMES.map((name) => [TRIAGE_VERBS[name].access, TRIAGE_VERBS[name].phrase])) as Record<
    (typeof TRIAGE_VERBS)[TriageVerbName]["access"],
    string
  >),
  ...(Object.fromEntries(CASE_VERB_NAMES.map((name) => [CASE_VERB_DEFINITIONS[name].access, CASE_VERB_DEFINITIONS[name].phrase])) as Record<
    CardVerbAccess,
    string
  >),
};

/**
 * What to tell someone who may not do this, in plain English with what to do instead. Pass their roles
 * when known, so a clinical lead or someone with no role yet gets a message that fits.
 */
export function refusal(verb: CaseVerb, c?: Pick<Case, "type">, roles?: ReadonlySet<Role>): string {
  if (roles !== undefined && roles.size === 0) {
    return "You don't have a PALS Desk role yet. Ask your PALS manager to give you access.";
  }
  if (roles !== undefined && !hasFullRole(roles) && !roles.has("volunteer") && roles.has("lead")) {
    return (
      `PALS Desk only lets clinical leads answer investigation requests sent to them, so you can't ${VERB_PHRASES[verb]}. ` +
      "Ask the PALS team if you need something done on a case."
    );
  }
  if (MANAGER_VERBS.has(verb)) return `Only PALS managers can ${VERB_PHRASES[verb]}. Ask your PALS manager.`;
  if (verb === "close" && (c === undefined || c.type === "complaint")) {
    return "Volunteers can't close complaints. Ask a PALS officer or manager to close it.";
  }
  if (roles !== undefined && !hasFullRole(roles) && roles.has("volunteer")) {
    return `Volunteers can't ${VERB_PHRASES[verb]}. Ask a PALS officer or manager to do it for you.`;
  }
  return `Your PALS Desk role doesn't let you ${VERB_PHRASES[verb]}. Ask a PALS officer or manager to do it for you.`;
}

/** Safeguarding details are for PALS staff only: not volunteers or clinical leads. */
export function canSeeSafeguardingDetail(roles: ReadonlySet<Role>): boolean {
  return hasFullRole(roles);
}

/** Reports and exports (which can carry every case's details) are for managers and admins only. */
export function mayReport(roles: ReadonlySet<Role>): boolean {
  return roles.has("manager") || roles.has("admin");
}

/** Managers (and admins) choose the alerts channel and acknowledge or take over escalation alerts. */
export function mayManageAlerts(roles: ReadonlySet<Role>): boolean {
  return roles.has("manager") || roles.has("admin");
}

/**
 * Who is acting, in which trust, with which roles: from the activity and settings. Card data never names the
 * trust, except on the few answers a case addresses to one person (teams/access/identity.ts ADDRESSED_VERBS), where
 * the case itself then says who may answer.
 */
export interface Caller {
  /** The trust whose data this person works with: the partition of everything they read and write. */
  readonly trustId: string;
  /** The Entra ID tenant the person signed in to: for Teams and Graph calls, never to find data. */
  readonly tenantId: string;
  readonly actor: { readonly aadObjectId: string; readonly name: string };
  /** The Teams user id (29:...), used for card refresh lists and proactive messages. */
  readonly teamsUserId: string;
  readonly roles: ReadonlySet<Role>;
}
