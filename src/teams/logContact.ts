import { randomUUID } from "node:crypto";
import { z } from "zod";
import {
  COMPLEXITY_TIERS,
  CONSENT_STATUSES,
  CONTACT_TYPES,
  KO41A_PROFESSIONS,
  KO41A_SERVICE_AREAS,
  KO41A_SUBJECTS,
  may,
  NEW_CONTACT_FIELDS,
  RAISED_BY,
  RECEIVED_VIA,
  refusal,
  RISK_CONSEQUENCES,
  RISK_LIKELIHOODS,
  type NewContactErrors,
} from "../domain";
import { callerOrRefuse, cardContext, tell, tellRefused, todayFor, viewerOf } from "./caller";
import { expandCard } from "./cards";
import { caseCardFor } from "./caseView";
import type { TeamsDeps } from "./deps";
import type { BotRoutes, Turn } from "./sdk/turn";

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

async function openForm(turn: Turn, deps: TeamsDeps): Promise<boolean> {
  const caller = await callerOrRefuse(turn);
  if (!caller) return false;
  if (!may(caller.roles, "log-contact")) {
    await tell(turn, "Not available", refusal("log-contact", undefined, caller.roles));
    return false;
  }
  await turn.sendCard(contactForm(randomUUID(), blankForm(todayFor(deps))));
  return true;
}

async function submit(turn: Turn, deps: TeamsDeps, data: unknown): Promise<void> {
  const caller = await callerOrRefuse(turn);
  if (!caller) return;
  const form = FormId.safeParse(data);
  if (!form.success) turn.log.warn("Contact form submitted without a valid form id; treating it as a new form");
  const formId = form.success ? form.data.formId : randomUUID();
  const result = await deps.desk.contacts.logContact(caller, formId, data);
  if (!result.ok) {
    if (result.problem === "invalid") {
      turn.log.info({ fields: Object.keys(result.errors) }, "Contact form returned for corrections");
      await turn.answerCard(contactForm(formId, typedValues(data), result.errors));
      return;
    }
    turn.log.warn({ verb: "contact.submit" }, "Refused a contact submission the caller's role does not allow");
    await tellRefused(turn, result);
    return;
  }
  const { reference } = result.view.record.value;
  const banner = {
    text: result.alreadyLogged ? `This contact was already logged as ${reference}.` : `Logged as ${reference}. The deadlines below are in working days.`,
    style: "good" as const,
  };
  await turn.answerCard(caseCardFor(result.view, viewerOf(caller), cardContext(deps), { banner }));
}

export function registerLogContact(routes: BotRoutes, deps: TeamsDeps): void {
  routes.command(/^(new|new contact|log|log a contact|log contact)$/i, async (turn) => void (await openForm(turn, deps)));
  // The welcome card's button: the form arrives as a new message and the welcome card stays as it is.
  routes.verb("contact.new", async (turn) => {
    if (await openForm(turn, deps)) await turn.answerMessage("A new contact form is below.");
  });
  routes.verb("contact.submit", (turn, data) => submit(turn, deps, data));
}
