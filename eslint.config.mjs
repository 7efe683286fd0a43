// Lint (run by `npm test`): promises that nobody awaits, and what workflow code may import.
// Type-aware rules need the TypeScript projects; the web app is checked by its own tsc.
import tseslint from 'typescript-eslint';

// The SDK's internals are reached in one adapter file only (apps/api/src/infra/temporal-internals.ts).
const SDK_INTERNALS = { group: ['@temporalio/*/lib/*'], message: 'import it from apps/api/src/infra/temporal-internals.ts (the one adapter over SDK internals)' };

const NOT_IN_WORKFLOWS = [
  SDK_INTERNALS,
  // Workflow code must replay deterministically: no I/O, no clocks or randomness of the host.
  { group: ['node:*', 'fs', 'path', 'crypto', 'os', 'child_process', 'net', 'http', 'https'], message: 'workflow code runs in Temporal\'s sandbox: no Node built-ins (use an activity)' },
  { group: ['@temporalio/client', '@temporalio/worker', '@temporalio/activity', '@temporalio/testing'], message: 'workflow code may import only @temporalio/workflow (and @temporalio/common)' },
  { group: ['typeorm', 'pg', 'ioredis', 'bullmq', 'uuid', '@rollplan/db', '@rollplan/config', '@nestjs/*'], message: 'no I/O in workflow code: do it in an activity' },
  // The SDK instantiates a workflow's modules once per cached execution: a schema library there
  // cost ≈1 MiB and most of the CPU of each execution (docs/performance.md).
  { group: ['zod', 'zod/*'], message: 'no schema library in workflow code: validate at the edge (API, activities), run the rules of @rollplan/domain/rules here' },
  { regex: '^@rollplan/domain$', message: 'import @rollplan/domain/rules: the package root also carries the request schemas (zod)' },
];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'apps/web/**', '.rollplan/**', 'coverage/**', 'test/fixtures/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  {
    files: ['libs/*/src/**/*.ts', 'apps/api/src/**/*.ts', 'apps/worker/src/**/*.ts', 'test/**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      // Listed, not discovered: the libraries' spec files belong to test/tsconfig.json.
      parserOptions: { project: ['./libs/*/tsconfig.json', './apps/api/tsconfig.json', './apps/worker/tsconfig.json', './test/tsconfig.json'], tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      // A promise nobody awaits loses its failure (and in a workflow, escapes its cancellation scope);
      // `void` marks one left to run on purpose.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/await-thenable': 'error',
      'no-restricted-imports': ['error', { patterns: [SDK_INTERNALS] }],
    },
  },
  { files: ['apps/api/src/infra/temporal-internals.ts'], rules: { 'no-restricted-imports': 'off' } },
  {
    // The rules workflows import (libs/domain/src/rules.ts) stay free of zod; schema files may be
    // imported for their types only.
    files: ['libs/domain/src/**/*.ts'],
    ignores: ['libs/domain/src/**/*.schema.ts', 'libs/domain/src/**/*.spec.ts', 'libs/domain/src/index.ts', 'libs/domain/src/webhook-targets.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ group: ['zod', 'zod/*', './*.schema', './webhook-targets'], allowTypeImports: true, message: 'the rules are zod-free (workflow code imports them): schemas go in *.schema.ts' }] }],
    },
  },
  {
    files: ['libs/workflows/src/**/*.ts'],
    ignores: ['libs/workflows/src/**/*.spec.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: NOT_IN_WORKFLOWS }] },
  },
);
