/** The core's default in-memory store, re-exported so every adapter has one import path. */
export { memoryStorage } from '@identity-pool/core';
