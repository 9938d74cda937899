import type { Container } from "@azure/cosmos";
import { LRUCache } from "lru-cache";
import { z } from "zod";
import { CaseSchema, CaseSummarySchema, ReportCaseSchema, type Case, type CaseSummary, type ReportCase } from "../domain/case/caseSchema";
import { CaseChangedError } from "../domain/case/errors";
import { FollowUpsSchema, watchDay } from "../domain/case/followUps";
import { latestEntries, LatestEntrySchema } from "../domain/case/latestEntries";
import { missingDetails } from "../domain/case/completeness";
import { LearningActionSchema } from "../domain/actions/learningActionSchema";
import type { CaseActions } from "../domain/actions/learningActions";
import type { CaseBookkeeping, CaseRecord, CaseRepository, CaseSearch, IncompleteCase, ScheduledCase } from "../domain/ports";
import { retentionDay, RetentionCaseSchema, type RetentionCase, type RetentionRules } from "../domain/deadlines/retention";
import type { AttentionRules } from "../domain/deadlines/nudges";
import { CaseWithDoneActionsSchema, type CaseWithDoneActions } from "../domain/actions/youSaidWeDid";
import { parseStored, statusOf } from "./documents";

const BookkeepingSchema = z.object({
  revision: z.number().int().min(0).default(0),
  pending: z.array(FollowUpsSchema).default([]),
  applied: z.array(z.string()).default([]),
  // A display copy: one that cannot be read must not stop the case being read.
  latest: z.array(LatestEntrySchema).default([]).catch([]),
});

/** The oldest instant a pending follow-up can carry; anything stored compares after it. */
const EPOCH = "2000-01-01T00:00:00.000Z";

/**
 * Cases, one document each, partitioned by trust. Reference counters share the container (one small
 * document per trust and year) so that a counter and the cases it numbers live in one partition.
 * Beside the case, a document carries its bookkeeping: the revision, the follow-ups still pending
 * (`pendingSince` is their oldest time, indexed so the sweep finds them), and recent submission keys.
 */
/** A case's version in the cache of checked cases: what a read and a write of the same version both find. */
const versionKey = (caseId: string, etag: string) => `${caseId}|${etag}`;

/** The dueKey of a case with no deadline: after every real day, so such cases come last. */
const NO_DEADLINE = "9999-12-31";

export class CosmosCaseRepository implements CaseRepository {
  /**
   * Cases already checked, or written by this instance, by id and etag: a document whose etag has not changed need
   * not be checked again (lists like `my cases` read the same cases over and over; checking one costs about 65 µs,
   * copying 8 µs).
   */
  private readonly checked = new LRUCache<string, Case>({ max: 10_000 });

  /** `retention`: the trust's records retention rules, which decide a closed case's watch day. */
  constructor(
    private readonly container: Container,
    private readonly retention: RetentionRules,
    /** The trust's nudge window and investigation reminders, which decide an open case's watch day. */
    private readonly attention: AttentionRules,
  ) {}

  async nextReferenceNumber(trustId: string, year: number): Promise<number> {
    const id = `reference-counter-${year}`;
    // Patch `incr` is applied atomically by the server, so concurrent creates never share a number.
    try {
      const { resource } = await this.container.item(id, trustId).patch<{ next: number }>([{ op: "incr", path: "/next", value: 1 }]);
      return resource!.next;
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
    try {
      await this.container.items.create({ id, trustId, docType: "counter", reference: `counter:${year}`, next: 0 });
    } catch (error) {
      if (statusOf(error) !== 409) throw error; // another instance created it first
    }
    return this.nextReferenceNumber(trustId, year);
  }

  async create(newCase: Case, bookkeeping: CaseBookkeeping = { revision: 0, pending: [], applied: [] }): Promise<CaseRecord | undefined> {
    try {
      const document = this.toDocument(newCase, bookkeeping);
      const { etag } = await this.container.items.create(document);
      return this.written(newCase, document, etag!);
    } catch (error) {
      // 409 is also a reference already used (the unique key): only an existing id means "already there".
      if (statusOf(error) === 409 && (await this.get(newCase.trustId, newCase.id))) return undefined;
      throw error;
    }
  }

  async get(trustId: string, caseId: string): Promise<CaseRecord | undefined> {
    const { resource, etag } = await this.container.item(caseId, trustId).read<Record<string, unknown>>();
    if (!resource || resource.docType !== "case") return undefined;
    return this.toRecord(resource, etag!);
  }

  async findByReference(trustId: string, reference: string): Promise<CaseRecord | undefined> {
    const [found] = await this.inTrust("SELECT * FROM c WHERE c.trustId = @trustId AND c.docType = 'case' AND c.reference = @reference", trustId, {
      "@reference": reference,
    });
    return found ? this.toRecord(found, found._etag as string) : undefined;
  }

  async delete(trustId: string, caseId: string): Promise<void> {
    try {
      await this.container.item(caseId, trustId).delete();
    } catch (error) {
      if (statusOf(error) !== 404) throw error; // deleted already: the retention step is being finished
    }
  }

  async save(updated: Case, bookkeeping: CaseBookkeeping, etag: string): Promise<CaseRecord> {
    try {
      const document = this.toDocument(updated, bookkeeping);
      const response = await this.container.item(updated.id, updated.trustId).replace(document, { accessCondition: { type: "IfMatch", condition: etag } });
      return this.written(updated, document, response.etag!);
    } catch (error) {
      if (statusOf(error) === 412) throw new CaseChangedError(updated.id);
      throw error;
    }
  }

  async clearFollowUps(record: CaseRecord, doneChangeIds: readonly string[]): Promise<CaseRecord | undefined> {
    const done = new Set(doneChangeIds);
    const bookkeeping = { ...record, pending: record.pending.filter((f) => !done.has(f.changeId)) };
    try {
      return await this.save(record.value, bookkeeping, record.etag);
    } catch (error) {
      if (error instanceof CaseChangedError) return undefined;
      throw error;
    }
  }

  async withPendingFollowUps(limit: number): Promise<ScheduledCase[]> {
    // Across trusts, on purpose: served by the index on pendingSince (only cases with work left have it).
    return this.casesAcrossTrusts(`SELECT TOP ${Math.trunc(limit)} c.id, c.trustId FROM c WHERE c.pendingSince >= @value ORDER BY c.pendingSince`, EPOCH);
  }

  async *dueCases(day: string, pageSize: number): AsyncGenerator<CaseRecord[]> {
    // Across trusts, on purpose: served by the index on watchOn (cases with nothing to watch lack it). Whole
    // documents with their etags, a page at a time: the round reads each due case once and writes it conditionally.
    const pages = this.container.items.query<Record<string, unknown>>(
      { query: "SELECT * FROM c WHERE c.watchOn <= @day", parameters: [{ name: "@day", value: day }] },
      { maxItemCount: Math.max(1, Math.trunc(pageSize)) },
    );
    while (pages.hasMoreResults()) {
      const { resources } = await pages.fetchNext();
      const records = resources.filter((document) => document.docType === "case").map((document) => this.toRecord(document, document._etag as string));
      if (records.length > 0) yield records;
    }
  }

  async incompleteCases(): Promise<IncompleteCase[]> {
    // Across trusts, on purpose: served by the index on missingCount (complete or closed cases lack it).
    const { resources } = await this.container.items
      .query<Record<string, unknown>>("SELECT c.id, c.trustId, c.reference, c.owner, c.missingCount FROM c WHERE c.missingCount > 0")
      .fetchAll();
    const incomplete: IncompleteCase[] = [];
    for (const r of resources) {
      if (typeof r.id !== "string" || typeof r.trustId !== "string" || typeof r.reference !== "string") continue;
      if (typeof r.missingCount !== "number" || r.missingCount <= 0) continue;
      const owner = r.owner as { aadObjectId?: unknown } | undefined;
      incomplete.push({
        trustId: r.trustId,
        caseId: r.id,
        reference: r.reference,
        missingCount: r.missingCount,
        ...(typeof owner?.aadObjectId === "string" ? { ownerId: owner.aadObjectId } : {}),
      });
    }
    return incomplete;
  }

  /** The sweep's queries across every trust's partition: which cases, by id and trust. */
  private async casesAcrossTrusts(query: string, value: string): Promise<ScheduledCase[]> {
    const { resources } = await this.container.items.query<{ id: string; trustId: string }>({ query, parameters: [{ name: "@value", value }] }).fetchAll();
    return resources.map((r) => ({ trustId: r.trustId, caseId: r.id }));
  }

  async listDueForRetentionReview(trustId: string, day: string, limit: number): Promise<{ cases: RetentionCase[]; total: number }> {
    // Only cases with a review day carry retentionDueOn (toDocument): a range on it finds just those, longest due first.
    const where = "WHERE c.trustId = @trustId AND c.docType = 'case' AND c.status = 'closed' AND c.retentionDueOn <= @day";
    const resources = await this.inTrust(`SELECT TOP ${Math.trunc(limit)} ${RETENTION_FIELDS} FROM c ${where} ORDER BY c.retentionDueOn ASC`, trustId, {
      "@day": day,
    });
    const cases = resources.map((document) => parseStored(RetentionCaseSchema, "cases", document));
    if (cases.length < limit) return { cases, total: cases.length };
    const counted = await this.inTrust<number>(`SELECT VALUE COUNT(1) FROM c ${where}`, trustId, { "@day": day });
    return { cases, total: counted[0] ?? cases.length };
  }

  async newlyDueForRetentionReview(after: string, upTo: string, limit: number): Promise<{ trustId: string; caseId: string; reference: string }[]> {
    // Across trusts, on purpose (the sweep's morning word): served by the index on retentionDueOn (only files with a review day have it).
    const { resources } = await this.container.items
      .query<{ id: string; trustId: string; reference: string }>({
        query: `SELECT TOP ${Math.trunc(limit)} c.id, c.trustId, c.reference FROM c WHERE c.retentionDueOn > @after AND c.retentionDueOn <= @upTo ORDER BY c.retentionDueOn`,
        parameters: [
          { name: "@after", value: after },
          { name: "@upTo", value: upTo },
        ],
      })
      .fetchAll();
    return resources.map((r) => ({ trustId: r.trustId, caseId: r.id, reference: r.reference }));
  }

  async reindex(record: CaseRecord): Promise<boolean> {
    try {
      await this.save(record.value, record, record.etag);
      return true;
    } catch (error) {
      if (error instanceof CaseChangedError) return false;
      throw error;
    }
  }

  async listOpenByOwner(
    trustId: string,
    ownerAadObjectId: string,
    options: { limit: number; dueBy?: string },
  ): Promise<{ cases: CaseSummary[]; total: number }> {
    const where =
      "WHERE c.trustId = @trustId AND c.docType = 'case' AND c.owner.aadObjectId = @owner AND c.status = 'open'" +
      (options.dueBy ? " AND c.dueKey <= @dueBy" : "");
    const parameters = { "@owner": ownerAadObjectId, ...(options.dueBy ? { "@dueBy": options.dueBy } : {}) };
    // Only what the list shows; ordered by the cases container's composite index (cosmos.ts; its first keys are fixed by the filter).
    const resources = await this.inTrust(
      `SELECT TOP ${Math.trunc(options.limit)} c.id, c.trustId, c.reference, c.type, c.status, c.safeguarding, c.deadlines, c.nextDueOn, c.ombudsman, ` +
        `{ "name": c.patient.name } AS patient FROM c ${where} ORDER BY c.owner.aadObjectId ASC, c.status ASC, c.dueKey ASC, c.reference ASC`,
      trustId,
      parameters,
    );
    const cases = resources.map((document) => parseStored(CaseSummarySchema, "cases", document));
    if (cases.length < options.limit) return { cases, total: cases.length };
    const counted = await this.inTrust<number>(`SELECT VALUE COUNT(1) FROM c ${where}`, trustId, parameters);
    return { cases, total: counted[0] ?? cases.length };
  }

  async listForPatient(trustId: string, nhsNumber: string): Promise<Case[]> {
    return this.cases("SELECT * FROM c WHERE c.trustId = @trustId AND c.docType = 'case' AND c.patient.nhsNumber = @nhsNumber", trustId, {
      "@nhsNumber": nhsNumber,
    });
  }

  async countForPatient(trustId: string, nhsNumber: string, receivedSince: string, atMost: number): Promise<number> {
    // TOP, not COUNT: the index finds the first few and stops, whatever the patient's history.
    const top = Math.max(0, Math.floor(atMost));
    const ids = await this.inTrust<string>(
      `SELECT TOP ${top} VALUE c.id FROM c WHERE c.trustId = @trustId AND c.docType = 'case' AND c.patient.nhsNumber = @nhsNumber AND c.receivedOn >= @since`,
      trustId,
      { "@nhsNumber": nhsNumber, "@since": receivedSince },
    );
    return ids.length;
  }

  async search(query: CaseSearch): Promise<Case[]> {
    const words = queryTokens(query.words);
    // A search for nothing finds nothing, rather than every case of the trust.
    if (words.length === 0 && !query.nhsNumber) return [];
    const parameters: Record<string, string> = {};
    const names = words.map((word, index) => {
      parameters[`@word${index}`] = word;
      return `@word${index}`;
    });
    // Whole-token matches on an array the index serves (CONTAINS on a text would read every case of the trust).
    const allIn = (tokens: string) => names.map((name) => `ARRAY_CONTAINS(${tokens}, ${name})`);
    const detail = [...(query.nhsNumber ? ["c.patient.nhsNumber = @nhsNumber"] : []), ...allIn("c.searchTokens")];
    if (query.nhsNumber) parameters["@nhsNumber"] = query.nhsNumber;
    // Restricted details may only match where the searcher may see them; a safeguarding case's reference is not restricted.
    const matches = query.seesSafeguardingDetail
      ? detail.join(" AND ")
      : `((c.safeguarding = false AND ${detail.join(" AND ")}) OR ` +
        `(c.safeguarding = true AND ${query.nhsNumber ? "false" : allIn("c.referenceTokens").join(" AND ")}))`;
    const where = ["c.trustId = @trustId", "c.docType = 'case'", matches];
    return this.cases(`SELECT TOP ${Math.trunc(query.limit)} * FROM c WHERE ${where.join(" AND ")} ORDER BY c.createdAt DESC`, query.trustId, parameters);
  }

  async listWithOpenActionsOf(trustId: string, ownerAadObjectId: string, limit: number): Promise<CaseActions[]> {
    return this.withOpenActions(trustId, "ARRAY_CONTAINS(c.openActionOwners, @me)", limit, { "@me": ownerAadObjectId.toLowerCase() });
  }

  async listWithOpenActions(trustId: string, limit: number): Promise<CaseActions[]> {
    // Only cases with an open action carry openActionsDueOn (actionIndexOf): a range on it finds just those.
    return this.withOpenActions(trustId, "c.openActionsDueOn >= @first", limit, { "@first": "0000-01-01" });
  }

  /** Cases with open actions, soonest first: id, reference and actions only (no patient details travel). */
  private async withOpenActions(trustId: string, filter: string, limit: number, parameters: Record<string, string>): Promise<CaseActions[]> {
    const resources = await this.inTrust(
      `SELECT TOP ${Math.trunc(limit)} c.id, c.reference, c.actions FROM c WHERE c.trustId = @trustId AND c.docType = 'case' AND ${filter} ORDER BY c.openActionsDueOn ASC`,
      trustId,
      parameters,
    );
    return resources.map((document) => parseStored(CaseActionsSchema, "cases", document));
  }

  listForReport(trustId: string, fromDay: string, toDay: string): Promise<ReportCase[]>;
  listForReport(trustId: string, fromDay: string, toDay: string, read: "whole cases"): Promise<Case[]>;
  async listForReport(trustId: string, fromDay: string, toDay: string, read?: "whole cases"): Promise<ReportCase[] | Case[]> {
    // One partition, no GROUP BY (the embedded server lacks it): the domain aggregates.
    const where =
      "WHERE c.trustId = @trustId AND c.docType = 'case' AND c.receivedOn <= @to AND " +
      "(c.receivedOn >= @from OR c.status = 'open' OR c.closedOn >= @from OR c.deadlines.acknowledgeBy >= @from OR c.deadlines.respondBy >= @from) " +
      "ORDER BY c.receivedOn ASC";
    const parameters = { "@from": fromDay, "@to": toDay };
    if (read === "whole cases") return this.cases(`SELECT * FROM c ${where}`, trustId, parameters);
    // Only the fields the report counts: no summaries, names, NHS numbers or investigations travel for a count.
    const resources = await this.inTrust(`SELECT ${REPORT_FIELDS} FROM c ${where}`, trustId, parameters);
    return resources.map((document) => parseStored(ReportCaseSchema, "cases", document));
  }

  async listWithActionsDoneSince(trustId: string, fromDay: string, limit: number): Promise<CaseWithDoneActions[]> {
    // Only cases with a done action carry lastActionDoneOn (actionIndexOf): the range finds just those. Earliest
    // first, so a cut drops the cases last done latest (the likeliest to fall after the period). The names, the NHS
    // number and the date of birth are read only so the domain can remove them from action texts.
    const resources = await this.inTrust(
      `SELECT TOP ${Math.trunc(limit)} c.id, c.subjects, c.division, c.actions, ` +
        `{ "name": c.patient.name, "nhsNumber": c.patient.nhsNumber, "dateOfBirth": c.patient.dateOfBirth } AS patient, ` +
        `{ "name": c.raiser.name } AS raiser, { "name": c.owner.name } AS owner FROM c ` +
        "WHERE c.trustId = @trustId AND c.docType = 'case' AND c.lastActionDoneOn >= @from ORDER BY c.lastActionDoneOn ASC",
      trustId,
      { "@from": fromDay },
    );
    return resources.map((document) => parseStored(CaseWithDoneActionsSchema, "cases", document));
  }

  /** A query within one trust's partition, each result checked as a case. */
  private async cases(query: string, trustId: string, parameters: Record<string, string>): Promise<Case[]> {
    return (await this.inTrust(query, trustId, parameters)).map((document) => this.caseOf(document));
  }

  /** A query within one trust's partition (`@trustId` is that trust), with its other named parameters. */
  private async inTrust<T = Record<string, unknown>>(query: string, trustId: string, parameters: Record<string, string>): Promise<T[]> {
    const { resources } = await this.container.items
      .query<T>(
        { query, parameters: [{ name: "@trustId", value: trustId }, ...Object.entries(parameters).map(([name, value]) => ({ name, value }))] },
        { partitionKey: trustId },
      )
      .fetchAll();
    return resources;
  }

  /** The case in a stored document, checked against its schema once per version; each caller gets its own copy. */
  private caseOf(document: Record<string, unknown>): Case {
    const key = typeof document._etag === "string" ? versionKey(String(document.id), document._etag) : undefined;
    const known = key ? this.checked.get(key) : undefined;
    if (known) return structuredClone(known);
    const checked = parseStored(CaseSchema, "cases", document);
    if (key) this.checked.set(key, structuredClone(checked));
    return checked;
  }

  /**
   * The record of a case this instance has just written: what it sent, not the document read back. Checking our
   * own write once it is stored protected nothing (reads are still checked) and cost a zod pass over the whole
   * case, twice per logged contact. A JSON copy, as the store gives back: no shared objects, no undefined values.
   */
  private written(value: Case, document: Record<string, unknown>, etag: string): CaseRecord {
    const sent = JSON.parse(
      JSON.stringify({ value, revision: document.revision, pending: document.pending, applied: document.applied, latest: document.latest }),
    ) as Omit<CaseRecord, "etag">;
    this.checked.set(versionKey(value.id, etag), structuredClone(sent.value));
    return { ...sent, etag };
  }

  private toRecord(document: Record<string, unknown>, etag: string): CaseRecord {
    return { value: this.caseOf(document), etag, ...parseStored(BookkeepingSchema, "cases", document) };
  }

  private toDocument(value: Case, { revision, pending, applied, latest }: CaseBookkeeping): Record<string, unknown> {
    const tokens = searchTokensOf(value);
    const pendingSince = pending.map((f) => f.at).sort()[0];
    // dueKey: the next deadline, or a day after any, so lists sort by it with no undefined values.
    const dueKey = value.nextDueOn ?? NO_DEADLINE;
    const watchOn = watchDay(value, this.retention, this.attention);
    // The day the file is due for records retention review (closed, no hold, no Ombudsman process continuing): the review list's index.
    const retentionDueOn = retentionDay(value, this.retention);
    // The card's newest timeline entries, with the events this write carries: the same write adds both.
    const newest = latestEntries(latest ?? [], pending);
    // How many details are still to record, on open cases only: the morning digest finds incomplete cases by it.
    const missingCount = value.status === "open" ? missingDetails(value).length : 0;
    const actions = actionIndexOf(value);
    return {
      ...value,
      docType: "case",
      ...tokens,
      dueKey,
      revision,
      pending,
      ...(pendingSince ? { pendingSince } : {}),
      ...(watchOn ? { watchOn } : {}),
      ...(retentionDueOn ? { retentionDueOn } : {}),
      ...(missingCount > 0 ? { missingCount } : {}),
      ...actions,
      applied,
      latest: newest,
    };
  }
}

/**
 * What finds a case's actions without reading every case: the owners of its open actions (`actions` is one
 * ARRAY_CONTAINS query; lower case, as ids are compared), the earliest open action's due day (the managers' view, soonest first) and the last
 * day an action was done ("You said, we did" for a period). Left out when there is nothing to find.
 */
function actionIndexOf(c: Case): { openActionOwners?: string[]; openActionsDueOn?: string; lastActionDoneOn?: string } {
  const open = (c.actions ?? []).filter((a) => a.status === "open");
  const doneDays = (c.actions ?? []).flatMap((a) => (a.done ? [a.done.on] : [])).sort();
  return {
    ...(open.length > 0
      ? { openActionOwners: [...new Set(open.map((a) => a.owner.aadObjectId.toLowerCase()))], openActionsDueOn: open.map((a) => a.dueOn).sort()[0] }
      : {}),
    ...(doneDays.length > 0 ? { lastActionDoneOn: doneDays[doneDays.length - 1] } : {}),
  };
}

/** A case as the action lists read it. */
const CaseActionsSchema = z.object({ id: z.string(), reference: z.string(), actions: z.array(LearningActionSchema).default([]) });

/** The fields a report reads (ReportCaseSchema), as a query's SELECT list: of the patient, the date of birth alone (for the KO41a age band). */
const REPORT_FIELDS = Object.keys(ReportCaseSchema.shape)
  .map((field) => (field === "patient" ? `{ "dateOfBirth": c.patient.dateOfBirth } AS patient` : `c.${field}`))
  .join(", ");

/** The fields the retention review reads (RetentionCaseSchema), as a query's SELECT list: no patient details. */
const RETENTION_FIELDS = Object.keys(RetentionCaseSchema.shape)
  .map((field) => `c.${field}`)
  .join(", ");

/** A case carries at most this many search tokens, each at most this long: a long summary must not bloat the document or its index. */
const MAX_SEARCH_TOKENS = 200;
const MAX_TOKEN_LENGTH = 32;

/** A word as search stores and matches it: lower case, accents dropped ("siân" is "sian"), letters, digits, ' and - only (as `find` reads typed words), cut to length. */
function searchWord(word: string): string {
  return word
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}'-]/gu, "")
    .slice(0, MAX_TOKEN_LENGTH);
}

/** The parts of a word someone may type: "smith-jones" as smith and jones, "o'brien" as brien; one-letter parts find nothing. */
function partsOf(word: string): string[] {
  return searchWord(word)
    .split(/['-]+/)
    .filter((part) => part.length >= 2);
}

/** A word's tokens: its parts, and the parts joined as some type them ("o'brien-smith" also as "obrien" and "obriensmith"). */
function wordTokens(word: string): string[] {
  const normal = searchWord(word);
  const joined = [normal, ...normal.split("-")].map((form) => form.replace(/['-]/g, "")).filter((form) => form.length >= 2);
  return [...partsOf(normal), ...joined];
}

/** "000123" is also typed "00123", "0123" and "123". */
function withoutLeadingZeros(part: string): string[] {
  const forms: string[] = [];
  for (let rest = part; /^0./.test(rest);) forms.push((rest = rest.slice(1)));
  return forms;
}

/**
 * What `find` matches a case on, stored on the case document. `referenceTokens`: the parts of the reference, the
 * number also without its leading zeros ("pals", "2026", "000123", "00123", "0123", "123"; a whole reference is
 * looked up by findByReference). `searchTokens`: those, then the words of the patient's name and of the summary,
 * deduplicated and capped.
 */
function searchTokensOf(c: Case): { searchTokens: string[]; referenceTokens: string[] } {
  const parts = c.reference
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((part) => part.length > 0);
  const referenceTokens = [...new Set([...parts, ...parts.flatMap(withoutLeadingZeros)])];
  const words = `${c.patient.name ?? ""} ${c.summary}`.split(/\s+/).flatMap(wordTokens);
  const searchTokens = [...new Set([...referenceTokens, ...words])].slice(0, MAX_SEARCH_TOKENS);
  return { searchTokens, referenceTokens };
}

/** The tokens a search's words must all match: read as case text is (searchWord), a hyphenated word by each part. */
function queryTokens(words: readonly string[]): string[] {
  return [...new Set(words.flatMap(partsOf))];
}
