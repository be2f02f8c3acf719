import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../api/app-error';
import type { SecretStore } from './secret-store';

const VERSION = 1;

/**
 * AES-256-GCM with a random key in `<dataFolder>/secret.key` (mode 0600). It keeps secrets out
 * of the database file (backups, copies, a shared history), not away from someone who can read
 * this user's files: that is what the OS keychain in the Electron shell is for.
 */
export class KeyFileSecretStore implements SecretStore {
  readonly description: string;
  private readonly key: Buffer;

  constructor(dataFolder: string) {
    const keyFile = path.join(dataFolder, 'secret.key');
    this.key = loadOrCreateKey(keyFile);
    this.description = `encrypted with a key file (${keyFile}, readable only by you)`;
  }

  encrypt(plain: string): Buffer {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
  }

  decrypt(sealed: Buffer): string {
    if (sealed.length < 29 || sealed[0] !== VERSION) {
      throw new AppError('secret_storage', 'A stored secret is unreadable. Enter the API secret again in Settings.');
    }
    try {
      const decipher = crypto.createDecipheriv('aes-256-gcm', this.key, sealed.subarray(1, 13));
      decipher.setAuthTag(sealed.subarray(13, 29));
      return Buffer.concat([decipher.update(sealed.subarray(29)), decipher.final()]).toString('utf8');
    } catch (error) {
      throw new AppError(
        'secret_storage',
        'A stored secret could not be decrypted (was secret.key replaced?). Enter the API secret again in Settings.',
        { cause: error },
      );
    }
  }
}

function loadOrCreateKey(keyFile: string): Buffer {
  fs.mkdirSync(path.dirname(keyFile), { recursive: true, mode: 0o700 });
  try {
    const key = fs.readFileSync(keyFile);
    if (key.length === 32) {
      fs.chmodSync(keyFile, 0o600);
      return key;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = crypto.randomBytes(32);
  // 'wx' so two processes starting at once can't overwrite each other's key.
  try {
    fs.writeFileSync(keyFile, key, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return fs.readFileSync(keyFile);
    throw error;
  }
}
