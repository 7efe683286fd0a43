import { readFileSync } from 'node:fs';
import { harnessEnv } from '../support/harness-env';

// The SDK evaluates a workflow's modules once per cached execution: every library in the bundle is
// paid for by each open cycle. zod and the request schemas cost ≈1 MiB per execution and most of
// the CPU of creating one (issue 17, docs/performance.md), so they stay at the edge.
describe('the workflow bundle', () => {
  const code = readFileSync(harnessEnv().ROLLPLAN_TEST_WORKFLOW_BUNDLE, 'utf8');
  const packages = new Set([...code.matchAll(/node_modules\/((?:@[\w.-]+\/)?[\w.-]+)\//g)].map((m) => m[1]));

  it('carries no schema library, only the SDK and what it needs', () => {
    expect(packages.has('zod')).toBe(false);
    expect([...packages].filter((name) => !name.startsWith('@temporalio/')).sort()).toEqual(['long', 'ms', 'nexus-rpc']);
  });

  it('takes the domain rules from @rollplan/domain/rules, none of the schema files', () => {
    expect(code).toMatch(/domain\/dist\/rules\.js/);
    expect(code).not.toMatch(/domain\/dist\/[\w-]+\.schema\.js/);
  });
});
