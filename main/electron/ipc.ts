import { ipcMain, webContents, type IpcMainInvokeEvent } from 'electron';
import { ipcChannels } from '../../preload/contract';
import type { Dispatch } from '../api/dispatcher';
import type { EventBus } from '../api/event-bus';

/** One handler for every contract method; the dispatcher checks sender and payload. */
export function setupIpc(dispatch: Dispatch, events: EventBus): void {
  ipcMain.handle(ipcChannels.call, (event: IpcMainInvokeEvent, method: unknown, payload: unknown) =>
    dispatch(method, payload, { origin: event.senderFrame?.url ?? '' }),
  );
  events.subscribe((event, payload) => {
    for (const contents of webContents.getAllWebContents()) {
      if (!contents.isDestroyed()) contents.send(ipcChannels.event, event, payload);
    }
  });
}
