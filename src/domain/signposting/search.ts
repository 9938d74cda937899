// Ranked, typo-tolerant search over the directory (BM25 as MiniSearch scores it, prefix and fuzzy matching; see
// termIndex.ts). Pure: built once from validated entries, then only read. Kept fast on directories of thousands of
// local services: names and keywords are searched before the prose, typos and prefixes are matched only where they
// help, words found in hundreds of entries are not widened with synonyms or typos (see FREQUENT_ENTRIES), and only
// the best few matches are sorted and turned into results.
import type { Choice } from "../case/choice";
import { SIGNPOST_CATEGORIES, entryTitle, type SignpostCategory, type SignpostEntry } from "./directory";
import { TermIndex, type ExpandedTerm } from "./termIndex";
import { isCrisisTerms, processTerm, synonymsOf, termsOfTokens, tokenize } from "./text";

/** Longest need we search for; longer text is cut (a need is a few words, not a letter). */
export const NEED_MAX_LENGTH = 200;

/** In a crisis these come first, in this order, whatever else matches. */
export const CRISIS_FIRST_IDS: readonly string[] = ["samaritans", "nhs-111"];

export interface SignpostMatch {
  readonly entry: SignpostEntry;
  readonly score: number;
}

export interface SignpostSearchResult {
  /** The need suggests a risk to life or of self-harm: crisis entries are first. */
  readonly crisis: boolean;
  readonly matches: readonly SignpostMatch[];
}

export interface DirectoryGroup {
  readonly category: SignpostCategory;
  readonly title: string;
  readonly entries: readonly SignpostEntry[];
}

type Field = "name" | "shortName" | "keywords" | "tags" | "purpose" | "whenToUse";

/** What an entry is called and listed under: searched first, and what ranks the matches. */
const TITLE_FIELDS: readonly Field[] = ["name", "shortName", "keywords", "tags"];
/**
 * The prose (what it is for, when to use it): several times the words of the title fields, so searched only
 * when the title fields give fewer matches than asked for. It still finds a local entry with few or no keywords.
 */
const PROSE_FIELDS: readonly Field[] = ["purpose", "whenToUse"];
const BOOST: Record<Field, number> = { name: 3, shortName: 3, keywords: 2.5, tags: 1, purpose: 1, whenToUse: 0.8 };
const FIELDS: readonly Field[] = [...TITLE_FIELDS, ...PROSE_FIELDS];
/** The two passes as the index numbers its fields, each with its fields' boosts. */
const PASSES = [TITLE_FIELDS, PROSE_FIELDS].map((fields) => ({ fields: fields.map((f) => FIELDS.indexOf(f)), boosts: fields.map((f) => BOOST[f]) }));
/** Synonyms count for less than the words typed. */
const SYNONYM_WEIGHT = 0.6;
/** Typed words this long are matched with one typo (a letter added, dropped or changed); shorter words must be spelt right. */
const FUZZY_MIN_LENGTH = 5;
/** The last word may be half-typed, so it matches as a prefix; it is matched with a typo only from this length. */
const FUZZY_MIN_LENGTH_LAST = 8;
/** The last word matches longer words from this length ("sam" would match half the directory). */
const PREFIX_MIN_LENGTH = 3;
/**
 * Terms in the title fields of at least this many entries are "frequent": each costs a pass over that many entries per search, so
 * a frequent synonym is not added (it would bring in hundreds of weak matches, and the words typed already match
 * plenty), and a frequent typed term that is in more than COMMON_SHARE of the entries is left out when the need
 * has other terms ("service" in "… service": it would score near zero under BM25 anyway). Directories smaller
 * than this (the shipped one, most trusts') are searched exactly as typed plus synonyms.
 */
const FREQUENT_ENTRIES = 500;
const COMMON_SHARE = 0.5;

export class SignpostingDirectory {
  readonly entries: readonly SignpostEntry[];
  /** Every entry as a pick-list choice (the case card's Signpost action), in directory order. */
  readonly choices: readonly Choice[];
  private readonly byId: ReadonlyMap<string, SignpostEntry>;
  private readonly index: TermIndex;
  /** Entries tagged crisis, in directory order, and their places in the directory. */
  private readonly crisisEntries: readonly SignpostEntry[];
  private readonly crisisDocs: readonly number[];
  /** Terms in at least FREQUENT_ENTRIES entries, with their entry counts. */
  private readonly frequentTerms: ReadonlyMap<string, number>;

  constructor(entries: readonly SignpostEntry[]) {
    this.entries = Object.freeze([...entries]);
    this.byId = new Map(entries.map((e) => [e.id, e]));
    this.choices = Object.freeze(entries.map((e) => ({ id: e.id, title: entryTitle(e) })));
    this.crisisEntries = Object.freeze(entries.filter((e) => e.tags.includes("crisis")));
    this.crisisDocs = entries.flatMap((e, doc) => (e.tags.includes("crisis") ? [doc] : []));
    // Results are found by place in the directory and shown by id: an id must name one entry.
    const ids = new Set<string>();
    for (const e of entries) {
      if (ids.has(e.id)) throw new Error(`Signposting directory: duplicate entry id ${e.id}`);
      ids.add(e.id);
    }
    const text = (e: SignpostEntry): Record<Field, string> => ({
      name: e.name,
      shortName: e.shortName ?? "",
      keywords: e.keywords.join(" ; "),
      tags: e.tags.join(" ").replace(/-/g, " "),
      purpose: e.purpose,
      whenToUse: e.whenToUse,
    });
    this.index = new TermIndex(
      entries.map((e) => {
        const fields = text(e);
        return FIELDS.map((f) => fields[f]);
      }),
      FIELDS.length,
    );
    this.frequentTerms = this.index.termsInAtLeast(PASSES[0].fields, FREQUENT_ENTRIES);
  }

  get(id: string): SignpostEntry | undefined {
    return this.byId.get(id);
  }

  /** The title people read for an id; the id itself when the directory no longer has it. */
  title(id: string): string {
    const entry = this.byId.get(id);
    return entry ? entryTitle(entry) : id;
  }

  /**
   * The organisations for a need, best first. A crisis need puts Samaritans and urgent help first, then any
   * other crisis services, then the rest of the matches. An empty need matches nothing (see featured()).
   * Entries whose name, short name, keywords or tags match come first; when they are fewer than the limit,
   * entries that match only in what they are for or when to use them follow.
   */
  search(need: string, limit = 25): SignpostSearchResult {
    // Tokenized once: the crisis check and the search read the same words.
    const tokens = tokenize(need.slice(0, NEED_MAX_LENGTH));
    const terms = termsOfTokens(tokens);
    const crisis = isCrisisTerms(terms);
    // A crisis list can skip past the crisis entries among the matches, so it needs that many more.
    const keep = crisis ? limit + this.crisisEntries.length + CRISIS_FIRST_IDS.length : limit;
    const matches = this.match(tokens, terms, limit, keep, crisis);
    if (!crisis) return { crisis, matches: matches.slice(0, limit) };

    const ordered: SignpostMatch[] = [];
    const seen = new Set<string>();
    const push = (entry: SignpostEntry, score: number) => {
      if (seen.has(entry.id)) return;
      seen.add(entry.id);
      ordered.push({ entry, score });
    };
    const scoreOf = (id: string) => matches.find((m) => m.entry.id === id)?.score ?? 0;
    for (const id of CRISIS_FIRST_IDS) {
      const entry = this.byId.get(id);
      if (entry) push(entry, scoreOf(id));
    }
    for (const match of matches) if (match.entry.tags.includes("crisis")) push(match.entry, match.score);
    for (const entry of this.crisisEntries) push(entry, 0);
    for (const match of matches) push(match.entry, match.score);
    return { crisis, matches: ordered.slice(0, limit) };
  }

  /**
   * Title-field matches best first, then (only when the title fields match fewer than `limit` entries) prose-only
   * matches best first. Only the best `keep` become matches, plus, with `crisis`, every crisis entry that matched:
   * every entry with a term is scored, but sorting thousands of them and turning them into matches is wasted work.
   */
  private match(tokens: readonly string[], needTerms: readonly string[], limit: number, keep: number, crisis: boolean): SignpostMatch[] {
    const typed = needTerms.slice(0, 20);
    if (typed.length === 0) return [];
    // Only the word being typed (the last one) can be unfinished; a frequent word is taken as finished.
    const lastTerm = tokens.length > 0 ? processTerm(tokens[tokens.length - 1]) : null;
    const prefixTerm = lastTerm !== null && lastTerm.length >= PREFIX_MIN_LENGTH && !this.frequentTerms.has(lastTerm) ? lastTerm : null;
    const common = (term: string) => (this.frequentTerms.get(term) ?? 0) > this.entries.length * COMMON_SHARE;
    const telling = typed.filter((term) => !common(term));
    const kept = telling.length > 0 ? telling : typed;
    const added = new Set<string>();
    const terms = [...kept];
    for (const term of kept) {
      for (const synonym of synonymsOf(term)) {
        if (!terms.includes(synonym) && !typed.includes(synonym) && !this.frequentTerms.has(synonym)) {
          terms.push(synonym);
          added.add(synonym);
        }
      }
    }
    // Typos and prefixes are looked up once, for both passes.
    const query: ExpandedTerm[] = terms.map((term) => {
      const synonym = added.has(term);
      // Synonyms are whole words from a fixed list: matched exactly, and count for less than the words typed.
      // A word in hundreds of entries is spelt right: matching it with a typo would only add near-misses ("care" for "carer").
      const fuzzy = !synonym && !this.frequentTerms.has(term) && term.length >= (term === lastTerm ? FUZZY_MIN_LENGTH_LAST : FUZZY_MIN_LENGTH);
      return this.index.expand(term, synonym ? SYNONYM_WEIGHT : 1, term === prefixTerm && !synonym, fuzzy);
    });
    const matches: SignpostMatch[] = [];
    const found: number[] = [];
    let matched = 0;
    for (const pass of PASSES) {
      if (matched >= limit) break;
      const ranked = this.index.rank(query, pass.fields, pass.boosts, found, Math.max(0, keep - matches.length), crisis ? this.crisisDocs : []);
      matched += ranked.matched;
      ranked.docs.forEach((doc, i) => {
        found.push(doc);
        matches.push({ entry: this.entries[doc], score: ranked.scores[i] });
      });
    }
    return matches;
  }

  /** What to show before anything is typed: the most-used national organisations, then the rest in order. */
  featured(limit = 25): SignpostEntry[] {
    return this.entries
      .filter((e) => e.featured !== undefined)
      .sort((a, b) => (a.featured ?? 0) - (b.featured ?? 0))
      .slice(0, limit);
  }

  /** The whole directory grouped by category, in the categories' order; empty groups left out. */
  groups(): DirectoryGroup[] {
    return SIGNPOST_CATEGORIES.map((category) => ({
      category: category.id,
      title: category.title,
      entries: this.entries.filter((e) => e.category === category.id),
    })).filter((group) => group.entries.length > 0);
  }
}
