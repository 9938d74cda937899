import { may, workingDaysText, type Role, type Rules } from "../domain";
import { expandCard } from "./cards";
import { noticeCard } from "./cases/caseView";
import { commandsFor } from "./commands";
import type { TeamsDeps } from "./deps";
import type { BotRoutes, Turn } from "./sdk/turn";

const ROLE_NAMES: Readonly<Record<Role, string>> = {
  officer: "a PALS officer",
  volunteer: "a PALS volunteer",
  manager: "a PALS manager",
  admin: "a PALS Desk administrator",
  lead: "a clinical lead",
};

export const NO_ROLE_YET =
  "You don't have a PALS Desk role yet, so you can't log or see cases. Ask your PALS manager to give you access, then type help again.";

/** What a clinical lead does, which is on cards sent to them rather than typed; the reminder follows the trust's rules. */
const leadNote = (rules: Readonly<Rules>) => ({
  title: "Investigation requests",
  text:
    "When the PALS team asks for your input on a case, the request comes to you as a card: in a thread in your division's " +
    "channel, @mentioning you, or else in your personal chat with PALS Desk. Answer on the card, or ask for more time there; " +
    `PALS Desk reminds you ${workingDaysText(rules.investigations.reminderWorkingDays)} before it is due, and on the day. Reply in the request's thread, @mentioning ` +
    "PALS Desk, to add a note to the case timeline.",
});

/** A command's help line; `due` names the trust's nudge window (the app manifest keeps England's words). */
function described(command: string, description: string, rules: Readonly<Rules>): string {
  return command === "due" ? `Your cases that are overdue or due in the next ${workingDaysText(rules.nudgeWindowWorkingDays)}.` : description;
}

const VOLUNTEER_NOTE = {
  title: "As a volunteer",
  text: "You can log contacts and work on cases, but not close complaints, assign cases or see safeguarding details: a PALS officer or manager can.",
};

function listed(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

export interface WelcomeFor {
  /** The person's roles; undefined when they could not be identified (then `access` says why). */
  readonly roles?: ReadonlySet<Role>;
  /** Why they can't be served yet (identity.ts's words), when roles is undefined. */
  readonly access?: string;
  readonly inChannel: boolean;
  /** Posted for everyone in a team or group chat (an install): no one person's commands. */
  readonly shared?: boolean;
  /** The trust's rules, for the timescales help states. */
  readonly rules: Readonly<Rules>;
}

/**
 * The welcome and help card for one person: the commands their roles allow (a union over several roles,
 * from commands.ts, which asks the domain's access rules), what their role does on cards, and for someone
 * with no role, how to get access.
 */
export function welcomeCard(options: WelcomeFor): Record<string, unknown> {
  const { roles = new Set<Role>(), inChannel, rules } = options;
  const data: Record<string, unknown> = { inChannel };
  if (options.shared) {
    data.roleLine = "Each person sees the commands their PALS Desk role allows: @mention PALS Desk and type help.";
    data.commands = [];
    data.notes = [];
    data.canLog = false;
    return expandCard("welcome", data);
  }
  const known = options.roles !== undefined;
  data.commands = commandsFor(known ? roles : new Set()).map(({ command, description }) => ({ command, description: described(command, description, rules) }));
  data.canLog = known && may(roles, "log-contact");
  const names = (Object.keys(ROLE_NAMES) as Role[]).filter((r) => roles.has(r)).map((r) => ROLE_NAMES[r]);
  if (!known) data.access = options.access ?? NO_ROLE_YET;
  else if (names.length === 0) data.access = NO_ROLE_YET;
  else data.roleLine = `You're set up as ${listed(names)}.`;
  const notes = [];
  if (roles.has("lead")) notes.push(leadNote(rules));
  // Only for volunteers without a fuller role: an officer who also volunteers may do all of it.
  if (roles.has("volunteer") && !may(roles, "assign")) notes.push(VOLUNTEER_NOTE);
  data.notes = notes;
  return expandCard("welcome", data);
}

export async function sendWelcome(turn: Turn, options: { shared?: boolean; rules: Readonly<Rules> }): Promise<void> {
  const inChannel = turn.incoming.conversationType !== "personal";
  const { identified } = turn;
  const { shared, rules } = options;
  await turn.sendCard(
    welcomeCard(identified.ok ? { roles: identified.caller.roles, inChannel, shared, rules } : { access: identified.refusal, inChannel, shared, rules }),
  );
}

/** Install greeting, `help`, and uninstalls (forget the addresses so nothing is sent there any more). */
export function registerWelcome(routes: BotRoutes, deps: TeamsDeps): void {
  routes.uninstalled(async (turn) => {
    if (!turn.identified.ok) return;
    await deps.desk.directory.uninstalled(turn.identified.caller, turn.incoming.channel.teamId);
  });
  routes.installed(async (turn) => {
    turn.log.info("PALS Desk installed in a conversation; sending the welcome card");
    const { teamId, teamName } = turn.incoming.channel;
    if (turn.identified.ok && teamId) {
      await deps.desk.directory.teamInstalled(turn.identified.caller.trustId, teamId, {
        conversationId: teamId, // a team's General channel has the team's id
        serviceUrl: turn.incoming.serviceUrl,
        channelId: turn.incoming.channelId,
        botId: turn.incoming.botId,
        conversationType: "channel",
        name: teamName,
      });
    }
    // A team or group chat's welcome is read by everyone in it, whatever the installer's roles.
    await sendWelcome(turn, { shared: turn.incoming.conversationType !== "personal", rules: deps.config.rules });
  });
  routes.command(/^help$/i, async (turn) => sendWelcome(turn, { rules: deps.config.rules }));
}

/** A card button whose verb no feature knows: an old card, or a forged one. */
export async function unknownVerb(turn: Turn): Promise<void> {
  await turn.answerCard(
    noticeCard("This card is out of date", "That button no longer does anything. Type **help** to see what PALS Desk can do.", "attention"),
  );
}

/** Anything no command or handler took. */
export async function notUnderstood(turn: Turn): Promise<void> {
  if (turn.incoming.value !== undefined && !turn.incoming.text) {
    // An old-style card submit (Action.Submit) this bot does not use: tell the person what to do.
    await turn.send("That card is out of date. Type **help** to see what PALS Desk can do.");
    return;
  }
  await turn.send("Sorry, I didn't understand that. Type **help** to see what I can do.");
}
