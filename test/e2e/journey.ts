import fs from "node:fs";
import path from "node:path";
import { cardElements, cardText, inputValues } from "../helpers/bot";
import type { Channel, PlaygroundClient } from "./playgroundClient";

/**
 * What the end-to-end journeys type and expect, shared by the headless run (playgroundApi.test.ts)
 * and the Chromium run (browser.e2e.ts). The patients are made up; 943 476 5919 is the example NHS
 * number of NHS documentation (valid check digit), 943 476 5918 the same with a wrong one.
 */
export const PATIENT_NAME = "Ada Testpatient";
export const INVALID_NHS_NUMBER = "943 476 5918";
export const VALID_NHS_NUMBER = "943 476 5919";

/**
 * A PALS concern on the phone from a family member, as an officer captures it in the first seconds: the six
 * inputs of quick capture (values as the card submits them). The rest comes later, with Complete details.
 */
export const CONCERN = {
  contactType: { id: "concern", title: "Concern" },
  receivedVia: { id: "phone", title: "Phone" },
  raisedBy: { id: "family", title: "Family member" },
  raiserName: "Sam Testfamily",
  patientName: PATIENT_NAME,
  summary: "Clinic moved without telling her; she travelled in for nothing.",
} as const;

/** The inputs quick capture asks the officer to touch for CONCERN (the goal: at most 6). */
export const QUICK_CAPTURE_INPUTS = ["Type of contact", "How it came in", "Who raised it", "Their name", "Patient's name", "Summary"] as const;

/** What Complete details adds to the concern afterwards (the NHS number typed wrong first). */
export const CONCERN_DETAILS = {
  division: "Medicine",
  subjects: { id: "communications", title: "Communications" },
} as const;

/** The second contact: a safeguarding concern (ticked under More details), so the managers' channel is alerted. */
export const SAFEGUARDING_CONCERN = {
  ...CONCERN,
  raisedBy: { id: "patient", title: "Patient" },
  raiserName: "",
  patientName: "Bea Testpatient",
  summary: "Family worried about unexplained bruising on the ward.",
} as const;

/** The Playground's pretend trust (.m365agentsplayground.yml). */
export const OFFICER = "Olivia Officer";
export const MANAGER = "Maya Manager";
export const MANAGERS_CHANNEL = "General";
export const LEAD = "Dr Liam Lead";
export const DIVISION_CHANNEL = "Medicine division";

/** What the officer asks the lead, what he answers, and what he adds in the thread later. */
export const INVESTIGATION = {
  division: "Medicine",
  summary: "Outpatient clinic in the Medicine division was moved; the patient says no letter reached her.",
  questions: "Were letters sent for the moved clinic? How are patients told of changes?",
  findings: "The letter went to an old address: the booking system was not updated.",
  actionsTaken: "Addresses now checked at every booking.",
  learning: "Confirm contact details when a clinic moves.",
  upheldView: "upheld",
  followUp: "Booking team's statement to follow on Friday.",
} as const;

/** On Wednesday 11 March 2026 at 09:05 the morning round is due (the run starts on Tuesday 10 March). */
export const NEXT_MORNING = "2026-03-11T09:05:00Z";

/** The journeys' steps, in order, named as the failure message and the screenshots name them. */
export const STEPS = {
  help: "01 help shows the welcome card",
  form: "02 new opens the quick-capture Log a contact form",
  logged: "03 a phone concern from a family member is logged from 6 inputs, showing the case card",
  invalid: "04 Complete details flags an invalid NHS number, and fixing it completes the case",
  alertsChannel: "05 the manager sets the alerts channel in the General channel",
  escalate: "06 Escalate turns the concern into a formal complaint",
  safeguarding: "07 a safeguarding concern is logged",
  alert: "08 the sweep posts manager alerts in the managers' channel",
  digest: "09 next morning the officer gets the nudge digest",
  signpost: "10 signpost suicidal puts crisis support first",
  messageExtension: "11 the message extension finds signposting",
  investigation: "12 Ask a clinical lead starts a thread in the division channel, @mentioning the lead",
  investigationAnswer: "13 the lead answers in the thread and the officer gets his answer",
  inbox: "14 an email to the PALS inbox gets a triage card in the managers' channel and is logged as a case from it",
  acknowledgementSent: "15 the acknowledgement is emailed from the case, with the email's attachment kept on it, and the clock shows it sent",
} as const;

/** The sample email shipped for people trying PALS Desk (README): dropped into the folder mailbox. */
export const SAMPLE_EMAIL = path.resolve(__dirname, "..", "..", "env", "mail", "sample-complaint.eml");

/** What the officer chooses on the form the email filled in: what an email can't say (a complaint from his daughter, with his consent). */
export const EMAIL_CONTACT = {
  contactType: { id: "complaint", title: "Complaint" },
  raisedBy: { id: "family", title: "Family member" },
  consent: { id: "given", title: "Consent given" },
  patientName: "Arthur Example",
  division: "Medicine",
  subjects: { id: "communications", title: "Communications" },
} as const;

export { cardText, inputValues };

/** The Action.Execute with this title anywhere on the card (inside Action.ShowCard too). */
export function findExecuteAction(card: any, title: string): { title: string; verb: string; data: Record<string, unknown> } {
  const found = cardElements(card).find((node) => node.type === "Action.Execute" && node.title === title);
  if (!found) throw new Error(`The card has no "${title}" button. Its text:\n${cardText(card)}`);
  return { title: found.title, verb: found.verb, data: found.data ?? {} };
}

/** The value of the choice with this title in the card's Input.ChoiceSet `inputId`. */
export function choiceValue(card: any, inputId: string, title: string): string {
  const input = cardElements(card).find((node) => node.type === "Input.ChoiceSet" && node.id === inputId);
  if (!input) throw new Error(`The card has no "${inputId}" choice. Its text:\n${cardText(card)}`);
  const choices: { title: string; value: string }[] = input.choices ?? [];
  const choice = choices.find((c) => c.title === title);
  if (!choice) throw new Error(`"${inputId}" has no choice "${title}", only: ${choices.map((c) => c.title).join(", ") || "(none)"}`);
  return choice.value;
}

/** The case reference shown on a card (PALS-yyyy-nnnnnn). */
export function referenceIn(text: string): string {
  const reference = /PALS-\d{4}-\d{6}/.exec(text)?.[0];
  if (!reference) throw new Error(`No case reference in:\n${text}`);
  return reference;
}

/** The search command of the message extension, from appPackage/manifest.json (composeExtensions). */
export function messageExtensionSearch(): { commandId: string; parameterName: string } {
  const file = path.resolve(__dirname, "..", "..", "appPackage", "manifest.json");
  const manifest = JSON.parse(fs.readFileSync(file, "utf8")) as {
    composeExtensions: { commands: { id: string; type: string; parameters: { name: string }[] }[] }[];
  };
  const command = manifest.composeExtensions[0].commands.find((c) => c.type === "query");
  if (!command) throw new Error("appPackage/manifest.json has no search (query) command");
  return { commandId: command.id, parameterName: command.parameters[0].name };
}

/**
 * Dr Liam Lead answers the request card in the division channel's thread. Teams refreshes the card for him
 * (his view has the answer form); his answer goes in as the raw invoke Teams sends, through the Playground's
 * raw-activity API, since he is not the person at the keyboard.
 */
export async function answerAsLead(pg: PlaygroundClient, request: { conversationId: string; messageId: string; card: any }, channel: Channel): Promise<void> {
  const lead = pg.user(LEAD);
  const view = await pg.execute(request.conversationId, request.messageId, findExecuteAction(request.card, "Refresh"), lead.id);
  const answer = findExecuteAction(view.value, "Send answer");
  const { findings, actionsTaken, learning, upheldView } = INVESTIGATION;
  await pg.executeAs(
    lead,
    request.conversationId,
    request.messageId,
    { ...answer, data: { ...answer.data, findings, actionsTaken, learning, upheldView } },
    { channel },
  );
}
