import { spawn, spawnSync, type SpawnOptions } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';

/** A long-running child process whose output goes to a log file. */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves with the exit code (or signal name) when the process ends. */
  readonly exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export function startProcess(
  name: string,
  command: string,
  args: string[],
  options: { logFile: string; env?: NodeJS.ProcessEnv; cwd?: string },
): ManagedProcess {
  const fd = openSync(options.logFile, 'a');
  const spawnOptions: SpawnOptions = { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', fd, fd] };
  const child = spawn(command, args, spawnOptions);
  closeSync(fd);
  let exitedAlready = false;
  const exited = new Promise<number | string>((resolveExit) => {
    child.once('exit', (code, signal) => {
      exitedAlready = true;
      resolveExit(code ?? signal ?? 'unknown');
    });
    child.once('error', (error) => {
      exitedAlready = true;
      resolveExit(`spawn error: ${error.message}`);
    });
  });
  return {
    name,
    pid: child.pid ?? -1,
    logFile: options.logFile,
    exited,
    async stop(graceMs = 10_000) {
      if (exitedAlready) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Runs a command to completion; throws with its output when it fails. */
export function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): string {
  const result = spawnSync(command, args, { encoding: 'utf8', env: options.env ?? process.env, cwd: options.cwd });
  if (result.error) throw new Error(`${command} could not start: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stdout}${result.stderr}`);
  }
  return result.stdout;
}
