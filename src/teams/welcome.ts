import { expandCard } from "./cards";
import { noticeCard } from "./caseView";
import { COMMANDS } from "./commands";
import type { TeamsDeps } from "./deps";
import type { BotRoutes, Turn } from "./sdk/turn";

export async function sendWelcome(turn: Turn): Promise<void> {
  await turn.sendCard(expandCard("welcome", { commands: COMMANDS, inChannel: turn.incoming.conversationType !== "personal" }));
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
      await deps.desk.directory.teamInstalled(turn.identified.caller.tenantId, teamId, {
        conversationId: teamId, // a team's General channel has the team's id
        serviceUrl: turn.incoming.serviceUrl,
        channelId: turn.incoming.channelId,
        botId: turn.incoming.botId,
        conversationType: "channel",
        name: teamName,
      });
    }
    await sendWelcome(turn);
  });
  routes.command(/^help$/i, async (turn) => sendWelcome(turn));
}

/** A card button whose verb no feature knows: an old card, or a forged one. */
export async function unknownVerb(turn: Turn): Promise<void> {
  await turn.answerCard(noticeCard("This card is out of date", "That button no longer does anything. Type **help** to see what PALS Desk can do.", "attention"));
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
