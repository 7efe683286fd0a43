import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO, startTestSystem, type TestSystem } from '../support/system';

const TOOLS = join(__dirname, '..', '..', '.rollplan', 'tools', 'python');
/** Where each run's full report goes (git-ignored). */
const ARTIFACTS = join(__dirname, '..', '..', '.rollplan', 'test-artifacts');

/** Runs schemathesis (installed by scripts/setup.mjs --test) and collects what it printed. */
function schemathesis(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // Run where its own files (.schemathesis/) land with the reports, not in the repository.
    const child = spawn('python3', [join(TOOLS, 'bin', 'st'), ...args], {
      cwd: ARTIFACTS,
      env: { ...process.env, PYTHONPATH: TOOLS, NO_COLOR: '1', SCHEMATHESIS_HOOKS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

// The public API under a schema fuzzer (issue 14): every operation of the OpenAPI document, as an
// admin and as an auditor, with generated valid and invalid input. No request may end in a
// server error, and every status code answered must be one the document declares. A fixed seed
// and a bounded number of examples per operation keep it reproducible and within a few minutes.
describe('the API under schemathesis', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem();
  });
  afterAll(() => system?.stop());

  it.each([['admin', DEMO.admin], ['auditor', DEMO.auditor]])('answers every generated request as %s without a server error or an undocumented status', async (role, email) => {
    expect(existsSync(join(TOOLS, 'bin', 'st'))).toBe(true);
    const token = await system.tokenFor(email);
    const { code, output } = await schemathesis([
      'run',
      `${system.baseUrl}/docs/openapi.json`,
      '--checks',
      'not_a_server_error,status_code_conformance',
      '--max-examples',
      '30',
      '--seed',
      '20261124',
      '--phases',
      'examples,fuzzing',
      '--workers',
      '2',
      '--request-timeout',
      '20',
      '--no-color',
      // A stream stays open for its maxSeconds: its own e2e test covers it.
      '--exclude-path',
      '/notifications/stream',
      '--generation-database',
      'none',
      '-H',
      `Authorization: Bearer ${token}`,
    ]);
    const report = join(ARTIFACTS, `schemathesis-${role}.log`);
    writeFileSync(report, output);
    const summary = output.split('\n').filter((line) => /generated|failures|passed in/i.test(line)).join('\n');
    console.log(`schemathesis as ${role} (full report: ${report}):\n${summary}`);
    if (code !== 0) throw new Error(`schemathesis found failures; see ${report}\n${output.slice(-3000)}`);
  }, 600_000);
});
