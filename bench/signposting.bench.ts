import { performance } from "node:perf_hooks";
import { NATIONAL_DIRECTORY, SignpostingDirectory, type SignpostEntry } from "../src/domain";
import { formatMs, percentile } from "./stats";
import { seededRandom } from "../test/helpers/random";

/** Needs as officers type them: plain words, typos and half-typed words. */
const QUERIES = [
  "help writing a complaint",
  "unhappy with complaint response",
  "not happy with the trust's reply",
  "social care",
  "care home fees",
  "detained under the mental health act",
  "suicidal",
  "GP practice complaint",
  "report unsafe care",
  "inspection",
  "legal advice after a medical accident",
  "benefits",
  "money worries",
  "feedback about local services",
  "advocate",
  "ombudsmen",
  "advocasy",
  "samaritens",
  "healthwach",
  "samar",
  "ombud",
  "complaint about my dentist",
  "kill myself",
  "home care agency missed visits",
  "medical negligence compensation",
  "share my experience of care",
  "sectioned",
  "urgent medical help out of hours",
  "bereavement support",
  "carers assessment",
];

/** The simplest thing that could work: every entry whose name or keywords contain a query word, most words first. */
function linearFilter(entries: readonly SignpostEntry[], haystacks: readonly string[], need: string, limit = 25): SignpostEntry[] {
  const words = need
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length >= 3);
  const hits: { entry: SignpostEntry; count: number }[] = [];
  for (let i = 0; i < entries.length; i++) {
    let count = 0;
    for (const word of words) if (haystacks[i].includes(word)) count++;
    if (count > 0) hits.push({ entry: entries[i], count });
  }
  return hits
    .sort((a, b) => b.count - a.count)
    .slice(0, limit)
    .map((h) => h.entry);
}

const WORDS = (
  "advice advocacy support carers bereavement housing benefits money debt mental health crisis complaint council care home " +
  "hospital ward clinic community nurse doctor dentist pharmacy optician transport parking interpreter deaf blind learning " +
  "disability dementia stroke cancer maternity baby children young people older adults veterans homeless refugee language " +
  "legal rights employment food bank loneliness wellbeing recovery addiction alcohol drugs gambling domestic abuse safeguarding"
).split(" ");

/** 10,000 plausible local services built from a fixed vocabulary plus made-up words (so the term list is large). */
export function syntheticDirectory(size = 10_000): SignpostEntry[] {
  const next = seededRandom(42);
  const pick = () => WORDS[Math.floor(next() * WORDS.length)];
  const madeUp = () =>
    Array.from({ length: 3 + Math.floor(next() * 3) }, () => "bcdfghklmnprstvz"[Math.floor(next() * 16)] + "aeiou"[Math.floor(next() * 5)]).join("");
  const phrase = (n: number) => Array.from({ length: n }, () => (next() < 0.7 ? pick() : madeUp())).join(" ");
  return Array.from({ length: size }, (_, i) => ({
    id: `local-${i}`,
    name: `${phrase(3)} service ${i}`,
    category: "local" as const,
    purpose: `${phrase(14)}.`,
    whenToUse: `${phrase(12)}.`,
    contact: { phone: `01632 ${String(960000 + (i % 1000)).padStart(6, "0")}` },
    hours: "Monday to Friday, 9am to 5pm.",
    keywords: Array.from({ length: 4 + Math.floor(next() * 6) }, () => phrase(1 + Math.floor(next() * 2))),
    tags: [],
    scope: "local" as const,
  }));
}

/** Sub-0.1 ms figures in microseconds, so the linear filter does not read as zero. */
function fmt(ms: number): string {
  return ms < 0.1 ? `${(ms * 1000).toFixed(1)} µs` : formatMs(ms);
}

interface Figures {
  readonly p50: number;
  readonly p99: number;
}

/**
 * Both searches in the same rounds, taking turns to go first, so a noisy spell on the machine (other processes, the
 * collector after the index build) falls on both alike, not on whichever happened to be measured then.
 */
function measure(rounds: number, runs: readonly ((query: string) => unknown)[]): Figures[] {
  for (const run of runs) for (const query of QUERIES) run(query); // warm-up
  const timings = runs.map((): number[] => []);
  for (let round = 0; round < rounds; round++) {
    for (let turn = 0; turn < runs.length; turn++) {
      const which = (round + turn) % runs.length;
      for (const query of QUERIES) {
        const started = performance.now();
        runs[which](query);
        timings[which].push(performance.now() - started);
      }
    }
  }
  return timings.map((sample) => ({ p50: percentile(sample, 50), p99: percentile(sample, 99) }));
}

function report(label: string, entries: readonly SignpostEntry[], rounds: number): void {
  const builtAt = performance.now();
  const directory = new SignpostingDirectory(entries);
  const buildMs = performance.now() - builtAt;
  const haystacks = entries.map((e) => `${e.name} ${e.shortName ?? ""} ${e.keywords.join(" ")}`.toLowerCase());
  const [search, linear] = measure(rounds, [(query) => directory.search(query, 25), (query) => linearFilter(entries, haystacks, query)]);
  const samples = rounds * QUERIES.length;
  console.log(
    `signposting search, ${label} (${entries.length.toLocaleString("en-GB")} entries, ${samples} queries, index built in ${formatMs(buildMs)}): ` +
      `ranked search p50 ${fmt(search.p50)}, p99 ${fmt(search.p99)}; linear filter p50 ${fmt(linear.p50)}, p99 ${fmt(linear.p99)}`,
  );
}

/** Query latency over the shipped directory and a synthetic 10,000-entry one, next to a linear filter in the same run. */
export async function signpostingSearch(): Promise<void> {
  report("shipped directory", NATIONAL_DIRECTORY, 100);
  report("synthetic directory", [...NATIONAL_DIRECTORY, ...syntheticDirectory()], 10);
}
