/**
 * A guard for a server started in a temporary folder: however this process ends (an exit, Ctrl-C, a CI
 * timeout's SIGTERM), the server is stopped and the folder removed. A run stopped by a signal skips
 * 'exit' handlers, so on a signal the guard cleans up, then dies of the same signal, so the exit status
 * stays what the signal makes it. SIGKILL is the reaper's (postgres-server.ts, `startReaper`).
 */
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface ProcessGuard {
  /** Throws when a signal arrived since the guard was set: a start in progress stops there. */
  checkpoint(): void;
  /** Stops watching: the caller has stopped the server and removed the folder, or is about to. */
  forget(): void;
}

/**
 * @param what - the start being guarded, for the checkpoint's error.
 * @param cleanup - `sync` at exit; `onSignal` (default `sync`) on a signal, when there is no time to wait.
 */
export function guardProcess(what: string, cleanup: { sync: () => void; onSignal?: () => void }): ProcessGuard {
  let interrupted: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = signal;
    forget();
    (cleanup.onSignal ?? cleanup.sync)();
    process.kill(process.pid, signal);
  };
  const forget = () => {
    process.removeListener('exit', cleanup.sync);
    for (const s of SIGNALS) process.removeListener(s, onSignal);
  };
  process.once('exit', cleanup.sync);
  for (const s of SIGNALS) process.once(s, onSignal);
  return {
    checkpoint: () => {
      if (interrupted) throw new Error(`${what} interrupted by ${interrupted}`);
    },
    forget,
  };
}
