// Patient identifiers in free text: NHS numbers (and other long numbers), the names a case knows and its patient's
// date of birth, however they are spelled. One pure check, shared by every text that may leave PALS: the words of
// an action (refused when it has any), the "You said, we did" summary (removed before it is published), the
// summary and questions of an investigation request (an NHS number only when the officer chose not to share one).
// Matching is done on a folded copy of the text (normaliseForMatching); what is found is reported as spans of the
// text as written, so it can be named back to the person who typed it, or cut out.
import { isValidNhsNumber } from "./nhsNumber";

// --- folding ---------------------------------------------------------------------------------------

/** Invisible characters (zero-width spaces and joiners, soft hyphens, byte-order and direction marks): dropped. */
const INVISIBLE = /^\p{Cf}$/u;
/** Every kind of space and line break. */
const SPACE = /^[\s\p{Zs}\p{Zl}\p{Zp}]$/u;
/** Hyphens and dashes of every kind (\u2010-\u2015, \ufe58, \uff0d...), the minus sign and its lookalikes. */
const DASH = /^[\p{Pd}\u2212\u2043\u02d7\u2796\ufe63]$/u;
/** Slashes: fraction, division, big solidus, full-width. */
const SLASH = /^[\u2044\u2215\u29f8\uff0f\u2571]$/u;
/** Apostrophes and what is typed for one: curly quotes, modifier letters, primes, backtick, acute, full-width. */
const APOSTROPHE = /^[\u2018\u2019\u201a\u201b\u2032\u2035\u02b9\u02bb\u02bc\u02bd\u02c8\u0060\u00b4\uff07\ua78c]$/u;

/** Letters that look Latin in other scripts (Cyrillic, Greek), and Latin letters that do not decompose. */
const LOOKALIKES: Readonly<Record<string, string>> = Object.fromEntries([
  ...pairs("\u0410\u0412\u0415\u0401\u041a\u041c\u041d\u041e\u0420\u0421\u0422\u0423\u0425\u0406\u0408\u0405", "abeekmhopctyxijs"), // Cyrillic capitals
  ...pairs("\u0430\u0435\u0451\u043e\u0440\u0441\u0443\u0445\u0456\u0458\u0455\u04bb\u0501\u051b\u051d\u04cf", "aeeopcyxijshdqwl"), // Cyrillic small
  ...pairs("\u0391\u0392\u0395\u0396\u0397\u0399\u039a\u039c\u039d\u039f\u03a1\u03a4\u03a5\u03a7", "abezhikmnoptyx"), // Greek capitals
  ...pairs("\u03b1\u03b9\u03ba\u03bd\u03bf\u03c1\u03c5\u03c7", "aikvopux"), // Greek small
  ...pairs("\u00f8\u0111\u00f0\u0127\u0131\u0142", "oddhil"), // o with stroke, d with stroke, eth, h with stroke, dotless i, l with stroke
  ["\u00df", "ss"],
  ["\u00e6", "ae"],
  ["\u0153", "oe"],
  ["\u00fe", "th"],
]);

function pairs(from: string, to: string): [string, string][] {
  return [...from].map((ch, i) => [ch, to[i]]);
}

/** A decimal digit of any script as 0-9 (Unicode encodes each script's digits as a run of ten, 0 first). */
function asciiDigit(ch: string): string {
  const cp = ch.codePointAt(0)!;
  let start = cp;
  while (start > 0 && cp - start < 100 && /^\p{Nd}$/u.test(String.fromCodePoint(start - 1))) start -= 1;
  return String((cp - start) % 10);
}

/** One character (a code point) folded: its lowercase base letters, ASCII digits and ASCII punctuation. */
function foldChar(ch: string): string {
  if (ch < "\u0080") return SPACE.test(ch) ? " " : ch === "`" ? "'" : ch.toLowerCase();
  if (INVISIBLE.test(ch)) return "";
  if (SPACE.test(ch)) return " ";
  if (APOSTROPHE.test(ch)) return "'";
  if (DASH.test(ch)) return "-";
  if (SLASH.test(ch)) return "/";
  if (LOOKALIKES[ch]) return LOOKALIKES[ch];
  let out = "";
  for (const c of ch.toLowerCase().normalize("NFKD").replace(/\p{M}/gu, "")) {
    if (c < "\u0080") out += c;
    else if (SPACE.test(c)) out += " ";
    else if (APOSTROPHE.test(c)) out += "'";
    else if (DASH.test(c)) out += "-";
    else if (SLASH.test(c)) out += "/";
    else if (LOOKALIKES[c]) out += LOOKALIKES[c];
    else if (/^\p{Nd}$/u.test(c)) out += asciiDigit(c);
    else if (!INVISIBLE.test(c)) out += c;
  }
  return out;
}

/** The folded text, and for each of its characters where it came from in the text as written. */
interface Folded {
  readonly text: string;
  /** `from[i]` and `to[i]`: the written span (code units) of the character folded into text[i]. */
  readonly from: readonly number[];
  readonly to: readonly number[];
}

function foldWithMap(text: string): Folded {
  let folded = "";
  const from: number[] = [];
  const to: number[] = [];
  let at = 0;
  for (const ch of text) {
    const out = foldChar(ch);
    for (let i = 0; i < out.length; i++) {
      from.push(at);
      to.push(at + ch.length);
    }
    folded += out;
    at += ch.length;
  }
  return { text: folded, from, to };
}

/**
 * Text as the checks compare it: compatibility forms folded (NFKC/NFKD: full-width letters and digits, ligatures),
 * accents and other marks dropped, lower case, every space as " ", every dash as "-", every slash as "/", every
 * apostrophe as "'", invisible characters (zero-width spaces, soft hyphens) dropped, any script's digits as 0-9,
 * and Cyrillic or Greek letters that look Latin as the Latin letter. Only for matching: never shown.
 */
export function normaliseForMatching(text: string): string {
  return foldWithMap(String(text ?? "")).text;
}

// --- what a case knows ---------------------------------------------------------------------------

/** What a case knows of the people it is about, to find in a text. */
export interface KnownIdentifiers {
  /** The patient's and raiser's names: whole, or any part of more than 2 letters, in any case. */
  readonly names?: readonly (string | undefined)[];
  /** The patient's NHS number: found however its digits are split. */
  readonly nhsNumbers?: readonly (string | undefined)[];
  /** The patient's date of birth (YYYY-MM-DD): found as people write dates (17/05/1948, 17 May 1948, 1948-05-17...). */
  readonly datesOfBirth?: readonly (string | undefined)[];
  /**
   * Staff names (for a published text only): whole in any case, a part alone only when written with a capital, so
   * "the ward sister" stays when a nurse is called Sam Sister. They are not patient identifiers.
   */
  readonly staff?: readonly (string | undefined)[];
}

/** What the case knows of its patient and raiser. */
export function identifiersOf(c: {
  readonly patient?: { readonly name?: string; readonly nhsNumber?: string; readonly dateOfBirth?: string };
  readonly raiser?: { readonly name?: string };
}): KnownIdentifiers {
  return {
    names: [c.patient?.name, c.raiser?.name],
    nhsNumbers: [c.patient?.nhsNumber],
    datesOfBirth: [c.patient?.dateOfBirth],
  };
}

// --- finding them --------------------------------------------------------------------------------

export type IdentifierKind = "nhs-number" | "long-number" | "date-of-birth" | "name";

export interface FoundIdentifier {
  readonly kind: IdentifierKind;
  /** The span in the text as given (UTF-16 code units, end excluded). */
  readonly start: number;
  readonly end: number;
  /** The text as written there. */
  readonly text: string;
}

/** Titles before a name: with one, even a short part ("Mr Li") is the name. */
const TITLES = ["mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "lady", "lord", "master", "rev"];
/** Parts of a name that never count alone: titles, particles and little words. */
const NOT_A_NAME = new Set([
  ...TITLES,
  "the",
  "and",
  "of",
  "de",
  "da",
  "di",
  "du",
  "la",
  "le",
  "van",
  "von",
  "der",
  "den",
  "del",
  "st",
  "jr",
  "sr",
  "jnr",
  "snr",
]);

/** Between the parts of a name as written: spaces, hyphens, apostrophes, dots or commas (or nothing), a few at most. */
const NAME_JOIN = "[\\s\\-'.,]{0,3}";
/** Not inside a longer word or number. */
const BEFORE = "(?<![\\p{L}\\p{N}])";
const AFTER = "(?![\\p{L}\\p{N}])";
/** Between the digits of a number: spaces, dashes, slashes, dots, underscores, bars, brackets, a few at most. */
const DIGIT_JOIN = "[ \\-/._\\\\|()]{1,3}";
const DIGIT_RUNS = new RegExp(`[0-9]+(?:${DIGIT_JOIN}[0-9]+)*`, "g");
/** What comes before the numbers of a case reference ("PALS-", "pals "). */
const CASE_REFERENCE_BEFORE = /(?<![\p{L}\p{N}])pals[\s-]{0,3}$/u;

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A name's pieces, folded: split at anything not a letter or digit (spaces, hyphens, apostrophes, dots). */
function piecesOf(name: string): string[] {
  return normaliseForMatching(name)
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

interface Pattern {
  readonly kind: IdentifierKind;
  readonly regex: RegExp;
  /** Counts only where the text as written starts with a capital letter. */
  readonly capitalised?: boolean;
}

function namePatterns(name: string, staff: boolean): Pattern[] {
  const pieces = piecesOf(name);
  if (pieces.join("").length < 2) return [];
  const patterns: Pattern[] = [];
  const together = (order: string[]) => ({ kind: "name" as const, regex: new RegExp(`${BEFORE}${order.map(escape).join(NAME_JOIN)}${AFTER}`, "gu") });
  // The whole name, and every run of its parts ("Fairweather-Quince", "O'Neill", "Tom O'Neill"), so each is found
  // as one, however its parts are joined (or glued: "FairweatherQuince", with a soft hyphen); and surname first
  // ("Fairweather-Quince, Ada").
  if (pieces.length === 1) patterns.push(together(pieces));
  for (let i = 0; i < pieces.length; i++) for (let j = i + 2; j <= pieces.length; j++) patterns.push(together(pieces.slice(i, j)));
  for (let k = 1; k < pieces.length; k++) patterns.push(together([...pieces.slice(k), ...pieces.slice(0, k)]));
  const titled = `(?<=${BEFORE}(?:${TITLES.join("|")})\\.?\\s{0,3})`;
  for (const piece of new Set(pieces)) {
    if (NOT_A_NAME.has(piece)) continue;
    // A title makes any part the name ("Mr Li", "Mrs Quince"); more than 2 letters is a name on its own.
    patterns.push({ kind: "name", regex: new RegExp(`${titled}${escape(piece)}${AFTER}`, "gu") });
    if (piece.length > 2) patterns.push({ kind: "name", regex: new RegExp(`${BEFORE}${escape(piece)}${AFTER}`, "gu"), capitalised: staff });
  }
  return patterns;
}

function nhsNumberPattern(nhsNumber: string): Pattern[] {
  const digits = normaliseForMatching(nhsNumber).replace(/[^0-9]/g, "");
  if (digits.length !== 10) return [];
  // Its own digits, however split (one by one, with any punctuation between): it is this patient's.
  return [{ kind: "nhs-number", regex: new RegExp(digits.split("").join("[^\\p{L}0-9]{0,3}"), "gu") }];
}

const MONTHS = [
  "january|jan",
  "february|feb",
  "march|mar",
  "april|apr",
  "may",
  "june|jun",
  "july|jul",
  "august|aug",
  "september|sept|sep",
  "october|oct",
  "november|nov",
  "december|dec",
];

function dateOfBirthPatterns(day: string): Pattern[] {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day.trim());
  if (!match) return [];
  const [, yyyy, mm, dd] = match;
  const d = `0?${Number(dd)}`;
  const m = `0?${Number(mm)}`;
  const y = `(?:${yyyy}|'?${yyyy.slice(2)})`;
  const month = `(?:${MONTHS[Number(mm) - 1]})\\.?`;
  const sep = "[\\s\\-/.,]{1,3}";
  const ordinal = "(?:st|nd|rd|th)?";
  const forms = [
    `${d}${sep}${m}${sep}${y}`, // 17/05/1948, 17-5-48, 17.05.1948
    `${m}${sep}${d}${sep}${y}`, // 05/17/1948
    `${yyyy}${sep}${m}${sep}${d}`, // 1948-05-17
    `${d}${ordinal}(?:\\s{1,3}of)?[\\s\\-/.,]{0,3}${month}${sep}${y}`, // 17 May 1948, 17th of May, 1948, 17-may-48
    `${month}[\\s\\-/.,]{0,3}${d}${ordinal}${sep}${y}`, // May 17, 1948
  ];
  return forms.map((form) => ({ kind: "date-of-birth" as const, regex: new RegExp(`(?<![\\p{L}0-9])(?:${form})(?![\\p{L}0-9])`, "gu") }));
}

/** Patterns made once per name, number or date (a summary checks the same few names in many texts); a bounded cache. */
const patternCache = new Map<string, Pattern[]>();
function compiled(key: string, make: () => Pattern[]): Pattern[] {
  let patterns = patternCache.get(key);
  if (!patterns) {
    if (patternCache.size >= 2000) patternCache.clear();
    patterns = make();
    patternCache.set(key, patterns);
  }
  return patterns;
}

interface Span {
  kind: IdentifierKind;
  start: number;
  end: number;
}

/** Ten digits split 3-3-4 (the NHS's own grouping) or passing the modulus 11 check, inside a longer run of numbers. */
function numbersWithin(groups: { digits: string; start: number; end: number }[]): Span[] {
  const found: Span[] = [];
  for (let i = 0; i < groups.length; i++) {
    if (groups[i].digits.length >= 10)
      found.push({ kind: groups[i].digits.length === 10 ? "nhs-number" : "long-number", start: groups[i].start, end: groups[i].end });
    let digits = "";
    for (let j = i; j < groups.length && j < i + 4; j++) {
      digits += groups[j].digits;
      if (digits.length > 10) break;
      if (digits.length < 10 || j === i) continue;
      const window = groups.slice(i, j + 1).map((g) => g.digits);
      const threeThreeFour = window.length === 3 && window[0].length === 3 && window[1].length === 3;
      // A list of dates ("01/04/2026 - 30/06") is not a number.
      const dates = window.some((g) => /^(?:19|20)\d\d$/.test(g)) && window.some((g) => g.length <= 2);
      if (threeThreeFour || (!dates && isValidNhsNumber(digits))) found.push({ kind: "nhs-number", start: groups[i].start, end: groups[j].end });
    }
  }
  return found;
}

/**
 * Runs of digits however they are split (spaces, dashes, slashes, dots...): ten digits are an NHS number (valid or
 * not); eleven or more split in at most 3 places are another number that points at a person (a phone or hospital
 * number). A longer run split in more places is a list (of dates, wards, counts), searched for an NHS number inside.
 */
function numbersIn(folded: string): Span[] {
  const found: Span[] = [];
  for (const run of folded.matchAll(DIGIT_RUNS)) {
    const groups = [...run[0].matchAll(/[0-9]+/g)].map((g) => ({ digits: g[0], start: run.index + g.index, end: run.index + g.index + g[0].length }));
    const total = groups.reduce((sum, g) => sum + g.digits.length, 0);
    const span = { start: run.index, end: run.index + run[0].length };
    // A case reference (PALS-2026-000123) is not a patient's number: the scrub before publishing removes it itself.
    if (CASE_REFERENCE_BEFORE.test(folded.slice(Math.max(0, run.index - 8), run.index)) && /^20\d\d[ -]{0,3}\d{1,6}$/.test(run[0])) continue;
    if (total === 10) found.push({ kind: "nhs-number", ...span });
    else if (total > 10 && groups.length <= 4) found.push({ kind: "long-number", ...span });
    else if (total > 10) found.push(...numbersWithin(groups));
  }
  return found;
}

/**
 * The identifiers in a text, in order, overlapping finds merged into one (the first's kind): NHS numbers in any
 * spelling (any 10-digit run however split, a 3-3-4 or valid number inside a longer list, the patient's own number
 * even digit by digit), other long numbers (11+ digits: phone and hospital numbers), the names given (whole, in
 * either order, any part of more than 2 letters, any part after a title; in any case, accents and punctuation
 * folded) and the date of birth given, in the common spellings. A check a person can understand and act on, not a
 * guarantee: a name misspelled on purpose still gets through.
 */
export function findIdentifiers(text: string, known: KnownIdentifiers = {}): FoundIdentifier[] {
  const written = String(text ?? "");
  const folded = foldWithMap(written);
  const spans: Span[] = numbersIn(folded.text);
  const patterns: Pattern[] = [
    ...(known.nhsNumbers ?? []).flatMap((n) => (n ? compiled(`nhs:${n}`, () => nhsNumberPattern(n)) : [])),
    ...(known.datesOfBirth ?? []).flatMap((d) => (d ? compiled(`dob:${d}`, () => dateOfBirthPatterns(d)) : [])),
    ...(known.names ?? []).flatMap((n) => (n ? compiled(`name:${n}`, () => namePatterns(n, false)) : [])),
    ...(known.staff ?? []).flatMap((n) => (n ? compiled(`staff:${n}`, () => namePatterns(n, true)) : [])),
  ];
  for (const pattern of patterns) {
    for (const m of folded.text.matchAll(pattern.regex)) {
      if (!m[0]) continue;
      const start = m.index;
      const end = m.index + m[0].length;
      if (pattern.capitalised && !/^\p{Lu}/u.test(written.slice(folded.from[start]))) continue;
      spans.push({ kind: pattern.kind, start, end });
    }
  }
  // Back to the text as written, then merged: "Margaret Jones" is one find, not a whole and two parts.
  const mapped = spans
    .map((s) => ({ kind: s.kind, start: folded.from[s.start], end: folded.to[s.end - 1] }))
    .sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Span[] = [];
  for (const span of mapped) {
    const last = merged[merged.length - 1];
    if (last && span.start < last.end) last.end = Math.max(last.end, span.end);
    else merged.push({ ...span });
  }
  return merged.map((s) => ({ ...s, text: written.slice(s.start, s.end) }));
}

/** The text with each identifier found replaced (by "[removed]" unless told). */
export function withoutIdentifiers(text: string, known: KnownIdentifiers, replacement = "[removed]"): string {
  let out = String(text ?? "");
  for (const found of findIdentifiers(out, known).reverse()) out = out.slice(0, found.start) + replacement + out.slice(found.end);
  return out;
}

/**
 * Where a regular expression (written for folded text: lower case, ASCII punctuation) matches the text, as spans of
 * the text as written: for a pattern that is not a patient identifier but still must not be published (a case
 * reference), matched through the same folding.
 */
export function findFolded(text: string, regex: RegExp): { start: number; end: number }[] {
  const folded = foldWithMap(String(text ?? ""));
  const global = new RegExp(regex.source, regex.flags.includes("g") ? regex.flags : `${regex.flags}g`);
  return [...folded.text.matchAll(global)].filter((m) => m[0]).map((m) => ({ start: folded.from[m.index], end: folded.to[m.index + m[0].length - 1] }));
}
