export * from './paths';
export * from './net';
export * from './process';
export * from './postgres';
export * from './redis';
export * from './temporal';
export * from './stack';
export * from './lock';
