// The one check on a document key, shared by every DocumentStore (a local folder, SharePoint): keys are made by
// PALS Desk from ids (`emails/<emailId>/<n>`, `cases/<caseId>/<documentId>`), and checked again where they
// become a path, so no name from an email or a person ever does.

/** An id: a letter or digit first, then letters, digits, `.`, `_` or `-`; at most 128 characters. */
const SAFE_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Whether `segment` may be one step of a document's path (never `.` or `..`, never a separator). */
export function isSafeSegment(segment: string): boolean {
  return SAFE_SEGMENT.test(segment) && segment !== "." && segment !== "..";
}

/** The key's segments, each an id; throws (before anything is read or written) when one is not. */
export function documentKeySegments(key: string): string[] {
  const segments = key.split("/");
  if (!segments.every(isSafeSegment)) throw new Error("A document key must be made of ids");
  return segments;
}
