import { app, session, shell, type WebContents } from 'electron';

/** Permissions the viewer needs: none of camera/mic; fullscreen for a focused tile. */
const allowedPermissions = new Set(['fullscreen']);

export function setupSecurity(isAppUrl: (url: string) => boolean): void {
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback) => {
    callback(allowedPermissions.has(permission));
  });
  session.defaultSession.setPermissionCheckHandler((_contents, permission) => allowedPermissions.has(permission));
  app.on('web-contents-created', (_event, contents) => hardenContents(contents, isAppUrl));
}

function hardenContents(contents: WebContents, isAppUrl: (url: string) => boolean): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    // Links to docs open in the user's browser; nothing opens inside the app.
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
}
