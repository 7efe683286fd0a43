// What the API and the worker import: names, messages and types — never workflow code.
export * from './names';
export * from './planning-cycle.messages';
export * from './human-task.messages';
export * from './monthly-review.messages';
export type * from './activities';
