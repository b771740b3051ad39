/**
 * The fixed facts of entitlements both sides rely on, pure (no schema library), so the server kit
 * and the browser SDK bundle only these.
 */

/** The claims' version: a verifier refuses a token of another version rather than misread it. */
export const ENTITLEMENT_VERSION = 1;
/** The one signing algorithm: verifiers accept nothing else. */
export const ENTITLEMENT_ALGORITHM = "ES256";
/** Where the API serves its public keys. */
export const JWKS_PATH = "/.well-known/jwks.json";
/** The header the browser SDK sends to a brand's session endpoint (`handleSession` refuses requests without it). */
export const SESSION_HEADER = "x-stampbook-session";
