/**
 * `withDeadline`: a wait that ends. For login providers wrapping vendor callbacks that may never
 * come (a known behaviour of some SDKs): the vendor's work is not cancelled, only this wait ends.
 */

/**
 * Settles as `promise` does, or, if it has not settled after `timeoutMs`, rejects with
 * `onTimeout()` (called once, at the deadline: close a dialog there).
 */
export function withDeadline<T>(promise: Promise<T>, timeoutMs: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), timeoutMs);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * Resolves with `promise`'s value, or with `undefined` if it has not settled after `timeoutMs`
 * (then `onTimeout` runs once): for a silent vendor call where "no answer" means "not now".
 */
export function answerWithin<T>(
  promise: Promise<T>,
  timeoutMs: number,
  onTimeout?: () => void,
): Promise<T | undefined> {
  return new Promise<T | undefined>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout?.();
      resolve(undefined);
    }, timeoutMs);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
