import { randomUUID } from "node:crypto";
import type { Application } from "@microsoft/teams-ai";
import type { TurnContext } from "botbuilder";
import { z } from "zod";
import {
  COMPLEXITY_TIERS,
  CONSENT_STATUSES,
  CONTACT_TYPES,
  eventFrom,
  formatCaseReference,
  KO41A_PROFESSIONS,
  KO41A_SERVICE_AREAS,
  KO41A_SUBJECTS,
  logCreated,
  may,
  NEW_CONTACT_FIELDS,
  newCase,
  parseNewContact,
  RAISED_BY,
  RECEIVED_VIA,
  refusal,
  RISK_CONSEQUENCES,
  RISK_LIKELIHOODS,
  type Case,
  type NewContactErrors,
  type Versioned,
} from "../domain";
import { statusOf } from "../store/documents";
import { callerOrRefuse, tell, todayFor } from "./caller";
import { caseCardFor } from "./caseCard";
import { expandCard, cardMessage } from "./cards";
import { normaliseCommandText } from "./commands";
import type { BotDeps } from "./deps";
import type { Caller } from "./identity";
import { answerWithCard, answerWithMessage } from "./invoke";
import { turnLog } from "./turnLog";

const asChoices = (list: readonly { id: string | number; title: string }[]) => list.map((c) => ({ id: String(c.id), title: c.title }));

const CHOICES = {
  contactTypes: asChoices(CONTACT_TYPES),
  receivedVia: asChoices(RECEIVED_VIA),
  raisedBy: asChoices(RAISED_BY),
  consent: asChoices(CONSENT_STATUSES),
  serviceAreas: asChoices(KO41A_SERVICE_AREAS),
  subjects: asChoices(KO41A_SUBJECTS),
  professions: asChoices(KO41A_PROFESSIONS),
  consequences: RISK_CONSEQUENCES.map((c) => ({ id: String(c.id), title: `${c.id} ${c.title}` })),
  likelihoods: RISK_LIKELIHOODS.map((c) => ({ id: String(c.id), title: `${c.id} ${c.title}` })),
  complexities: asChoices(COMPLEXITY_TIERS),
};

/** Longest value echoed back into the form: a forged megabyte of text must not make the card too big to send. */
const ECHO_LIMIT = 4000;

const FormId = z.object({ formId: z.string().uuid() });

/** The "Log a contact" form, filled with what was typed and each problem next to its field. */
export function contactForm(formId: string, values: Readonly<Record<string, string>>, errors: NewContactErrors = {}): Record<string, unknown> {
  const problemCount = Object.values(errors).filter(Boolean).length;
  return expandCard("logContact", {
    formId,
    values: Object.fromEntries(NEW_CONTACT_FIELDS.map((field) => [field, values[field] ?? ""])),
    errors: Object.fromEntries(NEW_CONTACT_FIELDS.map((field) => [field, errors[field] ?? ""])),
    problemCount,
    problemSummary:
      problemCount === 1
        ? "One thing needs fixing before this contact can be logged: see the message in red."
        : `${problemCount} things need fixing before this contact can be logged: see the messages in red.`,
    choices: CHOICES,
  });
}

function blankForm(today: string): Record<string, string> {
  return { receivedOn: today, riskConsequence: "1", riskLikelihood: "1", safeguarding: "false" };
}

/** The submitted values that belong to the form, as strings, for showing the form again. */
function typedValues(data: unknown): Record<string, string> {
  const values: Record<string, string> = {};
  if (data && typeof data === "object") {
    for (const field of NEW_CONTACT_FIELDS) {
      const value = (data as Record<string, unknown>)[field];
      if (typeof value === "string") values[field] = value.slice(0, ECHO_LIMIT);
    }
  }
  return values;
}

async function sendForm(context: TurnContext, deps: BotDeps): Promise<void> {
  await context.sendActivity(cardMessage(contactForm(randomUUID(), blankForm(todayFor(deps)))));
}

async function openForm(context: TurnContext, deps: BotDeps): Promise<boolean> {
  const caller = await callerOrRefuse(context, deps);
  if (!caller) return false;
  if (!may(caller.roles, "log-contact")) {
    await tell(context, "Not available", refusal("log-contact", undefined, caller.roles));
    return false;
  }
  await sendForm(context, deps);
  return true;
}

/** Creates the case once: the form's id is the case id, so pressing the button twice shows the same case. */
async function createCase(deps: BotDeps, caller: Caller, formId: string, contact: Parameters<typeof newCase>[0], today: string): Promise<{ saved: Versioned<Case>; isNew: boolean }> {
  const existing = await deps.cases.get(caller.tenantId, formId);
  if (existing) return { saved: existing, isNew: false };
  const now = deps.now();
  const year = Number(today.slice(0, 4));
  const reference = formatCaseReference(year, await deps.cases.nextReferenceNumber(caller.tenantId, year));
  const draft: Case = { ...newCase(contact, { id: formId, tenantId: caller.tenantId, reference, now, by: caller.actor }), owner: caller.actor };
  try {
    const created = await deps.cases.create(draft);
    const ctx = { actor: caller.actor, now };
    await deps.timeline.append(eventFrom(logCreated(created.value, ctx).event, created.value, ctx, randomUUID()));
    await deps.caseSaved(created.value);
    return { saved: created, isNew: true };
  } catch (error) {
    const raced = statusOf(error) === 409 ? await deps.cases.get(caller.tenantId, formId) : undefined;
    if (raced) return { saved: raced, isNew: false };
    throw error;
  }
}

async function submit(context: TurnContext, deps: BotDeps, data: unknown): Promise<void> {
  const log = turnLog(context, deps.log);
  const caller = await callerOrRefuse(context, deps);
  if (!caller) return;
  if (!may(caller.roles, "log-contact")) {
    log.warn({ verb: "contact.submit" }, "Refused a contact submission the caller's role does not allow");
    await tell(context, "Not available", refusal("log-contact", undefined, caller.roles));
    return;
  }
  const form = FormId.safeParse(data);
  const formId = form.success ? form.data.formId : randomUUID();
  const today = todayFor(deps);
  const values = typedValues(data);
  if (!form.success) log.warn("Contact form submitted without a valid form id; treating it as a new form");
  const parsed = parseNewContact(data, today);
  if (!parsed.ok) {
    log.info({ fields: Object.keys(parsed.errors) }, "Contact form returned for corrections");
    await answerWithCard(context, contactForm(formId, values, parsed.errors));
    return;
  }
  const { saved, isNew } = await createCase(deps, caller, formId, parsed.value, today);
  const c = saved.value;
  if (isNew) log.info({ caseId: c.id, reference: c.reference, type: c.type }, "Contact logged");
  const banner = { text: isNew ? `Logged as ${c.reference}. The deadlines below are in working days.` : `This contact was already logged as ${c.reference}.`, style: "good" as const };
  await answerWithCard(context, await caseCardFor(deps, caller, saved, { banner }));
}

export function registerLogContact(app: Application, deps: BotDeps): void {
  app.message(
    async (context) => /^(new|new contact|log|log a contact|log contact)$/i.test(normaliseCommandText(context.activity.text)),
    async (context) => {
      await openForm(context, deps);
    },
  );
  // The welcome card's button: the form arrives as a new message and the welcome card stays as it is.
  app.adaptiveCards.actionExecute("contact.new", async (context) => {
    if (await openForm(context, deps)) await answerWithMessage(context, "A new contact form is below.");
    return "";
  });
  app.adaptiveCards.actionExecute("contact.submit", async (context, _state, data) => {
    await submit(context, deps, data);
    return "";
  });
}
