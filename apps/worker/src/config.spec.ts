import { ConfigError } from '@rollplan/config';
import { loadWorkerConfig } from './config';

describe('worker config', () => {
  it('runs on defaults', () => {
    expect(loadWorkerConfig({})).toMatchObject({ TEMPORAL_ADDRESS: 'localhost:7233', TEMPORAL_TASK_QUEUE: 'rollplan', LOG_LEVEL: 'info' });
  });

  it('refuses to start on a bad value, naming the variable', () => {
    expect(() => loadWorkerConfig({ LOG_LEVEL: 'loud' })).toThrow(ConfigError);
    expect(() => loadWorkerConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
  });
});
