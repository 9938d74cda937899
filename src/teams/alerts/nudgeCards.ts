import {
  alertAcknowledgement,
  alertReasonTitle,
  contactTypeTitle,
  formatLondonDateTime,
  formatPlainDate,
  workingDaysText,
  deadlineKindTitle,
  type Case,
  type DigestIncomplete,
  type DigestItem,
  type OutboxItem,
} from "../../domain";
import { expandCard, newSubmission } from "../cards";
import { deadlineText } from "../cases/caseView";

const SECTIONS = [
  { state: "overdue", heading: "Overdue", color: "Attention" },
  { state: "due-today", heading: "Due today", color: "Warning" },
  { state: "due-soon", heading: "Due in the next", color: "Default" },
] as const;

/**
 * The morning digest (and `due`): one card listing every case that needs the person soon, and how many of their
 * open cases still have details to record (quick capture), naming the first few.
 */
export function digestCard(
  items: readonly DigestItem[],
  today: string,
  /** The trust's nudge window (its rules), which the due-soon heading names. */
  windowWorkingDays: number,
  title = "Good morning: your deadlines",
  incomplete?: DigestIncomplete,
): Record<string, unknown> {
  const sections = SECTIONS.map((section) => ({
    heading: section.state === "due-soon" ? `${section.heading} ${workingDaysText(windowWorkingDays)}` : section.heading,
    color: section.color,
    items: items
      .filter((item) => item.state === section.state)
      .map((item) => ({
        caseId: item.caseId,
        reference: item.reference,
        typeTitle: contactTypeTitle(item.type),
        what: `${deadlineKindTitle(item.deadline)}: ${deadlineText(item.dueOn, today)}`,
      })),
  })).filter((section) => section.items.length > 0);
  const overdue = items.filter((item) => item.state === "overdue").length;
  const count = incomplete?.count ?? 0;
  const more = count - (incomplete?.cases.length ?? 0);
  const deadlines = `${items.length} case${items.length === 1 ? "" : "s"} need${items.length === 1 ? "s" : ""} you${overdue ? `, ${overdue} overdue` : ""}`;
  return expandCard("digest", {
    title,
    intro: `${formatPlainDate(today)}: ${items.length > 0 || count === 0 ? deadlines : "no deadlines due soon"}.`,
    sections,
    incomplete: {
      show: count > 0,
      heading: `Details still to record: ${count} open case${count === 1 ? "" : "s"}`,
      cases: incomplete?.cases ?? [],
      more: more > 0 ? `and ${more} more: type **my cases** to see them all.` : "",
    },
    footer: "Open a case to act on it. Type **due** any time to see this list.",
  });
}

/**
 * A manager alert; the case may be missing (deleted) or restricted, so only references and titles are shown.
 * `note` is shown only to the manager who pressed (why taking over was not needed). The patient-safety channel's
 * copy only informs: its buttons would act on the managers' alert, so it has none but Open case.
 */
export function alertCard(
  item: OutboxItem,
  c: Case | undefined,
  options: { readonly submission?: string; readonly note?: string } = {},
): Record<string, unknown> {
  if (item.payload.kind !== "alert") throw new Error("alertCard needs an alert");
  const { payload } = item;
  const acknowledged = alertAcknowledgement(c, item.id);
  const managersCard = item.target.kind !== "safety-channel";
  // An overdue action from a case: whose it is and when it was due (its words stay on the case).
  const action = payload.reason === "action-overdue" ? c?.actions?.find((a) => a.id === payload.requestId) : undefined;
  const facts = [
    ...(c ? [{ title: "Owner", value: c.owner?.name ?? "No owner" }] : []),
    ...(action
      ? [{ title: "Action owner", value: `${action.owner.name} · due ${formatPlainDate(action.dueOn)}${action.status === "done" ? " · done since" : ""}` }]
      : []),
    ...(c?.nextDueOn ? [{ title: "Next deadline", value: formatPlainDate(c.nextDueOn) }] : []),
    { title: "Raised", value: formatPlainDate(payload.raisedOn) },
  ];
  return expandCard("alert", {
    caseId: payload.caseId,
    submission: options.submission ?? newSubmission(),
    note: options.note ?? "",
    reason: payload.reason,
    requestId: payload.requestId ?? "",
    reasonTitle: alertReasonTitle(payload.reason),
    reference: payload.reference,
    typeTitle: c ? contactTypeTitle(c.type) : "Case",
    style:
      payload.reason.endsWith("overdue") || payload.reason === "safeguarding" || payload.reason === "high-risk" || payload.reason === "patient-safety"
        ? "attention"
        : "warning",
    facts,
    canAcknowledge: managersCard && !acknowledged,
    canTakeOver: managersCard && c?.status === "open",
    safetyCopy: !managersCard,
    acknowledgedText: acknowledged ? `Acknowledged by ${acknowledged.by.name}, ${formatLondonDateTime(acknowledged.at)}` : "",
  });
}
