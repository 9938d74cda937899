// Ranked, typo-tolerant search over the directory with MiniSearch (BM25, prefix and fuzzy matching).
// Pure: built once from validated entries, then only read.
import MiniSearch from "minisearch";
import type { Choice } from "../choice";
import { SIGNPOST_CATEGORIES, entryTitle, type SignpostCategory, type SignpostEntry } from "./directory";
import { isCrisisNeed, processTerm, synonymsOf, termsOf, tokenize } from "./text";

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

interface IndexedEntry {
  readonly id: string;
  readonly name: string;
  readonly shortName: string;
  readonly keywords: string;
  readonly tags: string;
  readonly purpose: string;
  readonly whenToUse: string;
}

const FIELDS = ["name", "shortName", "keywords", "tags", "purpose", "whenToUse"] as const;
const BOOST: Record<(typeof FIELDS)[number], number> = { name: 3, shortName: 3, keywords: 2.5, tags: 1, purpose: 1, whenToUse: 0.8 };
/** Synonyms count for less than the words typed. */
const SYNONYM_WEIGHT = 0.6;

export class SignpostingDirectory {
  readonly entries: readonly SignpostEntry[];
  /** Every entry as a pick-list choice (the case card's Signpost action), in directory order. */
  readonly choices: readonly Choice[];
  private readonly byId: ReadonlyMap<string, SignpostEntry>;
  private readonly index: MiniSearch<IndexedEntry>;

  constructor(entries: readonly SignpostEntry[]) {
    this.entries = Object.freeze([...entries]);
    this.byId = new Map(entries.map((e) => [e.id, e]));
    this.choices = Object.freeze(entries.map((e) => ({ id: e.id, title: entryTitle(e) })));
    this.index = new MiniSearch<IndexedEntry>({
      fields: [...FIELDS],
      idField: "id",
      tokenize: (text) => tokenize(text),
      processTerm: (term) => processTerm(term),
    });
    this.index.addAll(
      entries.map((e) => ({
        id: e.id,
        name: e.name,
        shortName: e.shortName ?? "",
        keywords: e.keywords.join(" ; "),
        tags: e.tags.join(" ").replace(/-/g, " "),
        purpose: e.purpose,
        whenToUse: e.whenToUse,
      })),
    );
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
   */
  search(need: string, limit = 25): SignpostSearchResult {
    const text = need.slice(0, NEED_MAX_LENGTH);
    const crisis = isCrisisNeed(text);
    const typed = termsOf(text).slice(0, 20);
    const matches: SignpostMatch[] = [];
    if (typed.length > 0) {
      const added = new Set<string>();
      const terms = [...typed];
      for (const term of typed) {
        for (const synonym of synonymsOf(term)) {
          if (!terms.includes(synonym)) {
            terms.push(synonym);
            added.add(synonym);
          }
        }
      }
      const results = this.index.search(terms.join(" "), {
        // The terms are already tokenized and stemmed.
        tokenize: (s) => s.split(" "),
        processTerm: (term) => term,
        boost: BOOST,
        boostTerm: (term) => (added.has(term) ? SYNONYM_WEIGHT : 1),
        prefix: (term) => term.length >= 3,
        fuzzy: (term) => (term.length >= 5 ? 0.2 : false),
        maxFuzzy: 2,
        combineWith: "OR",
      });
      for (const result of results) {
        const entry = this.byId.get(String(result.id));
        if (entry) matches.push({ entry, score: result.score });
      }
    }
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
    for (const entry of this.entries) if (entry.tags.includes("crisis")) push(entry, 0);
    for (const match of matches) push(match.entry, match.score);
    return { crisis, matches: ordered.slice(0, limit) };
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
