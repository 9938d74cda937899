import { ActivityTypes, type TurnContext } from "botbuilder";
import { londonDate } from "../domain";
import { noticeCard } from "./caseView";
import type { BotDeps } from "./deps";
import { identify, type Caller } from "./identity";
import { answerWithCard } from "./invoke";
import { turnLog } from "./turnLog";

/** The person acting; when they cannot be identified or their trust is not served, tells them why and returns undefined. */
export async function callerOrRefuse(context: TurnContext, deps: BotDeps): Promise<Caller | undefined> {
  const identified = identify(context, deps.config);
  if (identified.ok) return identified.caller;
  turnLog(context, deps.log).warn({ activityType: context.activity.type }, "Refused an activity from an unidentified user or tenant");
  await tell(context, "PALS Desk can't help with that", identified.refusal);
  return undefined;
}

/** A message for the person: a notice card as the invoke answer, or a chat message. */
export async function tell(context: TurnContext, title: string, text: string): Promise<void> {
  if (context.activity.type === ActivityTypes.Invoke) {
    await answerWithCard(context, noticeCard(title, text, "attention"));
  } else {
    await context.sendActivity(`**${title}.** ${text}`);
  }
}

export function todayFor(deps: BotDeps): string {
  return londonDate(deps.now());
}
