// Investigation requests: an officer asks a clinical lead for input on a case, the lead answers.
// Pure functions over the case; the requests live on the case document, so every change to one is an
// etag-guarded case update and lands on the case timeline.
import type { Case } from "../case/caseSchema";
import { addWorkingDays, formatPlainDate, isIsoDate, londonDate, subtractWorkingDays } from "../calendar/calendar";
import type { ActionContext, ActionResult } from "../case/change";
import { CaseRuleError } from "../case/errors";
import { findIdentifiers } from "../case/identifiers";
import { InvestigationRequestSchema, upheldViewTitle, type InvestigationReminder, type InvestigationRequest, type UpheldView } from "./investigationSchema";

/** Leads have 10 working days by default, reminded 2 working days before and on the day (the trust's rules may change both). */
export const INVESTIGATION_DEFAULT_WORKING_DAYS = 10;
export const INVESTIGATION_REMINDER_WORKING_DAYS = 2;

export function investigationsOf(c: Pick<Case, "investigations">): readonly InvestigationRequest[] {
  return c.investigations ?? [];
}

export function findInvestigation(c: Case, requestId: string): InvestigationRequest {
  const found = investigationsOf(c).find((request) => request.id === requestId);
  if (!found) throw new CaseRuleError("That investigation request is no longer on this case.");
  return found;
}

function replaceRequest(c: Case, updated: InvestigationRequest, now: Date): Case {
  return { ...c, investigations: investigationsOf(c).map((r) => (r.id === updated.id ? updated : r)), updatedAt: now.toISOString() };
}

export interface NewInvestigationInput {
  readonly id: string;
  readonly division: string;
  readonly lead: { aadObjectId: string; name: string; teamsUserId?: string };
  readonly summary: string;
  readonly questions: string;
  readonly includeNhsNumber: boolean;
  /** Blank means the trust's default (`defaultWorkingDays`). */
  readonly dueOn?: string;
  /** The asking officer's Teams user id, so their view of the card refreshes too. */
  readonly requesterTeamsUserId?: string;
  /** The trust's default when no date is given (its rules). */
  readonly defaultWorkingDays: number;
}

export function requestInvestigation(c: Case, input: NewInvestigationInput, ctx: ActionContext): ActionResult {
  if (c.status !== "open") throw new CaseRuleError("This case is closed. Reopen it first if you need input from a clinical lead.");
  const today = londonDate(ctx.now);
  const dueOn = input.dueOn || addWorkingDays(today, input.defaultWorkingDays);
  if (!isIsoDate(dueOn) || dueOn <= today) throw new CaseRuleError("Choose a due date after today for the lead's answer.");
  if (!input.summary.trim()) throw new CaseRuleError("Write a short summary for the lead: it is all they will see of the case.");
  if (!input.questions.trim()) throw new CaseRuleError("Write the questions you want the lead to answer.");
  if (input.summary.length > 4000 || input.questions.length > 4000) throw new CaseRuleError("Shorten the summary and questions to 4,000 characters each.");
  if (!input.includeNhsNumber) {
    // The NHS number goes to the lead (and a division's channel) only by choice: not typed into the words instead.
    const known = { nhsNumbers: [c.patient.nhsNumber] };
    const typed = [input.summary, input.questions].flatMap((text) => findIdentifiers(text, known)).find((f) => f.kind === "nhs-number");
    if (typed) {
      throw new CaseRuleError(
        `You chose not to share the NHS number, but the summary or questions have one (“${typed.text.replace(/\s+/g, " ").trim()}”). Take it out, or tick "Include the NHS number".`,
      );
    }
  }
  const request: InvestigationRequest = InvestigationRequestSchema.parse({
    id: input.id,
    division: input.division,
    lead: input.lead,
    summary: input.summary,
    questions: input.questions,
    ...(input.includeNhsNumber && c.patient.nhsNumber ? { nhsNumber: c.patient.nhsNumber } : {}),
    dueOn,
    status: "open",
    requestedBy: {
      aadObjectId: ctx.actor.aadObjectId,
      name: ctx.actor.name,
      ...(input.requesterTeamsUserId ? { teamsUserId: input.requesterTeamsUserId } : {}),
    },
    requestedAt: ctx.now.toISOString(),
  });
  return {
    updated: { ...c, investigations: [...investigationsOf(c), request], updatedAt: ctx.now.toISOString() },
    event: {
      kind: "investigation-requested",
      summary: `Investigation input requested from ${input.lead.name} (${input.division}), due ${formatPlainDate(dueOn)}`,
      detail: input.questions,
    },
  };
}

/** Where the request card went, recorded once it has been posted. */
export function recordDelivery(c: Case, requestId: string, delivery: NonNullable<InvestigationRequest["delivery"]>, now: Date): Case {
  return replaceRequest(c, { ...findInvestigation(c, requestId), delivery }, now);
}

export interface InvestigationAnswerInput {
  readonly findings: string;
  readonly actions: string;
  readonly learning: string;
  readonly upheldView: UpheldView;
}

/** Only the addressed lead answers; an answer is final (follow-up goes in the thread). */
export function answerInvestigation(c: Case, requestId: string, answer: InvestigationAnswerInput, ctx: ActionContext): ActionResult {
  const request = findInvestigation(c, requestId);
  if (request.lead.aadObjectId !== ctx.actor.aadObjectId)
    throw new CaseRuleError(`This request is addressed to ${request.lead.name}; only they can answer it.`);
  if (request.status === "answered") throw new CaseRuleError(`${request.answer?.by.name ?? "The lead"} already answered this request.`);
  if (!answer.findings.trim()) throw new CaseRuleError("Write your findings before sending the answer.");
  const answered: InvestigationRequest = InvestigationRequestSchema.parse({
    ...request,
    status: "answered",
    answer: { ...answer, answeredOn: londonDate(ctx.now), by: { aadObjectId: ctx.actor.aadObjectId, name: ctx.actor.name } },
  });
  return {
    updated: replaceRequest(c, answered, ctx.now),
    event: {
      kind: "investigation-answered",
      summary: `${ctx.actor.name} answered the investigation request (view: ${upheldViewTitle(answer.upheldView).toLowerCase()})`,
      detail: [`Findings: ${answer.findings}`, answer.actions && `Actions: ${answer.actions}`, answer.learning && `Learning: ${answer.learning}`]
        .filter(Boolean)
        .join("\n"),
    },
  };
}

export function askForMoreTime(c: Case, requestId: string, input: { newDueOn: string; reason: string }, ctx: ActionContext): ActionResult {
  const request = findInvestigation(c, requestId);
  if (request.lead.aadObjectId !== ctx.actor.aadObjectId)
    throw new CaseRuleError(`This request is addressed to ${request.lead.name}; only they can ask for more time.`);
  if (request.status !== "open") throw new CaseRuleError("This request has been answered already.");
  if (request.extension?.state === "pending") throw new CaseRuleError("You have already asked for more time; the officer will reply.");
  if (!isIsoDate(input.newDueOn) || input.newDueOn <= request.dueOn) throw new CaseRuleError(`Choose a new date after ${formatPlainDate(request.dueOn)}.`);
  if (!input.reason.trim() || input.reason.length > 1000) throw new CaseRuleError("Give a reason (up to 1,000 characters).");
  const updated = {
    ...request,
    extension: { newDueOn: input.newDueOn, reason: input.reason.trim(), requestedOn: londonDate(ctx.now), state: "pending" as const },
  };
  return {
    updated: replaceRequest(c, updated, ctx.now),
    event: {
      kind: "investigation-extension-requested",
      summary: `${ctx.actor.name} asked for more time, until ${formatPlainDate(input.newDueOn)}`,
      detail: input.reason.trim(),
    },
  };
}

export function decideExtension(c: Case, requestId: string, accept: boolean, ctx: ActionContext): ActionResult {
  const request = findInvestigation(c, requestId);
  if (request.extension?.state !== "pending") throw new CaseRuleError("There is no request for more time waiting for a decision.");
  const decided = {
    ...request,
    dueOn: accept ? request.extension.newDueOn : request.dueOn,
    extension: {
      ...request.extension,
      state: accept ? ("accepted" as const) : ("declined" as const),
      decidedBy: { aadObjectId: ctx.actor.aadObjectId, name: ctx.actor.name },
    },
  };
  return {
    updated: replaceRequest(c, decided, ctx.now),
    event: {
      kind: "investigation-extension-decided",
      summary: accept
        ? `More time agreed for ${request.lead.name}: now due ${formatPlainDate(request.extension.newDueOn)}`
        : `More time declined for ${request.lead.name}: still due ${formatPlainDate(request.dueOn)}`,
    },
  };
}

/** What the morning round owes the lead (and, when overdue, the owner and managers) today. */
export function investigationReminders(
  c: Case,
  today: string,
  reminderWorkingDays: number,
): { request: InvestigationRequest; reminder: InvestigationReminder }[] {
  if (c.status !== "open") return [];
  return investigationsOf(c)
    .filter((request) => request.status === "open")
    .flatMap((request): { request: InvestigationRequest; reminder: InvestigationReminder }[] => {
      if (request.dueOn < today) return [{ request, reminder: "overdue" }];
      if (request.dueOn === today) return [{ request, reminder: "due-day" }];
      if (subtractWorkingDays(request.dueOn, reminderWorkingDays) <= today) return [{ request, reminder: "before" }];
      return [];
    });
}

/** The first day an open request needs a reminder. */
export function investigationAttentionDay(c: Pick<Case, "status" | "investigations">, reminderWorkingDays: number): string | undefined {
  if (c.status !== "open") return undefined;
  const days = investigationsOf(c)
    .filter((request) => request.status === "open")
    .map((request) => subtractWorkingDays(request.dueOn, reminderWorkingDays));
  return days.sort()[0];
}
