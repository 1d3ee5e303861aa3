import { dpopNonces } from '../dpop/dpop-nonce';
import { type DpopProofCheck, type DpopRequest, dpopProofVerifier } from '../dpop/dpop-proof';
import type { AuthContext } from './context';

/**
 * Device-key proofs (DPoP, RFC 9449) as this instance checks them: the replay cache of `jti`s
 * is this process's, the nonces are every instance's (sealed with the shared secret key).
 */
export function dpopCapability({ config, box, now }: AuthContext) {
  const proofs = dpopProofVerifier();
  const nonces = config.dpopNonce ? dpopNonces(box, now) : null;
  return {
    /** DPOP=required: every sign-in and refresh must prove a device key, and every token be bound to one. */
    dpopRequired: config.dpop === 'required',

    /**
     * Checks the `DPoP` header of a request (see `dpopProofVerifier`): the key's thumbprint, or
     * why it is refused (`use_nonce`: retry with the `DPoP-Nonce` of the answer). Spends its `jti`.
     */
    checkDpopProof(proof: string, request: Omit<DpopRequest, 'acceptsNonce'>): DpopProofCheck {
      return proofs.verify(proof, nonces ? { ...request, acceptsNonce: nonces.accepts } : request, now());
    },

    /** The nonce proofs must carry now, for every answer's `DPoP-Nonce` header; null when DPOP_NONCE is off. */
    dpopNonce(): string | null {
      return nonces?.current() ?? null;
    },
  };
}
