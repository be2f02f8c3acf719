#!/usr/bin/env -S node --initial-old-space-size=256
// The command-line recorder. `npm install` builds out/ (the `prepare` script). The V8 flag:
// main/recording/v8-flags.ts (fewer full collections while recording; npm's Windows shims read it).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../out/main/cli.js', import.meta.url));
if (!existsSync(cli)) {
  console.error('haven-player is not built yet: run `npm run build` (npm install does it too).');
  process.exit(1);
}
await import(cli);
