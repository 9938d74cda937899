// How needs and directory text are turned into search terms: phrases that mean one thing ("kill myself",
// "mental health act"), a light English stemmer, stop words, synonyms, and spotting a crisis.
// Index and query go through the same steps, so "writing" finds "write" and "sectioned" finds "section".

/** Phrases rewritten to one token before splitting into words; both sides of the search see them. */
const PHRASES: readonly (readonly [RegExp, string])[] = [
  [/\bkill(?:ing|s)?\s+(?:my|him|her|them|your)sel(?:f|ves)\b/g, " suicidal "],
  [/\b(?:end|ending|take|taking)\s+(?:my|his|her|their|your)\s+(?:own\s+)?life\b/g, " suicidal "],
  [/\b(?:want|wants|wanting|wanted)\s+to\s+die\b/g, " suicidal "],
  [/\b(?:do\s*n[o']?t|does\s*n[o']?t|no\s+longer)\s+want\s+to\s+(?:live|be\s+alive|be\s+here)\b/g, " suicidal "],
  [/\b(?:better\s+off\s+dead|no\s+reason\s+to\s+live)\b/g, " suicidal "],
  [/\bself[\s-]*harm\w*/g, " selfharm "],
  [/\b(?:hurt|hurting|harm|harming|cut|cutting)\s+(?:my|him|her|them)sel(?:f|ves)\b/g, " selfharm "],
  [/\bover[\s-]?dos(?:e|ed|es|ing)\b/g, " overdose "],
  [/\bmental\s+health\s+act\b/g, " mha "],
  [/\bmental\s+health\b/g, " mentalhealth "],
  [/\bsection(?:ed)?\s+\d+\b/g, " sectioned "],
  [/\bsocial\s+(?:care|services|worker)\b/g, " socialcare "],
  [/\b(?:care|nursing|residential)\s+homes?\b/g, " carehome "],
  [/\bhome\s+care\b/g, " homecare "],
  [/\blocal\s+(?:authority|council|government)\b/g, " council "],
  [/\bnot\s+(?:happy|satisfied|pleased|content)\b/g, " unhappy "],
  [/\b(?:gp|doctor'?s?)\s+(?:practice|surgery)\b/g, " gp "],
  [/\ba\s*(?:&|and)\s*e\b/g, " emergency "],
];

/** Words that carry no meaning for finding an organisation. */
const STOP_WORDS = new Set(
  (
    "a an the and or but of to in on at by for with about from into over under as is are was were be been being am it its " +
    "this that these those i me my mine we us our you your he him his she her they them their who whom what which where when " +
    "how why do does did done can could should would will shall may might must have has had get got getting need needs needed " +
    "want wants wanted help please some any someone somebody something person people patient patients relative family " +
    "there here so if then than too very just also still again because after before"
  ).split(" "),
);

/** A light, predictable English stemmer: plurals, -ing, -ed and a final -e. */
export function stem(word: string): string {
  let w = word;
  if (w.length <= 3 || /\d/.test(w)) return w;
  if (w.endsWith("ies") && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith("sses")) w = w.slice(0, -2);
  else if (w.endsWith("s") && !/(?:ss|us|is)$/.test(w)) w = w.slice(0, -1);
  if (w.endsWith("ing") && w.length > 5) w = undouble(w.slice(0, -3));
  else if (w.endsWith("ed") && w.length > 4) w = undouble(w.slice(0, -2));
  if (w.endsWith("e") && w.length > 4) w = w.slice(0, -1);
  return w;
}

function undouble(w: string): string {
  return /([b-df-hj-km-np-rt-vxz])\1$/.test(w) && !/(?:ll|ss|zz)$/.test(w) ? w.slice(0, -1) : w;
}

/** Lower-cases, rewrites phrases and splits into words (before stemming). */
export function tokenize(text: string): string[] {
  let t = ` ${text.toLowerCase().replace(/[\u2018\u2019`]/g, "'")} `;
  t = t.replace(/'s\b/g, "");
  for (const [pattern, replacement] of PHRASES) t = t.replace(pattern, replacement);
  return t.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0);
}

/** A token as indexed and searched: stop words dropped, the rest stemmed. */
export function processTerm(term: string): string | null {
  const lower = term.toLowerCase();
  if (STOP_WORDS.has(lower)) return null;
  return stem(lower);
}

/** The search terms of a piece of text, in order, without repeats. */
export function termsOf(text: string): string[] {
  return termsOfTokens(tokenize(text));
}

/** The search terms of tokenize()'s words (for a caller that needs the words too, without a second tokenize). */
export function termsOfTokens(tokens: readonly string[]): string[] {
  const terms: string[] = [];
  for (const token of tokens) {
    const term = processTerm(token);
    if (term && !terms.includes(term)) terms.push(term);
  }
  return terms;
}

/** Words meaning much the same when looking for help; each group is matched after stemming. */
const SYNONYM_GROUPS: readonly string[][] = [
  ["ombudsman", "ombudsmen", "phso"],
  ["advocate", "advocacy", "advocates"],
  ["gp", "doctor", "surgery"],
  ["dentist", "dental", "dentistry"],
  ["pharmacy", "pharmacist", "chemist"],
  ["optician", "optometrist"],
  ["mha", "detained", "detention", "sectioned", "section"],
  ["mentalhealth", "mha", "psychiatric"],
  ["socialcare", "council", "carehome", "homecare"],
  ["suicidal", "suicide", "crisis"],
  ["selfharm", "crisis"],
  ["unhappy", "dissatisfied", "disagree", "unresolved", "unfair"],
  ["reply", "response", "answer", "outcome"],
  ["benefits", "money", "debt", "finance", "financial", "bills"],
  ["legal", "law", "solicitor", "lawyer", "negligence", "compensation", "claim", "sue"],
  ["accident", "error", "mistake"],
  ["inspection", "inspect", "regulator", "regulate"],
  ["feedback", "experience", "views", "opinion"],
  ["urgent", "emergency"],
  ["complaint", "complain"],
  ["writing", "write", "written", "letter"],
];

const SYNONYMS: ReadonlyMap<string, readonly string[]> = (() => {
  const map = new Map<string, Set<string>>();
  for (const group of SYNONYM_GROUPS) {
    const stems = [...new Set(group.map((w) => stem(w)))];
    for (const s of stems) {
      const set = map.get(s) ?? new Set<string>();
      for (const other of stems) if (other !== s) set.add(other);
      map.set(s, set);
    }
  }
  return new Map([...map].map(([k, v]) => [k, [...v]]));
})();

/** Other terms that mean the same as this (stemmed) term. */
export function synonymsOf(term: string): readonly string[] {
  return SYNONYMS.get(term) ?? [];
}

/** Stems that mean someone may be at risk now: Samaritans and urgent help come first. */
const CRISIS_TERMS = new Set(["suicidal", "suicide", "selfharm", "overdose", "crisis", "crises"].map(stem));
/** Misspellings of these still count ("sucidal", "suiside"); other crisis words must be spelt right. */
const CRISIS_FUZZY = ["suicidal", "suicid", "selfharm"];

/** True when the need suggests a risk to life or of self-harm. */
export function isCrisisNeed(need: string): boolean {
  return isCrisisTerms(termsOf(need));
}

/** isCrisisNeed() for a need already turned into terms (termsOf). */
export function isCrisisTerms(terms: readonly string[]): boolean {
  return terms.some((term) => CRISIS_TERMS.has(term) || (term.length >= 5 && CRISIS_FUZZY.some((word) => withinOneEdit(term, word))));
}

/** Levenshtein distance of at most one (insert, delete, substitute), plus one swap of neighbours. */
function withinOneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (i === a.length || i === b.length) return true;
  if (a.length === b.length) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}
