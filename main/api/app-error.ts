import type { AppErrorShape, ErrorCode } from '../../preload/contract';

/**
 * An error a service means the user to read: a code the UI can act on and a message that says
 * what to do. Anything else that escapes a service is reported as `internal` without its text,
 * because raw errors can carry URLs with tokens or other secrets.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
  }

  toShape(): AppErrorShape {
    return { code: this.code, message: this.message };
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
