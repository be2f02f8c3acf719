/**
 * Encrypts profile secrets at rest. Each shell brings its own: Electron's safeStorage (the OS
 * keychain) or, for the web shell, a key file kept 0600 in the data folder.
 */
export interface SecretStore {
  /** Human-readable name of the protection in use, shown in Settings. */
  readonly description: string;
  /** Throws an AppError('secret_storage') when secrets can't be protected here. */
  encrypt(plain: string): Buffer;
  decrypt(sealed: Buffer): string;
}
