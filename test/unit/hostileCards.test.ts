// Text people type (and Teams display names) must reach every card as plain text: never a live link, a
// mention, HTML, an evaluated template expression or a {{DATE(...)}} the card renderer expands. Three passes:
// 1. hostile domain data (cases, timelines, requests, names) through the real view functions;
// 2. the real data of every template with every string replaced by hostile text, except the short list below;
// 3. every ${...} binding of every template file in a position Teams renders as markdown must be on that list.
import { strict as assert } from "node:assert";
import fs from "node:fs";
import path from "node:path";
import { Template } from "adaptivecards-templating";
import {
  DEFAULT_RULES,
  digestItem,
  fillLetter,
  latestEntries,
  ko41aReturn,
  letterView,
  NATIONAL_DIRECTORY,
  NEW_CONTACT_FIELDS,
  parseNewContact,
  serviceReport,
  SignpostingDirectory,
  youSaidWeDid,
  type Case,
  type LearningAction,
  type InboxEmail,
  type OutboxItem,
  type SignpostEntry,
  DEFAULT_RETENTION,
} from "../../src/domain";
import { CARDS_DIR, expandCard } from "../../src/teams/cards";
import { caseCard, caseListCard, noticeCard, timelineCard } from "../../src/teams/cases/caseView";
import { COMMANDS } from "../../src/teams/commands";
import { investigationNoticeCard, investigationRequestCard } from "../../src/teams/investigations/investigationCards";
import { letterCard } from "../../src/teams/letters/letters";
import { contactForm } from "../../src/teams/cases/logContact";
import { messageContactCard } from "../../src/teams/cases/messageAction";
import { detailsForm, detailsValues } from "../../src/teams/cases/caseDetails";
import { alertCard, digestCard } from "../../src/teams/alerts/nudgeCards";
import { ko41aCard, reportCard } from "../../src/teams/reports/reportCards";
import { caseShareCard, complaintsProcessCard, directoryCard, entryCard } from "../../src/teams/signposting/signpostingView";
import { doneAction } from "../helpers/youSaidWeDidFixtures";
import { youSaidWeDidCard } from "../../src/teams/actions/youSaidWeDid";
import { actionCard, actionFormCard, allActionsCard, myActionsCard } from "../../src/teams/actions/learningActionCards";
import { inboxListCard, triageCard } from "../../src/teams/inbox/inboxCards";
import { documentLinkCard, emailPreviewCard } from "../../src/teams/letters/correspondence";
import { retentionReviewCard } from "../../src/teams/retention/retentionCards";
import { bindingsOf, HOSTILE, hostileCase, hostileEvents, hostileProblems, spotsOf, withHostileLeaves } from "../helpers/hostile";

const TODAY = "2026-03-10";
/** A trust's sites as its configuration lists them (zod-checked at start-up: codes and plain names). */
const KO41A_SITES = [
  { code: "RXX01", name: "Royal Infirmary" },
  { code: "RXX02", name: "St Mary's Hospital" },
];
const OFFICER = new Set(["officer"] as const);
const MANAGER = new Set(["manager"] as const);
const VOLUNTEER = new Set(["volunteer"] as const);
const TEMPLATES = fs
  .readdirSync(CARDS_DIR)
  .filter((file) => file.endsWith(".json"))
  .map((file) => file.replace(/\.json$/, ""));

/**
 * The only bindings allowed where Teams renders markdown (TextBlock text, FactSet, expanded choice titles,
 * action titles, mentions, links). Each carries only our own words: titles from fixed lists, case
 * references we generate, dates and counts we format, or the trust's configuration. `*` is one path segment.
 */
const OUR_WORDS: Record<string, readonly string[]> = {
  // Titles from fixed lists; the reference is generated (PALS-yyyy-nnnnnn).
  alert: ["reasonTitle", "reference", "typeTitle"],
  // heading: type title and reference; outcome titles from the fixed list; organisation titles from the
  // trust's signposting file (zod-checked at start-up, not typed in Teams). Every other line is a TextRun.
  // ruleTexts: periods from the trust's rules file (zod-checked numbers) in our words.
  // documentsHeading: counts; documentChoices: "Document 2 (4 KB)", numbers and sizes. Names and email lines are TextRuns.
  // ombudsmanBody, discussionForm: the nation's bodies and the discussion's name (nations.ts), our words.
  case: [
    "heading",
    "outcomeChoices[].title",
    "organisationChoices[].title",
    "ruleTexts.*",
    "documentsHeading",
    "documentChoices[].title",
    "ombudsmanBody.*",
    "discussionForm.name",
  ],
  // Callers pass our words and counts; item lines are references, type titles and dates.
  caseList: ["title", "intro", "items[].reference", "items[].typeTitle", "items[].dueText"],
  caseShare: ["reference", "typeTitle", "statusTitle", "dueText", "hint"],
  // The incomplete cases' part: our words and counts, and references we generate.
  digest: [
    "title",
    "intro",
    "footer",
    "sections[].heading",
    "sections[].items[].reference",
    "sections[].items[].typeTitle",
    "sections[].items[].what",
    "incomplete.heading",
    "incomplete.cases[].reference",
    "incomplete.more",
  ],
  // Built by buildFile from a year, checked dates, counts and a reference; the link is our own.
  file: ["name", "description", "url"],
  // The reminder's line is our words around a mention of the lead's name stripped to letters (mentionOf).
  investigationNotice: ["mentionLine", "mentions[].text", "mentions[].name", "facts[].title", "facts[].value"],
  investigationRequest: ["mentionText", "leadName", "reference", "answer.view", "upheldChoices[].title"],
  ko41a: ["title", "facts[].title", "facts[].value", "sections[].title", "sections[].note", "sections[].header[]", "sections[].empty", "footer"],
  report: [
    "title",
    "facts[].title",
    "facts[].value",
    "sections[].title",
    "sections[].note",
    "sections[].header[]",
    "sections[].empty",
    "footer",
    "presets[].title",
  ],
  letter: ["title", "subtitle"],
  // Validation messages never repeat what was typed; choice titles come from the fixed lists.
  logContact: ["problemSummary", "errors.*", "choices.*[].title"],
  // heading: type title and reference; the missing details are labels from a fixed list; the rest as the contact form.
  caseDetails: ["heading", "missingText", "errors.*", "choices.*[].title"],
  signpostDirectory: ["intro", "groups[].title", "hint"],
  // The crisis banner is a constant; web addresses are checked to be https:// when the directory loads.
  signpostEntry: ["banner", "kindLine", "web"],
  // Numbers from the trust's deadline rules; web addresses checked as above.
  complaintsProcess: [
    "subtitle",
    "concernWorkingDays",
    "acknowledgeWorkingDays",
    "tiersText",
    "backstopMonths",
    "outOfTimeMonths",
    "ombudsman.web",
    "advocacy.web",
  ],
  timeline: ["reference", "countText"],
  welcome: ["commands[].command", "commands[].description"],
  // Theme headings are KO41a titles; counts, notes and the footer are our words. Action texts and divisions are TextRuns.
  youSaidWeDid: ["title", "intro", "facts[].title", "facts[].value", "themes[].heading", "themes[].raised", "themes[].looking", "note", "footer"],
  // Actions from cases: headings are our words and the reference; list lines are references and dates. What was
  // typed (what will change, what changed, the division) and people's names are TextRuns.
  action: ["heading"],
  actionForm: ["heading"],
  actionList: ["title", "intro", "footer", "sections[].items[].reference", "sections[].items[].dueText"],
  // The PALS inbox: headings are our words and counts; reasons come from the fixed list. Everything the email says
  // (sender, subject, text, attachment names) and people's names are TextRuns.
  inboxEmail: ["heading", "reasons[].title"],
  inboxList: ["heading", "moreText"],
  // The heading carries the reference we generate; to, subject and the text are TextRuns.
  emailPreview: ["heading"],
  // The link is our own (signed); the line under it is our words.
  documentLink: ["expiryText", "url"],
  // Records retention review: our words and counts, references we generate, type titles from the fixed list, dates we
  // format. No patient details are on it; who kept a file before (a name) is a TextRun.
  retentionReview: [
    "intro",
    "footer",
    "items[].reference",
    "items[].typeTitle",
    "items[].facts[].title",
    "items[].facts[].value",
    "items[].warning",
    "items[].destroyText",
  ],
};

function ourWords(template: string): (dataPath: string) => boolean {
  return (dataPath) => (OUR_WORDS[template] ?? []).some((pattern) => matchesOne(pattern, dataPath));
}

// --- a world of hostile data ---------------------------------------------------------------------------

function alertItem(c: Case): OutboxItem {
  return {
    id: "alert-1",
    trustId: c.trustId,
    target: { kind: "alerts-channel" },
    payload: { kind: "alert", caseId: c.id, reference: c.reference, reason: "high-risk", raisedOn: TODAY },
    state: "sent",
    attempts: 1,
    nextAttemptAt: "",
    createdAt: "",
  } as OutboxItem;
}

function hostileEntry(h: string): SignpostEntry {
  return {
    ...NATIONAL_DIRECTORY[0],
    id: "ward-7",
    scope: "local",
    name: h,
    shortName: undefined,
    purpose: h,
    whenToUse: h,
    hours: h,
    contact: { post: h, text: h },
  } as SignpostEntry;
}

/** An email as an attacker would write it: every field the sender controls is hostile. */
function hostileEmail(h: string, state: InboxEmail["state"] = "untriaged"): InboxEmail {
  return {
    id: "email-1",
    trustId: "trust-1",
    mailbox: "pals@trust.example",
    messageId: `<${h}@example.org>`,
    from: { name: h, address: h },
    to: [h],
    subject: h,
    receivedAt: "2026-03-10T08:15:00.000Z",
    text: `${h}\n${h}`,
    textCut: false,
    references: [],
    attachments: [
      { id: "1", name: h, contentType: "application/pdf", size: 2048, documentKey: "emails/email-1/1" },
      { id: "2", name: h, contentType: "application/x-msdownload", size: 10, refused: "executable" },
    ],
    state,
    ...(state === "untriaged"
      ? {}
      : {
          takenBy: { aadObjectId: "officer-1", name: h },
          outcome: { by: { aadObjectId: "officer-1", name: h }, at: "2026-03-10T09:00:00.000Z", caseId: "case-1", reference: "PALS-2026-000001" },
        }),
    readAt: "2026-03-10T08:15:01.000Z",
  };
}

/** Every card the production view functions draw, for one hostile (or benign) value. */
function scenarios(h: string): [string, () => Record<string, unknown>][] {
  const c = hostileCase(h);
  const open = { ...c, investigations: [c.investigations![1]] } as Case;
  const answered = c.investigations![0];
  const asked = c.investigations![1];
  const events = hostileEvents(c, h);
  // The case card's last timeline entries, as the case document keeps them.
  const latest = latestEntries([], [{ changeId: "change-1", at: TODAY, events, outbox: [], threads: [] }]);
  const directory = new SignpostingDirectory([...NATIONAL_DIRECTORY, hostileEntry(h)]);
  const draft = Object.fromEntries(["note", "learning", "reopenReason", "investigationDivision", "investigationSummary", "phsoReference"].map((k) => [k, h]));
  const staff = [{ id: "staff-1", title: h }];
  const about = { caseId: c.id, reference: c.reference, requestId: answered.id };
  const period = { from: "2026-03-01", to: "2026-03-31" };
  const letter = (kind: "acknowledgement" | "holding" | "final") =>
    letterCard({
      caseId: c.id,
      reference: c.reference,
      letter: kind,
      text: fillLetter(
        fs.readFileSync(path.join(CARDS_DIR, "letters", `${kind}.md`), "utf8"),
        letterView(c, { today: TODAY, officerName: h, events, rules: DEFAULT_RULES }),
      ),
      source: `${kind}.md (default)`,
    });
  const hostileAction: LearningAction = {
    id: "7d1e0c2a-0000-4000-8000-000000000001",
    description: h,
    owner: { aadObjectId: "owner-1", name: h },
    division: h,
    dueOn: "2026-03-09",
    status: "open",
    createdOn: "2026-03-02",
    createdBy: { aadObjectId: "officer-1", name: h },
  };
  const withHostileAction = {
    ...c,
    actions: [
      hostileAction,
      { ...hostileAction, id: "7d1e0c2a-0000-4000-8000-000000000002", status: "done", done: { on: TODAY, by: { aadObjectId: "x", name: h }, evidence: h } },
    ],
  } as Case;
  const typedForm = Object.fromEntries(NEW_CONTACT_FIELDS.map((field) => [field, h]));
  const parsed = parseNewContact(typedForm, TODAY);
  return [
    [
      "case card, officer, with a banner and kept drafts",
      () =>
        caseCard(c, {
          retention: DEFAULT_RETENTION,
          rules: DEFAULT_RULES,
          roles: OFFICER,
          today: TODAY,
          banner: { text: h, style: "attention" },
          draft,
          staff,
          leads: staff,
          latest,
        }),
    ],
    [
      "case card, manager, closed",
      () =>
        caseCard(
          { ...c, status: "closed", outcome: "upheld", closedOn: TODAY },
          { retention: DEFAULT_RETENTION, rules: DEFAULT_RULES, roles: MANAGER, today: TODAY, staff, latest },
        ),
    ],
    ["case card, volunteer", () => caseCard(c, { retention: DEFAULT_RETENTION, rules: DEFAULT_RULES, roles: VOLUNTEER, today: TODAY, latest })],
    ["case card, shared copy", () => caseCard(open, { retention: DEFAULT_RETENTION, rules: DEFAULT_RULES, roles: new Set(), today: TODAY })],
    ["case list", () => caseListCard([c, { ...c, safeguarding: true }], { title: "My open cases", intro: "2 open cases", today: TODAY, roles: OFFICER })],
    ["timeline", () => timelineCard(c, events, OFFICER)],
    ["notice with a message that names someone", () => noticeCard("Not done", h, "attention")],
    ["alert, acknowledged", () => alertCard(alertItem(c), c)],
    ["alert, not acknowledged", () => alertCard(alertItem(c), { ...c, alertAcknowledgements: [] })],
    [
      "digest",
      () =>
        digestCard([digestItem(c, TODAY, DEFAULT_RULES.nudgeWindowWorkingDays)!], TODAY, DEFAULT_RULES.nudgeWindowWorkingDays, undefined, {
          count: 4,
          cases: [{ caseId: c.id, reference: c.reference }],
        }),
    ],
    [
      "request card, the lead's view, answered",
      () => investigationRequestCard(c, answered, { aadObjectId: "lead-1", isPalsStaff: false }, { banner: { text: h, style: "attention" } }),
    ],
    [
      "request card, the lead's view, open",
      () => investigationRequestCard(open, asked, { aadObjectId: "lead-1", isPalsStaff: false }, { draft: { findings: h, reason: h } }),
    ],
    [
      "request card, PALS staff, more time asked",
      () => investigationRequestCard(open, { ...asked, extension: answered.extension }, { aadObjectId: "officer-1", isPalsStaff: true }),
    ],
    ["request card, the shared copy", () => investigationRequestCard(c, answered, undefined)],
    ["notice: reminder to the lead", () => investigationNoticeCard({ kind: "investigation-reminder", reminder: "before", audience: "lead", ...about }, c)],
    ["notice: overdue, to the owner", () => investigationNoticeCard({ kind: "investigation-reminder", reminder: "overdue", audience: "owner", ...about }, c)],
    ["notice: answered", () => investigationNoticeCard({ kind: "investigation-answer", ...about }, c)],
    ["notice: more time asked", () => investigationNoticeCard({ kind: "investigation-extension", ...about }, c)],
    [
      "report",
      () =>
        reportCard(serviceReport([c, { ...c, id: "other", division: `${h} 2` }], period, TODAY, DEFAULT_RULES.updates.workingDays), {
          today: TODAY,
          trustName: "Example NHS Trust",
        }),
    ],
    ["KO41a", () => ko41aCard(ko41aReturn([c], 2025), { today: TODAY, trustName: "Example NHS Trust" })],
    // A trust with sites: the card lists them to choose from, and shows one site's figures.
    ["KO41a, all sites", () => ko41aCard(ko41aReturn([{ ...c, site: "RXX01" }, c], 2025, KO41A_SITES), { today: TODAY, trustName: "Example NHS Trust" })],
    ["KO41a, one site", () => ko41aCard(ko41aReturn([{ ...c, site: "RXX01" }], 2025, KO41A_SITES), { today: TODAY, site: "RXX01" })],
    ["letter: acknowledgement", () => letter("acknowledgement")],
    ["letter: holding", () => letter("holding")],
    ["letter: final", () => letter("final")],
    [
      "contact form with what was typed and its problems",
      () => contactForm("9b1d3c1e-0000-4000-8000-000000000001", typedForm, DEFAULT_RULES.deadlines, parsed.ok ? {} : parsed.errors),
    ],
    [
      "message action dialog: a Teams message to log as a contact",
      () => messageContactCard({ text: h, sentAt: "2026-03-09T14:05:00.000Z", viaEmail: true, link: "https://teams.microsoft.com/l/message/1" }),
    ],
    [
      "contact form prefilled from a Teams message",
      () =>
        contactForm(
          "9b1d3c1e-0000-4000-8000-000000000002",
          { summary: h, receivedOn: TODAY, receivedVia: "email" },
          DEFAULT_RULES.deadlines,
          {},
          { text: h, sentAt: "2026-03-09T14:05:00.000Z", viaEmail: false },
        ),
    ],
    [
      "case details form with what was typed and its problems",
      () => detailsForm(c, "etag-1", typedForm, DEFAULT_RULES.deadlines, parsed.ok ? {} : parsed.errors, { text: h, style: "warning" }),
    ],
    ["case details form as recorded", () => detailsForm(c, "etag-1", detailsValues(c), DEFAULT_RULES.deadlines)],
    ["signposting entry from the trust's file", () => entryCard(hostileEntry(h))],
    ["signposting directory", () => directoryCard(directory)],
    ["complaints process", () => complaintsProcessCard(directory, DEFAULT_RULES)],
    ["case shared from the message extension", () => caseShareCard(c, TODAY)],
    ["welcome", () => expandCard("welcome", { commands: COMMANDS, inChannel: true })],
    // files.ts draws it with what buildFile returns: our file name and description, our one-time link.
    [
      "file",
      () =>
        expandCard("file", { name: "KO41a-2025-26-20260310-1000.csv", description: "KO41a counts for 2025-26", url: "http://127.0.0.1:3978/api/files/abc" }),
    ],
    [
      "case card with actions typed in hostile words",
      () => caseCard(withHostileAction, { retention: DEFAULT_RETENTION, rules: DEFAULT_RULES, roles: OFFICER, today: TODAY }),
    ],
    [
      "action form with what was typed",
      () =>
        actionFormCard(c, {
          version: "etag-1",
          owners: staff,
          today: TODAY,
          banner: { text: h, style: "attention" },
          draft: { actionDescription: h, actionDivision: h },
        }),
    ],
    [
      "action card to its owner, added",
      () => actionCard(c, hostileAction, { today: TODAY, moment: "added", canMarkDone: true, canOpenCase: false, draft: { actionEvidence: h } }),
    ],
    [
      "action card, done",
      () =>
        actionCard(
          c,
          { ...hostileAction, status: "done", done: { on: TODAY, by: { aadObjectId: "x", name: h }, evidence: h } },
          { today: TODAY, canMarkDone: false, canOpenCase: true, banner: { text: h, style: "good" } },
        ),
    ],
    [
      "actions list, mine",
      () => myActionsCard([{ caseId: c.id, reference: c.reference, action: hostileAction, overdue: true }], TODAY, { count: 2, atLeast: false }),
    ],
    [
      "actions list, by division",
      () =>
        allActionsCard(
          [{ division: h, open: 1, overdue: 1, actions: [{ caseId: c.id, reference: c.reference, action: hostileAction, overdue: true }] }],
          TODAY,
          { total: 3, shown: 1, atLeast: true },
        ),
    ],
    [
      "alert, action overdue",
      () =>
        alertCard(
          {
            ...alertItem(withHostileAction),
            payload: { kind: "alert", caseId: c.id, reference: c.reference, reason: "action-overdue", raisedOn: TODAY, requestId: hostileAction.id },
          } as OutboxItem,
          withHostileAction,
        ),
    ],
    [
      "you said, we did, with what was typed into an action and its division",
      () => {
        const action = doneAction({ description: h, evidence: h, division: h, subject: "communications", doneOn: "2026-03-05" });
        const read = [{ id: c.id, subjects: c.subjects, division: h, actions: [action], patient: {}, raiser: {}, owner: {} }];
        return youSaidWeDidCard(youSaidWeDid([c], read, period, { division: h }), { today: TODAY, trustName: "Example NHS Trust" });
      },
    ],
    ["inbox triage card, new", () => triageCard(hostileEmail(h), { note: h })],
    ["inbox triage card, logged", () => triageCard(hostileEmail(h, "logged"))],
    ["inbox list", () => inboxListCard([hostileEmail(h), hostileEmail(h, "taken")], 30, TODAY)],
    [
      "case card with documents and emails",
      () =>
        caseCard(
          {
            ...c,
            patient: { ...c.patient, contactDetails: `${h} ruth.example@example.org` },
            documents: [
              {
                id: "d1",
                name: h,
                contentType: "application/pdf",
                size: 2048,
                key: "cases/x/d1",
                source: "email",
                addedBy: { aadObjectId: "o", name: h },
                addedAt: "2026-03-10T09:00:00.000Z",
              },
              {
                id: "d2",
                name: h,
                contentType: "image/png",
                size: 20,
                key: "cases/x/d2",
                source: "upload",
                addedBy: { aadObjectId: "o", name: h },
                addedAt: "2026-03-10T09:00:00.000Z",
              },
            ],
            correspondence: [
              {
                id: "00000000-0000-4000-8000-000000000001",
                kind: "message",
                to: { name: h, address: "ruth.example@example.org" },
                subject: h,
                documentIds: [],
                status: "failed",
                failure: h,
                requestedBy: { aadObjectId: "o", name: h },
                requestedAt: "2026-03-10T09:00:00.000Z",
              },
            ],
          },
          { retention: DEFAULT_RETENTION, rules: DEFAULT_RULES, roles: OFFICER, today: TODAY, draft: { emailMessage: h }, emailEnabled: true },
        ),
    ],
    [
      "records retention review, a file kept before, with a refused keep's draft",
      () =>
        retentionReviewCard({
          files: [
            {
              caseId: c.id,
              reference: c.reference,
              type: c.type,
              closedOn: "2016-03-10",
              lastProcessEndedOn: "2018-06-30",
              ombudsmanDateMissing: true,
              dueSince: "2026-03-10",
              keptBefore: { on: "2024-03-11", by: { aadObjectId: "manager-1", name: h }, years: 2 },
            },
          ],
          total: 12,
          years: 10,
          action: "anonymise",
          banner: { text: h, style: "attention" },
          drafts: { [c.id]: { keepYears: h, keepReason: h } },
        }),
    ],
    ["records retention review, nothing due", () => retentionReviewCard({ files: [], total: 0, years: 10, action: "delete" })],
    ["document link", () => documentLinkCard(c.id, { name: h, size: 10, addedAt: "2026-03-10T09:00:00.000Z" }, "https://pals.example/api/documents/abc.def")],
    [
      "email preview",
      () =>
        emailPreviewCard(
          {
            caseId: c.id,
            reference: c.reference,
            sendId: "00000000-0000-4000-8000-000000000002",
            to: { name: h, address: "ruth.example@example.org" },
            subject: h,
            text: `${h}\n\n${h}`,
            attachments: [{ name: h, size: 10 }, { name: h }],
            gaps: [h],
            hash: "abc",
          },
          { kind: "message", message: h, documentIds: ["d1"] },
          h,
        ),
    ],
  ];
}

/** The text shown without the zero-width spaces that keep {{DATE(...)}} from being expanded. */
const shown = (text: string) => text.replace(/\u200b/g, "");

describe("hostile text in cards", () => {
  describe("1. hostile cases, names and timelines through the real view functions", () => {
    for (const [name] of scenarios("x")) {
      it(name, () => {
        const problems = HOSTILE.flatMap((h) => {
          const card = scenarios(h).find(([n]) => n === name)![1]();
          return hostileProblems(card).map((p) => `${JSON.stringify(h)}: ${p}`);
        });
        assert.deepEqual(problems, []);
      });
    }

    it("still shows what was typed, exactly, as plain text", () => {
      for (const h of HOSTILE) {
        for (const name of [
          "case card, officer, with a banner and kept drafts",
          "timeline",
          "alert, acknowledged",
          "request card, the lead's view, answered",
          "notice with a message that names someone",
          "inbox triage card, new",
        ]) {
          // A message's own **bold** is drawn as a bold run, so a **pair** in it loses its asterisks: bold, never more.
          if (name.startsWith("notice") && h === "**pwnedbold**") continue;
          const card = scenarios(h).find(([n]) => n === name)![1]();
          const runs = spotsOf(card)
            .filter((s) => s.kind === "plain-formatted")
            .map((s) => shown(s.text));
          assert.ok(
            runs.some((run) => run.includes(h)),
            `${name}: ${h} is shown`,
          );
        }
      }
    });
  });

  describe("2. every template, its real data with every string made hostile", () => {
    const captured: { name: string; data: object }[] = [];
    before(() => {
      const templates = new Map<unknown, string>();
      const expand = Template.prototype.expand;
      let naming: string | undefined;
      Template.prototype.expand = function (this: Template, context: { $root: object }) {
        if (naming) templates.set(this, naming);
        else captured.push({ name: templates.get(this) ?? "?", data: context.$root });
        return expand.call(this, context);
      } as typeof expand;
      try {
        for (const name of TEMPLATES) {
          naming = name;
          expandCard(name, {});
        }
        naming = undefined;
        for (const [, draw] of scenarios("Olivia Officer")) draw();
      } finally {
        Template.prototype.expand = expand;
      }
    });

    it("the scenarios draw every template in cards/ (cards/letters holds Mustache letters, drawn by the letter card, and the Word letterhead)", () => {
      assert.deepEqual([...new Set(captured.map((c) => c.name))].sort(), [...TEMPLATES].sort());
      assert.ok(fs.readdirSync(path.join(CARDS_DIR, "letters")).every((file) => file.endsWith(".md") || file === "letterhead.docx"));
    });

    for (const name of TEMPLATES) {
      it(name, () => {
        const keep = ourWords(name);
        const problems = new Set<string>();
        for (const { data } of captured.filter((c) => c.name === name)) {
          const kept = new Set<string>();
          collectPaths(data, "", (p) => keep(p) && kept.add(p));
          for (const h of HOSTILE) {
            const card = expandCard(name, withHostileLeaves(data, h, kept) as object);
            for (const problem of hostileProblems(card)) problems.add(problem.replace(/\[\d+\]/g, "[]"));
            if (h === "${1+1}") {
              for (const spot of spotsOf(card)) assert.ok(!spot.text.includes("${") || spot.text.includes(h), `${spot.path}: the expression stays literal`);
            }
          }
        }
        assert.deepEqual([...problems], []);
      });
    }
  });

  describe("3. every binding in a markdown position of every template file carries only our words", () => {
    for (const name of TEMPLATES) {
      it(name, () => {
        const template = JSON.parse(fs.readFileSync(path.join(CARDS_DIR, `${name}.json`), "utf8"));
        assert.doesNotMatch(JSON.stringify(template), /\{\{/, "no {{ in our own text, so neutralising it in rendered text changes only data");
        const allowed = ourWords(name);
        const notOurs = bindingsOf(template)
          .filter((b) => b.kind !== "plain" && b.kind !== "plain-formatted" && !allowed(b.path))
          .map((b) => `${b.path} in ${b.kind} position ${b.where.replace(/\[\d+\]/g, "[]")}`);
        assert.deepEqual([...new Set(notOurs)], []);
      });
    }

    it("the list of our words names only bindings the templates have", () => {
      for (const [name, paths] of Object.entries(OUR_WORDS)) {
        const template = JSON.parse(fs.readFileSync(path.join(CARDS_DIR, `${name}.json`), "utf8"));
        const bound = bindingsOf(template)
          .filter((b) => b.kind !== "plain" && b.kind !== "plain-formatted")
          .map((b) => b.path);
        for (const p of paths)
          assert.ok(
            bound.some((b) => matchesOne(p, b)),
            `${name}: ${p} is not bound in a markdown position`,
          );
      }
    });
  });
});

function matchesOne(pattern: string, dataPath: string): boolean {
  return new RegExp(`^${pattern.replace(/[.[\]]/g, "\\$&").replace(/\*/g, "[^.\\[\\]]+")}$`).test(dataPath);
}

function collectPaths(data: unknown, prefix: string, visit: (path: string) => void): void {
  if (typeof data === "string") return visit(prefix);
  if (Array.isArray(data)) return data.forEach((item) => collectPaths(item, `${prefix}[]`, visit));
  if (data && typeof data === "object") for (const [key, value] of Object.entries(data)) collectPaths(value, prefix === "" ? key : `${prefix}.${key}`, visit);
}
