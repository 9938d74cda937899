/**
 * A pick-list entry: a stable id (what cards submit and what we store) and the title people read.
 * Ids never change once stored; titles may be reworded freely.
 */
export interface Choice<Id extends string | number = string> {
  readonly id: Id;
  readonly title: string;
}

/** The ids of a non-empty choice list, typed as the tuple z.enum() wants. */
export function idsOf<const T extends readonly Choice<string>[]>(choices: T): [T[number]["id"], ...T[number]["id"][]] {
  if (choices.length === 0) throw new Error("A choice list needs at least one entry");
  return choices.map((c) => c.id) as [T[number]["id"], ...T[number]["id"][]];
}

/** The title for an id; falls back to the id so an unknown stored value still shows something. */
export function titleOf<Id extends string | number>(choices: readonly Choice<Id>[], id: Id): string {
  return choices.find((c) => c.id === id)?.title ?? String(id);
}
