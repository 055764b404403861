/** Why an adapter could not do what it was asked; the core reports it as a `StorageError` event. */
export class StorageAdapterError extends Error {
  override name = 'StorageAdapterError';
  constructor(
    /** Which adapter failed, e.g. `webStorage`. */
    readonly adapter: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${adapter}: ${message}`, options);
  }
}

/** A short description of a thrown value that never includes a stored value. */
export function reason(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
