import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { isAlive } from './reaper';

/**
 * One `npm start` per data folder: a second one would fight the first for its ports and
 * files. Takes `file` (write-exclusive) or reports the pid that holds it; a lock left by a
 * process that no longer runs is taken over.
 */
export function acquireLock(file: string): { ok: true; release(): void } | { ok: false; heldBy: number } {
  mkdirSync(dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return { ok: true, release: () => rmSync(file, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) return { ok: false, heldBy: holder };
      rmSync(file, { force: true });
    }
  }
  throw new Error(`could not take ${file}`);
}
