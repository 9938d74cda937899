// Hostile text (what an attacker might type, or set as their Teams display name) and a checker for where it
// may end up in a rendered Adaptive Card. Teams renders TextBlock text, FactSet titles and values, and the
// titles of expanded choice sets and toggles (adaptivecards' useMarkdownInRadioButtonAndCheckbox) as
// markdown; TextRun text, input values, placeholders and compact choice titles are plain.

import type { Case, CaseEvent, InvestigationRequest } from "../../src/domain";
import { makeCase } from "./caseFixtures";

/** Every kind of hostile value, each with a word that is never in our own templates. */
export const HOSTILE = [
  "[click me](https://evil.example/md)",
  "https://evil.example/bare",
  "**pwnedbold**",
  "<at>Pwned Person</at>",
  "${1+1}",
  "${$root.caseId}",
  "${concat('pwned','expr')}",
  "{{DATE(2026-01-01T00:00:00Z,SHORT)}}",
  "<img src=x onerror=alert(1)>",
] as const;

/** What must never be in a position Teams renders as markdown (or in a mention, a link or an action title). */
const FORBIDDEN_IN_MARKDOWN = ["evil.example", "**pwnedbold**", "<at>Pwned", "Pwned Person</at>", "${", "pwnedexpr", "{{DATE(", "<img", "onerror="];

/** The Adaptive Cards renderer expands {{DATE(...)}} and {{TIME(...)}} in TextBlock and TextRun text at display time. */
const FORMATTED_FUNCTION = /\{\{(?:DATE|TIME)\(/;

export interface Spot {
  /** Where in the card, e.g. body[3].facts[0].value. */
  readonly path: string;
  readonly kind: "markdown" | "mention" | "url" | "action-title" | "plain-formatted" | "plain";
  readonly text: string;
}

/** Every piece of text a card shows or links to, with how Teams treats it. */
export function spotsOf(card: unknown): Spot[] {
  const spots: Spot[] = [];
  const add = (path: string, kind: Spot["kind"], value: unknown) => {
    if (typeof value === "string") spots.push({ path, kind, text: value });
  };
  const visit = (node: unknown, path: string): void => {
    if (Array.isArray(node)) return node.forEach((child, i) => visit(child, `${path}[${i}]`));
    if (!node || typeof node !== "object") return;
    const n = node as Record<string, any>;
    const type = typeof n.type === "string" ? n.type : "";
    if (type === "TextBlock") add(`${path}.text`, "markdown", n.text);
    if (type === "TextRun") add(`${path}.text`, "plain-formatted", n.text);
    if (type === "FactSet") {
      (Array.isArray(n.facts) ? n.facts : []).forEach((fact: any, i: number) => {
        add(`${path}.facts[${i}].title`, "markdown", fact?.title);
        add(`${path}.facts[${i}].value`, "markdown", fact?.value);
      });
    }
    if (type.startsWith("Action.")) add(`${path}.title`, "action-title", n.title);
    if (type === "Input.Toggle") add(`${path}.title`, "markdown", n.title);
    if (type === "Input.ChoiceSet") {
      const markdown = n.style === "expanded" || n.isMultiSelect === true;
      (Array.isArray(n.choices) ? n.choices : []).forEach((choice: any, i: number) =>
        add(`${path}.choices[${i}].title`, markdown ? "markdown" : "plain", choice?.title),
      );
    }
    if (type.startsWith("Input.")) {
      add(`${path}.label`, "plain-formatted", n.label);
      add(`${path}.errorMessage`, "markdown", n.errorMessage);
      add(`${path}.value`, "plain", n.value);
      add(`${path}.placeholder`, "plain", n.placeholder);
    }
    for (const key of ["url", "iconUrl", "backgroundImage"]) add(`${path}.${key}`, "url", n[key]);
    if (n.msteams && Array.isArray(n.msteams.entities)) {
      n.msteams.entities.forEach((entity: any, i: number) => {
        add(`${path}.msteams.entities[${i}].text`, "mention", entity?.text);
        add(`${path}.msteams.entities[${i}].mentioned.name`, "mention", entity?.mentioned?.name);
      });
    }
    for (const [key, value] of Object.entries(n)) {
      if (key === "msteams" || key === "facts" || key === "choices") continue;
      if (value && typeof value === "object") visit(value, `${path}.${key}`);
    }
  };
  visit(card, "card");
  return spots;
}

/** What is wrong with where hostile text ended up in a card: one line per problem, empty when safe. */
export function hostileProblems(card: unknown): string[] {
  const problems: string[] = [];
  for (const spot of spotsOf(card)) {
    if (spot.kind === "markdown" || spot.kind === "mention" || spot.kind === "url" || spot.kind === "action-title") {
      const found = FORBIDDEN_IN_MARKDOWN.filter((bad) => spot.text.includes(bad));
      if (found.length > 0) problems.push(`${spot.path} (${spot.kind}) shows ${JSON.stringify(spot.text.slice(0, 80))}`);
    }
    if (spot.kind !== "plain" && spot.kind !== "url" && FORMATTED_FUNCTION.test(spot.text)) {
      problems.push(`${spot.path} (${spot.kind}) keeps {{DATE(...)}} live: ${JSON.stringify(spot.text.slice(0, 80))}`);
    }
  }
  // A templating expression in data must stay literal: never evaluated.
  const json = JSON.stringify(card);
  if (json.includes("pwnedexpr")) problems.push("a ${...} expression in the data was evaluated");
  return problems;
}

/** The data path of every `${...}` binding in a template, with how Teams treats the position it is in. */
export function bindingsOf(template: unknown): { path: string; where: string; kind: Spot["kind"] }[] {
  const found: { path: string; where: string; kind: Spot["kind"] }[] = [];
  const bindings = (value: unknown, scope: string, where: string, kind: Spot["kind"]) => {
    if (typeof value !== "string") return;
    for (const match of value.matchAll(/\$\{([^}]*)\}/g)) {
      const expression = match[1].trim();
      const names =
        expression === "$data" ? [""] : (expression.match(/\$?[A-Za-z_][\w.]*/g) ?? []).filter((name) => !/^(if|count|concat|json|string)$/.test(name));
      for (const name of names) found.push({ path: joinPath(scope, name.replace(/^\$root\./, "")), where, kind });
    }
  };
  const visit = (node: unknown, scope: string, where: string): void => {
    if (Array.isArray(node)) return node.forEach((child, i) => visit(child, scope, `${where}[${i}]`));
    if (!node || typeof node !== "object") return;
    const n = node as Record<string, any>;
    const inner = typeof n.$data === "string" ? joinPath(scope, n.$data.replace(/^\$\{|\}$/g, "")) + "[]" : scope;
    const type = typeof n.type === "string" ? n.type : "";
    if (type === "TextBlock") bindings(n.text, inner, `${where}.text`, "markdown");
    if (type === "FactSet") {
      (n.facts ?? []).forEach((fact: any, i: number) => {
        const factScope = typeof fact?.$data === "string" ? joinPath(inner, fact.$data.replace(/^\$\{|\}$/g, "")) + "[]" : inner;
        bindings(fact?.title, factScope, `${where}.facts[${i}].title`, "markdown");
        bindings(fact?.value, factScope, `${where}.facts[${i}].value`, "markdown");
      });
    }
    if (type.startsWith("Action.")) bindings(n.title, inner, `${where}.title`, "action-title");
    if (type === "Input.Toggle") bindings(n.title, inner, `${where}.title`, "markdown");
    if (type === "Input.ChoiceSet" && (n.style === "expanded" || n.isMultiSelect === true)) {
      (n.choices ?? []).forEach((choice: any, i: number) => {
        const choiceScope = typeof choice?.$data === "string" ? joinPath(inner, choice.$data.replace(/^\$\{|\}$/g, "")) + "[]" : inner;
        bindings(choice?.title, choiceScope, `${where}.choices[${i}].title`, "markdown");
      });
    }
    if (type.startsWith("Input.")) bindings(n.errorMessage, inner, `${where}.errorMessage`, "markdown");
    for (const key of ["url", "iconUrl", "backgroundImage"]) bindings(n[key], inner, `${where}.${key}`, "url");
    if (n.msteams && Array.isArray(n.msteams.entities)) {
      n.msteams.entities.forEach((entity: any, i: number) => {
        const entityScope = typeof entity?.$data === "string" ? joinPath(inner, entity.$data.replace(/^\$\{|\}$/g, "")) + "[]" : inner;
        bindings(entity?.text, entityScope, `${where}.msteams.entities[${i}].text`, "mention");
        bindings(entity?.mentioned?.name, entityScope, `${where}.msteams.entities[${i}].mentioned.name`, "mention");
      });
    }
    for (const [key, value] of Object.entries(n)) {
      if (key === "msteams" || key === "facts" || key === "choices") continue;
      if (value && typeof value === "object") visit(value, inner, `${where}.${key}`);
    }
  };
  visit(template, "", "template");
  return found;
}

function joinPath(scope: string, name: string): string {
  if (name === "") return scope;
  return scope === "" ? name : `${scope}.${name}`;
}

/** Every string leaf of `data` replaced with `value`, unless its path (arrays as []) is kept; shapes, numbers and booleans stay. */
export function withHostileLeaves(data: unknown, value: string, keep: ReadonlySet<string>, path = ""): unknown {
  if (typeof data === "string") return keep.has(path) ? data : value;
  if (Array.isArray(data)) return data.map((item) => withHostileLeaves(item, value, keep, `${path}[]`));
  if (data && typeof data === "object") {
    return Object.fromEntries(Object.entries(data).map(([key, item]) => [key, withHostileLeaves(item, value, keep, path === "" ? key : `${path}.${key}`)]));
  }
  return data;
}

/** What hostile text would do in a chat message sent as Teams markdown: empty when nothing. */
export function markdownTextProblems(text: string): string[] {
  return FORBIDDEN_IN_MARKDOWN.filter((bad) => text.includes(bad)).map(
    (bad) => `markdown message shows ${JSON.stringify(bad)}: ${JSON.stringify(text.slice(0, 120))}`,
  );
}

// --- a case with hostile text everywhere ------------------------------------------------------------------

/** A person with a hostile display name. */
const person = (aadObjectId: string, name: string) => ({ aadObjectId, name });

export function hostileRequest(h: string, overrides: Partial<InvestigationRequest> = {}): InvestigationRequest {
  return {
    id: "5f3c1c8e-0000-4000-8000-000000000001",
    division: h,
    lead: { aadObjectId: "lead-1", name: h, teamsUserId: "29:lead" },
    summary: h,
    questions: h,
    nhsNumber: "9434765919",
    dueOn: "2026-03-20",
    status: "answered",
    requestedBy: { aadObjectId: "officer-1", name: h, teamsUserId: "29:officer" },
    requestedAt: "2026-03-06T10:00:00Z",
    delivery: { conversationId: "19:medicine;messageid=1", activityId: "1", serviceUrl: "https://smba.example", channelId: "msteams", kind: "channel-thread" },
    answer: { findings: h, actions: h, learning: h, upheldView: "upheld", answeredOn: "2026-03-09", by: person("lead-1", h) },
    extension: { newDueOn: "2026-03-27", reason: h, requestedOn: "2026-03-09", state: "pending" },
    ...overrides,
  };
}

/** A case with `h` in every field a person types or a display name fills. */
export function hostileCase(h: string): Case {
  const base = makeCase();
  return {
    ...base,
    raisedBy: "family",
    raiser: { name: h },
    consent: "given",
    patient: { ...base.patient, name: h, contactDetails: h, communicationNeeds: h },
    division: h,
    service: h,
    ward: h,
    summary: h,
    desiredOutcome: h,
    learning: h,
    owner: person("owner-1", h),
    createdBy: person("officer-1", h),
    nextDueOn: "2026-03-09",
    ombudsman: { referredOn: "2026-03-05", reference: h, stage: "investigation", responseDueOn: "2026-03-20" },
    investigations: [hostileRequest(h), hostileRequest(h, { id: "5f3c1c8e-0000-4000-8000-000000000002", status: "open", answer: undefined })],
    alertAcknowledgements: [{ alertId: "alert-1", reason: "high-risk", by: person("manager-1", h), at: "2026-03-10T09:30:00Z" }],
  } as Case;
}

export function hostileEvents(c: Case, h: string): CaseEvent[] {
  return [
    {
      id: "e1",
      caseId: c.id,
      trustId: c.trustId,
      reference: c.reference,
      kind: "created",
      at: "2026-03-03T10:15:00Z",
      by: person("officer-1", h),
      summary: "Complaint logged",
    },
    {
      id: "e2",
      caseId: c.id,
      trustId: c.trustId,
      reference: c.reference,
      kind: "note-added",
      at: "2026-03-04T10:15:00Z",
      by: person("officer-1", h),
      summary: `Case assigned to ${h}`,
      detail: h,
    },
  ];
}
