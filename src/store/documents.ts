import type { ErrorResponse } from "@azure/cosmos";

/** Cosmos adds these to every document; the domain never sees them. */
const SYSTEM_FIELDS = ["_rid", "_self", "_etag", "_attachments", "_ts", "docType", "searchText"] as const;

export function stripSystemFields<T>(document: Record<string, unknown>): T {
  const copy: Record<string, unknown> = { ...document };
  for (const field of SYSTEM_FIELDS) delete copy[field];
  return copy as T;
}

export function statusOf(error: unknown): number | undefined {
  const code = (error as ErrorResponse | undefined)?.code;
  return typeof code === "number" ? code : undefined;
}
