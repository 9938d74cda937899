import { v5 as uuidv5 } from "uuid";

/** PALS Desk's namespace for ids made from other ids (name-based UUIDs, version 5). */
const NAMESPACE = "5b0f3b52-2f0e-4c37-9e0e-5a6b2a8f2d11";

/**
 * The case a "Log a contact" form makes. The form's id comes from the card, so it is made into an id of this
 * trust's own: a form id copied from another trust's card can never name that trust's case (its timeline,
 * its schedule entries). The same form submitted again gives the same case.
 */
export function caseIdFor(trustId: string, formId: string): string {
  return uuidv5(`case\u0000${trustId}\u0000${formId}`, NAMESPACE);
}

/** The investigation request a submission makes, so a retried submission finds the request it made. */
export function requestIdFor(caseId: string, submission: string): string {
  return uuidv5(`investigation-request\u0000${caseId}\u0000${submission}`, NAMESPACE);
}

/**
 * An email's document id: one per message and trust, however often and through however many mailboxes it arrives.
 * The sender and subject are part of it, so another email reusing a Message-ID (the sender chooses it) is not
 * taken for a repeat.
 */
export function emailIdFor(
  trustId: string,
  email: { readonly messageId: string; readonly from?: { readonly address?: string }; readonly subject: string },
): string {
  return uuidv5(`email\u0000${trustId}\u0000${email.messageId.trim().toLowerCase()}\u0000${email.from?.address ?? ""}\u0000${email.subject}`, NAMESPACE);
}

/** The index entry that finds a case from a message id it sent or received (replies name it in In-Reply-To and References). */
export function mailThreadIdFor(trustId: string, messageId: string): string {
  return uuidv5(`mail-thread\u0000${trustId}\u0000${messageId.trim().toLowerCase()}`, NAMESPACE);
}
