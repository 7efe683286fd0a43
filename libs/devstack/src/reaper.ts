import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { postgresBinDir } from './paths';
import { run } from './process';

const OWNER_FILE = 'owner.json';

/** Marks `dataDir` as belonging to this process and the children it started. */
export function claimRunDir(dataDir: string, pids: number[]): void {
  writeFileSync(join(dataDir, OWNER_FILE), JSON.stringify({ owner: process.pid, pids }));
}

/**
 * Stops the services of earlier runs whose owner died before tearing down (a killed test
 * run), and deletes their folders. Folders whose owner still runs are left alone.
 */
export function reapAbandonedRuns(parent: string, prefix: string): string[] {
  const reaped: string[] = [];
  for (const name of readdirSync(parent).filter((n) => n.startsWith(prefix))) {
    const dir = join(parent, name);
    const ownerFile = join(dir, OWNER_FILE);
    if (!existsSync(ownerFile)) continue;
    let claim: { owner: number; pids: number[] };
    try {
      claim = JSON.parse(readFileSync(ownerFile, 'utf8'));
    } catch {
      continue;
    }
    if (isAlive(claim.owner)) continue;
    for (const pid of claim.pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    // The run's own PostgreSQL, and that of a stack started inside the run's folder (the cluster tier's).
    for (const cluster of [join(dir, 'postgres'), ...readdirSync(dir).map((sub) => join(dir, sub, 'postgres'))]) {
      if (!existsSync(join(cluster, 'postmaster.pid'))) continue;
      const pgCtl = join(postgresBinDir(), 'pg_ctl');
      const args = ['-D', cluster, '-m', 'immediate', 'stop'];
      try {
        if (userInfo().uid === 0) run('runuser', ['-u', 'postgres', '--', pgCtl, ...args]);
        else run(pgCtl, args);
      } catch {
        // Already gone: nothing to stop.
      }
    }
    rmSync(dir, { recursive: true, force: true });
    reaped.push(dir);
  }
  return reaped;
}

/** Whether a process with this pid runs (EPERM: it runs, as another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
