import { Writable } from "node:stream";
import { createLogger } from "../../src/logger";
import { openStore, type Store } from "../../src/store/cosmos";

/** A fresh embedded Cosmos DB server with the containers PALS Desk uses, for store tests. */
export async function openTestStore(): Promise<Store> {
  const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
  return openStore({ database: "pals-test" }, createLogger("silent", quiet));
}
