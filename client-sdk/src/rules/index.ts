export * from './decision.js';
export * from './cart.js';
export * from './watch.js';
export * from './resume.js';
export * from './devices.js';
export * from './naming.js';
