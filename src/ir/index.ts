export type * from './request.js';
export type * from './response.js';
export type * from './stream.js';
