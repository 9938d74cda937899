// The PALS team's members for the Assign list: the team where the alerts channel is, read from Teams and
// cached per trust, so a case card costs Teams nothing most of the time.
import type { ChannelDirectory, StaffMember, TeamAddress, TeamRoster } from "../domain";
import { activityLog, errorFacts, type Logger } from "../logger";
import type { TeamMembersReader } from "./sdk/roster";

/** Someone added to the team appears in the Assign list within this time. */
export const TEAM_ROSTER_MS = 15 * 60_000;
/** After the team could not be read, it is not tried again for this long (the list falls back at once meanwhile). */
export const TEAM_ROSTER_RETRY_MS = 60_000;
/** Which team the alerts channel is in is read again after this (one Cosmos DB read a minute, not one a card). */
export const ALERTS_TEAM_MS = 60_000;
/** A card action has 5 seconds in all: the team's members are not worth more than this of it. */
export const TEAM_ROSTER_DEADLINE_MS = 2_500;

export class TeamUnreadableError extends Error {
  constructor() {
    super("The PALS team's members could not be read from Teams");
    this.name = "TeamUnreadableError";
  }
}

type Entry = { readonly at: number; readonly members: readonly StaffMember[] } | { readonly at: number; readonly failed: true };

export class CachedTeamRoster implements TeamRoster {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<readonly StaffMember[]>>();
  private readonly teams = new Map<string, { readonly at: number; readonly team: TeamAddress | undefined }>();

  constructor(
    private readonly channels: Pick<ChannelDirectory, "alertsTeam">,
    private readonly read: TeamMembersReader,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async members(tenantId: string): Promise<readonly StaffMember[]> {
    const team = await this.alertsTeam(tenantId);
    if (!team) return [];
    // Per trust and team: choosing an alerts channel in another team reads that team at once.
    const key = `${tenantId}/${team.teamId}`;
    const now = this.now().getTime();
    const entry = this.entries.get(key);
    if (entry && now >= entry.at && now - entry.at < ("failed" in entry ? TEAM_ROSTER_RETRY_MS : TEAM_ROSTER_MS)) {
      if ("failed" in entry) throw new TeamUnreadableError();
      return entry.members;
    }
    const running = this.inFlight.get(key);
    if (running) return running;
    const reading = this.readWithin(tenantId, team).then(
      (members) => {
        this.entries.set(key, { at: this.now().getTime(), members });
        return members;
      },
      (error: unknown) => {
        this.entries.set(key, { at: this.now().getTime(), failed: true });
        activityLog(this.log).warn({ err: errorFacts(error), teamId: team.teamId }, "Could not read the PALS team's members from Teams: the Assign list offers the people PALS Desk has met");
        throw new TeamUnreadableError();
      },
    );
    this.inFlight.set(key, reading);
    try {
      return await reading;
    } finally {
      this.inFlight.delete(key);
    }
  }

  private async alertsTeam(tenantId: string): Promise<TeamAddress | undefined> {
    const now = this.now().getTime();
    const known = this.teams.get(tenantId);
    if (known && now >= known.at && now - known.at < ALERTS_TEAM_MS) return known.team;
    const team = await this.channels.alertsTeam(tenantId);
    this.teams.set(tenantId, { at: now, team });
    return team;
  }

  private async readWithin(tenantId: string, team: TeamAddress): Promise<readonly StaffMember[]> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error("no answer in time"), { name: "TimeoutError" })), TEAM_ROSTER_DEADLINE_MS);
    });
    const work = this.read(tenantId, team);
    work.catch(() => undefined); // it may fail after the deadline: nobody is waiting any more
    try {
      const members = await Promise.race([work, deadline]);
      // Once each, by Entra ID object id.
      const seen = new Set<string>();
      return members.filter((member) => {
        const id = member.aadObjectId.toLowerCase();
        if (seen.has(id)) return false;
        seen.add(id);
        return true;
      });
    } finally {
      clearTimeout(timer);
    }
  }
}
