// Card data for signposting: one organisation, the grouped directory, the complaints-process explainer
// and a case summary safe to post in any chat. Directory text is data (a trust edits it), so cards show
// it in TextRuns, never as markdown.
import {
  COMPLEXITY_TIERS,
  contactTypeTitle,
  entryTitle,
  formatPlainDate,
  type Case,
  NATIONAL_BODIES,
  type DeadlineRules,
  type Rules,
  type SignpostEntry,
  type SignpostingDirectory,
  tierWorkingDays,
} from "../../domain";
import { expandCard } from "../cards";
import { deadlineText } from "../cases/caseView";

export interface ContactLine {
  readonly label: string;
  readonly value: string;
}

/** A web address as people read and type it: no https://, no trailing slash. */
export function displayUrl(url: string): string {
  return url.replace(/^https:\/\//, "").replace(/\/$/, "");
}

export function contactLines(entry: SignpostEntry): ContactLine[] {
  const c = entry.contact;
  const lines: ContactLine[] = [];
  if (c.phone) lines.push({ label: "Phone", value: c.phone });
  if (c.textphone) lines.push({ label: "Textphone", value: c.textphone });
  if (c.text) lines.push({ label: "Text", value: c.text });
  if (c.email) lines.push({ label: "Email", value: c.email });
  if (c.web) lines.push({ label: "Website", value: displayUrl(c.web) });
  if (c.post) lines.push({ label: "Post", value: c.post });
  return lines;
}

/** In a crisis the first card says what to do if a life is at risk now. */
export const CRISIS_BANNER = "If someone's life is at risk right now, call 999 or go to A&E. Don't leave a person who is at immediate risk alone.";

export function entryCard(entry: SignpostEntry, options: { banner?: string } = {}): Record<string, unknown> {
  const kind = entry.scope === "local" ? "Local service" : "National service";
  return expandCard("signpostEntry", {
    id: entry.id,
    banner: options.banner ?? "",
    title: entryTitle(entry),
    kindLine: `${kind}${entry.tags.includes("24-hours") ? " · open 24 hours" : ""}${entry.tags.includes("free") ? " · free" : ""}`,
    purpose: entry.purpose,
    whenToUse: entry.whenToUse,
    contacts: contactLines(entry),
    hours: entry.hours,
    // The organisation's standing (changing, closing): shown in attention style, as plain text.
    status: entry.status ?? "",
    web: entry.contact.web ?? "",
  });
}

/** The short line under a title in lists and message-extension previews. */
export function entrySummary(entry: SignpostEntry, max = 160): string {
  const lines = contactLines(entry);
  const reach = lines.find((l) => l.label === "Phone") ?? lines[0];
  const purpose = entry.purpose.length > max ? `${entry.purpose.slice(0, max - 1).trimEnd()}…` : entry.purpose;
  return reach ? `${purpose} ${reach.label}: ${reach.value}.` : purpose;
}

/** More than this many lines makes the directory card too long to read (and to send). */
const DIRECTORY_CARD_LIMIT = 60;

export function directoryCard(directory: SignpostingDirectory): Record<string, unknown> {
  let shown = 0;
  const groups = directory.groups().map((group) => {
    const entries = group.entries.slice(0, Math.max(0, DIRECTORY_CARD_LIMIT - shown));
    shown += entries.length;
    return {
      title: group.title,
      entries: entries.map((e) => {
        const phone = e.contact.phone ? ` (${e.contact.phone})` : "";
        return { title: entryTitle(e) + phone, line: `: ${firstSentence(e.purpose)}`, status: e.status ?? "" };
      }),
    };
  });
  const total = directory.entries.length;
  const more = total > shown ? ` Showing ${shown} of ${total}: search to find the others.` : "";
  return expandCard("signpostDirectory", {
    intro: `${total} organisations and services people can be pointed to.${more}`,
    groups: groups.filter((g) => g.entries.length > 0),
    hint: "Type **signpost** and what the person needs for the best matches with contact details, for example **signpost help writing a complaint**. To record it on a case, use the case card's **Signpost** button.",
  });
}

function firstSentence(text: string): string {
  const match = /^.*?[.!?](?=\s|$)/.exec(text);
  const sentence = match ? match[0] : text;
  return sentence.length > 200 ? `${sentence.slice(0, 199).trimEnd()}…` : sentence;
}

function contactBlock(entry: SignpostEntry | undefined): { name: string; lines: ContactLine[]; web: string } {
  if (!entry) return { name: "", lines: [], web: "" };
  return { name: entryTitle(entry), lines: [{ label: "Who", value: entryTitle(entry) }, ...contactLines(entry)], web: entry.contact.web ?? "" };
}

/** "25 to 60" from the trust's tiers, or one number when every tier gets the same (Wales: 30). */
function tiersText(rules: Readonly<DeadlineRules>): string {
  const days = COMPLEXITY_TIERS.map((t) => tierWorkingDays(rules, t.id));
  const low = Math.min(...days);
  const high = Math.max(...days);
  return low === high ? String(low) : `${low} to ${high}`;
}

/** The complaints-process explainer, with the trust's rules, its nation's bodies and the directory's contact details. */
export function complaintsProcessCard(directory: SignpostingDirectory, rules: Pick<Rules, "deadlines" | "nation">): Record<string, unknown> {
  const bodies = NATIONAL_BODIES[rules.nation];
  const socialCare = bodies.socialCareOmbudsmanId ? directory.get(bodies.socialCareOmbudsmanId) : undefined;
  const socialCareWeb = socialCare?.contact.web ? `: ${displayUrl(socialCare.contact.web)}` : "";
  return expandCard("complaintsProcess", {
    subtitle: `How it works ${bodies.where}, in plain English.`,
    nation: rules.nation,
    concernWorkingDays: rules.deadlines.concernWorkingDays,
    acknowledgeWorkingDays: rules.deadlines.acknowledgeWorkingDays,
    tiersText: tiersText(rules.deadlines),
    backstopMonths: rules.deadlines.backstopMonths,
    outOfTimeMonths: rules.deadlines.outOfTimeMonths,
    advocacy: contactBlock(directory.get(bodies.advocacy.id)),
    ombudsman: contactBlock(directory.get(bodies.ombudsman.id)),
    socialCare: { name: socialCare ? entryTitle(socialCare) : "", contactText: `${socialCareWeb}.` },
  });
}

/**
 * A case as it may be posted into any chat from the message extension: reference, type, status and next
 * deadline only. Never the patient's name, NHS number or what the case is about.
 */
export function caseShareData(c: Case, today: string): { reference: string; typeTitle: string; statusTitle: string; dueText: string } {
  return {
    reference: c.reference,
    typeTitle: contactTypeTitle(c.type),
    statusTitle: c.status === "open" ? "Open" : `Closed${c.closedOn ? ` on ${formatPlainDate(c.closedOn)}` : ""}`,
    dueText: c.status === "open" && c.nextDueOn ? deadlineText(c.nextDueOn, today) : c.status === "open" ? "No deadline" : "None (closed)",
  };
}

export function caseShareCard(c: Case, today: string): Record<string, unknown> {
  const data = caseShareData(c, today);
  return expandCard("caseShare", { ...data, hint: `PALS staff can open it in PALS Desk by typing **case ${c.reference}**.` });
}
