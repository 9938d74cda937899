import {
  CASE_VERB_DEFINITIONS,
  CASE_VERB_NAMES,
  type CaseVerbName,
  type CardViewer,
  acknowledgePeriod,
  addWorkingDays,
  backstopLabel,
  backstopPeriod,
  caseFlagTitle,
  investigationsOf,
  actionsOf,
  actionState,
  deadlineKindTitle,
  formatLondonDateTime,
  lastUpdateGiven,
  nextDeadlineKind,
  nextUpdateDue,
  UPDATE_METHODS,
  updateHow,
  upheldViewTitle,
  canSeeSafeguardingDetail,
  consentTitle,
  contactTypeTitle,
  INCIDENT_SYSTEMS,
  incidentSystemTitle,
  formatNhsNumber,
  isTestNhsNumber,
  formatPlainDate,
  may,
  mayReport,
  OMBUDSMAN_STAGES,
  ombudsmanDueOn,
  ombudsmanStageTitle,
  NATIONAL_ORGANISATIONS,
  organisationTitle,
  outcomesFor,
  outcomeTitle,
  professionTitle,
  raisedByTitle,
  receivedViaTitle,
  missingDetails,
  NAME_NOT_GIVEN,
  riskText,
  serviceAreaTitle,
  clinicalAreaTitle,
  siteTitle,
  subjectTitle,
  titleOf,
  dueInWords,
  retentionClock,
  type RetentionRules,
  type Case,
  type CaseSummary,
  type CaseEvent,
  type Choice,
  type LatestEntry,
  type OrganisationSite,
  type Role,
  type Rules,
  NATIONAL_BODIES,
  DISCUSSION_ANSWERS,
  discussionAnswerTitle,
} from "../../domain";
import type { CaseView, StaffChoice } from "../../cases";
import { expandCard, newSubmission } from "../cards";
import { LETTER_KINDS, londonDate, recipientOf, sizeText } from "../../domain";
import { cardRuns, type Message } from "../text";

export type BannerStyle = "good" | "attention" | "warning" | "accent";

export interface Banner {
  /** Our words, or runs that keep names and typed text plain (text.ts). */
  readonly text: Message;
  readonly style: BannerStyle;
}

export interface CaseCardOptions {
  readonly roles: ReadonlySet<Role>;
  readonly viewerAadObjectId?: string;
  readonly today: string;
  readonly banner?: Banner;
  readonly staff?: readonly StaffChoice[];
  /** What the person had typed into the action forms, kept when their action is refused. */
  readonly draft?: Readonly<Record<string, string>>;
  readonly refreshUserIds?: readonly string[];
  /** The etag the viewer sees; actions send it back so we can tell them when someone else changed the case first. */
  readonly version?: string;
  /** The loaded signposting directory (national and local) for the Signpost action; the national list when left out. */
  readonly organisations?: readonly Choice[];
  /** Clinical leads PALS Desk knows, for "Ask a clinical lead". */
  readonly leads?: readonly StaffChoice[];
  /** The case's newest timeline entries, as its document keeps them (latestEntries.ts). */
  readonly latest?: readonly LatestEntry[];
  /** The trust's rules, for the timescales the card states and the nation's Ombudsman. */
  readonly rules: Readonly<Rules>;
  /** Say so when a case holds a test NHS number (999...): outside local mode, where test numbers are expected. */
  readonly flagTestNhsNumbers?: boolean;
  /** The records retention settings, for the day a closed file is due for review. */
  readonly retention: RetentionRules;
  /** A shared mailbox is set up, so emails can be sent from the case. */
  readonly emailEnabled?: boolean;
  /** The trust's sites, to name the case's site (its code alone when left out). */
  readonly sites?: readonly OrganisationSite[];
}

const NO_BANNER: Banner = { text: "", style: "accent" };

/** "Thursday 5 March 2026 · due in 2 working days" / "· 3 working days overdue" / "· due today". */
export function deadlineText(dueOn: string, today: string): string {
  return `${formatPlainDate(dueOn)} · ${dueInWords(dueOn, today)}`;
}

interface Line {
  readonly label: string;
  readonly value: string;
}

/** A deadline line; one that has passed is drawn in the attention colour. */
interface DeadlineLine extends Line {
  readonly color: "Default" | "Attention";
}

const due = (label: string, dueOn: string, today: string): DeadlineLine => ({
  label,
  value: deadlineText(dueOn, today),
  color: dueOn < today ? "Attention" : "Default",
});
const dated = (label: string, value: string): DeadlineLine => ({ label, value, color: "Default" });

/** When it came in, then each deadline with the working days left (only while it can still be met or missed). */
function deadlineLines(c: Case, today: string, rules: Readonly<Rules>, retention: RetentionRules): DeadlineLine[] {
  const open = c.status === "open";
  const d = c.deadlines;
  const rows: DeadlineLine[] = [dated("Received", `${formatPlainDate(c.receivedOn)} by ${receivedViaTitle(c.receivedVia).toLowerCase()}`)];
  if (d.acknowledgeBy) {
    if (d.acknowledgedOn) rows.push(dated("Acknowledge by", `${formatPlainDate(d.acknowledgeBy)} · sent ${formatPlainDate(d.acknowledgedOn)}`));
    else rows.push(open ? due("Acknowledge by", d.acknowledgeBy, today) : dated("Acknowledge by", formatPlainDate(d.acknowledgeBy)));
  }
  if (d.respondBy) {
    const label = `Respond by${d.respondByAgreed ? " (agreed)" : ""}`;
    rows.push(open ? due(label, d.respondBy, today) : dated(label, formatPlainDate(d.respondBy)));
  }
  // Keeping the complainant updated: the last update given and when the next is due (open complaints only).
  const nextUpdate = nextUpdateDue(c, rules.updates.workingDays);
  if (nextUpdate) {
    const last = lastUpdateGiven(c);
    const given = last ? `${formatPlainDate(last.on)} (${updateHow(last.how)})` : "None yet";
    rows.push({
      label: "Last update given",
      value: `${given} · next due ${deadlineText(nextUpdate, today)}`,
      color: nextUpdate < today ? "Attention" : "Default",
    });
  }
  if (d.backstop) rows.push(dated(backstopLabel(rules.deadlines), formatPlainDate(d.backstop) + (d.longerPeriodAgreed ? " (longer period agreed)" : "")));
  // The Ombudsman's deadline runs whether the case is open or closed.
  const phsoDue = ombudsmanDueOn(c);
  if (phsoDue) rows.push(due(`${NATIONAL_BODIES[rules.nation].ombudsman.shortName} response due`, phsoDue, today));
  if (c.closedOn) rows.push(dated("Closed", formatPlainDate(c.closedOn)));
  const records = retentionLine(c, today, retention);
  if (records) rows.push(records);
  return rows;
}

/** Where the closed file's records retention clock stands (src/domain/deadlines/retention.ts). */
function retentionLine(c: Case, today: string, retention: RetentionRules): DeadlineLine | undefined {
  const clock = retentionClock(c, retention);
  switch (clock.state) {
    case "not-closed":
      return undefined;
    case "removed":
      return dated("Records retention", `patient details and free text removed on ${formatPlainDate(c.anonymisedOn!)}`);
    case "held":
      return dated("Records retention", "stopped by a legal hold");
    case "ombudsman-open":
      return dated("Records retention", "starts when the Ombudsman's process ends");
    case "counting":
      return clock.reviewOn <= today
        ? {
            label: "Records review due",
            value: `${formatPlainDate(clock.reviewOn)} · a manager decides to keep or destroy (retention review)`,
            color: "Attention",
          }
        : dated("Records review due", formatPlainDate(clock.reviewOn));
  }
}

function line(label: string, value: string | undefined): Line[] {
  return value ? [{ label, value }] : [];
}

/**
 * The case card's buttons whose place (the main row or the "..." menu) depends on the case and the viewer, by the
 * key its template gives each; every other button (a case verb such as recording an incident reference) sits in
 * the menu.
 */
type CaseAction =
  | Extract<CaseVerbName, "takeOwnership" | "assign" | "acknowledge" | "addNote" | "escalate" | "close" | "reopen" | "recordSignposting" | "changeResponseDate">
  | "completeDetails"
  | "requestInvestigation"
  | "letters"
  | "email"
  | "ombudsman"
  | "editDetails"
  | "timeline";

/** Teams shows this many buttons in the card's row; the rest go in its "..." menu (`"mode": "secondary"`). */
export const MAX_PRIMARY_ACTIONS = 4;

/**
 * Which of the offered buttons sit in the main row: the first four in the order a case's next step usually
 * comes, for its state and the viewer. Someone else's (or nobody's) case: take it or hand it on. Their own
 * open case: what is due, a note, and the work on it (escalating, asking a lead, closing). A closed case: reopen.
 */
function actionModes(
  offered: Readonly<Record<CaseAction, boolean>>,
  open: boolean,
  isOwner: boolean,
  toAcknowledge: boolean,
): Record<CaseAction, "primary" | "secondary"> {
  const order: CaseAction[] = open
    ? [
        "completeDetails",
        "takeOwnership",
        ...(isOwner ? [] : (["assign"] as const)),
        // A new complaint's next step is its acknowledgement: emailed from the case, in the place of recording one
        // sent another way (which moves to the menu).
        ...(toAcknowledge && offered.email ? (["email"] as const) : (["acknowledge"] as const)),
        "addNote",
        "escalate",
        "requestInvestigation",
        "close",
        "letters",
        ...(toAcknowledge && offered.email ? (["acknowledge"] as const) : (["email"] as const)),
        "recordSignposting",
        "changeResponseDate",
        ...(isOwner ? (["assign"] as const) : []),
        "ombudsman",
        "editDetails",
        "timeline",
      ]
    : ["reopen", "addNote", "ombudsman", "letters", "email", "recordSignposting", "editDetails", "timeline"];
  const primary = new Set(order.filter((key) => offered[key]).slice(0, MAX_PRIMARY_ACTIONS));
  const modes = {} as Record<CaseAction, "primary" | "secondary">;
  for (const key of Object.keys(offered) as CaseAction[]) modes[key] = primary.has(key) ? "primary" : "secondary";
  return modes;
}

/** The patient-safety flag as the card shows it: whether the possible incident is on the incident system yet. */
export function patientSafetyText(c: Pick<Case, "incidentReference">): string {
  const recorded = c.incidentReference;
  return recorded
    ? `Possible patient safety incident: reported (${incidentSystemTitle(recorded.system)} ${recorded.reference})`
    : "Possible patient safety incident: not yet reported on the incident system";
}

export function caseCardData(c: Case, options: CaseCardOptions): Record<string, unknown> {
  const { roles, today } = options;
  const { rules } = options;
  const open = c.status === "open";
  const restricted = c.safeguarding && !canSeeSafeguardingDetail(roles);
  const isOwner = options.viewerAadObjectId !== undefined && c.owner?.aadObjectId === options.viewerAadObjectId;
  const organisations = options.organisations ?? NATIONAL_ORGANISATIONS;
  const missing = missingDetails(c);
  const { can, offered } = buttonsOf(c, roles, { isOwner, staffCount: options.staff?.length ?? 0 }, missing, options.emailEnabled === true);
  const flags = flagLines(c, rules, restricted);
  return {
    caseId: c.id,
    version: options.version ?? "",
    submission: newSubmission(),
    reference: c.reference,
    heading: `${contactTypeTitle(c.type)} ${c.reference}`,
    statusLine: `${open ? "Open" : "Closed"} · ${c.owner ? `owned by ${c.owner.name}` : "no owner yet"}`,
    banner: bannerData(options.banner ?? NO_BANNER),
    deadlines: deadlineLines(c, today, rules, options.retention),
    // Timescales the card's own words state, from the trust's rules.
    ruleTexts: { acknowledgePeriod: acknowledgePeriod(rules.deadlines), backstopPeriod: backstopPeriod(rules.deadlines) },
    ombudsmanBody: NATIONAL_BODIES[rules.nation].ombudsman,
    discussionForm: { name: NATIONAL_BODIES[rules.nation].discussion.name, answers: DISCUSSION_ANSWERS },
    flags,
    flagsStyle: flags.length > 1 ? "warning" : "default",
    riskText: riskText(c.risk),
    missingDetails: missing,
    missingText: missing.join(", "),
    restricted,
    ...detailSections(c, restricted, organisations, options.flagTestNhsNumbers === true, options.sites),
    // Typed text (notes, reasons) stays with those who may see a safeguarding case's details, as on the timeline.
    latest: (options.latest ?? []).map((entry) => ({
      when: formatLondonDateTime(entry.at),
      who: entry.by,
      summary: entry.summary,
      detail: restricted ? "" : (entry.detail ?? ""),
    })),
    can,
    modes: actionModes(offered, open, isOwner, c.type === "complaint" && !!c.deadlines.acknowledgeBy && !c.deadlines.acknowledgedOn),
    staffChoices: options.staff ?? [],
    organisationChoices: organisations,
    outcomeChoices: outcomesFor(c.type).map((id) => ({ id, title: outcomeTitle(id) })),
    ombudsmanStages: OMBUDSMAN_STAGES,
    incidentSystemChoices: INCIDENT_SYSTEMS,
    updateMethodChoices: UPDATE_METHODS,
    // Bounds of "Given on" for an update to the complainant: not before receipt, not in the future.
    receivedOn: c.receivedOn,
    today,
    draft: formDrafts(c, options.draft ?? {}, today, rules),
    refreshUserIds: options.refreshUserIds ?? [],
    leadChoices: options.leads ?? [],
    actionLines: restricted ? [] : actionLines(c, today),
    ...documentSections(c, restricted),
    investigationLines: restricted ? [] : investigationLinesOf(c, today),
  };
}

/** Which buttons the viewer may press (`can`), and which the card offers in its row or menu (`offered`). */
function buttonsOf(c: Case, roles: CaseCardOptions["roles"], viewer: CardViewer, missing: readonly string[], emailEnabled: boolean) {
  const open = c.status === "open";
  const can = {
    // Each case verb as its definition says: offered for this case, and the viewer's roles allow it.
    ...(Object.fromEntries(
      CASE_VERB_NAMES.map((name) => [name, CASE_VERB_DEFINITIONS[name].offered(c, viewer) && may(roles, CASE_VERB_DEFINITIONS[name].access, c)]),
    ) as Record<CaseVerbName, boolean>),
    requestInvestigation: open && may(roles, "request-investigation", c),
    letters: c.type === "complaint" && may(roles, "draft-letter", c),
    // Emailing the person who raised it: PALS staff (not volunteers), while its details are kept.
    email: emailEnabled && !c.anonymisedOn && !c.retiringOn && may(roles, "send-email", c),
    ombudsman: c.type === "complaint" && may(roles, "record-ombudsman", c),
    exportCaseFile: mayReport(roles),
    completeDetails: !c.anonymisedOn && !c.retiringOn && may(roles, "complete-details", c),
    recalculateDeadlines: open && c.type !== "compliment" && !c.retiringOn && may(roles, "recalculate-deadlines", c),
    addAction: open && !c.retiringOn && may(roles, "add-action", c),
  };
  const offered: Record<CaseAction, boolean> = {
    completeDetails: can.completeDetails && missing.length > 0,
    takeOwnership: can.takeOwnership,
    assign: can.assign,
    acknowledge: can.acknowledge,
    addNote: can.addNote,
    escalate: can.escalate,
    requestInvestigation: can.requestInvestigation,
    close: can.close,
    reopen: can.reopen,
    letters: can.letters,
    email: can.email,
    recordSignposting: can.recordSignposting,
    changeResponseDate: can.changeResponseDate,
    ombudsman: can.ombudsman || can.exportCaseFile,
    editDetails: can.completeDetails && missing.length === 0,
    timeline: true,
  };
  return { can, offered };
}

function flagLines(c: Case, rules: Rules, restricted: boolean): Line[] {
  return [
    { label: "Risk", value: riskText(c.risk) },
    ...c.flags.map((flag) => ({
      label: "",
      value:
        flag === "patient-safety"
          ? patientSafetyText(c)
          : flag === "out-of-time" && c.timeLimitWaived
            ? `Out of time, but considered all the same (set aside on ${formatPlainDate(c.timeLimitWaived.on)} by ${c.timeLimitWaived.by.name}; the reason is on the timeline)`
            : caseFlagTitle(flag, rules.deadlines),
    })),
    ...line(
      NATIONAL_BODIES[rules.nation].discussion.name,
      c.discussion
        ? `Offered ${formatPlainDate(c.discussion.offeredOn)} · ${discussionAnswerTitle(c.discussion.answer).toLowerCase()}` +
            (c.discussion.heldOn ? ` · held ${formatPlainDate(c.discussion.heldOn)}` : "")
        : undefined,
    ),
    ...line("Escalated", c.escalatedFromConcernOn ? `From a PALS concern on ${formatPlainDate(c.escalatedFromConcernOn)}` : undefined),
    ...line(
      "Ombudsman",
      c.ombudsman
        ? `Referred ${formatPlainDate(c.ombudsman.referredOn)} · ${ombudsmanStageTitle(c.ombudsman.stage).toLowerCase()} stage` +
            (c.ombudsman.decidedOn ? ` on ${formatPlainDate(c.ombudsman.decidedOn)}` : "") +
            ` · ${NATIONAL_BODIES[rules.nation].ombudsman.shortName} ref ${c.ombudsman.reference}`
        : undefined,
    ),
    // The reason was typed (a TextRun, never markdown); like other typed text, not for those who may not see a restricted case's details.
    ...line(
      "Legal hold",
      c.legalHold
        ? `Placed ${formatPlainDate(c.legalHold.since)} by ${c.legalHold.by.name}: records retention is stopped` +
            (restricted ? "" : ` · ${c.legalHold.reason}`)
        : undefined,
    ),
  ];
}

/** Who, what and where are the patient's details: not for someone who may not see a safeguarding case's. */
function detailSections(
  c: Case,
  restricted: boolean,
  organisations: NonNullable<CaseCardOptions["organisations"]>,
  flagTestNhsNumbers: boolean,
  sites: readonly OrganisationSite[] = [],
) {
  const testNumber = flagTestNhsNumbers && c.patient.nhsNumber !== undefined && isTestNhsNumber(c.patient.nhsNumber);
  const organisationName = (id: string) => (organisations.some((o) => o.id === id) ? titleOf(organisations, id) : organisationTitle(id));
  return {
    who: restricted
      ? []
      : [
          { label: "Patient", value: c.patient.name ?? NAME_NOT_GIVEN },
          ...line(
            "NHS number",
            c.patient.nhsNumber
              ? `${formatNhsNumber(c.patient.nhsNumber)}${testNumber ? " · a test number (999...), not a real patient's: check it" : ""}`
              : undefined,
          ),
          ...line("Date of birth", c.patient.dateOfBirth ? formatPlainDate(c.patient.dateOfBirth) : undefined),
          ...line("Contact", c.patient.contactDetails),
          ...line("Communication needs", c.patient.communicationNeeds),
          { label: "Raised by", value: raisedByTitle(c.raisedBy) + (c.raiser?.name ? ` · ${c.raiser.name}` : "") },
          ...line("Consent", c.consent ? consentTitle(c.consent) : undefined),
        ],
    summary: restricted ? "" : c.summary,
    what: restricted
      ? []
      : [
          ...line("What they want to happen", c.desiredOutcome),
          ...line("Happened on", c.eventOn ? formatPlainDate(c.eventOn) : undefined),
          ...line("They first knew of it on", c.noticedOn ? formatPlainDate(c.noticedOn) : undefined),
          ...line("Subjects", c.subjects.map(subjectTitle).join(", ")),
          ...line("Clinical area", c.clinicalArea ? clinicalAreaTitle(c.clinicalArea) : undefined),
          ...line("Staff groups", c.professions.map(professionTitle).join(", ")),
        ],
    where: restricted
      ? []
      : [
          ...line("Division", c.division),
          ...line("Service", c.service),
          ...line("Ward", c.ward),
          ...line("Site", c.site ? siteTitle(c.site, sites) : undefined),
          ...line("Service area", c.serviceArea ? serviceAreaTitle(c.serviceArea) : undefined),
        ],
    whatWeDid: [...line("Signposted to", c.signposting.map(organisationName).join(", ")), ...line("Outcome", c.outcome ? outcomeTitle(c.outcome) : undefined)],
    learning: restricted ? "" : (c.learning ?? ""),
  };
}

/** What the card's forms show: what was typed before a refusal, else the case's own values or sensible defaults. */
function formDrafts(c: Case, draft: Readonly<Record<string, string>>, today: string, rules: Rules): Record<string, string> {
  // Every case verb's text inputs start empty (caseVerbs.ts); those below start from the case or a sensible default.
  const verbInputs = Object.fromEntries(CASE_VERB_NAMES.flatMap((name) => Object.keys(CASE_VERB_DEFINITIONS[name].inputs)).map((id) => [id, draft[id] ?? ""]));
  return {
    ...verbInputs,
    acknowledgedOn: draft.acknowledgedOn ?? today,
    newResponseDate: draft.newResponseDate ?? c.deadlines.respondBy ?? "",
    agreedWithComplainant: draft.agreedWithComplainant ?? "false",
    longerPeriodAgreed: draft.longerPeriodAgreed ?? "false",
    learning: draft.learning ?? c.learning ?? "",
    investigationDivision: draft.investigationDivision ?? c.division ?? "",
    investigationLead: draft.investigationLead ?? "",
    investigationLeadId: draft.investigationLeadId ?? "",
    investigationSummary: draft.investigationSummary ?? "",
    investigationQuestions: draft.investigationQuestions ?? "",
    investigationDueOn: draft.investigationDueOn ?? addWorkingDays(today, rules.investigations.workingDays),
    investigationIncludeNhsNumber: draft.investigationIncludeNhsNumber ?? "false",
    phsoReferredOn: draft.phsoReferredOn ?? c.ombudsman?.referredOn ?? today,
    phsoReference: draft.phsoReference ?? c.ombudsman?.reference ?? "",
    phsoStage: draft.phsoStage ?? c.ombudsman?.stage ?? "assessment",
    phsoResponseDueOn: draft.phsoResponseDueOn ?? c.ombudsman?.responseDueOn ?? "",
    phsoDecidedOn: draft.phsoDecidedOn ?? c.ombudsman?.decidedOn ?? "",
    incidentSystem: draft.incidentSystem ?? c.incidentReference?.system ?? "",
    incidentReference: draft.incidentReference ?? c.incidentReference?.reference ?? "",
    updateOn: draft.updateOn ?? today,
    discussionOfferedOn: draft.discussionOfferedOn ?? c.discussion?.offeredOn ?? c.deadlines.acknowledgedOn ?? today,
    discussionAnswer: draft.discussionAnswer ?? c.discussion?.answer ?? "",
    discussionHeldOn: draft.discussionHeldOn ?? c.discussion?.heldOn ?? "",
    emailMessage: draft.emailMessage ?? "",
  };
}

/** Documents shown on the card at most (newest first); the rest are counted. */
export const DOCUMENTS_SHOWN = 8;

/** The documents and emails of the case, as the card lists them (not to those who may not see a restricted case's details). */
function documentSections(c: Case, restricted: boolean): Record<string, unknown> {
  const documents = restricted ? [] : [...(c.documents ?? [])].reverse();
  const shown = documents.slice(0, DOCUMENTS_SHOWN);
  const emails = restricted ? [] : [...(c.correspondence ?? [])].reverse().slice(0, 3);
  let to: string;
  try {
    const recipient = recipientOf(c);
    to = `To ${recipient.name ? `${recipient.name} <${recipient.address}>` : recipient.address}, from the PALS shared mailbox.`;
  } catch (error) {
    to = error instanceof Error ? error.message : "";
  }
  return {
    documentsHeading: documents.length > shown.length ? `Documents (the newest ${shown.length} of ${documents.length})` : `Documents (${documents.length})`,
    // Numbered, so the Email form's list can name them by number: a choice title is read as markdown, a name never is.
    documentLines: shown.map((d, i) => ({
      documentId: d.id,
      name: `${i + 1}. ${d.name}`,
      meta: ` · ${sizeText(d.size)} · ${d.source === "email" ? "from an email" : d.source === "letter" ? "letter" : `added by ${d.addedBy.name}`} · ${formatPlainDate(londonDate(new Date(d.addedAt)))}`,
    })),
    documentChoices: shown.map((d, i) => ({ id: d.id, title: `Document ${i + 1} (${sizeText(d.size)})` })),
    emailLines: emails.map((e) => ({
      state: e.status === "sent" ? "Sent" : e.status === "sending" ? "Sending" : "Not sent",
      color: e.status === "failed" ? "Attention" : "Default",
      what: `${e.subject} to ${e.to.name ?? e.to.address}`,
      meta: ` · ${formatLondonDateTime(e.sentAt ?? e.requestedAt)}${e.status === "failed" ? ": press Email the complainant to try again" : ""}`,
    })),
    emailTo: to,
    emailKinds: [
      ...(c.type === "complaint" ? LETTER_KINDS.map((k) => ({ id: k.id, title: k.title })) : []),
      { id: "message", title: "A message I write below" },
    ],
    emailKindDefault: c.type === "complaint" && !c.deadlines.acknowledgedOn ? "acknowledgement" : "message",
  };
}

function investigationLinesOf(c: Case, today: string): Line[] {
  return investigationsOf(c).map((request) => ({
    label: `${request.lead.name} (${request.division})`,
    value: request.answer
      ? `answered ${formatPlainDate(request.answer.answeredOn)}: ${upheldViewTitle(request.answer.upheldView).toLowerCase()}`
      : `due ${formatPlainDate(request.dueOn)}${request.dueOn < today ? " (overdue)" : ""}${request.extension?.state === "pending" ? ", more time asked for" : ""}`,
  }));
}

/** The case card lists at most this many actions (open ones first), each cut to a line or two: the card stays small. */
export const CASE_CARD_ACTIONS = 6;
const ACTION_LINE_CHARACTERS = 140;
const ACTION_STATES = {
  overdue: { title: "Overdue", color: "Attention", order: 0 },
  open: { title: "Open", color: "Default", order: 1 },
  done: { title: "Done", color: "Good", order: 2 },
} as const;

/** The case's actions, compactly: state, what (shortened), owner, due or done day. */
function actionLines(c: Case, today: string): { state: string; color: string; what: string; meta: string }[] {
  const all = actionsOf(c).map((action) => ({ action, state: actionState(action, today) }));
  all.sort((a, b) => ACTION_STATES[a.state].order - ACTION_STATES[b.state].order || a.action.dueOn.localeCompare(b.action.dueOn));
  const lines = all.slice(0, CASE_CARD_ACTIONS).map(({ action, state }) => ({
    state: ACTION_STATES[state].title,
    color: ACTION_STATES[state].color,
    what: action.description.length > ACTION_LINE_CHARACTERS ? `${action.description.slice(0, ACTION_LINE_CHARACTERS - 1).trimEnd()}…` : action.description,
    meta: ` · ${action.owner.name} · ${action.done ? `done ${formatPlainDate(action.done.on)}` : `due ${formatPlainDate(action.dueOn)}`}`,
  }));
  const more = all.length - lines.length;
  return more > 0
    ? [...lines, { state: "More", color: "Default", what: `${more} more action${more === 1 ? "" : "s"}: each is on the case's timeline`, meta: "" }]
    : lines;
}

/** A banner as the templates draw it: bold TextRuns, so a name in it is never markdown. */
export function bannerData(banner: Banner): { runs: ReturnType<typeof cardRuns>; style: BannerStyle } {
  return { runs: cardRuns(banner.text), style: banner.style };
}

export function caseCard(c: Case, options: CaseCardOptions): Record<string, unknown> {
  return expandCard("case", caseCardData(c, options));
}

/** The case card as one person should see it: their roles decide what is shown and offered; it refreshes for them. */
export function caseCardFor(
  view: CaseView,
  viewer: { readonly roles: ReadonlySet<Role>; readonly aadObjectId: string; readonly teamsUserId: string },
  context: {
    readonly today: string;
    readonly organisations: readonly Choice[];
    readonly rules: Readonly<Rules>;
    readonly flagTestNhsNumbers?: boolean;
    /** Whether the trust has a shared mailbox to send from. */
    readonly emailFor?: (trustId: string) => boolean;
    /** The records retention settings. */
    readonly retention: RetentionRules;
    /** The trust's sites (KO41a), to name a case's site. */
    readonly sitesFor?: (trustId: string) => readonly OrganisationSite[];
  },
  extra: { readonly banner?: Banner; readonly draft?: Record<string, string> } = {},
): Record<string, unknown> {
  return caseCard(view.record.value, {
    sites: context.sitesFor?.(view.record.value.trustId),
    emailEnabled: context.emailFor?.(view.record.value.trustId) === true,
    version: view.record.etag,
    roles: viewer.roles,
    viewerAadObjectId: viewer.aadObjectId,
    today: context.today,
    staff: view.staff,
    leads: view.leads,
    banner: extra.banner,
    draft: extra.draft,
    refreshUserIds: [viewer.teamsUserId],
    flagTestNhsNumbers: context.flagTestNhsNumbers,
    organisations: context.organisations,
    latest: view.record.latest,
    rules: context.rules,
    retention: context.retention,
  });
}

export function timelineCard(c: Case, events: readonly CaseEvent[], roles: ReadonlySet<Role>): Record<string, unknown> {
  const restricted = c.safeguarding && !canSeeSafeguardingDetail(roles);
  return expandCard("timeline", {
    caseId: c.id,
    version: "",
    reference: c.reference,
    countText: `${events.length} entr${events.length === 1 ? "y" : "ies"}, oldest first`,
    events: events.map((event) => ({
      when: formatLondonDateTime(event.at),
      who: event.by.name,
      summary: event.summary,
      detail: restricted ? "" : (event.detail ?? ""),
    })),
  });
}

/** "Ombudsman (PHSO) response" as the middle of a sentence. */
const lowerFirst = (text: string): string => text.charAt(0).toLowerCase() + text.slice(1);

export interface CaseListOptions {
  readonly title: string;
  readonly intro: string;
  readonly today: string;
  readonly roles: ReadonlySet<Role>;
}

export function caseListCard(cases: readonly CaseSummary[], options: CaseListOptions): Record<string, unknown> {
  return expandCard("caseList", {
    title: options.title,
    intro: options.intro,
    items: cases.map((c) => {
      const restricted = c.safeguarding && !canSeeSafeguardingDetail(options.roles);
      const overdue = c.status === "open" && c.nextDueOn !== undefined && c.nextDueOn < options.today;
      return {
        caseId: c.id,
        reference: c.reference,
        typeTitle: contactTypeTitle(c.type) + (c.status === "closed" ? " (closed)" : ""),
        patientName: restricted ? "Safeguarding: details restricted" : (c.patient.name ?? NAME_NOT_GIVEN),
        dueText:
          c.status === "open" && c.nextDueOn
            ? `Next: ${lowerFirst(deadlineKindTitle(nextDeadlineKind(c) ?? "response"))}, ${deadlineText(c.nextDueOn, options.today)}`
            : c.status === "open"
              ? "No deadline"
              : "Closed",
        dueColor: overdue ? "Attention" : "Default",
      };
    }),
  });
}

/** A title (our words) and a message, both drawn as TextRuns: names and refusals from the application layer stay plain. */
export function noticeCard(title: string, text: Message, style: BannerStyle = "accent"): Record<string, unknown> {
  return expandCard("notice", { title, runs: cardRuns(text), style });
}
