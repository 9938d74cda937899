// Who can be offered on a case card: the PALS team's members (the team of the alerts channel) and everyone
// PALS Desk has met, once each. The team is a convenience: when it can't be read, the people met remain.
import type { StaffMember } from "../domain";
import { activityLog, errorFacts } from "../logger";
import type { CaseDeskDeps } from "./deps";

async function teamMembers(deps: CaseDeskDeps, trustId: string): Promise<readonly StaffMember[]> {
  if (!deps.team) return [];
  try {
    return await deps.team.members(trustId);
  } catch (error) {
    // The roster logs why once; nobody is held up for it.
    activityLog(deps.log).debug({ err: errorFacts(error) }, "The Assign list offers only the people PALS Desk has met");
    return [];
  }
}

/** People PALS Desk has met and the PALS team's members, deduplicated by Entra ID object id, by name. */
export async function staffOf(deps: CaseDeskDeps, trustId: string, met?: readonly StaffMember[]): Promise<StaffMember[]> {
  const [known, team] = await Promise.all([met ? Promise.resolve(met) : deps.people.list(trustId), teamMembers(deps, trustId)]);
  const byId = new Map<string, StaffMember>();
  for (const person of [...known, ...team]) {
    const id = person.aadObjectId.toLowerCase();
    if (!byId.has(id)) byId.set(id, person);
  }
  return [...byId.values()].sort((a, b) => a.name.localeCompare(b.name, "en-GB"));
}

/** Someone PALS Desk has met, or else a member of the PALS team. */
export async function findStaffMember(deps: CaseDeskDeps, trustId: string, aadObjectId: string): Promise<StaffMember | undefined> {
  const met = await deps.people.get(trustId, aadObjectId);
  if (met) return met;
  const id = aadObjectId.toLowerCase();
  return (await teamMembers(deps, trustId)).find((member) => member.aadObjectId.toLowerCase() === id);
}
