/** A token's claims as signed and verified: its own module, so the keyring and its cache both sit above it. */
export type JwtPayload = Record<string, unknown>;
