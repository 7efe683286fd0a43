import { rmSync } from 'node:fs';
import type { RunningStack } from '@rollplan/devstack';
import type { RunningClusterProfile } from './cluster-profile';

export default async function globalTeardown(): Promise<void> {
  const cluster = (globalThis as Record<string, unknown>).__ROLLPLAN_CLUSTER__ as RunningClusterProfile | undefined;
  await cluster?.stop();
  const stack = (globalThis as Record<string, unknown>).__ROLLPLAN_STACK__ as RunningStack | undefined;
  await stack?.stop();
  const dataDir = process.env.ROLLPLAN_TEST_DATA_DIR;
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}
