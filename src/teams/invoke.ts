/** What the person typed into these inputs of a card (strings only, at most 4,000 characters each), so a refused action can show it again rather than lose it. */
export function typedInputs(data: unknown, inputIds: readonly string[]): Record<string, string> {
  const typed: Record<string, string> = {};
  if (data && typeof data === "object") {
    for (const id of inputIds) {
      const value = (data as Record<string, unknown>)[id];
      if (typeof value === "string") typed[id] = value.slice(0, 4000);
    }
  }
  return typed;
}
