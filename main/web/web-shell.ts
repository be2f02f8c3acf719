import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Dispatch } from '../api/dispatcher';
import type { EventBus } from '../api/event-bus';

export interface WebShellOptions {
  dispatch: Dispatch;
  events: EventBus;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  /** Only loopback addresses are accepted; the shell is a local app, not a server. */
  host?: '127.0.0.1' | '::1';
  port?: number;
  /** Per-launch access token; random unless given (tests). */
  token?: string;
  /** Resolves a library file id to a path on disk for /media/ requests. */
  resolveMedia?: (kind: 'file' | 'thumbnail', id: string) => string | null;
}

export interface WebShell {
  /** The URL to open, with the access token in it. */
  url: string;
  origin: string;
  port: number;
  /** The address actually bound (always loopback). */
  address: string;
  close(): Promise<void>;
}

const cookieName = 'haven_token';
const maxMessageBytes = 4 * 1024 * 1024;

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.mp4': 'video/mp4',
  '.wav': 'audio/wav',
};

// The renderer connects to LiveKit servers anywhere (ws/wss) and plays local media; nothing else.
const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self' ws: wss: http: https:",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

/**
 * Serves the built renderer and the contract over a WebSocket on loopback only. Three checks
 * stand between a request and the API: the Host header (defeats DNS rebinding), the Origin
 * header (defeats other sites in the same browser) and the per-launch token (defeats other
 * local users and processes that can't read our output).
 */
export async function startWebShell(options: WebShellOptions): Promise<WebShell> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? crypto.randomBytes(24).toString('base64url');
  const rendererDir = path.resolve(options.rendererDir);
  let port = 0;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  const allowedOrigins = () => new Set([...allowedHosts()].map((h) => `http://${h}`));

  const hostAndOriginOk = (req: http.IncomingMessage, requireOrigin: boolean): boolean => {
    if (!req.headers.host || !allowedHosts().has(req.headers.host)) return false;
    const origin = req.headers.origin;
    if (origin === undefined) return !requireOrigin;
    return allowedOrigins().has(origin);
  };

  const authenticated = (req: http.IncomingMessage, url: URL): 'query' | 'cookie' | null => {
    const fromQuery = url.searchParams.get('token');
    if (fromQuery !== null && safeEqual(fromQuery, token)) return 'query';
    const fromCookie = readCookie(req.headers.cookie, cookieName);
    if (fromCookie !== null && safeEqual(fromCookie, token)) return 'cookie';
    return null;
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!hostAndOriginOk(req, false)) return sendText(res, 403, 'Forbidden: this address or origin is not allowed.');
    const auth = authenticated(req, url);
    if (!auth) {
      return sendText(res, 401, 'Haven Player: open the address printed by `npm run web`; it carries the access token.');
    }
    if (auth === 'query') {
      res.setHeader('Set-Cookie', `${cookieName}=${token}; HttpOnly; SameSite=Strict; Path=/`);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Method not allowed.');
    const media = /^\/media\/(file|thumbnail)\/([\w-]{1,64})$/.exec(url.pathname);
    if (media) {
      const file = options.resolveMedia?.(media[1] as 'file' | 'thumbnail', media[2]!);
      return file ? sendFile(req, res, file) : sendText(res, 404, 'No such recording.');
    }
    serveRenderer(req, res, rendererDir, url.pathname);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: maxMessageBytes });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/api' || !hostAndOriginOk(req, true)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    if (!authenticated(req, url)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveApi(ws, req.headers.origin ?? ''));
  });

  const serveApi = (ws: WebSocket, origin: string) => {
    const unsubscribe = options.events.subscribe((event, payload) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ event, payload }));
    });
    ws.on('close', unsubscribe);
    ws.on('message', async (data) => {
      let message: { id?: unknown; method?: unknown; payload?: unknown };
      try {
        message = JSON.parse(data.toString());
      } catch {
        ws.send(JSON.stringify({ id: null, result: { ok: false, error: { code: 'validation', message: 'Messages must be JSON.' } } }));
        return;
      }
      const id = typeof message?.id === 'number' ? message.id : null;
      const result = await options.dispatch(message?.method, message?.payload, { origin });
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id, result }));
    });
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://${host === '::1' ? '[::1]' : host}:${port}`;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    address: (server.address() as AddressInfo).address,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function serveRenderer(req: http.IncomingMessage, res: http.ServerResponse, root: string, pathname: string): void {
  let relative: string;
  try {
    relative = decodeURIComponent(pathname);
  } catch {
    return sendText(res, 400, 'Bad path.');
  }
  let file = path.resolve(root, `.${relative}`);
  if (!file.startsWith(root + path.sep) && file !== root) return sendText(res, 404, 'Not found.');
  if (!fs.existsSync(file) || fs.statSync(file).isDirectory()) {
    // Client-side routes fall back to the app; missing assets stay 404.
    if (path.extname(relative)) return sendText(res, 404, 'Not found.');
    file = path.join(root, 'index.html');
    if (!fs.existsSync(file)) return sendText(res, 500, 'The renderer is not built. Run `npm run build`.');
  }
  res.setHeader('Content-Security-Policy', contentSecurityPolicy);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'no-cache');
  sendFile(req, res, file);
}

function sendFile(req: http.IncomingMessage, res: http.ServerResponse, file: string): void {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    return sendText(res, 404, 'Not found.');
  }
  res.setHeader('Content-Type', contentTypes[path.extname(file).toLowerCase()] ?? 'application/octet-stream');
  res.setHeader('Accept-Ranges', 'bytes');
  const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
  let start = 0;
  let end = size - 1;
  if (range && (range[1] || range[2])) {
    start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
    end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
    if (start > end || start >= size) {
      res.writeHead(416, { 'Content-Range': `bytes */${size}` });
      return void res.end();
    }
    res.writeHead(206, { 'Content-Range': `bytes ${start}-${end}/${size}`, 'Content-Length': end - start + 1 });
  } else {
    res.writeHead(200, { 'Content-Length': size });
  }
  if (req.method === 'HEAD') return void res.end();
  fs.createReadStream(file, { start, end }).pipe(res);
}

function sendText(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && crypto.timingSafeEqual(left, right);
}

function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return null;
}
