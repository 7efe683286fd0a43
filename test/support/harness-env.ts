/** Database the harness migrates once; every test file gets a copy of it. */
export const TEMPLATE_DATABASE = 'rollplan_template';
/** The login the API and worker under test use: a member of rollplan_app (migration AppRole), as in production. */
export const APP_DATABASE_USER = 'rollplan_service';

/** What global-setup hands the test files, through the environment. */
export interface HarnessEnv {
  ROLLPLAN_TEST_DATABASE_ADMIN_URL: string;
  ROLLPLAN_TEST_TEMPORAL_ADDRESS: string;
  ROLLPLAN_TEST_REDIS_URL: string;
  ROLLPLAN_TEST_WORKFLOW_BUNDLE: string;
  ROLLPLAN_TEST_SERVER_PATH: string;
  ROLLPLAN_TEST_DATA_DIR: string;
}

export function harnessEnv(): HarnessEnv {
  const env = process.env as Partial<HarnessEnv>;
  const missing = (
    [
      'ROLLPLAN_TEST_DATABASE_ADMIN_URL',
      'ROLLPLAN_TEST_TEMPORAL_ADDRESS',
      'ROLLPLAN_TEST_REDIS_URL',
      'ROLLPLAN_TEST_WORKFLOW_BUNDLE',
      'ROLLPLAN_TEST_SERVER_PATH',
    ] as const
  ).filter((key) => !env[key]);
  if (missing.length > 0) throw new Error(`test harness not set up (missing ${missing.join(', ')}): run the tests with \`npm test\``);
  return env as HarnessEnv;
}
