import type { Stats } from 'node:fs';
import { StorageAdapterError } from './errors.js';

/** Makes the adapter's error for a failed file operation. */
export type FileFailure = (message: string, cause?: unknown) => StorageAdapterError;

/**
 * A store file, its lock or its directory that another user owns or could have changed: the
 * adapter neither reads nor writes through it (as ssh refuses a key file others can write).
 */
export class UnsafeStorageFileError extends StorageAdapterError {
  override name = 'UnsafeStorageFileError';
  constructor(
    /** The file or directory refused. */
    readonly path: string,
    message: string,
  ) {
    super('fileStorage', message);
  }
}

export const errorCode = (error: unknown) => (error as { code?: string } | null)?.code;

/**
 * Throws an `UnsafeStorageFileError` unless `info` is of the current user and not writable by
 * group or others. Where there are no user IDs (Windows), only the kind of file is checked.
 */
export function checkPrivate(info: Stats, path: string, what: 'store file' | 'lock' | 'directory'): void {
  const isRightKind = what === 'directory' ? info.isDirectory() : info.isFile();
  if (!isRightKind) {
    throw new UnsafeStorageFileError(
      path,
      `${path} is not a ${what === 'directory' ? 'directory' : 'regular file'}; refusing to use it`,
    );
  }
  const uid = process.getuid?.();
  if (uid === undefined) return;
  if (info.uid !== uid) {
    throw new UnsafeStorageFileError(
      path,
      `${path} is owned by uid ${info.uid}, not by uid ${uid}; refusing to use a ${what} another user could have planted`,
    );
  }
  if ((info.mode & 0o022) !== 0) {
    throw new UnsafeStorageFileError(
      path,
      `${path} is writable by group or others (mode ${(info.mode & 0o777).toString(8)}); make it private (chmod go-w) to use it`,
    );
  }
}
