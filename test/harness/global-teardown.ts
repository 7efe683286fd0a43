import { rmSync } from 'node:fs';
import type { RunningStack } from '@rollplan/devstack';

export default async function globalTeardown(): Promise<void> {
  const stack = (globalThis as Record<string, unknown>).__ROLLPLAN_STACK__ as RunningStack | undefined;
  await stack?.stop();
  const dataDir = process.env.ROLLPLAN_TEST_DATA_DIR;
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}
