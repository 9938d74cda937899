// The inverted index behind the directory search. It scores exactly as MiniSearch did (BM25+ with its parameters, its
// prefix and typo weights, its order of terms and of ties), so rankings are unchanged, but keeps postings in flat typed
// arrays and scores into arrays reused between searches: MiniSearch built a result object per matching entry and sorted
// them all, and walked its radix tree of every word for each typo, which over 10,000 entries made its slowest searches
// slower than a plain scan. Here a typo is a few hash lookups and a prefix a binary search.
// Pure: built once from the entries' text, then only read (the scratch arrays carry nothing from one call to the next).
import SearchableMap from "minisearch/SearchableMap";
import { processTerm, tokenize } from "./text";

/** MiniSearch's BM25+ parameters and prefix/typo weights: changing them would change every ranking. */
const K = 1.2;
const B = 0.7;
const D = 0.5;
const PREFIX_WEIGHT = 0.375;
const FUZZY_WEIGHT = 0.45;
/** Up to this many results are picked by insertion into a short sorted list; more are picked by sorting every match. */
const SELECT_MAX = 100;

/** A query term with the index terms it matches and the weight of each (the term itself, then prefix, then typo matches). */
export interface ExpandedTerm {
  readonly boost: number;
  readonly ids: readonly number[];
  readonly weights: readonly number[];
}

export interface Ranked {
  /** How many entries matched (not counting those skipped). */
  readonly matched: number;
  /** Best first: the best `keep`, then any of `also` that matched beyond them. */
  readonly docs: number[];
  readonly scores: number[];
}

export class TermIndex {
  private readonly documentCount: number;
  private readonly fieldCount: number;
  private readonly termIds = new Map<string, number>();
  private readonly terms: string[] = [];
  /**
   * Each term's place in MiniSearch's radix tree as the tree iterates (built as MiniSearch built it): its prefix
   * matches came in this order and its typo matches in the reverse, and that order decides ties and float sums.
   */
  private readonly treePlace: Int32Array;
  /** Term ids sorted by term: the terms a prefix starts are a run found by binary search. */
  private readonly sorted: Int32Array;
  /**
   * Each term filed under the hash of itself and of each one-letter deletion of it. A word one edit from a term shares
   * a key with it (a letter changed: that deletion; one fewer: the shorter word itself), so a typo's candidates are
   * a few buckets; hash collisions are weeded out by checking the edit. Bucket b is deletionTerms[deletionOffsets[b] ..
   * deletionOffsets[b + 1]).
   */
  private readonly deletionOffsets: Int32Array;
  private readonly deletionTerms: Int32Array;
  private readonly deletionMask: number;
  /** Postings of term t in field f are docs/tfScores[offsets[t * fieldCount + f] .. offsets[t * fieldCount + f + 1]). */
  private readonly offsets: Int32Array;
  private readonly docs: Int32Array;
  /**
   * BM25+'s part for the term's frequency in the field against the field's length: it does not depend on the query,
   * so it is worked out once (with MiniSearch's expression, so the same number) and a search only multiplies.
   */
  private readonly tfScores: Float64Array;
  // Scratch, one slot per document: reused by every search, so a search allocates in proportion to its result only.
  private readonly termScore: Float64Array;
  private readonly total: Float64Array;
  private readonly quality: Uint16Array;
  private readonly termStamp: Int32Array;
  private readonly docStamp: Int32Array;
  /** Documents in the order first matched, and each one's place in it (ties are ranked in that order). */
  private readonly order: Int32Array;
  private readonly seq: Int32Array;
  private readonly touched: Int32Array;
  /** One slot per term: a typo candidate already seen in this lookup. */
  private readonly termSeen: Int32Array;
  private stamp = 0;

  /** `documents[d][f]` is the text of field f of document d; every document has the same fields. */
  constructor(documents: readonly (readonly string[])[], fieldCount: number) {
    const n = documents.length;
    this.documentCount = n;
    this.fieldCount = fieldCount;
    // Distinct words (before stemming) of each document's field, as MiniSearch counted them, and their running average.
    const fieldLengths = new Int32Array(n * fieldCount);
    const averageLengths = new Array<number>(fieldCount).fill(0);
    const slots: number[] = [];
    const postingDocs: number[] = [];
    const postingFreqs: number[] = [];
    const freq = new Map<number, number>();
    const tree = new SearchableMap<number>();
    for (let d = 0; d < n; d++) {
      for (let f = 0; f < fieldCount; f++) {
        const tokens = tokenize(documents[d][f]);
        const length = new Set(tokens).size;
        fieldLengths[d * fieldCount + f] = length;
        // A running average, computed as MiniSearch does so the floating-point result is the same.
        averageLengths[f] = (averageLengths[f] * d + length) / (d + 1);
        freq.clear();
        for (const token of tokens) {
          const term = processTerm(token);
          if (!term) continue;
          let id = this.termIds.get(term);
          if (id === undefined) {
            id = this.termIds.size;
            this.termIds.set(term, id);
            this.terms.push(term);
            tree.set(term, id);
          }
          freq.set(id, (freq.get(id) ?? 0) + 1);
        }
        for (const [id, count] of freq) {
          slots.push(id * fieldCount + f);
          postingDocs.push(d);
          postingFreqs.push(count);
        }
      }
    }
    // Counting sort by (term, field); documents were added in order, so each posting list is in document order.
    const slotCount = this.termIds.size * fieldCount;
    this.offsets = new Int32Array(slotCount + 1);
    for (const slot of slots) this.offsets[slot + 1]++;
    for (let s = 0; s < slotCount; s++) this.offsets[s + 1] += this.offsets[s];
    const next = this.offsets.slice(0, slotCount);
    this.docs = new Int32Array(slots.length);
    this.tfScores = new Float64Array(slots.length);
    for (let p = 0; p < slots.length; p++) {
      const at = next[slots[p]]++;
      this.docs[at] = postingDocs[p];
      const tf = postingFreqs[p];
      const f = slots[p] % fieldCount;
      this.tfScores[at] = D + (tf * (K + 1)) / (tf + K * (1 - B + (B * fieldLengths[postingDocs[p] * fieldCount + f]) / averageLengths[f]));
    }
    const termCount = this.terms.length;
    this.treePlace = new Int32Array(termCount);
    let place = 0;
    for (const [, id] of tree) this.treePlace[id] = place++;
    const terms = this.terms;
    this.sorted = Int32Array.from(terms.keys()).sort((a, b) => (terms[a] < terms[b] ? -1 : terms[a] > terms[b] ? 1 : 0));
    // The deletion table: every term's keys hashed, counted per bucket, then filed (a counting sort again).
    let keyCount = 0;
    for (const term of terms) keyCount += term.length + 1;
    let buckets = 16;
    while (buckets * 2 < keyCount) buckets *= 2;
    this.deletionMask = buckets - 1;
    const keyBucket = new Int32Array(keyCount);
    const keyTerm = new Int32Array(keyCount);
    let k = 0;
    for (let id = 0; id < termCount; id++) {
      const term = terms[id];
      for (let skip = -1; skip < term.length; skip++) {
        keyBucket[k] = hashWithout(term, skip) & this.deletionMask;
        keyTerm[k++] = id;
      }
    }
    this.deletionOffsets = new Int32Array(buckets + 1);
    for (let i = 0; i < keyCount; i++) this.deletionOffsets[keyBucket[i] + 1]++;
    for (let b = 0; b < buckets; b++) this.deletionOffsets[b + 1] += this.deletionOffsets[b];
    const fill = this.deletionOffsets.slice(0, buckets);
    this.deletionTerms = new Int32Array(keyCount);
    for (let i = 0; i < keyCount; i++) this.deletionTerms[fill[keyBucket[i]]++] = keyTerm[i];
    this.termSeen = new Int32Array(termCount);
    this.termScore = new Float64Array(n);
    this.total = new Float64Array(n);
    this.quality = new Uint16Array(n);
    this.termStamp = new Int32Array(n);
    this.docStamp = new Int32Array(n);
    this.order = new Int32Array(n);
    this.seq = new Int32Array(n);
    this.touched = new Int32Array(n);
  }

  /** Terms found in at least `atLeast` documents' `fields`, with their document counts. */
  termsInAtLeast(fields: readonly number[], atLeast: number): Map<string, number> {
    const counts = new Map<string, number>();
    for (const [term, id] of this.termIds) {
      let upper = 0;
      for (const f of fields) upper += this.postingCount(id, f);
      if (upper < atLeast) continue;
      this.reserveStamps();
      const stamp = this.nextStamp();
      let count = 0;
      for (const f of fields) {
        const slot = id * this.fieldCount + f;
        for (let p = this.offsets[slot]; p < this.offsets[slot + 1]; p++) {
          if (this.docStamp[this.docs[p]] !== stamp) {
            this.docStamp[this.docs[p]] = stamp;
            count++;
          }
        }
      }
      if (count >= atLeast) counts.set(term, count);
    }
    return counts;
  }

  /**
   * The index terms a query term matches, with MiniSearch's weights: itself (1); with `prefix`, longer terms it starts
   * (weighed down by the letters added); with `fuzzy`, terms one edit away that are not prefix matches.
   */
  expand(term: string, boost: number, prefix: boolean, fuzzy: boolean): ExpandedTerm {
    const ids: number[] = [];
    const weights: number[] = [];
    const exact = this.termIds.get(term);
    if (exact !== undefined) {
      ids.push(exact);
      weights.push(1);
    }
    if (prefix) {
      for (const id of this.startingWith(term)) {
        const found = this.terms[id];
        const distance = found.length - term.length;
        ids.push(id);
        weights.push((PREFIX_WEIGHT * found.length) / (found.length + 0.3 * distance));
      }
    }
    if (fuzzy) {
      for (const id of this.oneEditFrom(term)) {
        const found = this.terms[id];
        // A longer word this starts is a prefix match, weighed as one.
        if (prefix && found.length > term.length && found.startsWith(term)) continue;
        ids.push(id);
        weights.push((FUZZY_WEIGHT * found.length) / (found.length + 1));
      }
    }
    return { boost, ids, weights };
  }

  /**
   * Scores every document matching any of `terms` in `fields` (each field weighed by its boost), leaves out `skip`, and
   * returns the best `keep` (best score first, ties in the order MiniSearch found them) and then any of `also` that
   * matched but fell outside them. A document's score is the sum over terms, times the number of terms it matched.
   */
  rank(
    terms: readonly ExpandedTerm[],
    fields: readonly number[],
    boosts: readonly number[],
    skip: readonly number[],
    keep: number,
    also: readonly number[],
  ): Ranked {
    const F = this.fieldCount;
    const { offsets, docs, tfScores, termScore, total, quality, termStamp, docStamp, order, seq, touched } = this;
    this.reserveStamps();
    const docEpoch = this.nextStamp();
    let count = 0;
    for (const term of terms) {
      const termEpoch = this.nextStamp();
      let touchedCount = 0;
      for (let j = 0; j < term.ids.length; j++) {
        for (let i = 0; i < fields.length; i++) {
          const f = fields[i];
          const slot = term.ids[j] * F + f;
          const start = offsets[slot];
          const end = offsets[slot + 1];
          if (start === end) continue;
          const matching = end - start;
          const idf = Math.log(1 + (this.documentCount - matching + 0.5) / (matching + 0.5));
          const weight = term.weights[j] * term.boost * boosts[i];
          for (let p = start; p < end; p++) {
            const doc = docs[p];
            // MiniSearch's expression term for term: the same operations in the same order give the same scores.
            const score = weight * (idf * tfScores[p]);
            if (termStamp[doc] === termEpoch) {
              termScore[doc] += score;
              continue;
            }
            termStamp[doc] = termEpoch;
            termScore[doc] = score;
            touched[touchedCount++] = doc;
            if (docStamp[doc] !== docEpoch) {
              docStamp[doc] = docEpoch;
              total[doc] = 0;
              quality[doc] = 0;
              seq[doc] = count;
              order[count++] = doc;
            }
          }
        }
      }
      for (let i = 0; i < touchedCount; i++) {
        const doc = touched[i];
        total[doc] = total[doc] + termScore[doc];
        quality[doc]++;
      }
    }
    // Candidates in the order first found; skipped documents are marked (termStamp is free once scoring is done).
    const skipEpoch = this.nextStamp();
    for (const doc of skip) termStamp[doc] = skipEpoch;
    const scoreOf = (doc: number) => total[doc] * quality[doc];
    // Best score first, then first found: the order of MiniSearch's stable sort.
    const byRank = (a: number, b: number) => scoreOf(b) - scoreOf(a) || seq[a] - seq[b];
    let best: number[] = [];
    let matched = 0;
    if (keep > SELECT_MAX) {
      for (let c = 0; c < count; c++) if (termStamp[order[c]] !== skipEpoch) best.push(order[c]);
      matched = best.length;
      best.sort(byRank);
      best = best.slice(0, keep);
    } else {
      // Only the best `keep` are kept, in order: a later candidate with an equal score goes after.
      const bestScores: number[] = [];
      for (let c = 0; c < count; c++) {
        const doc = order[c];
        if (termStamp[doc] === skipEpoch) continue;
        matched++;
        const score = scoreOf(doc);
        if (best.length === keep && !(keep > 0 && score > bestScores[keep - 1])) continue;
        // Shift the worse ones down one place (dropping the last when full) and put this one in the gap.
        let at = best.length === keep ? keep - 1 : best.length;
        for (; at > 0 && bestScores[at - 1] < score; at--) {
          best[at] = best[at - 1];
          bestScores[at] = bestScores[at - 1];
        }
        best[at] = doc;
        bestScores[at] = score;
      }
    }
    // Those of `also` that matched but are not among the best, in the same order.
    const keptEpoch = this.nextStamp();
    for (const doc of best) termStamp[doc] = keptEpoch;
    const extra = also.filter((doc) => docStamp[doc] === docEpoch && termStamp[doc] !== keptEpoch && termStamp[doc] !== skipEpoch);
    best.push(...extra.sort(byRank));
    return { matched, docs: best, scores: best.map(scoreOf) };
  }

  /** Longer terms that start with `prefix`, in MiniSearch's order. */
  private startingWith(prefix: string): number[] {
    const { sorted, terms } = this;
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (terms[sorted[mid]] < prefix) lo = mid + 1;
      else hi = mid;
    }
    const found: number[] = [];
    for (let i = lo; i < sorted.length && terms[sorted[i]].startsWith(prefix); i++) if (terms[sorted[i]].length > prefix.length) found.push(sorted[i]);
    return found.sort((a, b) => this.treePlace[a] - this.treePlace[b]);
  }

  /** Terms one edit (a letter added, dropped or changed) from `word`, in MiniSearch's order. */
  private oneEditFrom(word: string): number[] {
    const { deletionOffsets, deletionTerms, termSeen, terms } = this;
    this.reserveStamps();
    const seen = this.nextStamp();
    const found: number[] = [];
    for (let skip = -1; skip < word.length; skip++) {
      const bucket = hashWithout(word, skip) & this.deletionMask;
      for (let p = deletionOffsets[bucket]; p < deletionOffsets[bucket + 1]; p++) {
        const id = deletionTerms[p];
        if (termSeen[id] === seen) continue;
        termSeen[id] = seen;
        if (oneEditApart(word, terms[id])) found.push(id);
      }
    }
    return found.sort((a, b) => this.treePlace[b] - this.treePlace[a]);
  }

  private postingCount(id: number, field: number): number {
    const slot = id * this.fieldCount + field;
    return this.offsets[slot + 1] - this.offsets[slot];
  }

  /** A fresh mark for the stamp arrays (a slot holding an older mark counts as unmarked). */
  private nextStamp(): number {
    return ++this.stamp;
  }

  /** Called before a pass that takes marks: clears the stamp arrays in the (far-off) event the counter could overflow. */
  private reserveStamps(): void {
    if (this.stamp < 0x7fff0000) return;
    this.stamp = 0;
    this.termStamp.fill(0);
    this.docStamp.fill(0);
    this.termSeen.fill(0);
  }
}

/** FNV-1a over the UTF-16 code units of `text` without the one at `skip` (-1: the whole text). */
function hashWithout(text: string, skip: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    if (i === skip) continue;
    hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  }
  return hash >>> 0;
}

/** Levenshtein distance exactly one: one letter changed, or one letter more in one of them (no swaps, as MiniSearch). */
function oneEditApart(a: string, b: string): boolean {
  if (a.length === b.length) {
    let differences = 0;
    for (let i = 0; i < a.length; i++) if (a.charCodeAt(i) !== b.charCodeAt(i) && ++differences > 1) return false;
    return differences === 1;
  }
  const [longer, shorter] = a.length > b.length ? [a, b] : [b, a];
  if (longer.length !== shorter.length + 1) return false;
  let i = 0;
  while (i < shorter.length && longer.charCodeAt(i) === shorter.charCodeAt(i)) i++;
  for (; i < shorter.length; i++) if (longer.charCodeAt(i + 1) !== shorter.charCodeAt(i)) return false;
  return true;
}
