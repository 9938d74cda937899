// A Teams team's members, read through the bot (the Bot Connector's paged members API: no Microsoft Graph
// permission, so it works in NHSmail's shared tenant) and cached, so a turn costs Teams nothing most of the time.
import type { StaffMember, TeamAddress } from "../../domain";
import { activityLog, errorFacts, type Logger } from "../../logger";
import type { TeamMembersReader } from "../sdk/roster";

/** Someone added to or removed from a team gains or loses what the team gives within this time. */
export const TEAM_MEMBERS_MS = 15 * 60_000;
/** After a team could not be read, it is not tried again for this long. */
export const TEAM_MEMBERS_RETRY_MS = 60_000;
/** A card action has 5 seconds in all: a team's members are not worth more than this of it. */
export const TEAM_MEMBERS_DEADLINE_MS = 2_500;

export class TeamUnreadableError extends Error {
  constructor() {
    super("A Teams team's members could not be read");
    this.name = "TeamUnreadableError";
  }
}

type Entry = { readonly at: number; readonly members: readonly StaffMember[] } | { readonly at: number; readonly failed: true };

/** Members per (tenant, team); one read at a time per team; a failure is remembered for TEAM_MEMBERS_RETRY_MS. */
export class TeamMembersCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<readonly StaffMember[]>>();

  constructor(
    private readonly read: TeamMembersReader,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The team's members (once each, by Entra ID object id); throws TeamUnreadableError when Teams did not answer. */
  async members(tenantId: string, team: TeamAddress): Promise<readonly StaffMember[]> {
    const key = `${tenantId}/${team.teamId}`;
    const now = this.now().getTime();
    const entry = this.entries.get(key);
    if (entry && now >= entry.at && now - entry.at < ("failed" in entry ? TEAM_MEMBERS_RETRY_MS : TEAM_MEMBERS_MS)) {
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
        activityLog(this.log).warn({ err: errorFacts(error), teamId: team.teamId }, "Could not read a Teams team's members");
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

  private async readWithin(tenantId: string, team: TeamAddress): Promise<readonly StaffMember[]> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error("no answer in time"), { name: "TimeoutError" })), TEAM_MEMBERS_DEADLINE_MS);
    });
    const work = this.read(tenantId, team);
    work.catch(() => undefined); // it may fail after the deadline: nobody is waiting any more
    try {
      const members = await Promise.race([work, deadline]);
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
