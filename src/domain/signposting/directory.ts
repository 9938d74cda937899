// The signposting directory as data: what each organisation is for, when to use it and how to reach it.
// National entries ship with PALS Desk (national.json); a trust adds local services in its own file.
// Everything is checked with zod before use, and problems name the entry and field so a trust can fix them.
import { z } from "zod";
import type { Choice } from "../case/choice";
import { NATIONS, type Nation } from "../deadlines/nations";
import nationalData from "./national.json";

export const SIGNPOST_CATEGORIES = [
  { id: "urgent", title: "Urgent and crisis help" },
  { id: "complaints", title: "Making a complaint" },
  { id: "ombudsman", title: "When a complaint is not resolved" },
  { id: "advocacy", title: "Advocacy" },
  { id: "regulation", title: "Regulation and patient voice" },
  { id: "advice", title: "Advice and support" },
  { id: "local", title: "Local services" },
] as const satisfies readonly Choice[];

export type SignpostCategory = (typeof SIGNPOST_CATEGORIES)[number]["id"];

const CATEGORY_IDS = SIGNPOST_CATEGORIES.map((c) => c.id) as [SignpostCategory, ...SignpostCategory[]];

/** Ids are stored on cases, so they are plain, stable slugs. */
const ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
const PHONE_PATTERN = /^\+?[0-9][0-9 ]{1,22}[0-9]$/;

const text = (max: number) =>
  z
    .string({ required_error: "is required", invalid_type_error: "must be text" })
    .trim()
    .min(1, "must not be empty")
    .max(max, `must be ${max} characters or fewer`);

const phone = z.string({ invalid_type_error: "must be text" }).trim().regex(PHONE_PATTERN, "must be a phone number: digits and spaces, e.g. 0345 015 4033");

const ContactSchema = z
  .object(
    {
      phone: phone.optional(),
      textphone: phone.optional(),
      /** An SMS route, in words: "Text SHOUT to 85258". */
      text: text(100).optional(),
      email: z.string({ invalid_type_error: "must be text" }).trim().email("must be an email address").optional(),
      web: z
        .string({ invalid_type_error: "must be text" })
        .trim()
        .url("must be an https:// web address")
        .refine((url) => url.startsWith("https://"), "must be an https:// web address")
        .optional(),
      post: text(300).optional(),
    },
    { required_error: "is required", invalid_type_error: "must be an object of contact routes" },
  )
  .strict()
  .refine((c) => Object.values(c).some((value) => value !== undefined), "needs at least one of phone, textphone, text, email, web or post");

const keyword = text(80);

/** A status note is one or two sentences: longer would crowd the card. */
export const STATUS_MAX = 200;

export const SignpostEntrySchema = z
  .object(
    {
      id: z
        .string({ required_error: "is required", invalid_type_error: "must be text" })
        .trim()
        .regex(ID_PATTERN, "must be lower-case letters, digits and hyphens, e.g. ward-7-carers"),
      name: text(120),
      /** A short form people search for: "PHSO", "CQC". */
      shortName: text(30).optional(),
      category: z.enum(CATEGORY_IDS, { errorMap: () => ({ message: `must be one of ${CATEGORY_IDS.join(", ")}` }) }),
      /** What it is for. */
      purpose: text(600),
      whenToUse: text(800),
      contact: ContactSchema,
      hours: text(200),
      /**
       * A note on the organisation's standing, shown on its card in attention style: "Changing: ...", say, while
       * its functions move elsewhere. Plain text (cards show it as typed), one or two sentences.
       */
      status: text(STATUS_MAX).optional(),
      keywords: z.array(keyword, { invalid_type_error: "must be a list of words or phrases" }).max(80, "must have 80 keywords or fewer").default([]),
      tags: z
        .array(
          z
            .string({ invalid_type_error: "must be text" })
            .trim()
            .toLowerCase()
            .regex(/^[a-z0-9-]{1,40}$/, "must be lower-case words joined by hyphens"),
          { invalid_type_error: "must be a list of tags" },
        )
        .max(20, "must have 20 tags or fewer")
        .default([]),
      scope: z.enum(["national", "local"], { errorMap: () => ({ message: "must be national or local" }) }),
      /** The nations it serves (nations.ts); left out, it serves all. A directory loaded for a trust keeps only its nation's. */
      nations: z
        .array(z.enum(NATIONS, { errorMap: () => ({ message: `must be one of ${NATIONS.join(", ")}` }) }), { invalid_type_error: "must be a list of nations" })
        .min(1, "must name at least one nation")
        .max(NATIONS.length)
        .optional(),
      /** Position in the list shown before anything is typed (lower first); the most-used organisations. */
      featured: z.number({ invalid_type_error: "must be a whole number" }).int("must be a whole number").min(1).max(1000).optional(),
    },
    { invalid_type_error: "must be an object" },
  )
  .strict();

export type SignpostEntry = z.infer<typeof SignpostEntrySchema>;
export type SignpostContact = SignpostEntry["contact"];

/** One thing wrong in a directory file: which entry (index from 0, and its id when it has one) and which field. */
export interface DirectoryProblem {
  readonly index?: number;
  readonly id?: string;
  readonly field: string;
  readonly message: string;
}

export type DirectoryParseResult = { readonly ok: true; readonly entries: SignpostEntry[] } | { readonly ok: false; readonly problems: DirectoryProblem[] };

const FileSchema = z.object({ entries: z.array(z.unknown()), comment: z.string().optional() }).strict();

/**
 * Checks a directory file's contents: `{ "entries": [...] }`. Local entries may leave out scope ("local")
 * and category ("local"). Every problem is reported, not just the first.
 */
export function parseDirectory(raw: unknown, defaults: { scope: "national" | "local" }): DirectoryParseResult {
  const file = FileSchema.safeParse(raw);
  if (!file.success) {
    return { ok: false, problems: [{ field: "entries", message: 'the file must be a JSON object with an "entries" list (and optionally a "comment")' }] };
  }
  const problems: DirectoryProblem[] = [];
  const entries: SignpostEntry[] = [];
  const seen = new Map<string, number>();
  file.data.entries.forEach((item, index) => {
    const withDefaults =
      item && typeof item === "object" && !Array.isArray(item)
        ? { scope: defaults.scope, ...(defaults.scope === "local" ? { category: "local" } : {}), ...(item as Record<string, unknown>) }
        : item;
    const rawId = (item as { id?: unknown } | null)?.id;
    const id = typeof rawId === "string" && rawId.trim() !== "" ? rawId.trim() : undefined;
    const parsed = SignpostEntrySchema.safeParse(withDefaults);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = issue.path.length > 0 ? issue.path.join(".") : "entry";
        const message = issue.code === z.ZodIssueCode.unrecognized_keys ? `has unknown field(s) ${issue.keys.join(", ")}` : issue.message;
        problems.push({ index, id, field, message });
      }
      return;
    }
    const earlier = seen.get(parsed.data.id);
    if (earlier !== undefined) {
      problems.push({ index, id, field: "id", message: `is already used by entry ${earlier + 1} (index ${earlier})` });
      return;
    }
    seen.set(parsed.data.id, index);
    entries.push(parsed.data);
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, entries };
}

/** "entry 3 (index 2, id "ward-7"): contact.web must be an https:// web address" */
export function describeProblem(problem: DirectoryProblem): string {
  if (problem.index === undefined) return `${problem.field}: ${problem.message}`;
  const which = `entry ${problem.index + 1} (index ${problem.index}${problem.id ? `, id "${problem.id}"` : ", no id"})`;
  return `${which}: ${problem.field} ${problem.message}`;
}

function nationalEntries(): SignpostEntry[] {
  const parsed = parseDirectory(nationalData, { scope: "national" });
  if (!parsed.ok) throw new Error(`The shipped signposting directory is invalid: ${parsed.problems.map(describeProblem).join("; ")}`);
  return parsed.entries;
}

/** The national organisations shipped with PALS Desk, checked when this module loads. */
export const NATIONAL_DIRECTORY: readonly SignpostEntry[] = Object.freeze(nationalEntries());

/** The title people read for an entry: "Parliamentary and Health Service Ombudsman (PHSO)". */
export function entryTitle(entry: Pick<SignpostEntry, "name" | "shortName">): string {
  return entry.shortName && !entry.name.includes(entry.shortName) ? `${entry.name} (${entry.shortName})` : entry.name;
}

/**
 * The national organisations as pick-list choices. Ids are stored on cases, so they never change; titles
 * come from the directory. Cards should use the loaded directory (national and local) instead.
 */
export const NATIONAL_ORGANISATIONS: readonly Choice[] = Object.freeze(NATIONAL_DIRECTORY.map((e) => ({ id: e.id, title: entryTitle(e) })));

export function organisationTitle(id: string): string {
  return NATIONAL_ORGANISATIONS.find((organisation) => organisation.id === id)?.title ?? id;
}

export interface MergedDirectory {
  readonly entries: SignpostEntry[];
  /** National ids a local entry replaced (a trust giving its own NHS Complaints Advocacy provider, say). */
  readonly replaced: string[];
}

/** The entries that serve this nation: a Welsh trust's directory has no English Ombudsman, and the other way round. */
export function entriesFor(entries: readonly SignpostEntry[], nation: Nation): SignpostEntry[] {
  return entries.filter((e) => !e.nations || e.nations.includes(nation));
}

/** National entries in their order, a local entry with the same id in its place, then the other local entries. */
export function mergeDirectories(national: readonly SignpostEntry[], local: readonly SignpostEntry[]): MergedDirectory {
  const localById = new Map(local.map((e) => [e.id, e]));
  const replaced: string[] = [];
  const entries = national.map((e) => {
    const override = localById.get(e.id);
    if (!override) return e;
    replaced.push(e.id);
    return override;
  });
  const nationalIds = new Set(national.map((e) => e.id));
  for (const e of local) if (!nationalIds.has(e.id)) entries.push(e);
  return { entries, replaced };
}
