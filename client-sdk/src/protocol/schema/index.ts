export * from './core.js';
export * from './builders.js';
