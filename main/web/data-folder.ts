import os from 'node:os';
import path from 'node:path';

/** Where the web shell and the CLI keep their data: HAVEN_DATA_DIR, else the XDG data folder. */
export function defaultDataFolder(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HAVEN_DATA_DIR) return path.resolve(env.HAVEN_DATA_DIR);
  if (process.platform === 'win32' && env.APPDATA) return path.join(env.APPDATA, 'Haven Player');
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Application Support', 'Haven Player');
  return path.join(env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share'), 'haven-player');
}
