import type { ErrorResponse } from "@azure/cosmos";
import type { z } from "zod";

/** A stored document that does not have the shape PALS Desk writes: named by container, id and the paths at fault. */
export class StoredDocumentError extends Error {
  constructor(
    readonly container: string,
    readonly documentId: string,
    readonly paths: readonly string[],
  ) {
    // Paths only: a value could be patient data.
    super(`A ${container} document (${documentId}) could not be read: unexpected ${paths.join(", ") || "shape"}.`);
    this.name = "StoredDocumentError";
  }
}

/** Checks a document read from Cosmos DB against its schema; Cosmos DB's own fields (_rid, _etag, ...) are dropped. */
export function parseStored<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, container: string, document: Record<string, unknown>): T {
  const parsed = schema.safeParse(document);
  if (parsed.success) return parsed.data;
  const paths = [...new Set(parsed.error.issues.map((issue) => issue.path.join(".")))].slice(0, 5);
  throw new StoredDocumentError(container, typeof document.id === "string" ? document.id : "?", paths);
}

export function statusOf(error: unknown): number | undefined {
  const code = (error as ErrorResponse | undefined)?.code;
  return typeof code === "number" ? code : undefined;
}
