import type { Case } from "./case";
import type { OutboxItem } from "./outbox";
import type { CaseEvent } from "./timeline";

/** A document with the etag it was read or written at; writes send it back as If-Match. */
export interface Versioned<T> {
  readonly value: T;
  readonly etag: string;
}

/** Someone else changed the case since it was read, and retrying did not reconcile the two changes. */
export class CaseChangedError extends Error {
  constructor(readonly caseId: string) {
    super("The case was changed by someone else at the same moment.");
    this.name = "CaseChangedError";
  }
}

/** A change cannot be applied to the case as it now stands (e.g. closing a closed case). */
export class CaseRuleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CaseRuleError";
  }
}

export interface CaseSearch {
  readonly tenantId: string;
  /** Lower-case words, all of which must appear in the reference, patient name or summary. */
  readonly words: readonly string[];
  /** A normalised NHS number: matches it exactly. */
  readonly nhsNumber?: string;
  readonly limit: number;
}

export interface CaseRepository {
  /** Allocates the next reference number for the year (atomic; never repeats under concurrency). */
  nextReferenceNumber(tenantId: string, year: number): Promise<number>;
  create(newCase: Case): Promise<Versioned<Case>>;
  get(tenantId: string, caseId: string): Promise<Versioned<Case> | undefined>;
  findByReference(tenantId: string, reference: string): Promise<Versioned<Case> | undefined>;
  /** Records retention only. */
  delete(tenantId: string, caseId: string): Promise<void>;
  /** Conditional write: throws CaseChangedError when the etag is stale. */
  replace(updated: Case, etag: string): Promise<Versioned<Case>>;
  /**
   * Reads, applies `change` and writes with If-Match; on a conflict re-reads and re-applies, a bounded
   * number of times. `change` may throw CaseRuleError when it no longer applies to the fresh case.
   */
  update(tenantId: string, caseId: string, change: (current: Case) => Case): Promise<Versioned<Case>>;
  listOpenByOwner(tenantId: string, ownerAadObjectId: string): Promise<Case[]>;
  /** Every case about one patient, by NHS number (subject access requests). */
  listForPatient(tenantId: string, nhsNumber: string): Promise<Case[]>;
  /** Contacts about one patient (by NHS number) received on or after a day, this one included. */
  countForPatient(tenantId: string, nhsNumber: string, receivedSince: string): Promise<number>;
  search(query: CaseSearch): Promise<Case[]>;
  /**
   * Cases for a report on the days from `fromDay` to `toDay` (both included): received in the period, or
   * received before its end and still open, closed in or after it, or with a deadline in or after it.
   * The domain does the counting (reports.ts).
   */
  listForReport(tenantId: string, fromDay: string, toDay: string): Promise<Case[]>;
}

export interface TimelineRepository {
  append(event: CaseEvent): Promise<void>;
  list(caseId: string): Promise<CaseEvent[]>;
  /** Records retention only: removes the free text of every event of a case; returns how many changed. */
  removeDetails(caseId: string): Promise<number>;
  /** Records retention only: deletes every event of a case; returns how many. */
  deleteAll(caseId: string): Promise<number>;
}

/** A member of staff who has used PALS Desk, as Teams identifies them. */
export interface StaffMember {
  readonly aadObjectId: string;
  readonly name: string;
  /** The Teams user id (29:...). */
  readonly teamsUserId: string;
}

/** How to reach a conversation proactively (a Bot Framework conversation reference, reduced to what we need). */
export interface ConversationAddress {
  readonly conversationId: string;
  readonly serviceUrl: string;
  readonly channelId: string;
  readonly botId?: string;
  /** "personal" or "channel". */
  readonly conversationType: string;
  readonly name?: string;
}

/** Staff known to PALS Desk in a trust, with where to reach them (their personal chat with the bot). */
export interface PeopleDirectory {
  /** Records a person seen in an activity; cheap to call on every turn. */
  remember(tenantId: string, person: StaffMember, personalConversation?: ConversationAddress): Promise<void>;
  get(tenantId: string, aadObjectId: string): Promise<StaffMember | undefined>;
  list(tenantId: string): Promise<StaffMember[]>;
  personalConversation(tenantId: string, aadObjectId: string): Promise<ConversationAddress | undefined>;
  /** The bot was removed or blocked: stop using the stored address until the person talks to the bot again. */
  forgetPersonalConversation(tenantId: string, aadObjectId: string): Promise<void>;
}

/** Channels with a job: the managers' alerts channel (and, later, division channels). */
export interface ChannelDirectory {
  setAlertsChannel(tenantId: string, address: ConversationAddress, setBy: StaffMember): Promise<void>;
  alertsChannel(tenantId: string): Promise<ConversationAddress | undefined>;
  /** The channel where a division's clinical leads get investigation requests (`set division channel`). */
  setDivisionChannel(tenantId: string, division: string, address: ConversationAddress & { teamId?: string }, setBy: StaffMember): Promise<void>;
  divisionChannel(tenantId: string, division: string): Promise<ConversationAddress | undefined>;
  divisions(tenantId: string): Promise<string[]>;
  /** Links a channel thread (by its first message's id) to the investigation request that started it. */
  rememberThread(tenantId: string, rootActivityId: string, about: { caseId: string; requestId: string }): Promise<void>;
  thread(tenantId: string, rootActivityId: string): Promise<{ caseId: string; requestId: string } | undefined>;
  /** A team the bot was added to, with its General channel's address. */
  rememberTeam(tenantId: string, teamId: string, general: ConversationAddress): Promise<void>;
  /** Forgets every channel of a team the bot was removed from. */
  forgetTeam(tenantId: string, teamId: string): Promise<void>;
  forgetAlertsChannel(tenantId: string): Promise<void>;
}

/** A case the sweep should look at on a given day (the timer wheel of due work). */
export interface ScheduledCase {
  readonly caseId: string;
  readonly tenantId: string;
}

/**
 * Due work filed by day, so a sweep reads only what is due, however many cases a trust holds.
 * Filing is idempotent; a case may sit in more than one day (the sweep re-checks each case).
 */
export interface SweepSchedule {
  file(tenantId: string, caseId: string, day: string): Promise<void>;
  casesOn(day: string): Promise<ScheduledCase[]>;
  /** The last day whose morning round finished, with the etag to advance it. */
  lastSweptDay(): Promise<{ readonly day?: string; readonly etag?: string }>;
  /** Conditional on the etag read: false when another instance advanced it first. */
  markSwept(day: string, etag: string | undefined): Promise<boolean>;
}

export interface OutboxStore {
  /** Writes the item unless one with its id exists; true when this call created it. */
  enqueue(item: OutboxItem): Promise<boolean>;
  pending(): Promise<{ readonly id: string; readonly tenantId: string }[]>;
  get(tenantId: string, id: string): Promise<Versioned<OutboxItem> | undefined>;
  /** Conditional write; false when someone else changed it first. Leaving `pending` removes it from the queue. */
  save(item: OutboxItem, etag: string): Promise<boolean>;
}

/** Only one instance sweeps at a time: a lease with an expiry, taken over when its holder dies. */
export interface SweepLease {
  tryAcquire(holder: string, now: Date, ttlMs: number): Promise<boolean>;
  release(holder: string): Promise<void>;
}
