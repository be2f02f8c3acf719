import {
  isMethodName,
  methods,
  type MethodParsedInput,
  type MethodName,
  type MethodOutput,
  type Result,
} from '../../preload/contract';
import { type AppError, isAppError } from './app-error';

/** Who is calling; each shell says how it knows. */
export interface CallerInfo {
  /** Electron: the sender frame's URL; web shell: the authenticated socket's origin. */
  origin: string;
}

export type Handlers = {
  [M in MethodName]: (
    input: MethodParsedInput<M>,
    caller: CallerInfo,
  ) => Promise<MethodOutput<M>> | MethodOutput<M>;
};

export interface DispatcherOptions {
  handlers: Handlers;
  /** Refuses callers that are not our renderer; both shells pass their own check. */
  isTrustedCaller: (caller: CallerInfo) => boolean;
  /** Where unexpected errors go (never shown to the user verbatim). */
  logError?: (method: string, error: unknown) => void;
}

export type Dispatch = (method: unknown, payload: unknown, caller: CallerInfo) => Promise<Result<unknown>>;

/**
 * The one place where every call from either shell is checked: known method, trusted caller,
 * payload parsed by the method's schema. The result is parsed by its schema too, which strips any
 * field the contract does not name (a secret can't ride along by accident).
 */
export function createDispatcher(options: DispatcherOptions): Dispatch {
  const { handlers, isTrustedCaller, logError } = options;
  return async (method, payload, caller) => {
    if (!isTrustedCaller(caller)) {
      return fail('forbidden', 'This caller is not allowed to use the Haven Player API.');
    }
    if (!isMethodName(method)) {
      return fail('validation', `Unknown method: ${describeName(method)}.`);
    }
    const schema = methods[method];
    const parsed = schema.input.safeParse(payload ?? {});
    if (!parsed.success) {
      return fail('validation', `Invalid input for ${method}: ${formatIssues(parsed.error.issues)}`);
    }
    try {
      const handler = handlers[method] as (input: unknown, caller: CallerInfo) => unknown;
      const value = await handler(parsed.data, caller);
      return { ok: true, value: schema.output.parse(value) };
    } catch (error) {
      if (isAppError(error)) return { ok: false, error: error.toShape() };
      logError?.(method, error);
      return fail('internal', `Something went wrong in ${method}. See the app log for details.`);
    }
  };
}

export function fail(code: AppError['code'], message: string): Result<never> {
  return { ok: false, error: { code, message } };
}

function describeName(name: unknown): string {
  return typeof name === 'string' ? JSON.stringify(name.slice(0, 60)) : typeof name;
}

function formatIssues(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 5)
    .map((issue) => (issue.path.length ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}
