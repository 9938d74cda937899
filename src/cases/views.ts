import { may, type Caller, type CaseRecord, type StaffMember } from "../domain";
import type { CaseDeskDeps } from "./deps";
import type { CaseView, StaffChoice } from "./results";

const choice = (person: StaffMember): StaffChoice => ({ id: person.aadObjectId, title: person.name });

/** The case with the pick lists this person's card offers: one read of the trust's staff serves both. */
export async function caseViewFor(deps: CaseDeskDeps, caller: Caller, record: CaseRecord): Promise<CaseView> {
  const c = record.value;
  const offersStaff = may(caller.roles, "assign", c);
  const offersLeads = may(caller.roles, "request-investigation", c);
  if (!offersStaff && !offersLeads) return { record, staff: [], leads: [] };
  const people = await deps.people.list(caller.tenantId);
  const roles = await Promise.all(people.map((person) => deps.roles.rolesOf(caller.tenantId, person.aadObjectId)));
  const leadsNamed = deps.roles.leadsNamed();
  return {
    record,
    staff: offersStaff ? people.filter((person, i) => person.aadObjectId !== c.owner?.aadObjectId && may(roles[i], "take-ownership")).map(choice) : [],
    // Without named leads (local mode), anyone PALS Desk knows may be asked.
    leads: offersLeads ? people.filter((_person, i) => !leadsNamed || roles[i].has("lead")).map(choice) : [],
  };
}
