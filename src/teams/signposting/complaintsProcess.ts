import { visitorOrRefuse } from "../caller";
import type { TeamsDeps } from "../deps";
import type { BotRoutes } from "../sdk/turn";
import { complaintsProcessCard } from "./signpostingView";

const COMMAND = /^(?:(?:the\s+)?complaints?\s+(?:process|procedure|policy)|how\s+(?:do\s+i\s+|to\s+|can\s+i\s+)?(?:make\s+a\s+complaint|complain))$/i;

/** `complaints process`: a plain-English card on how NHS complaints work, for an officer to share. */
export function registerComplaintsProcess(routes: BotRoutes, deps: TeamsDeps): void {
  routes.command(COMMAND, async (turn) => {
    if (!(await visitorOrRefuse(turn))) return;
    turn.log.info("Complaints process card sent");
    await turn.sendCard(complaintsProcessCard(deps.signposting, deps.config.rules));
  });
}
