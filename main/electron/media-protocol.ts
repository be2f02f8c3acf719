import { pathToFileURL } from 'node:url';
import { net, protocol } from 'electron';

export const mediaScheme = 'haven-media';

/** Must run before the app is ready: lets <video> stream and seek haven-media:// URLs. */
export function registerMediaScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: mediaScheme, privileges: { standard: true, secure: true, stream: true, supportFetchAPI: true } },
  ]);
}

/**
 * Serves library files to the renderer as `haven-media://file/<id>` and
 * `haven-media://thumbnail/<id>`: the renderer names a recording, never a path, so it can't ask
 * for anything outside the library.
 */
export function setupMediaProtocol(resolve: (kind: 'file' | 'thumbnail', id: string) => string | null): void {
  protocol.handle(mediaScheme, (request) => {
    const url = new URL(request.url);
    const kind = url.hostname;
    const id = url.pathname.replace(/^\//, '');
    if ((kind !== 'file' && kind !== 'thumbnail') || !/^[\w-]{1,64}$/.test(id)) {
      return new Response('Not found', { status: 404 });
    }
    const file = resolve(kind, id);
    if (!file) return new Response('Not found', { status: 404 });
    // net.fetch on file:// answers Range requests, which seeking in <video> needs.
    return net.fetch(pathToFileURL(file).href, { headers: request.headers });
  });
}
