import { randomUUID } from "node:crypto";
import {
  addCalendarDays,
  formatCaseReference,
  logCreated,
  messageSourceOf,
  withMessageSource,
  londonDate,
  may,
  newCase,
  parseNewContact,
  refusal,
  REPEAT_CONTACT_COUNT,
  REPEAT_CONTACT_DAYS,
  type Caller,
  type Case,
  type NewContactErrors,
  doneLine,
  documentsOfEmail,
  withDocuments,
  emailEventDetail,
  emailEventSummary,
  EMAIL_EVENT_DETAIL_LIMIT,
  isOpen,
  type CaseEventDraft,
  type InboxEmail,
} from "../domain";
import { z } from "zod";
import { finishFollowUps, followUpsOf, type ChangeStep } from "./changes";
import { EMAIL_GONE } from "./inbox";
import { caseIdFor } from "./ids";
import { activityLog } from "../logger";
import { rulesOf, sitesOf, type CaseDeskDeps } from "./deps";
import { refused, type CaseView, type Refused } from "./results";
import { caseViewFor } from "./views";

export type LogContactResult =
  | { readonly ok: true; readonly alreadyLogged: boolean; readonly view: CaseView }
  | { readonly ok: false; readonly problem: "invalid"; readonly errors: NewContactErrors }
  | Refused;

/**
 * Logs a contact from the "Log a contact" form. The form's id decides the case id (caseIdFor), so the same
 * form submitted again (a double press, a retry after a failure) gives the same case, made whole.
 */
export async function logContact(deps: CaseDeskDeps, caller: Caller, formId: string, submitted: unknown): Promise<LogContactResult> {
  if (!may(caller.roles, "log-contact")) return refused("not-allowed", refusal("log-contact", undefined, caller.roles));
  const now = deps.now();
  const today = londonDate(now);
  // A form from an inbox email's "Log as contact": the email is read here, in the caller's trust (the card only names it).
  const fromEmail = await emailOfForm(deps, caller, submitted);
  if (fromEmail && "ok" in fromEmail) return fromEmail;
  const parsed = parseNewContact(submitted, today, sitesOf(deps, caller.trustId));
  if (!parsed.ok) return { ok: false, problem: "invalid", errors: parsed.errors };

  const contact = parsed.value;
  const year = Number(today.slice(0, 4));
  // Side by side: the reference number, and (with an NHS number) the contacts about the patient in the last
  // 90 days, this one included: from the third on it is a pattern managers hear about, so only that many are counted.
  const [number, earlierContacts] = await Promise.all([
    deps.cases.nextReferenceNumber(caller.trustId, year),
    contact.nhsNumber
      ? deps.cases.countForPatient(caller.trustId, contact.nhsNumber, addCalendarDays(today, -REPEAT_CONTACT_DAYS), REPEAT_CONTACT_COUNT - 1)
      : undefined,
  ]);
  const contactsAboutPatientIn90Days = earlierContacts === undefined ? undefined : earlierContacts + 1;
  const reference = formatCaseReference(year, number);
  const createAs = async (caseId: string) => {
    const draft: Case = {
      ...newCase(contact, {
        id: caseId,
        trustId: caller.trustId,
        reference,
        now,
        by: caller.actor,
        rules: rulesOf(deps),
      }),
      owner: { ...caller.actor },
    };
    const created = logCreated(draft, { actor: caller.actor, now, rules: rulesOf(deps) });
    // Logged from a Teams message ("Log as a PALS contact"): the original text and link go on the timeline.
    const event = withMessageSource(created.event, messageSourceOf(submitted));
    const step = fromEmail ? emailLogged(fromEmail.email, event, draft, caller, now) : { updated: draft, events: [event] };
    const followUps = followUpsOf(deps, undefined, step, 1, caller.actor, { contactsAboutPatientIn90Days });
    return { draft: step.updated, saved: await deps.cases.create(step.updated, { revision: 1, pending: [followUps], applied: [] }) };
  };

  // Created straight away, not read first: a form sent again (a double press, a retry after a failure) is
  // rare, and finds its case when the create says the id is taken. (Its reference number then goes unused:
  // references are unique and in order, not gapless.)
  // One case per email, whoever logs it and however often: its id comes from the email's.
  let { draft, saved } = await createAs(caseIdFor(caller.trustId, fromEmail ? `email:${fromEmail.email.id}` : formId));
  if (!saved) {
    const existing = await deps.cases.get(caller.trustId, draft.id);
    if (!existing) throw new Error("A case was neither created nor found");
    // Only the person who logged it gets it back; a form id copied from someone else's case starts a new one.
    // An email's case is the same case for everyone who may see it.
    if (existing.value.createdBy.aadObjectId === caller.actor.aadObjectId || (fromEmail && may(caller.roles, "view-case", existing.value))) {
      return { ok: true, alreadyLogged: true, view: await caseViewFor(deps, caller, await finishFollowUps(deps, existing)) };
    }
    activityLog(deps.log).warn({ caseId: existing.value.id }, "A contact form came back with the id of a case someone else logged; logging it as a new case");
    ({ draft, saved } = await createAs(randomUUID()));
    if (!saved) throw new Error("A case with a new random id already exists");
  }
  activityLog(deps.log).info({ caseId: draft.id, reference, type: draft.type }, "Contact logged");
  return { ok: true, alreadyLogged: false, view: await caseViewFor(deps, caller, await finishFollowUps(deps, saved)) };
}

const EmailFormSchema = z.object({ fromEmail: z.string().min(1).max(100) });

/** The inbox email a form was filled from, checked in the caller's trust; a refusal when it can't be logged. */
async function emailOfForm(deps: CaseDeskDeps, caller: Caller, submitted: unknown): Promise<{ readonly email: InboxEmail } | Refused | undefined> {
  const named = EmailFormSchema.safeParse(submitted);
  if (!named.success) return undefined;
  if (!may(caller.roles, "log-email")) return refused("not-allowed", refusal("log-email", undefined, caller.roles));
  const stored = await deps.inbox.get(caller.trustId, named.data.fromEmail);
  if (!stored || stored.value.state === "automatic") return refused("not-found", EMAIL_GONE);
  const email = stored.value;
  // Logged already: the same case comes back (below); anything else done with it stops a second record.
  if (!isOpen(email) && !(email.state === "logged" || email.state === "not-a-case")) {
    return refused("rule", `This email was already dealt with. ${doneLine(email)}`);
  }
  return { email };
}

/** The case's first entries when it is logged from an email: created, and the email itself; the email is marked as a follow-up. */
function emailLogged(email: InboxEmail, created: CaseEventDraft, draft: Case, caller: Caller, now: Date): Pick<ChangeStep, "updated" | "events" | "emails"> {
  return {
    updated: withDocuments(draft, documentsOfEmail(email, caller.actor, now)),
    events: [
      { ...created, summary: `${created.summary}, from an email` },
      {
        kind: "email-received",
        summary: emailEventSummary(email, "logged"),
        detail: emailEventDetail(email, EMAIL_EVENT_DETAIL_LIMIT),
        changes: [{ field: "emails", after: email.id }],
      },
    ],
    emails: [
      {
        emailId: email.id,
        messageId: email.messageId,
        state: "logged",
        outcome: { by: { ...caller.actor }, at: now.toISOString(), caseId: draft.id, reference: draft.reference },
      },
    ],
  };
}
