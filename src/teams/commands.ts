// The commands people can type: shown on the welcome card (each person sees those their roles allow) and, the
// everyday ones, in the app manifest's command menu (src/tools/packageApp.ts).
import { may, mayManageAlerts, mayReport, type CaseVerb, type Role } from "../domain";

/**
 * Who may run a command, in the domain's terms (src/domain/access/access.ts): the same check the command's handler
 * or the application layer makes, so help cannot offer what would be refused.
 */
export type Audience =
  /** Anyone identified in the trust, with or without a role (public information and help). */
  | { readonly kind: "anyone" }
  | { readonly kind: "verb"; readonly verb: CaseVerb }
  /** mayReport: managers and admins. */
  | { readonly kind: "reports" }
  /** mayManageAlerts: managers and admins. */
  | { readonly kind: "alerts" };

export interface CommandHelp {
  readonly command: string;
  readonly description: string;
  readonly who: Audience;
  /** Only works in a channel (its description says so). */
  readonly channelOnly?: boolean;
  /**
   * In Teams' command menu. The menu is one static list per scope for everyone (at most 10), so it holds the
   * commands most people use, officers' first; the welcome card lists the rest for those who may use them.
   */
  readonly inMenu?: boolean;
}

const ANYONE: Audience = { kind: "anyone" };
const verb = (v: CaseVerb): Audience => ({ kind: "verb", verb: v });

/** In the order people need them: officers' everyday commands first. */
export const COMMANDS: readonly CommandHelp[] = [
  { command: "new", description: "Log a contact: enquiry, concern, complaint or compliment.", who: verb("log-contact"), inMenu: true },
  { command: "my cases", description: "Your open cases, next deadline first.", who: verb("list-my-cases"), inMenu: true },
  { command: "due", description: "Your cases that are overdue or due in the next 2 working days.", who: verb("list-my-cases"), inMenu: true },
  { command: "case PALS-2026-000123", description: "Show one case by its reference.", who: verb("view-case"), inMenu: true },
  { command: "find <words or NHS number>", description: "Search your team's cases.", who: verb("search-cases"), inMenu: true },
  {
    command: "signpost <need>",
    description: "Where to point someone for independent help, e.g. signpost help writing a complaint.",
    who: ANYONE,
    inMenu: true,
  },
  { command: "complaints process", description: "A plain-English card on how NHS complaints work, to share.", who: ANYONE, inMenu: true },
  {
    command: "set division channel <division>",
    description: "(In a division's channel) Send that division's investigation requests here.",
    who: verb("request-investigation"),
    channelOnly: true,
    inMenu: true,
  },
  { command: "inbox", description: "Emails to the PALS inbox still to deal with, oldest first.", who: verb("see-inbox") },
  { command: "actions", description: "Your open actions from cases, soonest due first, overdue marked.", who: ANYONE },
  { command: "actions all", description: "Every open action from cases, by division, overdue first, with counts.", who: { kind: "reports" } },
  {
    command: "report",
    description: "Last month's figures, with charts: open cases, deadlines met, divisions, themes, outcomes, workload.",
    who: { kind: "reports" },
  },
  { command: "report ko41a <year>", description: "The KO41a return for a financial year (April to March), with the CSV file.", who: { kind: "reports" } },
  {
    command: "export cases <from> <to>",
    description: "Cases received in those dates as a CSV file; add 'with patient details' to include them.",
    who: { kind: "reports" },
  },
  { command: "export case <reference>", description: "The whole case file as one document, for the Ombudsman.", who: { kind: "reports" } },
  { command: "subject access <NHS number>", description: "Everything PALS Desk holds about one patient, as a JSON file.", who: { kind: "reports" } },
  {
    command: "you said we did <period> <division>",
    description: "Themes raised and the actions completed for them, in words you can publish, with a CSV; e.g. you said we did this quarter Surgery.",
    who: { kind: "reports" },
  },
  {
    command: "retention review",
    description: "Closed files due for records retention review: keep each for more years, or destroy it.",
    who: verb("review-retention"),
  },
  { command: "set alerts channel", description: "(In a channel) Send manager alerts to this channel.", who: { kind: "alerts" }, channelOnly: true },
  {
    command: "set inbox channel",
    description: "(In the PALS team's private channel) Post a card here for each new email to the PALS inbox.",
    who: { kind: "alerts" },
    channelOnly: true,
  },
  {
    command: "set safety channel",
    description: "(In a channel) Also post possible patient safety incidents in this channel.",
    who: { kind: "alerts" },
    channelOnly: true,
  },
  { command: "help", description: "Show this list of commands.", who: ANYONE, inMenu: true },
];

/** Whether someone with these roles may run the command (no roles at all: only what anyone may). */
export function mayRun(command: Pick<CommandHelp, "who">, roles: ReadonlySet<Role>): boolean {
  const { who } = command;
  switch (who.kind) {
    case "anyone":
      return true;
    case "verb":
      return may(roles, who.verb);
    case "reports":
      return mayReport(roles);
    case "alerts":
      return mayManageAlerts(roles);
  }
}

/** The commands these roles allow, in COMMANDS' order: what their help shows. */
export function commandsFor(roles: ReadonlySet<Role>, commands: readonly CommandHelp[] = COMMANDS): CommandHelp[] {
  return commands.filter((c) => mayRun(c, roles));
}

export { normaliseCommandText } from "./sdk/turn";
