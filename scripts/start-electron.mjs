// `npm start`: builds and opens the Electron app. Electron 45 downloads its binary the first time
// it is resolved; where that can't happen (no internet, locked-down CI) say what to do instead.
import { spawnSync, spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let electronBinary;
try {
  electronBinary = require('electron');
} catch (error) {
  console.error('The Electron binary is not available on this machine:');
  console.error(`  ${String(error?.message ?? error).split('\n')[0]}`);
  console.error('Run the same app in a browser instead:  npm run web');
  process.exit(1);
}
const build = spawnSync('npx', ['electron-vite', 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const child = spawn(electronBinary, ['.'], { stdio: 'inherit' });
child.on('exit', (code) => process.exit(code ?? 0));
