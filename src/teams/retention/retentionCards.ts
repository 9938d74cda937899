// The managers' records retention review card (`retention review`): the files due, longest due first, each with
// its decision: keep for more years (with the reason), or destroy (confirmed). No patient details are shown: the
// reference, the type and dates only; the manager opens the case to look closer. A name (who kept it before) is a TextRun.
import { contactTypeTitle, formatPlainDate, KEEP_YEARS_MAX, type RetentionAction, type RetentionDueFile } from "../../domain";
import { expandCard, newSubmission } from "../cards";
import { bannerData, type Banner } from "../cases/caseView";

const NO_BANNER: Banner = { text: "", style: "accent" };

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The card's inputs for one file: ids carry the case id, so each file's form is its own. */
export const keepInputIds = (caseId: string) => ({ years: `keepYears_${caseId}`, reason: `keepReason_${caseId}` });

/** What "destroy" does, in the words of the trust's setting. */
export function destroyWords(action: RetentionAction): string {
  return action === "delete"
    ? "deletes the case and its timeline, with its emails, their attachments and its documents; one audit entry stays"
    : "removes the patient's details and every free text from the case and its timeline, and deletes its emails, their attachments and its documents; the type, dates, KO41a codes and outcome stay for statistics";
}

/** What "destroy" did, once done. */
export function destroyedWords(action: RetentionAction): string {
  return action === "delete"
    ? "the case and its timeline were deleted, with its emails, their attachments and its documents; one audit entry records your decision"
    : "the patient's details and every free text were removed from the case and its timeline, and its emails, their attachments and its documents deleted; an audit entry records your decision";
}

export interface RetentionReviewCardOptions {
  readonly files: readonly RetentionDueFile[];
  /** How many files are due in all. */
  readonly total: number;
  readonly years: number;
  readonly action: RetentionAction;
  readonly banner?: Banner;
  /** What a manager had typed for a file whose decision was refused, by case id. */
  readonly drafts?: Readonly<Record<string, { readonly keepYears?: string; readonly keepReason?: string }>>;
}

export function retentionReviewCard(options: RetentionReviewCardOptions): Record<string, unknown> {
  const { files, total } = options;
  const intro =
    files.length === 0
      ? "No closed files are due for records retention review. PALS Desk tells the managers' channel when files come due."
      : `${plural(total, "closed file")} due for review, longest due first. A complaints file is kept ${plural(options.years, "year")} after the last ` +
        "process on it ended (its closure, or the Ombudsman's decision if later), as the Records Management Code of Practice 2023 sets out; " +
        `then a manager decides: keep it for more years, or destroy it. Destroy ${destroyWords(options.action)}.`;
  const notShown = total - files.length;
  return expandCard("retentionReview", {
    submission: newSubmission(),
    banner: bannerData(options.banner ?? NO_BANNER),
    intro,
    yearChoices: Array.from({ length: KEEP_YEARS_MAX }, (_, i) => ({ id: String(i + 1), title: plural(i + 1, "more year") })),
    items: files.map((file) => {
      const ids = keepInputIds(file.caseId);
      const draft = options.drafts?.[file.caseId] ?? {};
      return {
        caseId: file.caseId,
        reference: file.reference,
        typeTitle: contactTypeTitle(file.type),
        facts: [
          { title: "Closed on", value: formatPlainDate(file.closedOn) },
          { title: "Last process ended on", value: formatPlainDate(file.lastProcessEndedOn) },
          { title: "Due for review since", value: formatPlainDate(file.dueSince) },
        ],
        warning: file.ombudsmanDateMissing
          ? "The Ombudsman's decision date was not recorded, so the clock counts from the referral: record the date under Ombudsman on the case before destroying it."
          : "",
        kept: file.keptBefore
          ? `Kept before: on ${formatPlainDate(file.keptBefore.on)} by ${file.keptBefore.by.name}, for ${plural(file.keptBefore.years, "more year")}. The reason is on the case's timeline.`
          : "",
        keepYearsId: ids.years,
        keepReasonId: ids.reason,
        draft: { keepYears: draft.keepYears ?? "", keepReason: draft.keepReason ?? "" },
        destroyText: `Destroy ${file.reference}: this ${destroyWords(options.action)}. It can't be undone.`,
      };
    }),
    footer: notShown > 0 ? `${plural(notShown, "more file")} due and not listed: decide these first, then type retention review again.` : "",
  });
}
