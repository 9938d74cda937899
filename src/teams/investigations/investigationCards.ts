import {
  findInvestigation,
  formatNhsNumber,
  formatPlainDate,
  upheldViewTitle,
  UPHELD_VIEWS,
  type Case,
  type InvestigationRequest,
  type OutboxPayload,
} from "../../domain";
import { expandCard, newSubmission } from "../cards";
import { bannerData, type Banner } from "../cases/caseView";

/** Who is looking at a request card, which decides what it shows and offers. */
export interface RequestViewer {
  readonly aadObjectId: string;
  /** PALS staff (officers, managers, admins) may see the answer and agree more time. */
  readonly isPalsStaff: boolean;
}

/**
 * A display name as a mention shows it. A mention has to sit in markdown text (a TextBlock), so the name keeps
 * only letters, digits, spaces, apostrophes, hyphens and brackets: never a link, markup, another mention or
 * a {{DATE(...)}}.
 */
export function mentionName(name: string): string {
  const kept = name
    .replace(/\s+/g, " ")
    .replace(/[^\p{L}\p{M}\p{N} '’()-]/gu, "")
    .trim();
  return kept || "Clinical lead";
}

export function mentionOf(request: InvestigationRequest): { text: string; id: string; name: string } {
  const name = mentionName(request.lead.name);
  // Teams accepts either the Teams user id or the Entra ID object id in a card mention.
  return { text: `<at>${name}</at>`, id: request.lead.teamsUserId ?? request.lead.aadObjectId, name };
}

/**
 * The request as the lead sees it: only what the officer chose to share (their summary, the questions,
 * the NHS number if they ticked it), never the rest of the case. `viewer` undefined is the shared copy
 * everyone in the channel sees.
 */
export function investigationRequestCard(
  c: Case,
  request: InvestigationRequest,
  viewer: RequestViewer | undefined,
  extra: { banner?: Banner; draft?: Record<string, string>; refreshUserIds?: readonly string[] } = {},
): Record<string, unknown> {
  const isLead = viewer?.aadObjectId === request.lead.aadObjectId;
  const open = request.status === "open" && c.status === "open";
  const mention = mentionOf(request);
  const pendingExtension = request.extension?.state === "pending" ? request.extension : undefined;
  const draft = extra.draft ?? {};
  return expandCard("investigationRequest", {
    // A lead from elsewhere in a shared tenant answers through this (teams/access/identity.ts ADDRESSED_VERBS).
    trustId: c.trustId,
    caseId: c.id,
    submission: newSubmission(),
    requestId: request.id,
    reference: c.reference,
    mentionText: mention.text,
    leadId: mention.id,
    leadName: mention.name,
    banner: bannerData(extra.banner ?? { text: "", style: "accent" }),
    // Shown as plain text runs: the division is typed and the names are display names.
    facts: [
      { title: "Division", value: request.division },
      { title: "Due", value: formatPlainDate(request.dueOn) },
      { title: "Asked by", value: request.requestedBy.name },
      ...(request.nhsNumber ? [{ title: "NHS number", value: formatNhsNumber(request.nhsNumber) }] : []),
    ],
    summary: request.summary,
    questions: request.questions,
    statusText: request.answer
      ? `Answered by ${request.answer.by.name} on ${formatPlainDate(request.answer.answeredOn)}`
      : c.status !== "open"
        ? "The case has been closed."
        : "",
    statusStyle: request.answer ? "good" : "emphasis",
    answerVisible: !!request.answer && (isLead || !!viewer?.isPalsStaff),
    answer: {
      findings: request.answer?.findings ?? "",
      actions: request.answer?.actions ?? "",
      learning: request.answer?.learning ?? "",
      view: request.answer ? upheldViewTitle(request.answer.upheldView) : "",
    },
    extensionText: pendingExtension ? `${request.lead.name} asked for more time, until ${formatPlainDate(pendingExtension.newDueOn)}:` : "",
    extensionReason: pendingExtension?.reason ?? "",
    inThread: request.delivery?.kind === "channel-thread",
    can: {
      answer: isLead && open,
      askMoreTime: isLead && open && !pendingExtension,
      decideExtension: !!viewer?.isPalsStaff && !!pendingExtension && open,
      openCase: !!viewer?.isPalsStaff,
    },
    upheldChoices: UPHELD_VIEWS,
    draft: {
      findings: draft.findings ?? "",
      actionsTaken: draft.actionsTaken ?? "",
      learning: draft.learning ?? "",
      upheldView: draft.upheldView ?? "",
      newDueOn: draft.newDueOn ?? "",
      reason: draft.reason ?? "",
    },
    refreshUserIds: extra.refreshUserIds ?? [],
  });
}

/** The people whose view of a request card refreshes automatically: the lead and the officer who asked. */
export function requestRefreshIds(request: InvestigationRequest): string[] {
  return [request.lead.teamsUserId, request.requestedBy.teamsUserId].filter((id): id is string => !!id);
}

type InvestigationPayload = Extract<OutboxPayload, { kind: "investigation-reminder" | "investigation-answer" | "investigation-extension" }>;

/** Reminders, the answer for the owner, and a request for more time, rendered from the case as it is now. */
export function investigationNoticeCard(payload: InvestigationPayload, c: Case | undefined): Record<string, unknown> {
  const request = c ? safeFind(c, payload.requestId) : undefined;
  // title and text are shown as plain text runs (they name the lead); only mentionLine is markdown, for the mention.
  const base = {
    caseId: payload.caseId,
    requestId: payload.requestId,
    facts: [] as object[],
    lines: [] as object[],
    mentions: [] as object[],
    mentionLine: "",
    decide: false,
    openCase: false,
  };
  if (!c || !request) {
    return expandCard("investigationNotice", {
      ...base,
      style: "emphasis",
      title: `Investigation request on ${payload.reference}`,
      text: "This request is no longer on the case.",
    });
  }
  const due = formatPlainDate(request.dueOn);
  switch (payload.kind) {
    case "investigation-reminder": {
      if (payload.audience === "owner") {
        return expandCard("investigationNotice", {
          ...base,
          style: "attention",
          title: `Investigation input overdue on ${c.reference}`,
          text: `${request.lead.name} (${request.division}) has not answered yet. It was due ${due}. Managers have been told.`,
          openCase: true,
        });
      }
      const mention = mentionOf(request);
      return expandCard("investigationNotice", {
        ...base,
        mentions: [mention],
        style: payload.reminder === "due-day" ? "warning" : "accent",
        title: `Reminder: investigation input on ${c.reference}`,
        text: "",
        mentionLine: `${mention.text}, your input on ${c.reference} is due ${payload.reminder === "due-day" ? "today" : due}. Answer from the request card${request.delivery?.kind === "channel-thread" ? " at the top of this thread" : ""}.`,
      });
    }
    case "investigation-answer":
      return expandCard("investigationNotice", {
        ...base,
        style: "good",
        title: `${request.answer?.by.name ?? request.lead.name} answered on ${c.reference}`,
        text: "Their investigation input is below and on the case timeline.",
        facts: [{ title: "In their view", value: request.answer ? upheldViewTitle(request.answer.upheldView) : "" }],
        lines: [
          { label: "Findings", value: request.answer?.findings ?? "" },
          ...(request.answer?.actions ? [{ label: "Actions", value: request.answer.actions }] : []),
          ...(request.answer?.learning ? [{ label: "Learning", value: request.answer.learning }] : []),
        ],
        openCase: true,
      });
    case "investigation-extension":
      return expandCard("investigationNotice", {
        ...base,
        style: "warning",
        title: `${request.lead.name} asked for more time on ${c.reference}`,
        text: request.extension ? `They ask to answer by ${formatPlainDate(request.extension.newDueOn)} instead of ${due}.` : "",
        lines: request.extension ? [{ label: "Reason", value: request.extension.reason }] : [],
        decide: request.extension?.state === "pending",
        openCase: true,
      });
  }
}

function safeFind(c: Case, requestId: string): InvestigationRequest | undefined {
  try {
    return findInvestigation(c, requestId);
  } catch {
    return undefined;
  }
}
