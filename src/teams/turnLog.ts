import type { TurnContext } from "botbuilder";
import type { Logger } from "../logger";

const TURN_LOG = Symbol("palsDeskTurnLog");

/** Every activity gets a child logger carrying its request id; handlers log through it. */
export function setTurnLog(context: TurnContext, log: Logger): void {
  context.turnState.set(TURN_LOG, log);
}

export function turnLog(context: TurnContext, fallback: Logger): Logger {
  return (context.turnState.get(TURN_LOG) as Logger | undefined) ?? fallback;
}
