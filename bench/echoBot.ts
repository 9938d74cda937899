import { Application, TeamsAdapter } from "@microsoft/teams-ai";
import { ActivityTypes } from "botbuilder";
import restify from "restify";

/**
 * The baseline for the load benchmark: a bare teams-ai bot on the same TeamsAdapter and restify, with
 * no store. It echoes messages and answers every card action with a one-line card.
 */
const adapter = new TeamsAdapter({} as never);
const app = new Application({ adapter, botAppId: "", startTypingTimer: false, longRunningMessages: false });
app.activity(ActivityTypes.Message, async (context) => {
  await context.sendActivity(`You said: ${context.activity.text ?? ""}`);
});
app.adaptiveCards.actionExecute(/.*/, async () => ({ type: "AdaptiveCard", version: "1.5", body: [{ type: "TextBlock", text: "Done" }] }));

const server = restify.createServer();
server.use(restify.plugins.bodyParser());
server.post("/api/messages", async (req, res) => {
  await adapter.process(req, res, (context) => app.run(context).then(() => undefined));
});
server.listen(Number(process.env.PORT ?? 3979), "127.0.0.1", () => {
  process.stdout.write("Echo bot is listening\n");
});
