import { performance } from "node:perf_hooks";
import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import type { Container } from "@azure/cosmos";
import {
  addCalendarDays,
  addWorkingDays,
  formatCaseReference,
  lastFullMonth,
  previousPeriod,
  serviceReport,
  type Case,
  type Caller,
  type ContactType,
  type PersonRef,
  type Role,
  DEFAULT_RULES,
  DEFAULT_RETENTION,
} from "../src/domain";
import { createLogger } from "../src/logger";
import { CosmosCaseRepository } from "../src/store/caseRepository";
import { openStore, type Store } from "../src/store/cosmos";
import { makeCase } from "../test/helpers/caseFixtures";
import { deskFor } from "../test/helpers/desk";
import { formatMs, percentile } from "./stats";
import { seededRandom } from "../test/helpers/random";

const TENANT = "scaling-trust";
const TODAY = "2026-03-10";
const NOW = new Date(`${TODAY}T10:00:00Z`);
const RUNS = 50;
const WARM_UP = 5;
/** The trust's history: cases received over two years, most of the older ones closed. */
const HISTORY_DAYS = 730;
const OTHER_OWNERS = 25;
/** The caller's caseload, the same at every size: 40 open cases, 12 of them due within 2 working days. */
const MY_OPEN = 40;
const MY_DUE = 12;
/** Cases whose patient is called Brooks: what `find brooks` returns at every size. */
const BROOKS = 10;

const ME: PersonRef = { aadObjectId: "00000000-0000-4000-8000-00000000b001", name: "Olivia Officer" };
const officer: Caller = { trustId: TENANT, tenantId: TENANT, actor: ME, teamsUserId: "29:olivia", roles: new Set<Role>(["officer"]) };
const volunteer: Caller = {
  trustId: TENANT,
  tenantId: TENANT,
  actor: { aadObjectId: "00000000-0000-4000-8000-00000000b003", name: "Val Volunteer" },
  teamsUserId: "29:val",
  roles: new Set<Role>(["volunteer"]),
};
const manager: Caller = {
  trustId: TENANT,
  tenantId: TENANT,
  actor: { aadObjectId: "00000000-0000-4000-8000-00000000b002", name: "Maya Manager" },
  teamsUserId: "29:maya",
  roles: new Set<Role>(["manager"]),
};

const FIRST = ["Margaret", "John", "Aisha", "David", "Siân", "Priya", "Tom", "Grace", "Mohammed", "Eileen", "Kwame", "Olga", "Rhys", "Fatima", "Peter", "Ruth"];
const LAST = [
  "Jones",
  "Patel",
  "Smith",
  "O'Neill",
  "Williams",
  "Khan",
  "Evans",
  "Taylor",
  "Davies",
  "Nowak",
  "Okafor",
  "Hughes",
  "Wright",
  "Clarke",
  "Begum",
  "Murphy",
];
const VOCABULARY = (
  "call bell not answered overnight ward staff rude discharge delayed pharmacy medication missed appointment cancelled twice " +
  "letter never arrived parking charges visiting times pain relief waited hours emergency department nurse doctor consultant " +
  "daughter son wife husband carer worried dignity privacy food cold water jug out of reach hearing aid lost glasses dentures " +
  "transfer ambulance late clinic phone nobody answered complaint concern thank you kind care excellent team physiotherapy " +
  "referral results scan waiting list surgery postponed communication poor information confusing interpreter needed wheelchair"
).split(" ");

function words(next: () => number, count: number): string {
  return Array.from({ length: count }, () => VOCABULARY[Math.floor(next() * VOCABULARY.length)]).join(" ");
}

const TYPES: readonly ContactType[] = ["complaint", "complaint", "concern", "concern", "concern", "enquiry", "enquiry", "compliment"];

/** One case of the trust's history; `mine` makes it one of the caller's open cases, `brooks` one `find brooks` returns. */
function historyCase(index: number, total: number, next: () => number, options: { mine?: number; brooks?: boolean } = {}): Case {
  const base = makeCase();
  const mine = options.mine !== undefined;
  const type = mine ? "concern" : TYPES[index % TYPES.length];
  const age = mine ? 1 + (options.mine! % 20) : Math.floor((index / total) * HISTORY_DAYS);
  const receivedOn = addCalendarDays(TODAY, -age);
  // Recent cases are mostly open; older ones closed, as in a working PALS office.
  const open = mine || (age < 60 && next() < 0.7) || next() < 0.01;
  const closedOn = open ? undefined : addCalendarDays(receivedOn, 5 + Math.floor(next() * 30));
  const respondBy = mine
    ? addWorkingDays(TODAY, options.mine! < MY_DUE ? options.mine! % 3 : 3 + options.mine!)
    : type === "compliment"
      ? undefined
      : addWorkingDays(receivedOn, type === "complaint" ? 25 : type === "concern" ? 10 : 2);
  const deadlines: Case["deadlines"] =
    type === "complaint"
      ? { acknowledgeBy: addWorkingDays(receivedOn, 3), acknowledgedOn: addWorkingDays(receivedOn, 2), respondBy }
      : respondBy
        ? { respondBy }
        : {};
  const patientName = options.brooks
    ? `${FIRST[index % FIRST.length]} Brooks`
    : `${FIRST[Math.floor(next() * FIRST.length)]} ${LAST[Math.floor(next() * LAST.length)]}`;
  const owner = mine ? ME : { aadObjectId: `owner-${index % OTHER_OWNERS}`, name: `Officer ${index % OTHER_OWNERS}` };
  const c: Case = {
    ...base,
    id: randomUUID(),
    trustId: TENANT,
    reference: formatCaseReference(2024, index + 1),
    type,
    status: open ? "open" : "closed",
    patient: { ...base.patient, name: patientName },
    receivedOn,
    eventOn: addCalendarDays(receivedOn, -3),
    division: ["Medicine", "Surgery", "Women and Children", "Community", "Estates"][index % 5],
    // Two of the Brooks cases, and 2% of the rest, are safeguarding cases: a volunteer's find leaves them out.
    safeguarding: options.brooks ? index % 5 === 0 : next() < 0.02,
    summary: words(next, 40 + Math.floor(next() * 80)),
    desiredOutcome: words(next, 10 + Math.floor(next() * 20)),
    owner,
    deadlines,
    ...(open
      ? { nextDueOn: respondBy }
      : { closedOn, outcome: type === "complaint" ? "partially-upheld" : type === "compliment" ? "noted" : "resolved", learning: words(next, 30) }),
    createdAt: new Date(`${receivedOn}T09:00:00Z`).toISOString(),
    updatedAt: new Date(`${receivedOn}T09:00:00Z`).toISOString(),
  };
  if (open) delete c.closedOn;
  else delete c.nextDueOn;
  return c;
}

/** The trust's cases: `total` in all, the caller's 40 and the 10 Brooks cases among them. */
function trustCases(total: number): Case[] {
  const next = seededRandom(20260310);
  return Array.from({ length: total }, (_, index) => {
    if (index < MY_OPEN) return historyCase(index, total, next, { mine: index });
    if (index < MY_OPEN + BROOKS) return historyCase(index, total, next, { brooks: true });
    return historyCase(index, total, next);
  });
}

interface Tally {
  queries: number;
  charge: number;
  documents: number;
  bytes: number;
}

/** Counts the queries an operation sends on the cases container, their request charge and what they return. */
async function tallied(container: Container, operation: () => Promise<unknown>): Promise<Tally> {
  const items = container.items;
  const query = items.query.bind(items);
  const tally: Tally = { queries: 0, charge: 0, documents: 0, bytes: 0 };
  items.query = ((...args: Parameters<typeof query>) => {
    const iterator = query(...args);
    const fetchAll = iterator.fetchAll.bind(iterator);
    iterator.fetchAll = async () => {
      const response = await fetchAll();
      tally.queries += 1;
      tally.charge += response.requestCharge;
      tally.documents += response.resources.length;
      tally.bytes += JSON.stringify(response.resources).length;
      return response;
    };
    return iterator;
  }) as typeof items.query;
  try {
    await operation();
  } finally {
    delete (items as { query?: unknown }).query; // back to the prototype's
  }
  return tally;
}

interface Figures extends Tally {
  median: number;
  p90: number;
}

async function seed(store: Store, total: number): Promise<void> {
  const cases = new CosmosCaseRepository(store.containers.cases, DEFAULT_RETENTION, DEFAULT_RULES);
  const all = trustCases(total);
  for (let start = 0; start < all.length; start += 100) {
    await Promise.all(all.slice(start, start + 100).map((c) => cases.create(c, { revision: 1, pending: [], applied: [] })));
  }
}

type Operations = [string, () => Promise<unknown>][];

/** A trust of `total` cases on a fresh embedded store in this process, and the operations to time on it. */
async function trustOf(total: number): Promise<{ store: Store; operations: Operations }> {
  const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
  const log = createLogger("silent", quiet);
  const store = await openStore({ database: `scaling-${total}` }, log);
  const started = performance.now();
  await seed(store, total);
  console.log(`  (${total.toLocaleString("en-GB")} cases stored in ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  const desk = deskFor(store, { log, now: () => NOW });
  const repository = new CosmosCaseRepository(store.containers.cases, DEFAULT_RETENTION, DEFAULT_RULES);
  const period = lastFullMonth(TODAY);
  const expect = <T extends { ok: boolean }>(result: T): T => {
    if (!result.ok) throw new Error(`A benchmark operation was refused: ${JSON.stringify(result)}`);
    return result;
  };
  const nobody: Caller = { ...officer, actor: { aadObjectId: "00000000-0000-4000-8000-00000000b0ff", name: "New Starter" } };
  const operations: Operations = [
    ["my cases", async () => expect(await desk.cases.mine(officer, 25))],
    ["due", async () => expect(await desk.cases.due(officer))],
    ["find brooks", async () => expect(await desk.cases.find(officer, { words: ["brooks"] }, 26))],
    // A volunteer's search: a safeguarding case matches on its reference only (the longer query).
    ["find brooks, as a volunteer", async () => expect(await desk.cases.find(volunteer, { words: ["brooks"] }, 26))],
    ["report (last month)", async () => expect(await desk.reports.serviceReport(manager, period))],
    // What the report cost before it read a projection: the same cases, whole.
    [
      "report, were it whole documents",
      async () =>
        serviceReport(
          await repository.listForReport(TENANT, previousPeriod(period).from, period.to, "whole cases"),
          period,
          TODAY,
          DEFAULT_RULES.updates.workingDays,
        ),
    ],
    // No document matches these: what is left is the embedded server's pass over the container.
    ["my cases of an officer with none", async () => expect(await desk.cases.mine(nobody, 25))],
    ["find a word no case has", async () => expect(await desk.cases.find(officer, { words: ["xylophone"] }, 26))],
    [
      "COUNT matching nothing",
      () =>
        store.containers.cases.items
          .query(
            { query: "SELECT VALUE COUNT(1) FROM c WHERE c.trustId = @t AND c.docType = 'none'", parameters: [{ name: "@t", value: TENANT }] },
            { partitionKey: TENANT },
          )
          .fetchAll(),
    ],
  ];
  return { store, operations };
}

/**
 * One operation on both trusts, runs alternating between them (the order swapped each time), so whatever else
 * the machine is doing weighs on both sizes alike.
 */
async function interleaved(
  small: () => Promise<unknown>,
  large: () => Promise<unknown>,
): Promise<[{ median: number; p90: number }, { median: number; p90: number }]> {
  for (let i = 0; i < WARM_UP; i++) {
    await small();
    await large();
  }
  const times: [number[], number[]] = [[], []];
  const timed = async (operation: () => Promise<unknown>, into: number[]) => {
    const started = performance.now();
    await operation();
    into.push(performance.now() - started);
  };
  for (let i = 0; i < RUNS; i++) {
    if (i % 2 === 0) {
      await timed(small, times[0]);
      await timed(large, times[1]);
    } else {
      await timed(large, times[1]);
      await timed(small, times[0]);
    }
  }
  const stats = (sample: number[]) => ({ median: percentile(sample, 50), p90: percentile(sample, 90) });
  return [stats(times[0]), stats(times[1])];
}

/**
 * `my cases`, `due`, `find` and `report` at 1,000 and at 10,000 cases in the trust, with the same caseload for the
 * caller (40 open cases, 12 due; 10 cases called Brooks): the application call timed against the embedded store,
 * median of 50 after 5 to warm up. The goal is a 10k/1k ratio of 1.5 or less for the three lists a person waits
 * for; the report reads every case of its period, so it grows with the trust.
 */
export async function findAndReportScaling(): Promise<void> {
  console.log(
    `my cases, due, find and report at 1,000 and 10,000 cases in the trust (median of ${RUNS} after ${WARM_UP} to warm up, sizes alternating; embedded store in this process):`,
  );
  const small = await trustOf(1_000);
  const large = await trustOf(10_000);
  try {
    const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
    const side = (f: Figures) =>
      `${formatMs(f.median)} (p90 ${formatMs(f.p90)}), ${f.queries} quer${f.queries === 1 ? "y" : "ies"}, ${f.charge} RU, ${f.documents} docs, ${kb(f.bytes)}`;
    for (const [index, [label, smallOperation]] of small.operations.entries()) {
      const largeOperation = large.operations[index][1];
      const smallTally = await tallied(small.store.containers.cases, smallOperation);
      const largeTally = await tallied(large.store.containers.cases, largeOperation);
      const [smallTimes, largeTimes] = await interleaved(smallOperation, largeOperation);
      const s = { ...smallTally, ...smallTimes };
      const l = { ...largeTally, ...largeTimes };
      console.log(`  ${label}:`);
      console.log(`     1,000: ${side(s)}`);
      console.log(`    10,000: ${side(l)}`);
      console.log(`    ratio 10k/1k: time ${(l.median / s.median).toFixed(2)}, documents ${(l.documents / Math.max(1, s.documents)).toFixed(2)}`);
    }
    console.log("  (the embedded server charges 1 RU for every request whatever it reads: its RU figures count requests, not work)");
  } finally {
    await small.store.close();
    await large.store.close();
  }
}
