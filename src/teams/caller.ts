import { createHash } from "node:crypto";
import { z } from "zod";
import { trustSitesOf } from "../config";
import { londonDate, type Caller, type OrganisationSite } from "../domain";
import type { Refused } from "../cases";
import { noticeCard } from "./cases/caseView";
import type { TeamsDeps } from "./deps";
import type { Turn } from "./sdk/turn";
import { fromApp, markdownOf, ours, plainText, runsOf, type Message } from "./text";

/** Added to a refusal when the person's group roles could not be read: they may have been refused for that. */
export const SOME_ROLES_UNCHECKED =
  "PALS Desk couldn't check your team membership just now, so only the roles given to you directly apply. Try again in a few minutes; if it keeps happening, tell your IT team.";

/** The person acting; when they cannot be identified or their trust is not served, tells them why and returns undefined. */
export async function callerOrRefuse(turn: Turn): Promise<Caller | undefined> {
  if (turn.identified.ok) return turn.identified.caller;
  turn.log.warn({ activityType: turn.incoming.type }, "Refused an activity from an unidentified user or tenant");
  await tell(turn, "PALS Desk can't help with that", turn.identified.refusal);
  return undefined;
}

/**
 * Whether someone may use what PALS Desk offers everyone in a served tenant (signposting, the complaints-process
 * explainer): the trust's people, and people of a shared tenant who belong to no trust. Tells the others why not.
 */
export async function visitorOrRefuse(turn: Turn): Promise<boolean> {
  if (turn.identified.ok || turn.identified.reason === "no-trust") return true;
  return (await callerOrRefuse(turn)) !== undefined;
}

/**
 * A message for the person: a notice card as the answer to a card button, or a chat message. `text` is our
 * words, or runs (text.ts) when it holds a name, something typed or the application layer's reason.
 */
export async function tell(turn: Turn, title: string, text: Message): Promise<void> {
  // A refusal for want of a role while some of the person's roles could not be checked: say that may be why.
  if (title === "Not available" && turn.identified.ok && turn.identified.rolesUnchecked) text = [...runsOf(text), ...ours(` ${SOME_ROLES_UNCHECKED}`)];
  // A message extension search is answered with a line of plain text; Teams would not show a card there.
  if (turn.incoming.invokeName === "composeExtension/query") await turn.answerSearch({ kind: "message", text: `${title}. ${plainText(text)}` });
  // A message action's dialog shows a line of plain text.
  else if (turn.incoming.invokeName === "composeExtension/fetchTask" || turn.incoming.invokeName === "composeExtension/submitAction")
    await turn.answerTask({ kind: "message", text: `${title}. ${plainText(text)}` });
  else if (turn.incoming.type === "invoke") await turn.answerCard(noticeCard(title, text, "attention"));
  else await say(turn, [...ours(`**${title}.** `), ...runsOf(text)]);
}

/** A chat message: Teams markdown for our words, plain text when a typed part could be read as markup. */
export async function say(turn: Turn, message: Message): Promise<void> {
  const markdown = markdownOf(message);
  if (markdown !== undefined) await turn.send(markdown);
  else await turn.sendPlainText(plainText(message));
}

/** Tells the person why something was not done, with the usual title for the reason (`notFound` names what is missing). */
export async function tellRefused(turn: Turn, result: Refused, notFound = "Case not found"): Promise<void> {
  const title = { "not-found": notFound, "not-allowed": "Not available", rule: "Not done", changed: "Not done" }[result.problem];
  // The reason may name a person or repeat what was typed.
  await tell(turn, title, fromApp(result.message));
}

export function todayFor(deps: Pick<TeamsDeps, "now">): string {
  return londonDate(deps.now());
}

/** Whether the activity came from a personal chat (files and letters only go there). */
export function inPersonalChat(turn: Turn): boolean {
  return turn.incoming.conversationType === "personal";
}

const SubmissionOf = z.object({ submission: z.string().uuid() });

/**
 * Identifies one press of a card button: the same person, the same button, the same drawing of the card
 * (each drawing has its own id, cards.ts newSubmission). A retry after a failure sends the same key, so the
 * application layer does not apply it twice; a card without the id (an old one) is not deduplicated.
 */
export function submissionKey(turn: Turn, verb: string, data: unknown): string | undefined {
  const drawing = SubmissionOf.safeParse(data);
  if (!drawing.success) return undefined;
  const caller = turn.identified.ok ? turn.identified.caller.actor.aadObjectId : "";
  return createHash("sha256")
    .update(JSON.stringify([verb, caller, drawing.data.submission]))
    .digest("base64url")
    .slice(0, 22);
}

/** The case card's viewer: what their roles let them see, and whose view refreshes. */
export function viewerOf(caller: Caller): { roles: Caller["roles"]; aadObjectId: string; teamsUserId: string } {
  return { roles: caller.roles, aadObjectId: caller.actor.aadObjectId, teamsUserId: caller.teamsUserId };
}

/** What every card needs to know besides the case: today, the signposting directory's names and the trust's rules. */
export function cardContext(deps: Pick<TeamsDeps, "now" | "signposting" | "config">): {
  today: string;
  organisations: TeamsDeps["signposting"]["choices"];
  rules: TeamsDeps["config"]["rules"];
  flagTestNhsNumbers: boolean;
  emailFor: (trustId: string) => boolean;
  sitesFor: (trustId: string) => readonly OrganisationSite[];
  retention: TeamsDeps["config"]["retention"];
} {
  // With bot credentials PALS Desk holds real patients' cases, where a test NHS number is a slip to point out.
  return {
    today: todayFor(deps),
    organisations: deps.signposting.choices,
    rules: deps.config.rules,
    flagTestNhsNumbers: deps.config.bot !== undefined,
    // Emails go from the trust's shared mailbox: without one, the card doesn't offer them.
    emailFor: (trustId) => deps.config.mailbox?.mailboxes.some((m) => m.trustId === trustId) === true,
    // The trust's sites name a case's site (KO41a).
    sitesFor: (trustId) => trustSitesOf(deps.config, trustId),
    // The records retention settings: when a closed file is due for review.
    retention: deps.config.retention,
  };
}
