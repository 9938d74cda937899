import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createHttpServer } from "@vercel/cosmosdb-server";

export interface EmbeddedCosmos {
  readonly endpoint: string;
  /** The embedded server accepts any key; the client still needs one of the right shape. */
  readonly key: string;
  stop(): Promise<void>;
}

/**
 * Starts an in-memory Cosmos DB-compatible server on loopback, in this process, so local runs and
 * tests use the real @azure/cosmos client and the same repository code as Azure. Data is lost on exit.
 */
export async function startEmbeddedCosmos(port = 0): Promise<EmbeddedCosmos> {
  const server: Server = createHttpServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port: actualPort } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${actualPort}`,
    key: Buffer.from("pals-desk-embedded-cosmos").toString("base64"),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
