export * from './server-state.js';
export * from './mutation-body.js';
export * from './apply-op.js';
export * from './predict.js';
export * from './views.js';
export * from './merge-devices.js';
