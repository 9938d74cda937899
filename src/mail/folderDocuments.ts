// Attachments and documents in a local folder (the embedded default; DOCUMENTS_DIR): one file per key, under
// the trust's own folder. Keys are made by PALS Desk from ids, and checked again here, so no name from an email
// ever becomes a path.
import { randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import type { DocumentStore } from "../domain";
import { documentKeySegments, isSafeSegment } from "./documentKeys";

export class FolderDocuments implements DocumentStore {
  constructor(private readonly root: string) {}

  private pathOf(trustId: string, key: string): string {
    if (!isSafeSegment(trustId)) throw new Error("A document key must be made of ids");
    const segments = [trustId, ...documentKeySegments(key)];
    const full = path.resolve(this.root, ...segments);
    if (!full.startsWith(path.resolve(this.root) + path.sep)) throw new Error("A document key must stay inside the documents folder");
    return full;
  }

  async put(trustId: string, key: string, content: Buffer): Promise<void> {
    const file = this.pathOf(trustId, key);
    await fs.mkdir(path.dirname(file), { recursive: true });
    // Written whole or not at all: a crash never leaves half a file under the key.
    const partial = `${file}.${randomUUID()}.partial`;
    await fs.writeFile(partial, content, { mode: 0o600 });
    await fs.rename(partial, file);
  }

  async get(trustId: string, key: string): Promise<Buffer | undefined> {
    try {
      return await fs.readFile(this.pathOf(trustId, key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  }

  async deleteUnder(trustId: string, prefix: string): Promise<number> {
    const dir = this.pathOf(trustId, prefix);
    const files = await fs.readdir(dir, { recursive: true }).catch(() => [] as string[]);
    await fs.rm(dir, { recursive: true, force: true });
    return files.length;
  }
}
