// A team's members from Teams (the Bot Connector's paged members API), for the Assign list.
import type { TeamsAdapter } from "@microsoft/teams-ai";
import { TeamsInfo } from "botbuilder";
import { z } from "zod";
import type { StaffMember, TeamAddress } from "../../domain";
import { referenceFor } from "./proactive";

/** Teams serves 50 to 500 members a page. */
const PAGE_SIZE = 500;
/** 10,000 members: far beyond a PALS team; a larger "team" is not the one meant. */
const MAX_PAGES = 20;

/** A member as Teams lists it; bots and entries without an Entra ID object id are left out. */
const Member = z.object({
  id: z.string().min(1).max(200),
  name: z.string().max(200).optional(),
  aadObjectId: z.string().trim().min(1).max(100),
  userRole: z.string().max(50).optional(),
});

/** Guests from other organisations (and anonymous members) are in a team, but are not its staff: no role, not assignable. */
const NOT_STAFF = new Set(["guest", "anonymous"]);

export type TeamMembersReader = (tenantId: string, team: TeamAddress) => Promise<StaffMember[]>;

/** Reads every page of a team's members through a channel of the team the bot can reach (continuation tokens). */
export function teamMembersReader(adapter: TeamsAdapter, botAppId: string): TeamMembersReader {
  return async (tenantId, team) => {
    const members: StaffMember[] = [];
    await adapter.continueConversationAsync(botAppId, referenceFor(team.channel, tenantId), async (context) => {
      let continuationToken: string | undefined;
      for (let page = 0; page < MAX_PAGES; page += 1) {
        const result = await TeamsInfo.getPagedTeamMembers(context, team.teamId, PAGE_SIZE, continuationToken);
        for (const account of result?.members ?? []) {
          const member = Member.safeParse(account);
          if (member.success && !NOT_STAFF.has((member.data.userRole ?? "").toLowerCase()))
            members.push({ aadObjectId: member.data.aadObjectId, name: member.data.name ?? "", teamsUserId: member.data.id });
        }
        continuationToken = result?.continuationToken || undefined;
        if (!continuationToken) break;
      }
    });
    return members;
  };
}
