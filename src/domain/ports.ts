import type { Case } from "./case";
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
  /** Conditional write: throws CaseChangedError when the etag is stale. */
  replace(updated: Case, etag: string): Promise<Versioned<Case>>;
  /**
   * Reads, applies `change` and writes with If-Match; on a conflict re-reads and re-applies, a bounded
   * number of times. `change` may throw CaseRuleError when it no longer applies to the fresh case.
   */
  update(tenantId: string, caseId: string, change: (current: Case) => Case): Promise<Versioned<Case>>;
  listOpenByOwner(tenantId: string, ownerAadObjectId: string): Promise<Case[]>;
  search(query: CaseSearch): Promise<Case[]>;
}

export interface TimelineRepository {
  append(event: CaseEvent): Promise<void>;
  list(caseId: string): Promise<CaseEvent[]>;
}

/** A member of staff who has used PALS Desk, as Teams identifies them. */
export interface StaffMember {
  readonly aadObjectId: string;
  readonly name: string;
  /** The Teams user id (29:...). */
  readonly teamsUserId: string;
}

/** Staff known to PALS Desk in a trust, with where to reach them (their personal chat with the bot). */
export interface PeopleDirectory {
  /** Records a person seen in an activity; cheap to call on every turn. */
  remember(tenantId: string, person: StaffMember, personalConversation?: Readonly<Record<string, unknown>>): Promise<void>;
  get(tenantId: string, aadObjectId: string): Promise<StaffMember | undefined>;
  list(tenantId: string): Promise<StaffMember[]>;
}
