export * from './types.js';
export * from './key-value-store.js';
export * from './memory-storage.js';
export * from './local-storage.js';
export * from './async-storage.js';
