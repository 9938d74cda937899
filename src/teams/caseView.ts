import {
  addWorkingDays,
  INVESTIGATION_DEFAULT_WORKING_DAYS,
  investigationsOf,
  upheldViewTitle,
  canSeeSafeguardingDetail,
  consentTitle,
  contactTypeTitle,
  flagTitle,
  formatNhsNumber,
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
  riskBand,
  riskBandTitle,
  serviceAreaTitle,
  subjectTitle,
  titleOf,
  workingDaysBetween,
  type Case,
  type CaseSummary,
  type CaseEvent,
  type Choice,
  type Role,
} from "../domain";
import type { CaseView, StaffChoice } from "../cases";
import { expandCard, newSubmission } from "./cards";
import { cardRuns, type Message } from "./text";

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
}

const NO_BANNER: Banner = { text: "", style: "accent" };

/** "Thursday 5 March 2026 · due in 2 working days" / "· 3 working days overdue" / "· due today". */
export function deadlineText(dueOn: string, today: string): string {
  return `${formatPlainDate(dueOn)} · ${dueWhen(dueOn, today)}`;
}

function dueWhen(dueOn: string, today: string): string {
  if (dueOn === today) return "due today";
  const days = Math.abs(workingDaysBetween(today, dueOn));
  const count = `${Math.max(days, 1)} working day${days > 1 ? "s" : ""}`;
  return dueOn > today ? `due in ${count}` : `overdue by ${count}`;
}

function deadlineRows(c: Case, today: string): { title: string; value: string }[] {
  const rows: { title: string; value: string }[] = [];
  const d = c.deadlines;
  if (d.acknowledgeBy) {
    rows.push({
      title: "Acknowledge by",
      value: d.acknowledgedOn ? `${formatPlainDate(d.acknowledgeBy)} · sent ${formatPlainDate(d.acknowledgedOn)}` : c.status === "open" ? deadlineText(d.acknowledgeBy, today) : formatPlainDate(d.acknowledgeBy),
    });
  }
  if (d.respondBy) {
    const agreed = d.respondByAgreed ? " (agreed)" : "";
    rows.push({ title: `Respond by${agreed}`, value: c.status === "open" ? deadlineText(d.respondBy, today) : formatPlainDate(d.respondBy) });
  }
  if (d.backstop) rows.push({ title: "6-month limit", value: formatPlainDate(d.backstop) + (d.longerPeriodAgreed ? " (longer period agreed)" : "") });
  // The Ombudsman's deadline runs whether the case is open or closed.
  const phsoDue = ombudsmanDueOn(c);
  if (phsoDue) rows.push({ title: "PHSO response due", value: deadlineText(phsoDue, today) });
  if (c.closedOn) rows.push({ title: "Closed", value: formatPlainDate(c.closedOn) });
  return rows;
}

function line(label: string, value: string | undefined): { label: string; value: string }[] {
  return value ? [{ label, value }] : [];
}

export function caseCardData(c: Case, options: CaseCardOptions): Record<string, unknown> {
  const { roles, today } = options;
  const open = c.status === "open";
  const restricted = c.safeguarding && !canSeeSafeguardingDetail(roles);
  const isOwner = options.viewerAadObjectId !== undefined && c.owner?.aadObjectId === options.viewerAadObjectId;
  const band = riskBand(c.risk.score);
  const organisations = options.organisations ?? NATIONAL_ORGANISATIONS;
  const organisationName = (id: string) => (organisations.some((o) => o.id === id) ? titleOf(organisations, id) : organisationTitle(id));
  const facts = [
    { title: "Received", value: `${formatPlainDate(c.receivedOn)} by ${receivedViaTitle(c.receivedVia).toLowerCase()}` },
    { title: "Raised by", value: raisedByTitle(c.raisedBy) + (c.consent ? ` · ${consentTitle(c.consent)}` : "") },
    ...(c.eventOn ? [{ title: "Event on", value: formatPlainDate(c.eventOn) }] : []),
    ...(c.subjects.length ? [{ title: "Subjects", value: c.subjects.map(subjectTitle).join(", ") }] : []),
    ...(c.professions.length ? [{ title: "Staff groups", value: c.professions.map(professionTitle).join(", ") }] : []),
    ...(c.serviceArea ? [{ title: "Service area", value: serviceAreaTitle(c.serviceArea) }] : []),
    { title: "Risk", value: `${c.risk.score} (${riskBandTitle(band)})` },
    ...(c.escalatedFromConcernOn ? [{ title: "Escalated", value: `From a PALS concern on ${formatPlainDate(c.escalatedFromConcernOn)}` }] : []),
    ...(c.outcome ? [{ title: "Outcome", value: outcomeTitle(c.outcome) }] : []),
    ...(c.signposting.length ? [{ title: "Signposted to", value: c.signposting.map(organisationName).join(", ") }] : []),
    ...(c.ombudsman
      ? [{ title: "Ombudsman", value: `Referred ${formatPlainDate(c.ombudsman.referredOn)} · ${ombudsmanStageTitle(c.ombudsman.stage).toLowerCase()} stage · PHSO ref ${c.ombudsman.reference}` }]
      : []),
  ];
  const can = {
    takeOwnership: open && !isOwner && may(roles, "take-ownership", c),
    assign: open && may(roles, "assign", c) && (options.staff?.length ?? 0) > 0,
    addNote: may(roles, "add-note", c),
    acknowledge: open && c.type === "complaint" && !!c.deadlines.acknowledgeBy && !c.deadlines.acknowledgedOn && may(roles, "acknowledge", c),
    changeResponseDate: open && !!c.deadlines.respondBy && may(roles, "change-response-date", c),
    escalate: open && c.type === "concern" && may(roles, "escalate", c),
    signpost: may(roles, "record-signposting", c),
    close: open && may(roles, "close", c),
    reopen: !open && may(roles, "reopen", c),
    requestInvestigation: open && may(roles, "request-investigation", c),
    letters: c.type === "complaint" && may(roles, "draft-letter", c),
    ombudsman: c.type === "complaint" && may(roles, "record-ombudsman", c),
    exportCaseFile: mayReport(roles),
  };
  const draft = options.draft ?? {};
  return {
    caseId: c.id,
    version: options.version ?? "",
    submission: newSubmission(),
    reference: c.reference,
    heading: `${contactTypeTitle(c.type)} ${c.reference}`,
    statusLine: `${open ? "Open" : "Closed"} · ${c.owner ? `owned by ${c.owner.name}` : "no owner yet"}`,
    banner: bannerData(options.banner ?? NO_BANNER),
    flagsText: c.flags.map(flagTitle).join(" · "),
    facts,
    deadlines: deadlineRows(c, today),
    restricted,
    patientLines: restricted
      ? []
      : [
          ...line("Name", c.patient.name),
          ...line("NHS number", c.patient.nhsNumber ? formatNhsNumber(c.patient.nhsNumber) : undefined),
          ...line("Date of birth", c.patient.dateOfBirth ? formatPlainDate(c.patient.dateOfBirth) : undefined),
          ...line("Contact", c.patient.contactDetails),
          ...line("Communication needs", c.patient.communicationNeeds),
          ...line("Raised by", c.raiser?.name),
        ],
    placeLines: restricted ? [] : [...line("Division", c.division), ...line("Service", c.service), ...line("Ward", c.ward)],
    summary: restricted ? "" : c.summary,
    desiredOutcome: restricted ? "" : (c.desiredOutcome ?? ""),
    learning: restricted ? "" : (c.learning ?? ""),
    can,
    staffChoices: options.staff ?? [],
    organisationChoices: organisations,
    outcomeChoices: outcomesFor(c.type).map((id) => ({ id, title: outcomeTitle(id) })),
    ombudsmanStages: OMBUDSMAN_STAGES,
    draft: {
      note: draft.note ?? "",
      acknowledgedOn: draft.acknowledgedOn ?? today,
      newResponseDate: draft.newResponseDate ?? c.deadlines.respondBy ?? "",
      responseDateReason: draft.responseDateReason ?? "",
      agreedWithComplainant: draft.agreedWithComplainant ?? "false",
      longerPeriodAgreed: draft.longerPeriodAgreed ?? "false",
      learning: draft.learning ?? c.learning ?? "",
      reopenReason: draft.reopenReason ?? "",
      investigationDivision: draft.investigationDivision ?? c.division,
      investigationLead: draft.investigationLead ?? "",
      investigationLeadId: draft.investigationLeadId ?? "",
      investigationSummary: draft.investigationSummary ?? "",
      investigationQuestions: draft.investigationQuestions ?? "",
      investigationDueOn: draft.investigationDueOn ?? addWorkingDays(today, INVESTIGATION_DEFAULT_WORKING_DAYS),
      investigationIncludeNhsNumber: draft.investigationIncludeNhsNumber ?? "false",
      phsoReferredOn: draft.phsoReferredOn ?? c.ombudsman?.referredOn ?? today,
      phsoReference: draft.phsoReference ?? c.ombudsman?.reference ?? "",
      phsoStage: draft.phsoStage ?? c.ombudsman?.stage ?? "assessment",
      phsoResponseDueOn: draft.phsoResponseDueOn ?? c.ombudsman?.responseDueOn ?? "",
    },
    refreshUserIds: options.refreshUserIds ?? [],
    leadChoices: options.leads ?? [],
    investigationLines: restricted
      ? []
      : investigationsOf(c).map((request) => ({
          label: `${request.lead.name} (${request.division})`,
          value: request.answer
            ? `answered ${formatPlainDate(request.answer.answeredOn)}: ${upheldViewTitle(request.answer.upheldView).toLowerCase()}`
            : `due ${formatPlainDate(request.dueOn)}${request.dueOn < today ? " (overdue)" : ""}${request.extension?.state === "pending" ? ", more time asked for" : ""}`,
        })),
  };
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
  context: { readonly today: string; readonly organisations: readonly Choice[] },
  extra: { readonly banner?: Banner; readonly draft?: Record<string, string> } = {},
): Record<string, unknown> {
  return caseCard(view.record.value, {
    version: view.record.etag,
    roles: viewer.roles,
    viewerAadObjectId: viewer.aadObjectId,
    today: context.today,
    staff: view.staff,
    leads: view.leads,
    banner: extra.banner,
    draft: extra.draft,
    refreshUserIds: [viewer.teamsUserId],
    organisations: context.organisations,
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
      when: new Date(event.at).toLocaleString("en-GB", { timeZone: "Europe/London", dateStyle: "medium", timeStyle: "short" }),
      who: event.by.name,
      summary: event.summary,
      detail: restricted ? "" : (event.detail ?? ""),
    })),
  });
}

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
        patientName: restricted ? "Safeguarding: details restricted" : c.patient.name,
        dueText: c.status === "open" && c.nextDueOn ? `Next: ${deadlineText(c.nextDueOn, options.today)}` : c.status === "open" ? "No deadline" : "Closed",
        dueColor: overdue ? "Attention" : "Default",
      };
    }),
  });
}

/** A title (our words) and a message, both drawn as TextRuns: names and refusals from the application layer stay plain. */
export function noticeCard(title: string, text: Message, style: BannerStyle = "accent"): Record<string, unknown> {
  return expandCard("notice", { title, runs: cardRuns(text), style });
}
