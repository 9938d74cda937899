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
  { command: "due", description: "Your cases that are overdue or due in the next 2 working days." },
  { command: "set alerts channel", description: "(Managers, in a channel) Send manager alerts to this channel." },
  { command: "set division channel <division>", description: "(In a division's channel) Send that division's investigation requests here." },
  { command: "signpost <need>", description: "Where to point someone for independent help, e.g. signpost help writing a complaint." },
  { command: "complaints process", description: "A plain-English card on how NHS complaints work, to share." },
  { command: "report", description: "(Managers) Last month's figures: open cases, deadlines met, divisions, themes, outcomes, workload." },
  { command: "report ko41a <year>", description: "(Managers) The KO41a return for a financial year (April to March), with the CSV file." },
  { command: "export cases <from> <to>", description: "(Managers) Cases received in those dates as a CSV file; add 'with patient details' to include them." },
  { command: "export case <reference>", description: "(Managers) The whole case file as one document, for the Ombudsman." },
  { command: "subject access <NHS number>", description: "(Managers) Everything PALS Desk holds about one patient, as a JSON file." },
  { command: "help", description: "Show this list of commands." },
];

export { normaliseCommandText } from "./sdk/turn";
