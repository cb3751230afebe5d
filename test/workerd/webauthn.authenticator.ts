/**
 * A software passkey authenticator for the workerd tests: an ES256 (P-256) key pair from
 * WebCrypto that answers registration options with attestation "none" and authentication options
 * with an assertion, byte for byte as a browser and platform authenticator would (clientDataJSON,
 * authenticator data, COSE key, DER signature). Its origin and RP ID can be set wrong on purpose.
 */
import { isoCBOR } from "@simplewebauthn/server/helpers";
import { decodeBase64urlIgnorePadding, encodeBase64urlNoPadding } from "@oslojs/encoding";

const b64url = (bytes: Uint8Array) => encodeBase64urlNoPadding(bytes);
const sha256 = async (bytes: Uint8Array) => new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
const uint32 = (n: number) => new Uint8Array([(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);

// Authenticator data flags.
const UP = 0x01;
const UV = 0x04;
const AT = 0x40;

/** ECDSA's raw r||s (what WebCrypto gives) as the DER SEQUENCE WebAuthn carries. */
function derSignature(raw: Uint8Array): Uint8Array {
  const int = (bytes: Uint8Array) => {
    let i = 0;
    while (i < bytes.length - 1 && bytes[i] === 0) i++;
    let v = bytes.slice(i);
    if (v[0]! & 0x80) v = concat(new Uint8Array([0]), v);
    return concat(new Uint8Array([0x02, v.length]), v);
  };
  const body = concat(int(raw.slice(0, 32)), int(raw.slice(32)));
  return concat(new Uint8Array([0x30, body.length]), body);
}

export interface RegistrationOptions {
  challenge: string;
  rp: { id: string };
  user: { id: string };
}
export interface AuthenticationOptions {
  challenge: string;
  rpId: string;
  allowCredentials?: { id: string }[];
}

export class SoftwareAuthenticator {
  readonly credentialId = crypto.getRandomValues(new Uint8Array(16));
  private keys!: CryptoKeyPair;
  private counter = 0;
  private userHandle: string | undefined;
  /** Set to answer with user verification missing. */
  userVerified = true;

  constructor(
    /** The origin the "browser" reports in clientDataJSON. */
    public origin: string,
    /** Overrides the RP ID hashed into authenticator data (to sign for the wrong site). */
    public rpIdOverride?: string,
  ) {}

  get id(): string {
    return b64url(this.credentialId);
  }

  private async ready() {
    this.keys ??= (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
  }

  private async clientData(type: "webauthn.create" | "webauthn.get", challenge: string) {
    const json = new TextEncoder().encode(JSON.stringify({ type, challenge, origin: this.origin, crossOrigin: false }));
    return { json, b64: b64url(json) };
  }

  private flags(extra = 0) {
    return UP | (this.userVerified ? UV : 0) | extra;
  }

  /** navigator.credentials.create() with these options, as RegistrationResponseJSON. */
  async register(options: RegistrationOptions) {
    await this.ready();
    this.userHandle = options.user.id;
    const jwk = (await crypto.subtle.exportKey("jwk", this.keys.publicKey)) as JsonWebKey;
    const cose = isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, decodeBase64urlIgnorePadding(jwk.x!)],
        [-3, decodeBase64urlIgnorePadding(jwk.y!)],
      ]),
    );
    const authData = concat(
      await sha256(new TextEncoder().encode(this.rpIdOverride ?? options.rp.id)),
      new Uint8Array([this.flags(AT)]),
      uint32(this.counter),
      new Uint8Array(16), // AAGUID: none
      new Uint8Array([0, this.credentialId.length]),
      this.credentialId,
      cose,
    );
    const attestationObject = isoCBOR.encode(
      new Map<string, string | Map<string, string> | Uint8Array>([
        ["fmt", "none"],
        ["attStmt", new Map<string, string>()],
        ["authData", authData],
      ]),
    );
    const clientData = await this.clientData("webauthn.create", options.challenge);
    return {
      id: this.id,
      rawId: this.id,
      type: "public-key",
      response: { clientDataJSON: clientData.b64, attestationObject: b64url(attestationObject), transports: ["internal"] },
      clientExtensionResults: {},
      authenticatorAttachment: "platform",
    };
  }

  /** navigator.credentials.get() with these options, as AuthenticationResponseJSON. */
  async authenticate(options: AuthenticationOptions) {
    await this.ready();
    this.counter += 1;
    const authData = concat(await sha256(new TextEncoder().encode(this.rpIdOverride ?? options.rpId)), new Uint8Array([this.flags()]), uint32(this.counter));
    const clientData = await this.clientData("webauthn.get", options.challenge);
    const signed = concat(authData, await sha256(clientData.json));
    const raw = new Uint8Array(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, this.keys.privateKey, signed as Uint8Array<ArrayBuffer>));
    return {
      id: this.id,
      rawId: this.id,
      type: "public-key",
      response: {
        clientDataJSON: clientData.b64,
        authenticatorData: b64url(authData),
        signature: b64url(derSignature(raw)),
        userHandle: this.userHandle,
      },
      clientExtensionResults: {},
      authenticatorAttachment: "platform",
    };
  }
}
