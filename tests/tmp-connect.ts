import { AccessToken } from 'livekit-server-sdk';
import { startServerProcess } from './sfu/server-process';
import { RecorderConnection, disposeRtc } from '../main/livekit/recorder-connection';
import { killAllWorkers } from './helpers/worker';
const srv = await startServerProcess();
for (let i = 0; i < 4; i++) {
  const room = `c${i}`;
  await srv.addReplayParticipant({ room, identity: 'p1', width: 1280, height: 720, fps: 30, seconds: 10, markers: true });
  await new Promise((r) => setTimeout(r, 1000));
  const at = new AccessToken(srv.apiKey, srv.apiSecret, { identity: `rec${i}` });
  at.addGrant({ roomJoin: true, room, canSubscribe: true, hidden: true });
  const token = await at.toJwt();
  const t0 = performance.now();
  const conn = await RecorderConnection.connect(srv.url, token);
  const t1 = performance.now();
  const first = await new Promise<number>((resolve) => conn.once('videoFrame', () => resolve(performance.now())));
  console.log(`connect ${Math.round(t1 - t0)} ms, first video frame ${Math.round(first - t0)} ms`);
  await conn.close();
}
await disposeRtc();
await srv.close();
killAllWorkers();
process.exit(0);
