import { safeStorage } from 'electron';
import { AppError } from '../api/app-error';
import type { SecretStore } from '../secrets/secret-store';

/**
 * Secrets sealed by the OS keychain (Keychain, DPAPI, libsecret/kwallet). On Linux without a
 * keyring Electron falls back to `basic_text`, a hard-coded key: we refuse to store then rather
 * than pretend the secret is protected.
 */
export class SafeStorageSecretStore implements SecretStore {
  get description(): string {
    return process.platform === 'linux'
      ? `encrypted by the OS keyring (${safeStorage.getSelectedStorageBackend()})`
      : 'encrypted by the OS keychain';
  }

  encrypt(plain: string): Buffer {
    if (!safeStorage.isEncryptionAvailable()) {
      throw new AppError('secret_storage', 'This system offers no secure storage for secrets. Unlock or install a keyring, or set LIVEKIT_API_SECRET in the environment.');
    }
    if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') {
      throw new AppError(
        'secret_storage',
        'No keyring (GNOME Keyring or KWallet) is running, so the secret would be stored with a well-known key. Start a keyring and try again, or set LIVEKIT_API_SECRET in the environment.',
      );
    }
    return safeStorage.encryptString(plain);
  }

  decrypt(sealed: Buffer): string {
    try {
      return safeStorage.decryptString(sealed);
    } catch (error) {
      throw new AppError('secret_storage', 'A stored secret could not be decrypted by the OS keyring. Enter the API secret again in Settings.', { cause: error });
    }
  }
}
