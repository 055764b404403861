import { storageAdapterSuite } from '@identity-pool/testkit';
import { createAsyncStorage } from '@react-native-async-storage/async-storage/jest';
import { it } from 'vitest';
import { asyncStorage } from '../src/async-storage.js';

// AsyncStorage's own in-memory store (its `/jest` entry): one database per `store`.
storageAdapterSuite(
  it,
  ({ store, namespace }) => asyncStorage(createAsyncStorage(store), { prefix: namespace }),
  {
    name: 'asyncStorage',
  },
);
