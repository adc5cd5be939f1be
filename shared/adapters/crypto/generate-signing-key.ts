import { exportJWK, generateKeyPair } from 'jose';

/** A fresh Ed25519 private JWK (JSON) for development and tests; production keys come from SST secrets. */
export async function generateSigningKeyJson(kid = `dev-${Date.now().toString(36)}`): Promise<string> {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwk = await exportJWK(privateKey);
  return JSON.stringify({ ...jwk, kid, alg: 'EdDSA' });
}
