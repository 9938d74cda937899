// The cards of actions from cases: the form from the case card, the owner's card (when added, nudges, and after
// "Mark done"), and the `actions` lists. Typed text (what will change, what changed, the division) is drawn as
// TextRuns, never markdown.
import {
  dueInWords,
  addWorkingDays,
  formatPlainDate,
  identifiersOf,
  withoutIdentifiers,
  subjectTitle,
  type Case,
  type DivisionActions,
  type LearningAction,
  type LearningActionMoment,
  type ListedAction,
} from "../../domain";
import type { StaffChoice } from "../../cases";
import { expandCard, newSubmission } from "../cards";
import { bannerData, type Banner } from "../cases/caseView";

const NO_BANNER: Banner = { text: "", style: "accent" };

/** The form's inputs, by id: kept and shown again when the action is refused. */
export const ACTION_FORM_INPUTS = ["actionDescription", "actionOwner", "actionDivision", "actionDueOn", "actionSubject"] as const;
/** The owner's card's input, kept when marking done is refused. */
export const ACTION_DONE_INPUTS = ["actionEvidence"] as const;

/** A first due day to offer: 20 working days on (a month or so); the officer changes it. */
const SUGGESTED_WORKING_DAYS = 20;

export interface ActionFormOptions {
  readonly version: string;
  readonly owners: readonly StaffChoice[];
  readonly today: string;
  readonly draft?: Readonly<Record<string, string>>;
  readonly banner?: Banner;
}

/** "Add an action" from the case card: the division prefilled from the case, themes from its subjects. */
export function actionFormCard(c: Case, options: ActionFormOptions): Record<string, unknown> {
  const draft = options.draft ?? {};
  return expandCard("actionForm", {
    caseId: c.id,
    version: options.version,
    submission: newSubmission(),
    heading: `Add an action to ${c.reference}`,
    banner: bannerData(options.banner ?? NO_BANNER),
    today: options.today,
    ownerChoices: options.owners,
    subjectChoices: c.subjects.map((id) => ({ id, title: subjectTitle(id) })),
    draft: {
      actionDescription: draft.actionDescription ?? "",
      actionOwner: draft.actionOwner ?? "",
      actionDivision: draft.actionDivision ?? c.division ?? "",
      actionDueOn: draft.actionDueOn ?? addWorkingDays(options.today, SUGGESTED_WORKING_DAYS),
      actionSubject: draft.actionSubject ?? (c.subjects.length === 1 ? c.subjects[0] : ""),
    },
  });
}

export interface ActionCardOptions {
  readonly today: string;
  /** Why the card is being sent (the outbox), or undefined when someone opened it. */
  readonly moment?: LearningActionMoment;
  /** The viewer may mark it done (its owner, or a manager); the owner's chat card offers it. */
  readonly canMarkDone: boolean;
  /** The viewer may open cases (PALS staff). */
  readonly canOpenCase: boolean;
  readonly banner?: Banner;
  readonly draft?: Readonly<Record<string, string>>;
}

function introOf(action: LearningAction, options: ActionCardOptions): { intro: string; introColor: string } {
  if (action.status === "done") return { intro: `Done on ${formatPlainDate(action.done!.on)} by ${action.done!.by.name}.`, introColor: "Good" };
  const due = dueInWords(action.dueOn, options.today);
  const overdue = action.dueOn < options.today;
  switch (options.moment) {
    case "added":
      return {
        intro: `${action.createdBy.name} has given you an action from a PALS case, ${due}. Mark it done here with what changed.`,
        introColor: "Default",
      };
    case "before":
      return { intro: `Reminder: this action is ${due}. Mark it done here with what changed.`, introColor: "Warning" };
    case "due-day":
      return { intro: "This action is due today. Mark it done here with what changed.", introColor: "Attention" };
    default:
      return { intro: `Open · ${due}`, introColor: overdue ? "Attention" : "Default" };
  }
}

/** One action as its owner (or PALS staff) sees it: what, where, by when, and once done what changed. */
export function actionCard(
  c: Pick<Case, "id" | "reference" | "trustId"> & Partial<Pick<Case, "patient" | "raiser">>,
  action: LearningAction,
  options: ActionCardOptions,
): Record<string, unknown> {
  // The card goes to an owner who may work outside PALS: an action written before the form refused patient details
  // (or before a name was added to the case) shows them removed.
  const known = c.patient ? identifiersOf({ patient: c.patient, raiser: c.raiser }) : undefined;
  const shown = (text: string) => (known ? withoutIdentifiers(text, known) : text);
  const lines = [
    { label: "What will change", value: shown(action.description) },
    { label: "Division", value: shown(action.division) },
    ...(action.subject ? [{ label: "Theme", value: subjectTitle(action.subject) }] : []),
    { label: "Owner", value: action.owner.name },
    { label: "Due", value: formatPlainDate(action.dueOn) },
    { label: "Added", value: `${formatPlainDate(action.createdOn)} by ${action.createdBy.name}` },
    ...(action.done ? [{ label: "What changed", value: shown(action.done.evidence) }] : []),
  ];
  return expandCard("action", {
    // An owner from elsewhere in a shared tenant marks it done through this (teams/access/identity.ts ADDRESSED_VERBS).
    trustId: c.trustId,
    caseId: c.id,
    actionId: action.id,
    submission: newSubmission(),
    heading: `Action from ${c.reference}`,
    ...introOf(action, options),
    banner: bannerData(options.banner ?? NO_BANNER),
    lines,
    canMarkDone: options.canMarkDone && action.status === "open",
    canOpenCase: options.canOpenCase,
    draft: { actionEvidence: options.draft?.actionEvidence ?? "" },
  });
}

function listItem(listed: ListedAction, today: string, withOwner: boolean): Record<string, unknown> {
  return {
    caseId: listed.caseId,
    actionId: listed.action.id,
    reference: listed.reference,
    dueText: `${listed.overdue ? "Overdue: " : ""}${formatPlainDate(listed.action.dueOn)} (${dueInWords(listed.action.dueOn, today)})`,
    dueColor: listed.overdue ? "Attention" : "Default",
    what: listed.action.description,
    owner: withOwner ? listed.action.owner.name : "",
  };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** `actions`: my open actions, soonest due first, overdue marked; how many more when the list is cut. */
export function myActionsCard(
  actions: readonly ListedAction[],
  today: string,
  more: { readonly count: number; readonly atLeast: boolean },
): Record<string, unknown> {
  const overdue = actions.filter((a) => a.overdue).length;
  const shown = actions.length;
  const moreText =
    more.count > 0 || more.atLeast
      ? `${more.atLeast ? "At least " : ""}${plural(more.count, "more open action")} not shown: mark the soonest done to see the rest.`
      : "";
  return expandCard("actionList", {
    title: "Your open actions",
    intro: `${plural(shown + more.count, "open action")}${more.atLeast ? " or more" : ""}${overdue ? `, ${overdue} overdue` : ""}, soonest due first.`,
    sections: [{ heading: "", counts: "", items: actions.map((a) => listItem(a, today, false)) }],
    footer: moreText,
  });
}

/** Managers' `actions all`: every open action by division, overdue first, with counts. */
export function allActionsCard(
  divisions: readonly DivisionActions[],
  today: string,
  counts: { readonly total: number; readonly shown: number; readonly atLeast: boolean },
): Record<string, unknown> {
  const overdue = divisions.reduce((sum, d) => sum + d.overdue, 0);
  const notShown = counts.total - counts.shown;
  const footer = [
    notShown > 0 ? `${plural(notShown, "more open action")} not listed; the counts cover them.` : "",
    counts.atLeast ? "There are more cases with open actions than one card reads: the counts are of the soonest due." : "",
  ]
    .filter(Boolean)
    .join(" ");
  return expandCard("actionList", {
    title: "Open actions by division",
    intro: `${plural(counts.total, "open action")}, ${overdue} overdue, in ${plural(divisions.length, "division")}. Overdue first.`,
    sections: divisions.map((d) => ({
      heading: d.division,
      counts: ` · ${d.open} open, ${d.overdue} overdue`,
      items: d.actions.map((a) => listItem(a, today, true)),
    })),
    footer,
  });
}
