// Investigation requests: an officer asks a clinical lead for input; the lead answers, asks for more time,
// or follows up in the request's thread. The request card goes out through the outbox like every other
// proactive message; the officer waits for it to be posted (sendNow) so they can be told where it went.
import { randomUUID } from "node:crypto";
import {
  type ActionContext,
  answerInvestigation,
  askForMoreTime as askForMoreTimeRule,
  CaseRuleError,
  decideExtension as decideExtensionRule,
  eventFrom,
  findInvestigation,
  may,
  newOutboxItem,
  recordDelivery,
  refusal,
  requestInvestigation as requestInvestigationRule,
  type Caller,
  type Case,
  type CaseRecord,
  type ConversationAddress,
  type Delivered,
  type InvestigationAnswerInput,
  type InvestigationRequest,
  type OutboxItem,
  type StaffMember,
} from "../domain";
import { activityLog } from "../logger";
import { actOnCase, stepOf, type Submission } from "./caseActions";
import { changeCase, type ChangeStep } from "./changes";
import { requestIdFor } from "./ids";
import { rulesOf, type CaseDeskDeps } from "./deps";
import { CASE_NOT_FOUND, PALS_DESK, refused, type CaseView, type Result } from "./results";

const ENTRA_ID = /^[0-9a-fA-F-]{8,64}$/;

export interface InvestigationRequestInput {
  readonly division: string;
  /** The lead's Entra ID object id, chosen from the list or typed. */
  readonly leadId: string;
  readonly summary: string;
  readonly questions: string;
  /** Blank for the default of 10 working days. */
  readonly dueOn?: string;
  readonly includeNhsNumber: boolean;
}

export type RequestResult = Result<{
  readonly view: CaseView;
  readonly request: InvestigationRequest;
  /** Where it goes: the division's channel, or the lead's own chat. */
  readonly where: "channel" | "personal";
  /** Posted already (false: Teams did not take it yet; the outbox keeps trying). */
  readonly sent: boolean;
}>;

const requestItemId = (requestId: string) => `investigation:${requestId}:request`;

/** "Ask a clinical lead" on the case card. */
export async function requestInvestigation(
  deps: CaseDeskDeps,
  s: Submission,
  input: InvestigationRequestInput,
  requester: { readonly teamsUserId: string },
): Promise<RequestResult> {
  let lead: StaffMember | undefined;
  let channel: ConversationAddress | undefined;
  const requestId = s.key ? requestIdFor(s.caseId, s.key) : randomUUID();
  const division = input.division.trim();
  const result = await actOnCase(
    deps,
    s,
    "request-investigation",
    (c, ctx) => {
      const step = requestInvestigationRule(
        c,
        {
          id: requestId,
          division,
          lead: { aadObjectId: lead!.aadObjectId, name: lead!.name, teamsUserId: lead!.teamsUserId },
          summary: input.summary,
          questions: input.questions,
          includeNhsNumber: input.includeNhsNumber,
          dueOn: input.dueOn || undefined,
          requesterTeamsUserId: requester.teamsUserId,
          defaultWorkingDays: rulesOf(deps).investigations.workingDays,
        },
        ctx,
      );
      const target: OutboxItem["target"] = channel ? { kind: "new-thread", channel } : { kind: "person", aadObjectId: lead!.aadObjectId };
      const card = newOutboxItem(
        c.trustId,
        requestItemId(requestId),
        target,
        { kind: "investigation-request", caseId: c.id, reference: c.reference, requestId },
        ctx.now,
      );
      return { ...stepOf(step), outbox: [card] } satisfies ChangeStep;
    },
    // Decide who and where before saving anything: a request nobody can receive is no request.
    async () => {
      const leadId = input.leadId.trim().toLowerCase();
      if (!ENTRA_ID.test(leadId)) throw new CaseRuleError("Choose the clinical lead from the list, or enter their Entra ID object id.");
      lead = await deps.people.get(s.caller.trustId, leadId);
      if (!lead) throw new CaseRuleError("PALS Desk doesn't know that person yet. Ask them to open PALS Desk in Teams once, then try again.");
      if (deps.roles.leadsNamed(s.caller.trustId) && !(await deps.roles.rolesOf(s.caller.trustId, lead.aadObjectId)).has("lead")) {
        throw new CaseRuleError(`${lead.name} is not set up as a clinical lead in PALS Desk. Ask an admin to add them, or choose another lead.`);
      }
      if (!division) throw new CaseRuleError("Enter the division.");
      channel = await deps.channels.divisionChannel(s.caller.trustId, division);
      if (!channel && !(await deps.people.personalConversation(s.caller.trustId, lead.aadObjectId))) {
        throw new CaseRuleError(
          `There is no channel for ${division} and ${lead.name} hasn't opened PALS Desk yet. Ask someone to type "@PALS Desk set division channel ${division}" in that division's channel, or ask ${lead.name} to open PALS Desk.`,
        );
      }
    },
  );
  if (!result.ok) return result;
  // A retried submission finds the request it made before: its id comes from the submission.
  const made = result.view.record.value.investigations?.find((r) => r.id === requestId);
  if (!made) return refused("rule", "That request could not be found on the case. Open the case again.", result.view);
  if (!made.delivery) await deps.sendNow(s.caller.trustId, [requestItemId(made.id)]);
  const latest = (await deps.cases.get(s.caller.trustId, s.caseId)) ?? result.view.record;
  const request = findInvestigation(latest.value, made.id);
  activityLog(deps.log).info(
    { caseId: s.caseId, reference: latest.value.reference, investigationId: made.id, posted: request.delivery?.kind ?? "queued" },
    "Investigation request sent",
  );
  return {
    ok: true,
    view: { ...result.view, record: latest },
    request,
    where: (request.delivery ? request.delivery.kind === "channel-thread" : channel !== undefined) ? "channel" : "personal",
    sent: request.delivery !== undefined,
  };
}

/** The request card of an outbox item has been posted already (its delivery is on the case): don't post it twice. */
export async function investigationAlreadyPosted(deps: CaseDeskDeps, item: OutboxItem): Promise<boolean> {
  if (item.payload.kind !== "investigation-request") return false;
  const { caseId, requestId } = item.payload;
  const c = (await deps.cases.get(item.trustId, caseId))?.value;
  const request = c?.investigations?.find((r) => r.id === requestId);
  return !request || request.delivery !== undefined;
}

/** Where the request card went, recorded on the case (and its thread linked to it) once Teams has it. */
export async function investigationPosted(deps: CaseDeskDeps, item: OutboxItem, delivered: Delivered, address: ConversationAddress): Promise<void> {
  if (item.payload.kind !== "investigation-request") return;
  const { caseId, requestId } = item.payload;
  const thread = item.target.kind === "new-thread";
  const outcome = await changeCase(deps, {
    trustId: item.trustId,
    caseId,
    actor: PALS_DESK,
    submission: `posted:${requestId}`,
    apply: (c) => {
      if (findInvestigation(c, requestId).delivery) throw new CaseRuleError("The request's delivery is recorded already.");
      const delivery = {
        kind: thread ? ("channel-thread" as const) : ("personal" as const),
        conversationId: delivered.conversationId,
        activityId: delivered.activityId,
        serviceUrl: address.serviceUrl,
        channelId: address.channelId,
      };
      return {
        updated: recordDelivery(c, requestId, delivery, deps.now()),
        events: [],
        threads: thread && delivered.activityId ? [{ rootActivityId: delivered.activityId, caseId, requestId }] : [],
      };
    },
  });
  if (outcome.kind === "not-found")
    activityLog(deps.log).warn({ caseId, investigationId: requestId }, "An investigation request was posted for a case that is gone");
  // Recorded already is fine; a clash that outlasted the retries is not: the outbox keeps the item and tries again.
  if (outcome.kind === "refused" && !(outcome.error instanceof CaseRuleError)) throw outcome.error;
}

export type OpenRequest = Result<{ readonly record: CaseRecord; readonly request: InvestigationRequest }>;

/** A request of the caller's trust; only its lead and PALS staff may open it. */
export async function openRequest(deps: CaseDeskDeps, caller: Caller, caseId: string, requestId: string): Promise<OpenRequest> {
  const log = activityLog(deps.log);
  const record = await deps.cases.get(caller.trustId, caseId);
  const request = record?.value.investigations?.find((r) => r.id === requestId);
  if (!record || !request) {
    log.warn("Investigation action for a request not found in the caller's trust");
    return refused("not-found", "We couldn't find that investigation request. The card may be out of date.");
  }
  if (request.lead.aadObjectId !== caller.actor.aadObjectId && !may(caller.roles, "view-case", record.value)) {
    log.warn({ caseId, investigationId: requestId }, "Refused an investigation request to someone it is not addressed to");
    return refused("not-allowed", `This request is addressed to ${request.lead.name}. Only they and the PALS team can open it.`);
  }
  return { ok: true, record, request };
}

type LeadStep = (c: Case, request: InvestigationRequest, ctx: ActionContext) => ChangeStep;

/** A change to a request by its lead (answer, more time) or by the PALS team (agree or decline more time). */
async function changeRequest(deps: CaseDeskDeps, s: Submission, requestId: string, who: "lead" | "pals", apply: LeadStep): Promise<OpenRequest> {
  const log = activityLog(deps.log);
  const opened = await openRequest(deps, s.caller, s.caseId, requestId);
  if (!opened.ok) return opened;
  const { record, request } = opened;
  if (who === "pals" && !may(s.caller.roles, "decide-extension", record.value)) {
    log.warn({ caseId: s.caseId, investigationId: requestId }, "Refused an extension decision the caller's role does not allow");
    return refused("not-allowed", refusal("decide-extension", record.value, s.caller.roles));
  }
  if (who === "lead" && request.lead.aadObjectId !== s.caller.actor.aadObjectId) {
    log.warn({ caseId: s.caseId, investigationId: requestId }, "Refused an answer from someone the request is not addressed to");
    return refused("not-allowed", `This request is addressed to ${request.lead.name}; only they can answer it.`);
  }
  const outcome = await changeCase(deps, {
    trustId: s.caller.trustId,
    caseId: s.caseId,
    actor: s.caller.actor,
    submission: s.key,
    loaded: record,
    apply: (c) => apply(c, findInvestigation(c, requestId), { actor: s.caller.actor, now: deps.now(), rules: rulesOf(deps) }),
  });
  if (outcome.kind === "not-found") return refused("not-found", CASE_NOT_FOUND);
  const latest = outcome.record;
  const now = latest.value.investigations?.find((r) => r.id === requestId) ?? request;
  if (outcome.kind === "refused") {
    return {
      ok: false,
      problem: outcome.error instanceof CaseRuleError ? "rule" : "changed",
      message: outcome.error.message,
      view: { record: latest, staff: [], leads: [] },
    };
  }
  log.info({ caseId: s.caseId, investigationId: requestId, already: outcome.kind === "already-applied" }, "Investigation request updated");
  return { ok: true, record: latest, request: now };
}

/** The case owner (or the officer who asked) hears about an answer or a request for more time in their own chat. */
function toOwner(c: Case, request: InvestigationRequest, id: string, kind: "investigation-answer" | "investigation-extension", now: Date): OutboxItem {
  const owner = c.owner ?? request.requestedBy;
  return newOutboxItem(
    c.trustId,
    id,
    { kind: "person", aadObjectId: owner.aadObjectId },
    { kind, caseId: c.id, reference: c.reference, requestId: request.id },
    now,
  );
}

export function answer(deps: CaseDeskDeps, s: Submission, requestId: string, input: InvestigationAnswerInput): Promise<OpenRequest> {
  return changeRequest(deps, s, requestId, "lead", (c, request, ctx) => ({
    ...stepOf(answerInvestigation(c, request.id, input, ctx)),
    outbox: [toOwner(c, request, `investigation:${request.id}:answer`, "investigation-answer", ctx.now)],
  }));
}

export function askForMoreTime(
  deps: CaseDeskDeps,
  s: Submission,
  requestId: string,
  input: { readonly newDueOn: string; readonly reason: string },
): Promise<OpenRequest> {
  return changeRequest(deps, s, requestId, "lead", (c, request, ctx) => ({
    ...stepOf(askForMoreTimeRule(c, request.id, input, ctx)),
    outbox: [toOwner(c, request, `investigation:${request.id}:extension:${input.newDueOn}`, "investigation-extension", ctx.now)],
  }));
}

export function decideExtension(deps: CaseDeskDeps, s: Submission, requestId: string, accept: boolean): Promise<OpenRequest> {
  return changeRequest(deps, s, requestId, "pals", (c, request, ctx) => stepOf(decideExtensionRule(c, request.id, accept, ctx)));
}

/**
 * A reply in a request's thread that @mentions PALS Desk goes on the case timeline. One write: the event's
 * id comes from the Teams message, so the same message delivered again is recorded once.
 */
export async function addThreadReply(
  deps: CaseDeskDeps,
  caller: Caller,
  thread: { readonly rootActivityId: string; readonly messageId?: string },
  note: string,
): Promise<{ readonly reference: string } | undefined> {
  const about = await deps.channels.thread(caller.trustId, thread.rootActivityId);
  const record = about ? await deps.cases.get(caller.trustId, about.caseId) : undefined;
  if (!about || !record || record.value.retiringOn) return undefined;
  const request = record.value.investigations?.find((r) => r.id === about.requestId);
  const id = `${record.value.id}:thread:${thread.messageId ?? randomUUID()}`;
  await deps.timeline.record(
    eventFrom(
      {
        kind: "investigation-follow-up",
        summary: `${caller.actor.name} added to the investigation thread${request ? ` (${request.lead.name}'s request)` : ""}`,
        detail: note.slice(0, 4000),
      },
      record.value,
      { actor: caller.actor, now: deps.now(), rules: rulesOf(deps) },
      id,
    ),
  );
  activityLog(deps.log).info({ caseId: record.value.id, investigationId: about.requestId }, "Investigation thread reply added to the timeline");
  return { reference: record.value.reference };
}
