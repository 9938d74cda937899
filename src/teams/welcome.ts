import { ActivityTypes, MessageFactory, type TurnContext } from "botbuilder";
import type { Application } from "@microsoft/teams-ai";
import { cardAttachment } from "./cards";
import { noticeCard } from "./caseView";
import { answerWithCard } from "./invoke";
import { COMMANDS, normaliseCommandText } from "./commands";
import type { BotDeps } from "./deps";
import { identify } from "./identity";
import { turnLog } from "./turnLog";

function isChannelOrGroup(context: TurnContext): boolean {
  return context.activity.conversation?.conversationType !== "personal";
}

export async function sendWelcome(context: TurnContext): Promise<void> {
  const card = cardAttachment("welcome", { commands: COMMANDS, inChannel: isChannelOrGroup(context) });
  await context.sendActivity(MessageFactory.attachment(card));
}

/** Install greeting, `help`, and a gentle pointer for anything not understood (registered last). */
export function registerWelcome(app: Application, deps: BotDeps): void {
  // Uninstalled or removed: forget the addresses so nothing is sent there any more.
  app.activity("installationUpdate", async (context) => {
    const identified = identify(context, deps.config);
    const action = (context.activity as { action?: string }).action;
    if (!identified.ok || (action !== "remove" && action !== "remove-upgrade")) return;
    const teamId = (context.activity.channelData as { team?: { id?: string } } | undefined)?.team?.id;
    if (teamId) await deps.channels.forgetTeam(identified.caller.tenantId, teamId);
    else await deps.people.forgetPersonalConversation(identified.caller.tenantId, identified.caller.actor.aadObjectId);
    turnLog(context, deps.log).info({ scope: teamId ? "team" : "personal" }, "PALS Desk uninstalled; stored conversation removed");
  });
  app.conversationUpdate("membersRemoved", async (context) => {
    const identified = identify(context, deps.config);
    const botRemoved = (context.activity.membersRemoved ?? []).some((member) => member.id === context.activity.recipient?.id);
    const teamId = (context.activity.channelData as { team?: { id?: string } } | undefined)?.team?.id;
    if (identified.ok && botRemoved && teamId) await deps.channels.forgetTeam(identified.caller.tenantId, teamId);
  });

  app.conversationUpdate("membersAdded", async (context) => {
    const botId = context.activity.recipient?.id;
    const botWasAdded = (context.activity.membersAdded ?? []).some((member) => member.id === botId);
    if (botWasAdded) {
      turnLog(context, deps.log).info("PALS Desk installed in a conversation; sending the welcome card");
      const identified = identify(context, deps.config);
      const team = (context.activity.channelData as { team?: { id?: string; name?: string } } | undefined)?.team;
      if (identified.ok && team?.id) {
        await deps.channels.rememberTeam(identified.caller.tenantId, team.id, {
          conversationId: team.id, // a team's General channel has the team's id
          serviceUrl: context.activity.serviceUrl,
          channelId: context.activity.channelId,
          botId: context.activity.recipient?.id,
          conversationType: "channel",
          name: team.name,
        });
      }
      await sendWelcome(context);
    }
  });

  app.message(
    async (context) => /^help$/i.test(normaliseCommandText(context.activity.text)),
    async (context) => sendWelcome(context),
  );
}

export function registerUnknownText(app: Application): void {
  // A card button whose verb no feature knows: an old card, or a forged one.
  app.adaptiveCards.actionExecute(/.*/, async (context) => {
    await answerWithCard(context, noticeCard("This card is out of date", "That button no longer does anything. Type **help** to see what PALS Desk can do.", "attention"));
    return "";
  });
  app.activity(ActivityTypes.Message, async (context) => {
    if (context.activity.value !== undefined && !context.activity.text) {
      // An old-style card submit (Action.Submit) this bot does not use: tell the person what to do.
      await context.sendActivity("That card is out of date. Type **help** to see what PALS Desk can do.");
      return;
    }
    await context.sendActivity("Sorry, I didn't understand that. Type **help** to see what I can do.");
  });
}
