/** The commands people can type, shown on the welcome card and in the app manifest's command list. */
export interface CommandHelp {
  readonly command: string;
  readonly description: string;
}

export const COMMANDS: readonly CommandHelp[] = [{ command: "help", description: "Show this list of commands." }];

/** Text as the person typed it, without the bot's @mention, surrounding spaces or a trailing full stop. */
export function normaliseCommandText(text: string | undefined): string {
  return (text ?? "").replace(/\s+/g, " ").trim().replace(/[.!?]+$/, "");
}
