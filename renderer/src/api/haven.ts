import type { HavenApi, MethodInput, MethodName, MethodOutput } from '../../../preload/contract';
import { WebSocketTransport } from './web-socket-transport';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a browser. */
    haven?: HavenApi;
  }
}

function createApi(): HavenApi {
  if (window.haven) return window.haven;
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return new WebSocketTransport(`${scheme}//${location.host}/api`);
}

/** The one way the renderer reaches main. */
export const haven: HavenApi = createApi();

/** A failed call as an Error the UI can show: its message already says what to do. */
export class HavenError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Calls a method and throws HavenError on `{ok: false}`, for code that prefers try/catch. */
export async function invoke<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
  const result = await haven.call(method, input);
  if (!result.ok) throw new HavenError(result.error.code, result.error.message);
  return result.value;
}
