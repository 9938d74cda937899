// Errors the domain and the application layer raise on purpose; their messages are shown to people.

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
