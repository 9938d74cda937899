/** The commands people can type, shown on the welcome card and in the app manifest's command list. */
export interface CommandHelp {
  readonly command: string;
  readonly description: string;
}

export const COMMANDS: readonly CommandHelp[] = [
  { command: "new", description: "Log a contact: enquiry, concern, complaint or compliment." },
  { command: "my cases", description: "Your open cases, next deadline first." },
  { command: "case PALS-2026-000123", description: "Show one case by its reference." },
  { command: "find <words or NHS number>", description: "Search your team's cases." },
  { command: "signpost <need>", description: "Where to point someone for independent help, e.g. signpost help writing a complaint." },
  { command: "complaints process", description: "A plain-English card on how NHS complaints work, to share." },
  { command: "help", description: "Show this list of commands." },
];

/** Text as the person typed it, without the bot's @mention, surrounding spaces or a trailing full stop. */
export function normaliseCommandText(text: string | undefined): string {
  return (text ?? "").replace(/\s+/g, " ").trim().replace(/[.!?]+$/, "");
}
