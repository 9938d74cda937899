import { ActivityTypes, type TurnContext } from "botbuilder";

/**
 * Answers an Action.Execute invoke ourselves. teams-ai would otherwise copy any card that has a
 * `refresh` into the shared message for everyone, which leaks a user-specific view and loops refreshes.
 */
export async function answerWithCard(context: TurnContext, card: object): Promise<void> {
  await context.sendActivity({
    type: ActivityTypes.InvokeResponse,
    value: { status: 200, body: { statusCode: 200, type: "application/vnd.microsoft.card.adaptive", value: card } },
  });
}

/** What the person typed into these inputs of a card (strings only, at most 4,000 characters each), so a refused action can show it again rather than lose it. */
export function typedInputs(data: unknown, inputIds: readonly string[]): Record<string, string> {
  const typed: Record<string, string> = {};
  if (data && typeof data === "object") {
    for (const id of inputIds) {
      const value = (data as Record<string, unknown>)[id];
      if (typeof value === "string") typed[id] = value.slice(0, 4000);
    }
  }
  return typed;
}

/** A short message Teams shows next to the card, leaving the card as it is. */
export async function answerWithMessage(context: TurnContext, text: string): Promise<void> {
  await context.sendActivity({
    type: ActivityTypes.InvokeResponse,
    value: { status: 200, body: { statusCode: 200, type: "application/vnd.microsoft.activity.message", value: text } },
  });
}
