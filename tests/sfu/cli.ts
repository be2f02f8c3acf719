/**
 * Runs the test SFU until interrupted:
 *   npx tsx tests/sfu/cli.ts [--host 0.0.0.0] [--port 7880] [--api-key devkey] [--api-secret ...]
 */
import { parseArgs } from 'node:util';
import { startTestServer } from './server.js';

const { values } = parseArgs({
  options: {
    host: { type: 'string' },
    port: { type: 'string' },
    'api-key': { type: 'string' },
    'api-secret': { type: 'string' },
  },
});
const server = await startTestServer({
  host: values.host,
  port: values.port ? Number(values.port) : 7880,
  apiKey: values['api-key'],
  apiSecret: values['api-secret'],
  log: (m) => console.error(`[sfu] ${m}`),
});
console.log(`listening on ${server.host}:${server.port}`);
console.log(`LIVEKIT_URL=${server.url}`);
console.log(`LIVEKIT_API_KEY=${server.apiKey}`);
console.log(`LIVEKIT_API_SECRET=${server.apiSecret}`);
const stop = () => {
  void server.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
