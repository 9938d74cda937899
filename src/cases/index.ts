// The application layer: one function per thing a person (or the sweep) does to cases. Teams handlers
// and jobs call these; nothing else writes a case. Each takes the caller (ids and roles, never a Teams
// turn), checks what they may do in their own trust, applies the pure rule from src/domain and returns
// what they should see.
import * as alerts from "./alerts";
import * as caseActions from "./caseActions";
import { finishPendingCases } from "./changes";
import * as contacts from "./contacts";
import * as details from "./details";
import * as inbox from "./inbox";
import * as correspondence from "./correspondence";
import * as documents from "./documents";
import type { CaseDeskDeps } from "./deps";
import * as directory from "./directory";
import * as investigations from "./investigations";
import * as learningActions from "./learningActions";
import * as letters from "./letters";
import * as lookup from "./lookup";
import * as recalculate from "./recalculate";
import * as reports from "./reports";
import * as retention from "./retention";

type Operation = (deps: CaseDeskDeps, ...args: never[]) => unknown;
type Bound<F> = F extends (deps: CaseDeskDeps, ...args: infer A) => infer R ? (...args: A) => R : never;
type BoundAll<T> = { readonly [K in keyof T as T[K] extends Operation ? K : never]: Bound<T[K]> };

function bindAll<T extends object>(deps: CaseDeskDeps, operations: T): BoundAll<T> {
  const bound: Record<string, unknown> = {};
  for (const [name, operation] of Object.entries(operations)) {
    if (typeof operation !== "function") continue;
    const run = operation as (deps: CaseDeskDeps, ...args: unknown[]) => unknown;
    if (run.length >= 1) bound[name] = (...args: unknown[]) => run(deps, ...args);
  }
  return bound as BoundAll<T>;
}

export function createCaseDesk(deps: CaseDeskDeps) {
  return {
    contacts: bindAll(deps, { logContact: contacts.logContact }),
    cases: bindAll(deps, {
      act: caseActions.act,
      recordLetterSent: caseActions.recordLetterSent,
      recordOmbudsman: caseActions.recordOmbudsman,
      openDetails: details.openDetails,
      saveDetails: details.saveDetails,
      draftLetter: letters.draftLetter,
      open: lookup.openCase,
      openByReference: lookup.openByReference,
      timeline: lookup.timeline,
      mine: lookup.myCases,
      due: lookup.due,
      find: lookup.findCases,
      recalculateDeadlines: recalculate.recalculateDeadlines,
    }),
    investigations: bindAll(deps, investigations),
    learningActions: bindAll(deps, {
      actionForm: learningActions.actionForm,
      addAction: learningActions.addAction,
      openAction: learningActions.openAction,
      markDone: learningActions.markDone,
      myActions: learningActions.myActions,
      allActions: learningActions.allActions,
    }),
    alerts: bindAll(deps, { acknowledge: alerts.acknowledgeAlert }),
    directory: bindAll(deps, directory),
    reports: bindAll(deps, { serviceReport: reports.serviceReport, ko41a: reports.ko41a, buildFile: reports.buildFile, youSaidWeDid: reports.youSaidWeDid }),
    jobs: bindAll(deps, {
      applyRetention: retention.applyRetention,
      noticeRetentionReviews: retention.noticeRetentionReviews,
      finishPendingCases,
      remindOfWaitingEmail: inbox.remindOfWaitingEmail,
    }),
    retention: bindAll(deps, { review: retention.retentionReview, keep: retention.keepRecords, destroy: retention.destroyRecords }),
    correspondence: bindAll(deps, {
      previewEmail: correspondence.previewEmail,
      sendEmail: correspondence.sendEmail,
      deliverEmail: correspondence.deliverEmail,
    }),
    documents: bindAll(deps, { documentLink: documents.documentLink, openDocumentLink: documents.openDocumentLink, addDocument: documents.addDocument }),
    inbox: bindAll(deps, {
      receiveEmail: inbox.receiveEmail,
      openEmail: inbox.openEmail,
      take: inbox.take,
      notACase: inbox.notACase,
      addToCase: inbox.addToCase,
      contactPrefill: inbox.contactPrefill,
      listInbox: inbox.listInbox,
      triageCardPosted: inbox.triageCardPosted,
      refreshTriageCard: inbox.refreshTriageCard,
    }),
  };
}

export type CaseDesk = ReturnType<typeof createCaseDesk>;
export type { CaseDeskDeps } from "./deps";
export type { AlertRef, AlertResult } from "./alerts";
export type { CaseChangeResult, Submission } from "./caseActions";
export type { RetentionDecisionResult, RetentionReviewResult } from "./retention";
export type { LogContactResult } from "./contacts";
export type { OpenDetailsResult, SaveDetailsResult } from "./details";
export { DETAILS_CHANGED } from "./details";
export type { ChannelAddress } from "./directory";
export type { InvestigationRequestInput, OpenRequest, RequestResult } from "./investigations";
export type { CaseQuery } from "./lookup";
export { parseCaseQuery, searchWords } from "./lookup";
export { CASE_NOT_FOUND } from "./results";
export { caseIdFor } from "./ids";
export type { Built, FileRequest, OutgoingFile } from "./reports";
export { FileRequestSchema, ONLY_MANAGERS } from "./reports";
export type { CaseView, Problem, Refused, Result, StaffChoice } from "./results";
