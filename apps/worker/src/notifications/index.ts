export * from './jobs';
export * from './outbox-relay';
export * from './notification.processors';
export * from './webhook-signature';
export * from './webhook-delivery';
export * from './start';
