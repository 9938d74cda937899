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
} from "../domain";
import { finishFollowUps, followUpsOf } from "./changes";
import { caseIdFor } from "./ids";
import { activityLog } from "../logger";
import { rulesOf, type CaseDeskDeps } from "./deps";
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
  const parsed = parseNewContact(submitted, today);
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
        rules: rulesOf(deps).deadlines,
        updateWorkingDays: rulesOf(deps).updates.workingDays,
      }),
      owner: { ...caller.actor },
    };
    const created = logCreated(draft, { actor: caller.actor, now });
    // Logged from a Teams message ("Log as a PALS contact"): the original text and link go on the timeline.
    const event = withMessageSource(created.event, messageSourceOf(submitted));
    const followUps = followUpsOf(deps, undefined, { updated: draft, events: [event] }, 1, caller.actor, { contactsAboutPatientIn90Days });
    return { draft, saved: await deps.cases.create(draft, { revision: 1, pending: [followUps], applied: [] }) };
  };

  // Created straight away, not read first: a form sent again (a double press, a retry after a failure) is
  // rare, and finds its case when the create says the id is taken. (Its reference number then goes unused:
  // references are unique and in order, not gapless.)
  let { draft, saved } = await createAs(caseIdFor(caller.trustId, formId));
  if (!saved) {
    const existing = await deps.cases.get(caller.trustId, draft.id);
    if (!existing) throw new Error("A case was neither created nor found");
    // Only the person who logged it gets it back; a form id copied from someone else's case starts a new one.
    if (existing.value.createdBy.aadObjectId === caller.actor.aadObjectId) {
      return { ok: true, alreadyLogged: true, view: await caseViewFor(deps, caller, await finishFollowUps(deps, existing)) };
    }
    activityLog(deps.log).warn({ caseId: existing.value.id }, "A contact form came back with the id of a case someone else logged; logging it as a new case");
    ({ draft, saved } = await createAs(randomUUID()));
    if (!saved) throw new Error("A case with a new random id already exists");
  }
  activityLog(deps.log).info({ caseId: draft.id, reference, type: draft.type }, "Contact logged");
  return { ok: true, alreadyLogged: false, view: await caseViewFor(deps, caller, await finishFollowUps(deps, saved)) };
}
