// What the application layer needs from storage, as interfaces; src/store implements them on Cosmos DB.
import type { Role } from "./access/access";
import type { Case, CaseSummary, ReportCase } from "./case/caseSchema";
import type { ConversationAddress, StaffMember } from "./messages/conversations";
import type { FollowUps, ThreadLink } from "./case/followUps";
import type { LatestEntry } from "./case/latestEntries";
import type { CaseActions } from "./actions/learningActions";
import type { LetterKind } from "./letters/letters";
import type { OutboxItem, OutboxTarget } from "./messages/outbox";
import type { CaseEvent } from "./case/timeline";
import type { CaseWithDoneActions } from "./actions/youSaidWeDid";
import type { InboxEmail, ParsedEmail } from "./inbox/email";
import type { RetentionCase } from "./deadlines/retention";

/** A document with the etag it was read or written at; writes send it back as If-Match. */
export interface Versioned<T> {
  readonly value: T;
  readonly etag: string;
}

/** What the case document carries beside the case itself, for the one-write change (followUps.ts). */
export interface CaseBookkeeping {
  /** How many changes have been saved: the next change is saved as revision + 1. */
  readonly revision: number;
  /** Follow-ups of saved changes not yet known to be done. */
  readonly pending: readonly FollowUps[];
  /** Keys of the latest submissions applied, so a retried submission is recognised (newest last). */
  readonly applied: readonly string[];
  /** The case's newest timeline entries, for the case card (latestEntries.ts); left out, none are kept from before this write. */
  readonly latest?: readonly LatestEntry[];
}

/** A case as stored: the case, its etag and its bookkeeping. */
export interface CaseRecord extends Versioned<Case>, CaseBookkeeping {}

export interface CaseSearch {
  readonly trustId: string;
  /** Words, each of which must be a whole word of the reference, the patient name or the summary (the case's search tokens). */
  readonly words: readonly string[];
  /** A normalised NHS number: matches it exactly. */
  readonly nhsNumber?: string;
  /**
   * False for someone who may not see safeguarding details (a volunteer): a safeguarding case then matches on
   * its reference only, never on the patient's name, NHS number or summary, so a result can't confirm them.
   */
  readonly seesSafeguardingDetail: boolean;
  readonly limit: number;
}

export interface CaseRepository {
  /** Allocates the next reference number for the year (atomic; never repeats under concurrency). */
  nextReferenceNumber(trustId: string, year: number): Promise<number>;
  /** Creates the case with its follow-ups in one write (none: a case imported as it is); undefined when a case with its id already exists. */
  create(newCase: Case, bookkeeping?: CaseBookkeeping): Promise<CaseRecord | undefined>;
  get(trustId: string, caseId: string): Promise<CaseRecord | undefined>;
  findByReference(trustId: string, reference: string): Promise<CaseRecord | undefined>;
  /** One conditional write (If-Match) of the case with its follow-ups; throws CaseChangedError when the etag is stale. */
  save(updated: Case, bookkeeping: CaseBookkeeping, etag: string): Promise<CaseRecord>;
  /**
   * Drops the follow-ups of these changes, which are done; conditional on the etag, so a change saved
   * meanwhile (which carries them too) is never undone. Undefined when the case changed first.
   */
  clearFollowUps(record: CaseRecord, doneChangeIds: readonly string[]): Promise<CaseRecord | undefined>;
  /** Cases with follow-ups pending, oldest first: the sweep finishes them. Served by an index, not a scan. */
  withPendingFollowUps(limit: number): Promise<{ readonly trustId: string; readonly caseId: string }[]>;
  /**
   * The morning round's due cases, across trusts, served by the index on `watchOn`: the cases whose watch day
   * (watchDay: when the sweep must next look at them) is on or before `day`, whole and with their etags, at most
   * `pageSize` a page, one query page at a time (the round reads no case on its own).
   */
  dueCases(day: string, pageSize: number): AsyncIterable<readonly CaseRecord[]>;
  /**
   * The morning round's other query, across trusts, served by the index on `missingCount`: the open cases with
   * details still to record (quick capture; ids and references only, for the owners' digests).
   */
  incompleteCases(): Promise<IncompleteCase[]>;
  /** Writes the case's index fields again (its watch day under today's rules); false when it changed meanwhile (that write did it). */
  reindex(record: CaseRecord): Promise<boolean>;
  /** Records retention only. */
  delete(trustId: string, caseId: string): Promise<void>;
  /**
   * `retention review`: the trust's closed files due for records retention review on or before `day` (the indexed
   * `retentionDueOn`, which only a closed case not under a legal hold, with no Ombudsman process continuing and not
   * yet destroyed carries), longest due first, at most `limit`, reading no patient details; with how many there are
   * in all (a COUNT only when the list is cut).
   */
  listDueForRetentionReview(trustId: string, day: string, limit: number): Promise<{ readonly cases: RetentionCase[]; readonly total: number }>;
  /** The morning word, across trusts: files that came due for review on a day after `after`, up to `upTo`, at most `limit`. */
  newlyDueForRetentionReview(
    after: string,
    upTo: string,
    limit: number,
  ): Promise<{ readonly trustId: string; readonly caseId: string; readonly reference: string }[]>;
  /**
   * A person's open cases, next deadline first, at most `limit` (one query served by the cases container's
   * composite index), with how many there are in all (a COUNT only when the list is cut). `dueBy`: only those
   * due on or before that day.
   */
  listOpenByOwner(
    trustId: string,
    ownerAadObjectId: string,
    options: { readonly limit: number; readonly dueBy?: string },
  ): Promise<{ readonly cases: CaseSummary[]; readonly total: number }>;
  /** Every case about one patient, by NHS number (subject access requests). */
  listForPatient(trustId: string, nhsNumber: string): Promise<Case[]>;
  /**
   * Contacts about one patient (by NHS number) received on or after a day, counted up to `atMost`: the
   * repeat-contact rule only asks whether there are enough, and a frequent contact's history can be long.
   */
  countForPatient(trustId: string, nhsNumber: string, receivedSince: string, atMost: number): Promise<number>;
  search(query: CaseSearch): Promise<Case[]>;
  /**
   * Cases with open actions owned by this person (`actions`), soonest open action first, at most `limit`: one query
   * served by the index (ARRAY_CONTAINS on `openActionOwners`, ORDER BY `openActionsDueOn`), reading only id,
   * reference and actions.
   */
  listWithOpenActionsOf(trustId: string, ownerAadObjectId: string, limit: number): Promise<CaseActions[]>;
  /** Every case of the trust with open actions (managers' `actions all`), soonest first, at most `limit`; same fields. */
  listWithOpenActions(trustId: string, limit: number): Promise<CaseActions[]>;
  /**
   * Cases for a report on the days from `fromDay` to `toDay` (both included): received in the period, or
   * received before its end and still open, closed in or after it, or with a deadline in or after it.
   * The domain does the counting (reports.ts), so only the fields it counts are read (ReportCase); the case
   * export asks for `"whole cases"`.
   */
  listForReport(trustId: string, fromDay: string, toDay: string): Promise<ReportCase[]>;
  listForReport(trustId: string, fromDay: string, toDay: string, read: "whole cases"): Promise<Case[]>;
  /**
   * "You said, we did": cases with an action done on or after `fromDay` (the indexed `lastActionDoneOn`), at most
   * `limit`, earliest last-done first, reading only subjects, division, actions and what to scrub from them (the
   * patient's name, NHS number and date of birth, the raiser's and owner's names).
   */
  listWithActionsDoneSince(trustId: string, fromDay: string, limit: number): Promise<CaseWithDoneActions[]>;
}

/** An open case with details still to record, as the morning digest lists it. */
export interface IncompleteCase {
  readonly trustId: string;
  readonly caseId: string;
  readonly reference: string;
  readonly ownerId?: string;
  readonly missingCount: number;
}

export interface TimelineRepository {
  /** Writes the event unless one with its id exists (a follow-up done twice); true when this call wrote it. */
  record(event: CaseEvent): Promise<boolean>;
  list(caseId: string): Promise<CaseEvent[]>;
  /** Records retention only: removes the free text of every event of a case; returns how many changed. */
  removeDetails(caseId: string): Promise<number>;
  /** Records retention only: deletes every event of a case (but the one kept); returns how many. */
  deleteAll(caseId: string, keepEventId?: string): Promise<number>;
}

/** Staff known to PALS Desk in a trust, with where to reach them (their personal chat with the bot). */
export interface PeopleDirectory {
  /** Records a person seen in an activity; cheap to call on every turn. */
  remember(trustId: string, person: StaffMember, personalConversation?: ConversationAddress): Promise<void>;
  get(trustId: string, aadObjectId: string): Promise<StaffMember | undefined>;
  list(trustId: string): Promise<StaffMember[]>;
  personalConversation(trustId: string, aadObjectId: string): Promise<ConversationAddress | undefined>;
  /** The bot was removed or blocked: stop using the stored address until the person talks to the bot again. */
  forgetPersonalConversation(trustId: string, aadObjectId: string): Promise<void>;
}

/** A person's roles, and whether some could not be checked (the directory holding them did not answer). */
export interface RoleLookup {
  readonly roles: ReadonlySet<Role>;
  /** True when a source of roles could not be read: none of its roles are in `roles` (an outage never grants one). */
  readonly unchecked: boolean;
}

/** Who has which PALS Desk roles: Entra ID object ids in settings, and members of Entra ID security groups. */
export interface RoleDirectory {
  /** The roles that could be confirmed (a source that could not be read gives none). */
  rolesOf(trustId: string, aadObjectId: string): Promise<ReadonlySet<Role>>;
  /** The roles, saying whether a source could not be read: for telling the person why they can do less than usual. */
  lookup(trustId: string, aadObjectId: string): Promise<RoleLookup>;
  /** True when the trust names its clinical leads (otherwise anyone known may be asked). */
  leadsNamed(trustId: string): boolean;
}

/** A Teams team PALS Desk can read the members of: its id and a channel of it the bot can post in. */
export interface TeamAddress {
  readonly teamId: string;
  readonly channel: ConversationAddress;
}

/** The members of the PALS team (the team of the alerts channel), as Teams lists them. */
export interface TeamRoster {
  /** Everyone in the trust's PALS team; empty when no alerts channel (in a team) is set. Throws when the team can't be read. */
  members(trustId: string): Promise<readonly StaffMember[]>;
}

/** Channels with one job each in a trust: the managers' alerts, possible patient safety incidents, the inbox's triage cards. */
export type ChannelPurpose = "alerts" | "patient-safety" | "inbox";

/** Channels with a job: the managers' alerts channel and division channels. */
export interface ChannelDirectory {
  /** `set inbox channel` and the like: the channel for a purpose (replacing the one set before). */
  setChannelFor(trustId: string, purpose: ChannelPurpose, address: ConversationAddress & { teamId?: string }, setBy: StaffMember): Promise<void>;
  channelFor(trustId: string, purpose: ChannelPurpose): Promise<ConversationAddress | undefined>;
  forgetChannelFor(trustId: string, purpose: ChannelPurpose): Promise<void>;
  setAlertsChannel(trustId: string, address: ConversationAddress & { teamId?: string }, setBy: StaffMember): Promise<void>;
  alertsChannel(trustId: string): Promise<ConversationAddress | undefined>;
  /** The team the alerts channel is in (undefined when none is set, or it was set outside a team). */
  alertsTeam(trustId: string): Promise<TeamAddress | undefined>;
  /** The channel where a division's clinical leads get investigation requests (`set division channel`). */
  setDivisionChannel(trustId: string, division: string, address: ConversationAddress & { teamId?: string }, setBy: StaffMember): Promise<void>;
  divisionChannel(trustId: string, division: string): Promise<ConversationAddress | undefined>;
  divisions(trustId: string): Promise<string[]>;
  /** Links a channel thread (by its first message's id) to the investigation request that started it; idempotent. */
  rememberThread(trustId: string, link: ThreadLink): Promise<void>;
  thread(trustId: string, rootActivityId: string): Promise<{ caseId: string; requestId: string } | undefined>;
  /** A team the bot was added to, with its General channel's address. */
  rememberTeam(trustId: string, teamId: string, general: ConversationAddress): Promise<void>;
  /** Forgets every channel of a team the bot was removed from. */
  forgetTeam(trustId: string, teamId: string): Promise<void>;
  forgetAlertsChannel(trustId: string): Promise<void>;
  /** The patient-safety channel (`set safety channel`): possible patient safety incidents are posted there too. */
  setSafetyChannel(trustId: string, address: ConversationAddress & { teamId?: string }, setBy: StaffMember): Promise<void>;
  safetyChannel(trustId: string): Promise<ConversationAddress | undefined>;
  forgetSafetyChannel(trustId: string): Promise<void>;
}

/** A case the sweep should look at. */
export interface ScheduledCase {
  readonly caseId: string;
  readonly trustId: string;
}

/** How far the morning round has got: one small document, advanced once a day. */
export interface SweepCursor {
  /** The last day whose morning round finished, with the etag to advance it. */
  lastSweptDay(): Promise<{ readonly day?: string; readonly etag?: string }>;
  /** Conditional on the etag read: false when another instance advanced it first. */
  markSwept(day: string, etag: string | undefined): Promise<boolean>;
}

/** An outbox item to look at, and where it goes when that is known without reading it. */
export interface PendingOutboxItem {
  readonly id: string;
  readonly trustId: string;
  readonly target?: OutboxTarget;
}

export interface OutboxStore {
  /** Writes the item unless one with its id exists; true when this call created it. */
  enqueue(item: OutboxItem): Promise<boolean>;
  /** Items still to send whose next try is due by `dueBy`, soonest first, at most `limit` (one query served by the index, across trusts). */
  pending(dueBy: Date, limit: number): Promise<PendingOutboxItem[]>;
  get(trustId: string, id: string): Promise<Versioned<OutboxItem> | undefined>;
  /** Conditional write; false when someone else changed it first. */
  save(item: OutboxItem, etag: string): Promise<boolean>;
}

/** Only one instance sweeps at a time: a lease with an expiry, taken over when its holder dies. */
export interface SweepLease {
  tryAcquire(holder: string, now: Date, ttlMs: number): Promise<boolean>;
  release(holder: string): Promise<void>;
}

/** The trust's letter templates, read from files (src/store/letterTemplates.ts). */
export interface LetterTemplateSource {
  /** The template's text, or what is wrong with its file. `source` names where it came from, for the officer. */
  template(kind: LetterKind): { readonly ok: true; readonly text: string; readonly source: string } | { readonly ok: false; readonly problem: string };
}

/** A new email a mailbox gives PALS Desk, with the trust whose mailbox it came to. */
export interface IncomingEmail {
  readonly trustId: string;
  /** The shared mailbox's address (lower case). */
  readonly mailbox: string;
  readonly email: ParsedEmail;
}

/**
 * A trust's shared mailbox(es) as a source of new email: Microsoft Graph in production (src/mail/graphMailbox.ts),
 * a folder of .eml files on the embedded default (src/mail/folderMailbox.ts). An email counts as read only once
 * `receive` has resolved (the file is moved, the delta link advanced), so a crash or a rejected `receive` means
 * the email is given again: `receive` must be idempotent (it is: the email's id comes from its Message-ID).
 */
export interface MailboxSource {
  /** Starts watching; new email is given to `receive`, one at a time per mailbox. */
  start(receive: (incoming: IncomingEmail) => Promise<void>): Promise<void>;
  /** Reads what has arrived now (after downtime, on a notification, in tests); resolves with how many were given. */
  catchUp(): Promise<number>;
  stop(): Promise<void>;
}

/** Where a Graph mailbox has got to: its delta link and its change-notification subscription. */
export interface MailboxState {
  readonly deltaLink?: string;
  readonly subscription?: { readonly id: string; readonly expiresAt: string };
}

/** One small document per mailbox, written conditionally so two instances never both renew or both advance. */
export interface MailboxStateStore {
  read(mailbox: string): Promise<{ readonly state: MailboxState; readonly etag?: string }>;
  /** Conditional on `etag` (create when undefined); false when another instance wrote first. */
  write(mailbox: string, state: MailboxState, etag: string | undefined): Promise<boolean>;
}

/** An email as the `inbox` list shows it. */
export type InboxEmailSummary = Pick<InboxEmail, "id" | "trustId" | "from" | "subject" | "receivedAt" | "state" | "takenBy" | "attachments">;

/** The trusts' emails, one document each in the trust's partition of the inbox container, and the index from message ids to cases. */
export interface InboxRepository {
  /** Creates the email unless one with its id exists; the stored one either way (a second delivery changes nothing). */
  keep(email: InboxEmail): Promise<{ readonly email: Versioned<InboxEmail>; readonly created: boolean }>;
  get(trustId: string, emailId: string): Promise<Versioned<InboxEmail> | undefined>;
  /** Conditional write (If-Match); undefined when it changed meanwhile. */
  save(email: InboxEmail, etag: string): Promise<Versioned<InboxEmail> | undefined>;
  /** Emails still to be worked (untriaged or taken), oldest first, at most `limit`, with how many there are (a COUNT only when cut). */
  listOpen(trustId: string, limit: number): Promise<{ readonly emails: InboxEmailSummary[]; readonly total: number }>;
  /** Across trusts, for the morning round: trusts with open emails received before `before` (ISO), and how many (up to `atMost` each). */
  openSince(before: string, atMost: number): Promise<{ readonly trustId: string; readonly count: number; readonly oldest: string }[]>;
  /** Remembers that a message id belongs to a case (idempotent). */
  linkThread(trustId: string, messageId: string, caseId: string): Promise<void>;
  /** The case any of these message ids belongs to (the first found), if any. */
  caseOfThread(trustId: string, messageIds: readonly string[]): Promise<string | undefined>;
  /** Records retention: deletes the emails that became, joined or were filed on the case, and its message-id links; the ids of the emails deleted. */
  removeForCase(trustId: string, caseId: string): Promise<string[]>;
}

/** Where the contents of attachments and documents are kept: a local folder on the embedded default. */
export interface DocumentStore {
  /** Writes (or writes again) the content under the key; keys are made by PALS Desk, never from outside text alone. */
  put(trustId: string, key: string, content: Buffer, contentType: string): Promise<void>;
  get(trustId: string, key: string): Promise<Buffer | undefined>;
  /** Records retention: everything kept under the key's prefix. */
  deleteUnder(trustId: string, prefix: string): Promise<number>;
}

/** An email PALS Desk sends from a trust's shared mailbox (a letter, a message, the Ombudsman's file). */
export interface OutgoingEmail {
  /** Unique per send: sending again with the same id never sends a second email. */
  readonly sendId: string;
  readonly trustId: string;
  /** The shared mailbox it goes from (lower case). */
  readonly mailbox: string;
  readonly to: { readonly name?: string; readonly address: string };
  /** Carries the case reference, so a reply finds its case. */
  readonly subject: string;
  /** Plain text. */
  readonly text: string;
  readonly attachments: readonly { readonly name: string; readonly contentType: string; readonly content: Buffer }[];
  /** The Message-ID of the email this answers (In-Reply-To and References), when there is one. */
  readonly inReplyTo?: string;
}

/** What became of a send: sent (now or before, with the Message-ID the email carries), or why not. */
export type SendOutcome =
  | { readonly ok: true; readonly messageId: string; readonly alreadySent: boolean }
  | {
      readonly ok: false;
      /** HTTP status (0 when no answer came). */
      readonly status: number;
      readonly retryAfterSeconds?: number;
      /** True when trying again can't help (a refused address, a message too large); false for outages and throttling. */
      readonly permanent: boolean;
      /** Graph's error code, for the logs (never the message text). */
      readonly code?: string;
    };

/** Sends as a trust's shared mailbox: Microsoft Graph in production (src/mail/graphSender.ts), the folder mailbox's sent/ locally. */
export interface MailSender {
  send(email: OutgoingEmail): Promise<SendOutcome>;
}
