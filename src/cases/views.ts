import { may, type Caller, type CaseRecord, type StaffMember } from "../domain";
import type { CaseDeskDeps } from "./deps";
import type { CaseView, StaffChoice } from "./results";
import { staffOf } from "./staff";

const choice = (person: StaffMember): StaffChoice => ({ id: person.aadObjectId, title: person.name });

/**
 * The case with the pick lists this person's card offers: Assign offers the PALS team's members and the people
 * PALS Desk has met; Ask a clinical lead, the people met (a request needs a way to reach the lead).
 */
export async function caseViewFor(deps: CaseDeskDeps, caller: Caller, record: CaseRecord): Promise<CaseView> {
  const c = record.value;
  const offersStaff = may(caller.roles, "assign", c);
  const offersLeads = may(caller.roles, "request-investigation", c);
  if (!offersStaff && !offersLeads) return { record, staff: [], leads: [] };
  const met = await deps.people.list(caller.trustId);
  const metIds = new Set(met.map((person) => person.aadObjectId.toLowerCase()));
  const people = offersStaff ? await staffOf(deps, caller.trustId, met) : met;
  const roles = await Promise.all(people.map((person) => deps.roles.rolesOf(caller.trustId, person.aadObjectId)));
  const leadsNamed = deps.roles.leadsNamed(caller.trustId);
  return {
    record,
    staff: offersStaff ? people.filter((person, i) => person.aadObjectId !== c.owner?.aadObjectId && may(roles[i], "take-ownership")).map(choice) : [],
    // Without named leads (local mode), anyone PALS Desk knows may be asked.
    leads: offersLeads ? people.filter((person, i) => metIds.has(person.aadObjectId.toLowerCase()) && (!leadsNamed || roles[i].has("lead"))).map(choice) : [],
  };
}
