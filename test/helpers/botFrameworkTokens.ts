import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import http from "node:http";
import { closeNow, listenOnLoopback } from "./ports";

/**
 * Stands in for the Bot Framework's token service on loopback: an OpenID metadata document and a key
 * set with our own RSA key (endorsed for msteams), and tokens signed with it as the Bot Connector would.
 */
export class TestTokenIssuer {
  private readonly privateKey: KeyObject;
  private readonly jwk: Record<string, unknown>;
  private readonly server = http.createServer((req, res) => this.handle(req, res));
  readonly kid = "pals-desk-test-key";
  url = "";

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    this.privateKey = createPrivateKey(privateKey.export({ format: "pem", type: "pkcs8" }));
    this.jwk = { ...publicKey.export({ format: "jwk" }), kid: this.kid, use: "sig", alg: "RS256", endorsements: ["msteams"] };
  }

  async start(): Promise<this> {
    this.url = await listenOnLoopback(this.server);
    return this;
  }

  async stop(): Promise<void> {
    await closeNow(this.server);
  }

  get metadataUrl(): string {
    return `${this.url}/v1/.well-known/openidconfiguration`;
  }

  /** A channel token for `appId`, as the Bot Connector signs them; `overrides` changes claims or the key id. */
  token(appId: string, serviceUrl: string, overrides: { claims?: Record<string, unknown>; kid?: string; expiresInSeconds?: number } = {}): string {
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: "RS256", typ: "JWT", kid: overrides.kid ?? this.kid };
    const payload = {
      iss: "https://api.botframework.com",
      aud: appId,
      serviceurl: serviceUrl,
      nbf: now - 60,
      iat: now - 60,
      exp: now + (overrides.expiresInSeconds ?? 3600),
      ...overrides.claims,
    };
    const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString("base64url");
    const unsigned = `${encode(header)}.${encode(payload)}`;
    return `${unsigned}.${sign("RSA-SHA256", Buffer.from(unsigned), this.privateKey).toString("base64url")}`;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const body =
      req.url === "/v1/.well-known/openidconfiguration"
        ? { issuer: "https://api.botframework.com", jwks_uri: `${this.url}/v1/keys`, id_token_signing_alg_values_supported: ["RS256"] }
        : req.url === "/v1/keys"
          ? { keys: [this.jwk] }
          : undefined;
    res.writeHead(body ? 200 : 404, { "content-type": "application/json" });
    res.end(JSON.stringify(body ?? {}));
  }
}
