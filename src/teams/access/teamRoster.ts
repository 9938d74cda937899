// The PALS team's members for the Assign list: the team where the alerts channel is, read from Teams and
// cached per trust, so a case card costs Teams nothing most of the time.
import type { ChannelDirectory, StaffMember, TeamAddress, TeamRoster, TrustTenants } from "../../domain";
import type { Logger } from "../../logger";
import { TEAM_MEMBERS_MS, TEAM_MEMBERS_RETRY_MS, TeamMembersCache, TeamUnreadableError } from "./teamMembers";

/** Someone added to the team appears in the Assign list within this time. */
export const TEAM_ROSTER_MS = TEAM_MEMBERS_MS;
/** After the team could not be read, it is not tried again for this long (the list falls back at once meanwhile). */
export const TEAM_ROSTER_RETRY_MS = TEAM_MEMBERS_RETRY_MS;
/** Which team the alerts channel is in is read again after this (one Cosmos DB read a minute, not one a card). */
export const ALERTS_TEAM_MS = 60_000;
export { TeamUnreadableError };

export class CachedTeamRoster implements TeamRoster {
  private readonly teams = new Map<string, { readonly at: number; readonly team: TeamAddress | undefined }>();

  constructor(
    private readonly channels: Pick<ChannelDirectory, "alertsTeam">,
    private readonly cache: TeamMembersCache,
    private readonly tenants: TrustTenants,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async members(trustId: string): Promise<readonly StaffMember[]> {
    const team = await this.alertsTeam(trustId);
    if (!team) return [];
    try {
      return await this.cache.members(this.tenants.tenantOf(trustId), team);
    } catch (error) {
      if (error instanceof TeamUnreadableError)
        this.log.debug({ teamId: team.teamId }, "The Assign list offers the people PALS Desk has met: the PALS team could not be read");
      throw error;
    }
  }

  private async alertsTeam(trustId: string): Promise<TeamAddress | undefined> {
    const now = this.now().getTime();
    const known = this.teams.get(trustId);
    if (known && now >= known.at && now - known.at < ALERTS_TEAM_MS) return known.team;
    const team = await this.channels.alertsTeam(trustId);
    this.teams.set(trustId, { at: now, team });
    return team;
  }
}
