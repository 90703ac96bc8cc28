import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';

// A software WebAuthn authenticator (ES256, "none" attestation) built on node:crypto, so the
// contract suite can drive the passkey ceremonies on every target without a browser. It makes
// exactly the bytes a browser hands the server: clientDataJSON, authenticator data, a CBOR
// attestation object, a DER signature over authData ‖ SHA-256(clientDataJSON).

const b64url = (b: Buffer): string => b.toString('base64url');
const sha256 = (b: Buffer | string): Buffer => createHash('sha256').update(b).digest();

/** The few CBOR items WebAuthn needs: unsigned and negative ints, byte and text strings, maps. */
type Cbor = number | string | Buffer | Map<Cbor, Cbor>;
function head(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 256) return Buffer.from([(major << 5) | 24, n]);
  const b = Buffer.alloc(3);
  b[0] = (major << 5) | 25;
  b.writeUInt16BE(n, 1);
  return b;
}
function cbor(v: Cbor): Buffer {
  if (typeof v === 'number') return v >= 0 ? head(0, v) : head(1, -1 - v);
  if (typeof v === 'string') return Buffer.concat([head(3, Buffer.byteLength(v)), Buffer.from(v)]);
  if (Buffer.isBuffer(v)) return Buffer.concat([head(2, v.length), v]);
  const parts = [head(5, v.size)];
  for (const [k, item] of v) parts.push(cbor(k), cbor(item));
  return Buffer.concat(parts);
}

/** What the server's options name: the challenge, and for registration the user handle. */
interface Options {
  challenge: string;
  user?: { id: string };
}

export interface SoftCredential {
  id: Buffer;
  key: KeyObject;
  userHandle: string;
  signCount: number;
}

export interface SoftAuthenticator {
  /** The browser's answer to creation options (PublicKeyCredential JSON). */
  register(
    options: Options,
    origin?: string,
  ): { response: Record<string, unknown>; credential: SoftCredential };
  /** The browser's answer to request options, signed by `credential` with its next count. */
  assert(options: Options, credential: SoftCredential, origin?: string): Record<string, unknown>;
}

/**
 * @example
 * const auth = softAuthenticator('127.0.0.1', 'http://127.0.0.1:3000');
 * const { response, credential } = auth.register(await registerOptions());
 */
export function softAuthenticator(rpId: string, defaultOrigin: string): SoftAuthenticator {
  const rpIdHash = sha256(rpId);
  const authData = (flags: number, count: number, attested?: Buffer): Buffer => {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(count);
    return Buffer.concat([rpIdHash, Buffer.from([flags]), c, ...(attested ? [attested] : [])]);
  };
  const clientData = (type: string, challenge: string, origin: string): Buffer =>
    Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));

  return {
    register(options, origin = defaultOrigin) {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const jwk = publicKey.export({ format: 'jwk' });
      const cose = new Map<Cbor, Cbor>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ]);
      const id = randomBytes(16);
      const idLen = Buffer.alloc(2);
      idLen.writeUInt16BE(id.length);
      const attested = Buffer.concat([Buffer.alloc(16), idLen, id, cbor(cose)]);
      // User present, user verified, attested credential data included.
      const data = authData(0x45, 0, attested);
      const attestationObject = cbor(
        new Map<Cbor, Cbor>([
          ['fmt', 'none'],
          ['attStmt', new Map()],
          ['authData', data],
        ]),
      );
      const credential: SoftCredential = {
        id,
        key: privateKey,
        userHandle: options.user?.id ?? '',
        signCount: 0,
      };
      return {
        credential,
        response: {
          id: b64url(id),
          rawId: b64url(id),
          type: 'public-key',
          clientExtensionResults: {},
          response: {
            clientDataJSON: b64url(clientData('webauthn.create', options.challenge, origin)),
            attestationObject: b64url(attestationObject),
            transports: ['internal'],
          },
        },
      };
    },

    assert(options, credential, origin = defaultOrigin) {
      credential.signCount += 1;
      const data = authData(0x05, credential.signCount);
      const client = clientData('webauthn.get', options.challenge, origin);
      const signature = sign('sha256', Buffer.concat([data, sha256(client)]), credential.key);
      return {
        id: b64url(credential.id),
        rawId: b64url(credential.id),
        type: 'public-key',
        clientExtensionResults: {},
        response: {
          clientDataJSON: b64url(client),
          authenticatorData: b64url(data),
          signature: b64url(signature),
          userHandle: credential.userHandle,
        },
      };
    },
  };
}
