export type * from './alert-sink.port.js';
export type * from './bus.port.js';
export type * from './clock.port.js';
export type * from './http-call.port.js';
export type * from './object-store.port.js';
export type * from './state-store.port.js';
export type * from './warehouse.port.js';
export { tableName } from './warehouse.port.js';
