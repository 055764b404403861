import { storageAdapterSuite } from '@identity-pool/testkit';
import { it } from 'vitest';
import { memoryStorage } from '../src/memory.js';

// A memory store forgets with its instance: no persistence across instances to prove.
storageAdapterSuite(it, () => memoryStorage(), { name: 'memoryStorage', groups: { persistence: false } });
