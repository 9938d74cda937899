// One definition per case-card verb: who may (its permission), when the card offers it, its inputs, its rule,
// the timeline event it records and what the person is told. The access check, the application layer
// (src/cases/caseActions.ts), the card's buttons (src/teams/cases/caseView.ts) and the handlers (src/teams/cases/caseCard.ts)
// all read these. A new verb is a definition here, its inputs on cards/case.json, and its tests.
import {
  addNote,
  assignOwner,
  changeResponseDate,
  closeCase,
  escalateConcernToComplaint,
  NOTE_LIMIT,
  REASON_LIMIT,
  recordAcknowledgement,
  recordDiscussion,
  recordIncidentReference,
  recordSignposting,
  recordUpdateGiven,
  reopenCase,
  takeOwnership,
  waiveTimeLimit,
  type SignpostingChoice,
} from "./caseActions";
import { OutcomeSchema, type Case, type PersonRef } from "./caseSchema";
import { liftLegalHold, placeLegalHold } from "../deadlines/retention";
import { RETENTION_REASON_LIMIT } from "../deadlines/retentionSchema";
import type { ActionContext, ActionResult } from "./change";
import { CaseRuleError } from "./errors";
import type { CaseEventKind } from "./timeline";

/** One input of a verb's form on the case card, by its input id. */
export interface VerbInput {
  /** Longest text kept (the edge refuses up to twice this, and the rule checks again). */
  readonly max: number;
  /** A toggle ("true"/"false") rather than text. */
  readonly yesNo?: true;
  /** How a refusal names the box ("the note"). */
  readonly box?: string;
}

/** What the application layer has looked up for the rule before anything is written. */
export interface Resolved {
  /** assign: the person chosen, checked to be in this trust and allowed to own cases. */
  readonly assignee?: PersonRef;
  /** recordSignposting: the organisations chosen, checked to be in the directory. */
  readonly organisations?: readonly SignpostingChoice[];
}

/** What the card knows beside the case when it decides whether to offer a verb. */
export interface CardViewer {
  readonly isOwner: boolean;
  /** People the Assign list can offer. */
  readonly staffCount: number;
}

export interface CaseVerbDefinition {
  /** The permission the access check asks for (access.ts): officers, managers and admins hold every one. */
  readonly access: string;
  /** Volunteers may too (access.ts may() still keeps complaints' closing from them). */
  readonly volunteers?: true;
  /** Managers and admins only: officers (and volunteers) may not. */
  readonly managers?: true;
  /** "You can't <phrase>": what a refusal calls it. */
  readonly phrase: string;
  /** When the card offers it, roles aside. */
  readonly offered: (c: Case, viewer: CardViewer) => boolean;
  readonly inputs: Readonly<Record<string, VerbInput>>;
  /** Something the application layer must look up first (and check) before the rule runs. */
  readonly resolves?: "assignee" | "organisations";
  /** The rule, given the inputs by id (text as typed, toggles as booleans). */
  readonly rule: (c: Case, input: Readonly<Record<string, string | boolean>>, ctx: ActionContext, resolved: Resolved) => ActionResult;
  /** The timeline entry the rule records. */
  readonly event: CaseEventKind;
  /** What the person is told once it is done (shown as plain text: it may name someone). */
  readonly done: (c: Case) => string;
}

const text = (input: Readonly<Record<string, string | boolean>>, id: string): string => String(input[id] ?? "");
const open = (c: Case) => c.status === "open";

/** The case card's verbs, by name: `case.<name>` is the button's Action.Execute verb, `can.<name>` its flag on the card. */
export const CASE_VERB_DEFINITIONS = {
  takeOwnership: {
    access: "take-ownership",
    volunteers: true,
    phrase: "take ownership of cases",
    offered: (c, viewer) => open(c) && !viewer.isOwner,
    inputs: {},
    rule: (c, _input, ctx) => takeOwnership(c, ctx),
    event: "owner-changed",
    done: () => "You now own this case.",
  },
  assign: {
    access: "assign",
    phrase: "assign cases to other people",
    offered: (c, viewer) => open(c) && viewer.staffCount > 0,
    inputs: { assignTo: { max: 100, box: "the person" } },
    resolves: "assignee",
    rule: (c, _input, ctx, resolved) => assignOwner(c, resolved.assignee!, ctx),
    event: "owner-changed",
    done: (c) => `Assigned to ${c.owner?.name ?? "someone"}.`,
  },
  addNote: {
    access: "add-note",
    volunteers: true,
    phrase: "add notes to cases",
    offered: () => true,
    inputs: { note: { max: NOTE_LIMIT, box: "the note" } },
    rule: (c, input, ctx) => addNote(c, text(input, "note"), ctx),
    event: "note-added",
    done: () => "Note added to the timeline.",
  },
  acknowledge: {
    access: "acknowledge",
    phrase: "record complaint acknowledgements",
    offered: (c) => open(c) && c.type === "complaint" && !!c.deadlines.acknowledgeBy && !c.deadlines.acknowledgedOn,
    inputs: { acknowledgedOn: { max: 10 } },
    rule: (c, input, ctx) => recordAcknowledgement(c, text(input, "acknowledgedOn"), ctx),
    event: "acknowledged",
    done: () => "Acknowledgement recorded.",
  },
  changeResponseDate: {
    access: "change-response-date",
    phrase: "change response dates",
    offered: (c) => open(c) && !!c.deadlines.respondBy,
    inputs: {
      newResponseDate: { max: 10 },
      responseDateReason: { max: REASON_LIMIT, box: "the reason" },
      agreedWithComplainant: { max: 5, yesNo: true },
      longerPeriodAgreed: { max: 5, yesNo: true },
    },
    rule: (c, input, ctx) =>
      changeResponseDate(
        c,
        {
          newDate: text(input, "newResponseDate"),
          reason: text(input, "responseDateReason"),
          agreedWithComplainant: input.agreedWithComplainant === true,
          longerPeriodAgreed: input.longerPeriodAgreed === true,
        },
        ctx,
      ),
    event: "response-date-changed",
    done: () => "Response date changed.",
  },
  escalate: {
    access: "escalate",
    phrase: "escalate concerns to complaints",
    offered: (c) => open(c) && c.type === "concern",
    inputs: {},
    rule: (c, _input, ctx) => escalateConcernToComplaint(c, ctx),
    event: "escalated-to-complaint",
    done: () => "Escalated to a formal complaint. Complaint deadlines start today.",
  },
  recordSignposting: {
    access: "record-signposting",
    volunteers: true,
    phrase: "record signposting",
    offered: () => true,
    inputs: { organisations: { max: 2000 } },
    resolves: "organisations",
    rule: (c, _input, ctx, resolved) => recordSignposting(c, resolved.organisations ?? [], ctx),
    event: "signposting-recorded",
    done: () => "Signposting recorded.",
  },
  close: {
    access: "close",
    volunteers: true,
    phrase: "close cases",
    offered: open,
    inputs: { outcome: { max: 50, box: "the outcome" }, learning: { max: NOTE_LIMIT, box: "the learning" } },
    rule: (c, input, ctx) => {
      const outcome = OutcomeSchema.safeParse(text(input, "outcome"));
      if (!outcome.success) throw new CaseRuleError("Choose the outcome before closing the case.");
      return closeCase(c, { outcome: outcome.data, learning: text(input, "learning") || undefined }, ctx);
    },
    event: "closed",
    done: () => "Case closed.",
  },
  reopen: {
    access: "reopen",
    phrase: "reopen closed cases",
    offered: (c) => !open(c),
    inputs: { reopenReason: { max: REASON_LIMIT, box: "the reason" } },
    rule: (c, input, ctx) => reopenCase(c, text(input, "reopenReason"), ctx),
    event: "reopened",
    done: () => "Case reopened.",
  },
  recordIncidentReference: {
    access: "record-incident-reference",
    phrase: "record incident references",
    // Open or closed: reporting on the incident system may come after the case is closed.
    offered: (c) => !!c.safetyIncident && !c.retiringOn,
    // Checked again (system from the list, 1 to 40 letters, digits, spaces and -/_.) by the rule.
    inputs: { incidentSystem: { max: 20 }, incidentReference: { max: 40, box: "the incident reference" } },
    rule: (c, input, ctx) => recordIncidentReference(c, { system: text(input, "incidentSystem"), reference: text(input, "incidentReference") }, ctx),
    event: "incident-reference-recorded",
    done: (c) => `Incident reference recorded: ${c.incidentReference?.reference ?? ""}.`,
  },
  recordUpdateGiven: {
    access: "record-update",
    phrase: "record updates given to complainants",
    offered: (c) => open(c) && c.type === "complaint" && !c.retiringOn,
    // Checked again (a way from the list, a real date neither future nor before receipt, at most 500 characters) by the rule.
    inputs: { updateHow: { max: 30 }, updateOn: { max: 10 }, updateNote: { max: 500, box: "the note about the update" } },
    rule: (c, input, ctx) => recordUpdateGiven(c, { how: text(input, "updateHow"), on: text(input, "updateOn"), note: text(input, "updateNote") }, ctx),
    event: "update-given",
    done: () => "Update to the complainant recorded.",
  },
  recordDiscussion: {
    access: "record-discussion",
    phrase: "record the discussion offered on a complaint",
    offered: (c) => open(c) && c.type === "complaint" && !c.retiringOn,
    // Checked again (real dates, neither future nor before receipt; an answer from the list) by the rule.
    inputs: { discussionOfferedOn: { max: 10 }, discussionAnswer: { max: 10 }, discussionHeldOn: { max: 10 } },
    rule: (c, input, ctx) =>
      recordDiscussion(
        c,
        { offeredOn: text(input, "discussionOfferedOn"), answer: text(input, "discussionAnswer"), heldOn: text(input, "discussionHeldOn") },
        ctx,
      ),
    event: "discussion-recorded",
    done: (c) =>
      c.discussion?.answer === "declined" ? "Recorded: they declined, so tell them in writing when to expect the response." : "Discussion recorded.",
  },
  waiveTimeLimit: {
    access: "waive-time-limit",
    phrase: "set aside the 12-month time limit",
    offered: (c) => open(c) && c.type === "complaint" && c.flags.includes("out-of-time") && !c.timeLimitWaived,
    inputs: { waiverReason: { max: REASON_LIMIT, box: "the reason" } },
    rule: (c, input, ctx) => waiveTimeLimit(c, text(input, "waiverReason"), ctx),
    event: "time-limit-waived",
    done: () => "Time limit set aside: the complaint will be considered. The reason is on the timeline.",
  },
  // Records retention (src/domain/deadlines/retention.ts): a legal hold stops the clock; managers place and lift it.
  placeLegalHold: {
    access: "place-legal-hold",
    managers: true,
    phrase: "place or lift legal holds",
    // Open or closed: a claim or an inquiry can come at any time, and the hold outlasts closing.
    offered: (c) => !c.legalHold && !c.anonymisedOn && !c.retiringOn,
    inputs: { legalHoldReason: { max: RETENTION_REASON_LIMIT, box: "the reason for the legal hold" } },
    rule: (c, input, ctx) => placeLegalHold(c, text(input, "legalHoldReason"), ctx),
    event: "legal-hold-placed",
    done: () => "Legal hold placed: this case's records won't come due for retention review until it is lifted. The reason is on the timeline.",
  },
  liftLegalHold: {
    access: "place-legal-hold",
    managers: true,
    phrase: "place or lift legal holds",
    offered: (c) => !!c.legalHold && !c.retiringOn,
    inputs: { liftHoldReason: { max: RETENTION_REASON_LIMIT, box: "the reason for lifting the legal hold" } },
    rule: (c, input, ctx) => liftLegalHold(c, text(input, "liftHoldReason"), ctx),
    event: "legal-hold-lifted",
    done: () => "Legal hold lifted: records retention counts again. The reason is on the timeline.",
  },
} as const satisfies Readonly<Record<string, CaseVerbDefinition>>;

export type CaseVerbName = keyof typeof CASE_VERB_DEFINITIONS;

/** The permissions the case-card verbs ask for. */
export type CardVerbAccess = (typeof CASE_VERB_DEFINITIONS)[CaseVerbName]["access"];

export const CASE_VERB_NAMES = Object.keys(CASE_VERB_DEFINITIONS) as CaseVerbName[];
