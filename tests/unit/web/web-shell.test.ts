import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startWebApp } from '../../../main/web/start-web-app';
import { makeTempDir } from '../../helpers/temp-dir';

const token = 'test-token-0123456789abcdef';
let temp: ReturnType<typeof makeTempDir>;
let web: Awaited<ReturnType<typeof startWebApp>>;
let port: number;

beforeAll(async () => {
  temp = makeTempDir();
  const rendererDir = path.join(temp.dir, 'renderer');
  fs.mkdirSync(rendererDir);
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Haven Player</title>');
  fs.writeFileSync(path.join(temp.dir, 'outside.txt'), 'secret file');
  web = await startWebApp({ dataFolder: path.join(temp.dir, 'data'), rendererDir, version: 'test', token });
  port = web.shell.port;
});
afterAll(async () => {
  await web.close();
  temp.cleanup();
});

function get(pathname: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: pathname, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

function openSocket(query: string, headers: Record<string, string>): Promise<{ opened: boolean; status?: number; ws?: WebSocket }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api${query}`, { headers });
    ws.on('open', () => resolve({ opened: true, ws }));
    ws.on('unexpected-response', (_req, res) => resolve({ opened: false, status: res.statusCode }));
    ws.on('error', () => resolve({ opened: false }));
  });
}

describe('web shell', () => {
  it('answers 401 without the token', async () => {
    const res = await get('/');
    expect(res.status).toBe(401);
    expect(res.body).toMatch(/npm run web/);
    expect((await get('/?token=wrong')).status).toBe(401);
    expect((await openSocket('', { origin: `http://127.0.0.1:${port}` })).status).toBe(401);
  });

  it('serves the app with the token and sets an HttpOnly cookie for later requests', async () => {
    const res = await get(`/?token=${token}`);
    expect(res.status).toBe(200);
    expect(res.body).toContain('Haven Player');
    expect(res.headers['set-cookie']?.[0]).toMatch(/HttpOnly; SameSite=Strict/);
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect((await get('/', { cookie: `haven_token=${token}` })).status).toBe(200);
  });

  it('answers 403 to a foreign Host or Origin, before looking at the token', async () => {
    expect((await get(`/?token=${token}`, { host: 'evil.example' })).status).toBe(403);
    expect((await get(`/?token=${token}`, { host: `attacker.example:${port}` })).status).toBe(403);
    expect((await get(`/?token=${token}`, { origin: 'https://evil.example' })).status).toBe(403);
    const socket = await openSocket(`?token=${token}`, { origin: 'https://evil.example' });
    expect(socket).toMatchObject({ opened: false, status: 403 });
    const noOrigin = await openSocket(`?token=${token}`, {});
    expect(noOrigin).toMatchObject({ opened: false, status: 403 });
  });

  it('keeps requests inside the renderer folder', async () => {
    const res = await get(`/..%2f..%2foutside.txt?token=${token}`);
    expect(res.body).not.toContain('secret file');
    expect(res.status).toBe(404);
  });

  it('speaks the contract over the WebSocket to the right origin and token', async () => {
    const socket = await openSocket(`?token=${token}`, { origin: `http://127.0.0.1:${port}` });
    expect(socket.opened).toBe(true);
    const ws = socket.ws!;
    const reply = new Promise<unknown>((resolve) => ws.once('message', (data) => resolve(JSON.parse(String(data)))));
    ws.send(JSON.stringify({ id: 7, method: 'settings.get', payload: {} }));
    expect(await reply).toMatchObject({ id: 7, result: { ok: true, value: { frameRate: 30 } } });
    const bad = new Promise<unknown>((resolve) => ws.once('message', (data) => resolve(JSON.parse(String(data)))));
    ws.send('not json');
    expect(await bad).toMatchObject({ result: { ok: false, error: { code: 'validation' } } });
    ws.close();
  });

  it('binds 127.0.0.1 only', async () => {
    expect(web.shell.address).toBe('127.0.0.1');
    const other = process.env.HAVEN_NETNS_ADDR;
    if (!other) {
      console.warn('binds 127.0.0.1 only: no private namespace address (run under tests/netns-run) — checked the bound address only');
      return;
    }
    const refused = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: other, port }, () => {
        s.destroy();
        resolve(false);
      });
      s.on('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });
});
