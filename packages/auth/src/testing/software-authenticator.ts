import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { isoCBOR } from '@simplewebauthn/server/helpers';

/** A passkey the software authenticator made: its private key never leaves it. */
export interface SoftwareCredential {
  /** base64url, as the server stores it. */
  id: string;
  privateKey: KeyObject;
  /** The user handle the server asked for, base64url. */
  userHandle: string;
  /** Last signature counter used. */
  counter: number;
}

/** What a ceremony may be made to get wrong, as an attacker or a broken client would. */
export interface CeremonyOverrides {
  /** The origin the "browser" reports (a phishing site's). */
  origin?: string;
  /** The RP ID hashed into the authenticator data. */
  rpId?: string;
  /** The challenge signed instead of the one in the options. */
  challenge?: string;
  /** False: the authenticator did not verify the user (no PIN, no biometrics). */
  userVerified?: boolean;
}

const FLAG_USER_PRESENT = 0x01;
const FLAG_USER_VERIFIED = 0x04;
const FLAG_ATTESTED_DATA = 0x40;
/** COSE: EC2 key type, ES256, P-256. */
const COSE = { kty: 1, alg: 3, crv: -1, x: -2, y: -3, EC2: 2, ES256: -7, P256: 1 } as const;

/** A value the library's CBOR encoder takes. */
type Cbor = Parameters<typeof isoCBOR.encode>[0];

const b64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string): Buffer => createHash('sha256').update(data).digest();
const uint32 = (value: number): Buffer => {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value);
  return bytes;
};

/**
 * A WebAuthn authenticator in software for tests: ES256 keys, "none" attestation, real CBOR
 * (the library's own encoder) and real signatures, so the server's verification is exercised
 * exactly as a browser's response would exercise it. Every field a test may want wrong can be
 * overridden per ceremony.
 *
 * @example
 * const authenticator = new SoftwareAuthenticator({ origin: server.publicOrigin, rpId: 'localhost' });
 * const response = authenticator.register(await api.auth.passkeys.registrationOptions.mutate());
 */
export class SoftwareAuthenticator {
  readonly credentials: SoftwareCredential[] = [];

  constructor(private readonly site: { origin: string; rpId: string }) {}

  /** Answers `navigator.credentials.create()` with a new ES256 credential. */
  register(
    options: { challenge: string; user: { id: string } },
    overrides: CeremonyOverrides = {},
  ): RegistrationResponseJSON {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const credentialId = randomBytes(32);
    const coseKey = new Map<number, Cbor>([
      [COSE.kty, COSE.EC2],
      [COSE.alg, COSE.ES256],
      [COSE.crv, COSE.P256],
      [COSE.x, Buffer.from(jwk.x ?? '', 'base64url')],
      [COSE.y, Buffer.from(jwk.y ?? '', 'base64url')],
    ]);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(credentialId.length);
    const authData = Buffer.concat([
      this.authDataHead(overrides, FLAG_ATTESTED_DATA, 0),
      Buffer.alloc(16), // AAGUID: none
      idLength,
      credentialId,
      isoCBOR.encode(coseKey),
    ]);
    const attestationObject = isoCBOR.encode(
      new Map<string, Cbor>([
        ['fmt', 'none'],
        ['attStmt', new Map<string, Cbor>()],
        ['authData', authData],
      ]),
    );
    const id = b64url(credentialId);
    this.credentials.push({ id, privateKey, userHandle: options.user.id, counter: 0 });
    return {
      id,
      rawId: id,
      type: 'public-key',
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
      response: {
        clientDataJSON: this.clientData('webauthn.create', options.challenge, overrides),
        attestationObject: b64url(attestationObject),
        transports: ['internal'],
      },
    };
  }

  /**
   * Answers `navigator.credentials.get()` with `credential` (the last one made by default),
   * counting one more use unless `counter` says which value to sign.
   */
  authenticate(
    options: { challenge: string },
    overrides: CeremonyOverrides & { credential?: SoftwareCredential; counter?: number; userHandle?: string } = {},
  ): AuthenticationResponseJSON {
    const credential = overrides.credential ?? this.credentials.at(-1);
    if (!credential) throw new Error('SoftwareAuthenticator: no credential registered yet');
    credential.counter = overrides.counter ?? credential.counter + 1;
    const authenticatorData = this.authDataHead(overrides, 0, credential.counter);
    const clientDataJSON = this.clientData('webauthn.get', options.challenge, overrides);
    const signed = Buffer.concat([authenticatorData, sha256(Buffer.from(clientDataJSON, 'base64url'))]);
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
      response: {
        clientDataJSON,
        authenticatorData: b64url(authenticatorData),
        // ECDSA over SHA-256, DER-encoded, as WebAuthn's ES256 signatures are.
        signature: b64url(sign('sha256', signed, credential.privateKey)),
        userHandle: overrides.userHandle ?? credential.userHandle,
      },
    };
  }

  private authDataHead(overrides: CeremonyOverrides, extraFlags: number, counter: number): Buffer {
    const verified = overrides.userVerified ?? true;
    const flags = FLAG_USER_PRESENT | (verified ? FLAG_USER_VERIFIED : 0) | extraFlags;
    return Buffer.concat([sha256(overrides.rpId ?? this.site.rpId), Buffer.from([flags]), uint32(counter)]);
  }

  private clientData(type: string, challenge: string, overrides: CeremonyOverrides): string {
    const data = { type, challenge: overrides.challenge ?? challenge, origin: overrides.origin ?? this.site.origin };
    return Buffer.from(JSON.stringify({ ...data, crossOrigin: false })).toString('base64url');
  }
}
