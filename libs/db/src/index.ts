export * from './data-source';
export * from './entities/cycle.entity';
export * from './entities/identity.entities';
export * from './audit';
export * from './entities/task.entities';
export * from './entities/notification.entities';
export * from './entities/plan-version.entity';
