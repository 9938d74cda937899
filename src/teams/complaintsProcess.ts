import type { Application } from "@microsoft/teams-ai";
import { CardFactory, MessageFactory } from "botbuilder";
import { callerOrRefuse } from "./caller";
import { normaliseCommandText } from "./commands";
import type { BotDeps } from "./deps";
import { complaintsProcessCard } from "./signpostingView";
import { turnLog } from "./turnLog";

const COMMAND = /^(?:(?:the\s+)?complaints?\s+(?:process|procedure|policy)|how\s+(?:do\s+i\s+|to\s+|can\s+i\s+)?(?:make\s+a\s+complaint|complain))$/i;

/** `complaints process`: a plain-English card on how NHS complaints work, for an officer to share. */
export function registerComplaintsProcess(app: Application, deps: BotDeps): void {
  app.message(
    async (context) => COMMAND.test(normaliseCommandText(context.activity.text)),
    async (context) => {
      if (!(await callerOrRefuse(context, deps))) return;
      turnLog(context, deps.log).info("Complaints process card sent");
      await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(complaintsProcessCard(deps.signposting))));
    },
  );
}
