/**
 * A replica's state at its last check:
 * - `unknown`: not checked yet;
 * - `up`: reachable and within the lag bound, so it serves reads;
 * - `lagging`: reachable but further behind than the bound;
 * - `down`: unreachable, or its last read failed on the connection.
 */
export type ReplicaState = 'unknown' | 'up' | 'lagging' | 'down';

/** One replica as the health report and the metrics show it. */
export interface ReplicaStatus {
  /** `host:port`, without credentials. */
  name: string;
  state: ReplicaState;
  /** Seconds behind the primary at the last check; `null` before the first check or while down. */
  lagSeconds: number | null;
  /** Whether the server is still a standby (`false` once it was promoted); `null` while unknown. */
  standby: boolean | null;
  /** When it was last checked, or `null`. */
  checkedAt: Date | null;
  /** Why it is down, with no credentials. */
  error?: string;
}
