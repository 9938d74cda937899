import { randomUUID } from "node:crypto";
import type { Application } from "@microsoft/teams-ai";
import type { TurnContext } from "botbuilder";
import { z } from "zod";
import {
  addNote,
  assignOwner,
  CaseChangedError,
  CaseRuleError,
  changeResponseDate,
  closeCase,
  escalateConcernToComplaint,
  eventFrom,
  may,
  OutcomeSchema,
  recordAcknowledgement,
  recordSignposting,
  refusal,
  reopenCase,
  takeOwnership,
  type ActionContext,
  type ActionResult,
  type Case,
  type CaseVerb,
  type PersonRef,
  type SignpostingChoice,
  type Versioned,
} from "../domain";
import { callerOrRefuse, tell, todayFor } from "./caller";
import { caseCard, timelineCard, type Banner, type StaffChoice } from "./caseView";
import { cardMessage } from "./cards";
import type { BotDeps } from "./deps";
import { rolesOf, type Caller } from "./identity";
import { answerWithCard, answerWithMessage, typedInputs } from "./invoke";
import { turnLog } from "./turnLog";

const CaseIdData = z.object({ caseId: z.string().uuid() });

/** Card text inputs arrive as strings; anything else (a forged number, object or array) is treated as empty. */
const text = (max: number) => z.preprocess((value) => (typeof value === "string" ? value : ""), z.string().max(max * 2).transform((s) => s.trim()));
const yesNo = z.preprocess((value) => value === true || value === "true", z.boolean());

/** Staff who may own cases, for the "Assign" list: people PALS Desk has seen in this trust. */
async function staffChoices(deps: BotDeps, caller: Caller, c: Case): Promise<StaffChoice[]> {
  const people = await deps.people.list(caller.tenantId);
  return people
    .filter((person) => person.aadObjectId !== c.owner?.aadObjectId)
    .filter((person) => may(rolesOf(deps.config, person.aadObjectId), "take-ownership"))
    .map((person) => ({ id: person.aadObjectId, title: person.name }));
}

/** The case card as this person should see it (their roles decide what is shown and offered). */
export async function caseCardFor(
  deps: BotDeps,
  caller: Caller,
  { value: c, etag }: Versioned<Case>,
  extra: { banner?: Banner; draft?: Record<string, string> } = {},
): Promise<Record<string, unknown>> {
  return caseCard(c, {
    version: etag,
    roles: caller.roles,
    viewerAadObjectId: caller.actor.aadObjectId,
    today: todayFor(deps),
    staff: may(caller.roles, "assign", c) ? await staffChoices(deps, caller, c) : [],
    banner: extra.banner,
    draft: extra.draft,
    refreshUserIds: [caller.teamsUserId],
    organisations: deps.signposting.choices,
    leads: may(caller.roles, "request-investigation", c) ? await leadChoices(deps, caller) : [],
  });
}

/** Clinical leads known in this trust (with ROLE_CLINICAL_LEADS; everyone known in local mode without roles). */
async function leadChoices(deps: BotDeps, caller: Caller): Promise<StaffChoice[]> {
  const people = await deps.people.list(caller.tenantId);
  const configured = deps.config.roles.lead.length > 0;
  return people
    .filter((person) => !configured || rolesOf(deps.config, person.aadObjectId).has("lead"))
    .map((person) => ({ id: person.aadObjectId, title: person.name }));
}

/**
 * In a channel or group chat everyone sees the message, so the shared copy shows only what any member
 * of staff may see; each person's own view comes from the card's refresh.
 */
async function updateSharedCard(deps: BotDeps, context: TurnContext, c: Case): Promise<void> {
  if (context.activity.conversation?.conversationType === "personal" || !context.activity.replyToId) return;
  const shared = caseCard(c, { roles: new Set(), today: todayFor(deps), refreshUserIds: [], organisations: deps.signposting.choices });
  const activity = cardMessage(shared);
  activity.id = context.activity.replyToId;
  await context.updateActivity(activity).catch((error: Error) => {
    turnLog(context, deps.log).warn({ caseId: c.id, err: { message: error.message } }, "Could not update the shared case card");
  });
}

/** Loads a case of the caller's own trust; a case id from another trust is simply not found. */
async function loadCase(deps: BotDeps, context: TurnContext, caller: Caller, data: unknown): Promise<Versioned<Case> | undefined> {
  const parsed = CaseIdData.safeParse(data);
  const found = parsed.success ? await deps.cases.get(caller.tenantId, parsed.data.caseId) : undefined;
  if (!found) {
    turnLog(context, deps.log).warn({ verb: (context.activity.value as { action?: { verb?: string } })?.action?.verb }, "Case card action for a case not found in the caller's trust");
    await tell(context, "Case not found", "We couldn't find that case. The card may be out of date: type **my cases** or **case** and the reference to see it again.");
  }
  return found;
}

interface CaseAction<Input> {
  readonly verb: string;
  readonly permission: CaseVerb;
  readonly input: z.ZodType<Input, z.ZodTypeDef, unknown>;
  /** Looks up what the input refers to before the write; throws CaseRuleError when it can't. */
  readonly resolve?: (deps: BotDeps, caller: Caller, input: Input) => Promise<Input>;
  readonly apply: (current: Case, input: Input, ctx: ActionContext) => ActionResult;
  readonly done: (updated: Case) => string;
}

function action<Input>(definition: CaseAction<Input>): CaseAction<Input> {
  return definition;
}

const ACTIONS = [
  action({
    verb: "case.takeOwnership",
    permission: "take-ownership",
    input: z.object({}),
    apply: (c, _input, ctx) => takeOwnership(c, ctx),
    done: () => "You now own this case.",
  }),
  action({
    verb: "case.assign",
    permission: "assign",
    input: z.object({ assignTo: text(100), assignee: z.custom<PersonRef>().optional() }),
    resolve: async (deps, caller, input) => {
      const person = input.assignTo ? await deps.people.get(caller.tenantId, input.assignTo) : undefined;
      // The id comes from the card: only someone known in this trust who may own cases will do.
      if (!person || !may(rolesOf(deps.config, person.aadObjectId), "take-ownership")) {
        throw new CaseRuleError("Choose someone from the list to assign the case to.");
      }
      return { ...input, assignee: { aadObjectId: person.aadObjectId, name: person.name } };
    },
    apply: (c, input, ctx) => assignOwner(c, input.assignee!, ctx),
    done: (c) => `Assigned to ${c.owner?.name ?? "someone"}.`,
  }),
  action({
    verb: "case.addNote",
    permission: "add-note",
    input: z.object({ note: text(4000) }),
    apply: (c, input, ctx) => addNote(c, input.note, ctx),
    done: () => "Note added to the timeline.",
  }),
  action({
    verb: "case.acknowledge",
    permission: "acknowledge",
    input: z.object({ acknowledgedOn: text(10) }),
    apply: (c, input, ctx) => recordAcknowledgement(c, input.acknowledgedOn, ctx),
    done: () => "Acknowledgement recorded.",
  }),
  action({
    verb: "case.changeResponseDate",
    permission: "change-response-date",
    input: z.object({
      newResponseDate: text(10),
      responseDateReason: text(1000),
      agreedWithComplainant: yesNo,
      longerPeriodAgreed: yesNo,
    }),
    apply: (c, input, ctx) =>
      changeResponseDate(
        c,
        {
          newDate: input.newResponseDate,
          reason: input.responseDateReason,
          agreedWithComplainant: input.agreedWithComplainant,
          longerPeriodAgreed: input.longerPeriodAgreed,
        },
        ctx,
      ),
    done: () => "Response date changed.",
  }),
  action({
    verb: "case.escalate",
    permission: "escalate",
    input: z.object({}),
    apply: (c, _input, ctx) => escalateConcernToComplaint(c, ctx),
    done: () => "Escalated to a formal complaint. Complaint deadlines start today.",
  }),
  action({
    verb: "case.recordSignposting",
    permission: "record-signposting",
    input: z.object({ organisations: text(2000), chosen: z.custom<SignpostingChoice[]>().optional() }),
    // The ids come from the card: only organisations in the loaded directory (national and local) will do.
    resolve: async (deps, _caller, input) => {
      const ids = new Set(input.organisations.split(",").map((id) => id.trim()).filter(Boolean));
      const chosen = deps.signposting.choices.filter((organisation) => ids.has(organisation.id));
      if (chosen.length === 0 || chosen.length !== ids.size) throw new CaseRuleError("Choose the organisations from the list.");
      return { ...input, chosen: chosen.map((o) => ({ id: o.id, title: o.title })) };
    },
    apply: (c, input, ctx) => recordSignposting(c, input.chosen!, ctx),
    done: () => "Signposting recorded.",
  }),
  action({
    verb: "case.close",
    permission: "close",
    input: z.object({ outcome: text(50), learning: text(4000) }),
    apply: (c, input, ctx) => {
      const outcome = OutcomeSchema.safeParse(input.outcome);
      if (!outcome.success) throw new CaseRuleError("Choose the outcome before closing the case.");
      return closeCase(c, { outcome: outcome.data, learning: input.learning || undefined }, ctx);
    },
    done: () => "Case closed.",
  }),
  action({
    verb: "case.reopen",
    permission: "reopen",
    input: z.object({ reopenReason: text(1000) }),
    apply: (c, input, ctx) => reopenCase(c, input.reopenReason, ctx),
    done: () => "Case reopened.",
  }),
] as const;

/** The case card's action-form inputs whose text is kept when an action is refused. */
const CASE_FORM_INPUTS = [
  "note",
  "acknowledgedOn",
  "newResponseDate",
  "responseDateReason",
  "agreedWithComplainant",
  "longerPeriodAgreed",
  "learning",
  "reopenReason",
  "investigationDivision",
  "investigationLead",
  "investigationLeadId",
  "investigationSummary",
  "investigationQuestions",
  "investigationDueOn",
  "investigationIncludeNhsNumber",
] as const;

/** Text the person typed in the case card's action forms, so a refused action shows it again rather than losing it. */
export const draftFrom = (data: unknown): Record<string, string> => typedInputs(data, CASE_FORM_INPUTS);

async function runAction<Input>(deps: BotDeps, context: TurnContext, definition: CaseAction<Input>, data: unknown): Promise<void> {
  const log = turnLog(context, deps.log);
  const caller = await callerOrRefuse(context, deps);
  if (!caller) return;
  const loaded = await loadCase(deps, context, caller, data);
  if (!loaded) return;
  const current = loaded.value;
  if (!may(caller.roles, "view-case", current)) {
    log.warn({ caseId: current.id, verb: definition.verb }, "Refused a case action: the caller may not view cases");
    await tell(context, "Not available", refusal("view-case", current, caller.roles));
    return;
  }
  if (!may(caller.roles, definition.permission, current)) {
    log.warn({ caseId: current.id, reference: current.reference, verb: definition.verb }, "Refused a case action the caller's role does not allow");
    await answerWithCard(context, await caseCardFor(deps, caller, loaded, { banner: { text: refusal(definition.permission, current, caller.roles), style: "attention" } }));
    return;
  }
  const draft = draftFrom(data);
  const input = definition.input.safeParse(data);
  if (!input.success) {
    await answerWithCard(context, await caseCardFor(deps, caller, loaded, { banner: { text: "Some of what was entered could not be read. Check the form and try again.", style: "attention" }, draft }));
    return;
  }
  const ctx: ActionContext = { actor: caller.actor, now: deps.now() };
  let result: ActionResult | undefined;
  try {
    const resolved = definition.resolve ? await definition.resolve(deps, caller, input.data) : input.data;
    const saved = await deps.cases.update(caller.tenantId, current.id, (fresh) => {
      result = definition.apply(fresh, resolved, ctx);
      return result.updated;
    });
    await deps.timeline.append(eventFrom(result!.event, saved.value, ctx, randomUUID()));
    await deps.caseSaved(saved.value);
    log.info({ caseId: saved.value.id, reference: saved.value.reference, verb: definition.verb, event: result!.event.kind }, "Case updated");
    await updateSharedCard(deps, context, saved.value);
    await answerWithCard(context, await caseCardFor(deps, caller, saved, { banner: { text: definition.done(saved.value), style: "good" } }));
  } catch (error) {
    if (!(error instanceof CaseRuleError) && !(error instanceof CaseChangedError)) throw error;
    const latest = (await deps.cases.get(caller.tenantId, current.id)) ?? loaded;
    // The card carries the version its viewer saw, so we can say when someone else got there first.
    const seen = (data as { seen?: unknown }).seen;
    const changed = typeof seen === "string" && seen !== "" ? seen !== latest.etag : latest.etag !== loaded.etag;
    const message =
      error instanceof CaseChangedError
        ? "The case changed while you were saving, and your change was not made. Here it is now: check it and try again."
        : changed
          ? `The case changed since you opened it. ${error.message} Here it is now.`
          : error.message;
    log.info({ caseId: current.id, verb: definition.verb, reason: error.name }, "Case action not applied");
    await answerWithCard(context, await caseCardFor(deps, caller, latest, { banner: { text: message, style: "attention" }, draft }));
  }
}

/** Read-only views: refresh (each person's own view), back from the timeline, the timeline, and open from a list. */
async function view(deps: BotDeps, context: TurnContext, data: unknown, mode: "refresh" | "view" | "timeline" | "open"): Promise<void> {
  const caller = await callerOrRefuse(context, deps);
  if (!caller) return;
  const loaded = await loadCase(deps, context, caller, data);
  if (!loaded) return;
  const c = loaded.value;
  const verb: CaseVerb = mode === "timeline" ? "view-timeline" : "view-case";
  if (!may(caller.roles, verb, c)) {
    turnLog(context, deps.log).warn({ caseId: c.id, mode }, "Refused a case view the caller's role does not allow");
    await tell(context, "Not available", refusal(verb, c, caller.roles));
    return;
  }
  if (mode === "timeline") {
    await answerWithCard(context, timelineCard(c, await deps.timeline.list(c.id), caller.roles));
  } else if (mode === "open") {
    await context.sendActivity(cardMessage(await caseCardFor(deps, caller, loaded)));
    await answerWithMessage(context, `Opened ${c.reference} below.`);
  } else {
    await answerWithCard(context, await caseCardFor(deps, caller, loaded));
  }
}

export function registerCaseCard(app: Application, deps: BotDeps): void {
  app.adaptiveCards.actionExecute("case.refresh", async (context, _state, data) => (await view(deps, context, data, "refresh"), ""));
  app.adaptiveCards.actionExecute("case.view", async (context, _state, data) => (await view(deps, context, data, "view"), ""));
  app.adaptiveCards.actionExecute("case.open", async (context, _state, data) => (await view(deps, context, data, "open"), ""));
  app.adaptiveCards.actionExecute("case.timeline", async (context, _state, data) => (await view(deps, context, data, "timeline"), ""));
  for (const definition of ACTIONS) {
    app.adaptiveCards.actionExecute(definition.verb, async (context, _state, data) => {
      await runAction(deps, context, definition as CaseAction<unknown>, data);
      return "";
    });
  }
}
