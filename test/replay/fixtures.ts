import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@rollplan/api';
import type { temporal } from '@temporalio/proto';

export const FIXTURES_DIR = join(__dirname, '..', 'fixtures', 'histories');
export const ROLLPLAN_VERSION: string = require('../../package.json').version;

export interface RecordedHistory {
  workflowType: string;
  file: string;
  history: temporal.api.history.v1.IHistory;
}

/** Every recorded history, by workflow type (the folder it sits in). */
export function recordedHistories(): RecordedHistory[] {
  return readdirSync(FIXTURES_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((dir) =>
      readdirSync(join(FIXTURES_DIR, dir.name))
        .filter((file) => file.endsWith('.json'))
        .map((file) => ({
          workflowType: dir.name,
          file: `${dir.name}/${file}`,
          history: historyFromJSON(JSON.parse(readFileSync(join(FIXTURES_DIR, dir.name, file), 'utf8'))),
        })),
    );
}
