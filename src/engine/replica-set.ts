import type { Sequelize } from 'sequelize';
import type { ConnectionSettings } from '../config/connection-settings.js';
import type { EngineEvents } from './engine-events.js';
import type { ReplicaStatus } from './replica-status.js';
import { errorLine } from './server-signals.js';

/** One replica: its settings, its own pool (a Sequelize instance of its own), and its last check. */
export interface ReplicaMember {
  readonly name: string;
  readonly settings: ConnectionSettings;
  readonly sequelize: Sequelize;
  status: ReplicaStatus;
}

/**
 * How far behind a standby is, in seconds. Caught up (everything received is replayed) counts as 0 even
 * when no transaction arrived for a while; otherwise the age of the last replayed transaction. A
 * promoted server is not behind anything.
 */
export const LAG_SQL = `SELECT pg_is_in_recovery() AS standby,
  CASE WHEN NOT pg_is_in_recovery() OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
       ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0) END::float8 AS lag`;

/** Options of a {@link ReplicaSet}. */
export interface ReplicaSetOptions {
  /** Seconds behind past which a replica is skipped. */
  maxLagSeconds: number;
  /** Milliseconds between checks. */
  intervalMs: number;
  /** Runs {@link LAG_SQL} on a replica's pool, with a deadline; rejects when it cannot. */
  probe: (member: ReplicaMember) => Promise<{ standby: boolean; lag: number }>;
  events: EngineEvents;
}

/**
 * The read replicas of an engine: which of them may serve a read now, in turn. Each is checked every
 * `intervalMs` (a timer started by the first read, unreferenced, stopped by `close`), and a read that
 * loses its connection marks its replica down at once, so the next read skips it without waiting for
 * the check.
 *
 * @internal
 */
export class ReplicaSet {
  private turn = 0;
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;
  private closed = false;

  constructor(
    readonly members: readonly ReplicaMember[],
    private readonly options: ReplicaSetOptions,
  ) {}

  /** The replicas to try for a read, in order: those up, starting with the next in turn. */
  async candidates(): Promise<ReplicaMember[]> {
    if (this.timer === undefined && !this.closed) {
      this.timer = setInterval(() => void this.check(), this.options.intervalMs);
      this.timer.unref();
      await this.check();
    }
    const up = this.members.filter((m) => m.status.state === 'up');
    if (up.length === 0) return up;
    const first = this.turn++ % up.length;
    return [...up.slice(first), ...up.slice(0, first)];
  }

  /** Checks every replica now (one check at a time; a caller during a check waits for it). */
  check(): Promise<void> {
    this.checking ??= Promise.all(this.members.map((m) => this.checkOne(m))).then(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  /** A read on `member` lost its connection: skip it until a check finds it again. */
  markDown(member: ReplicaMember, error: unknown): void {
    this.update(member, { state: 'down', lagSeconds: null, error: errorLine(error) });
  }

  /** Every replica's last known state. */
  status(): ReplicaStatus[] {
    return this.members.map((m) => ({ ...m.status }));
  }

  /** Stops the checks. */
  close(): void {
    this.closed = true;
    clearInterval(this.timer);
  }

  private async checkOne(member: ReplicaMember): Promise<void> {
    try {
      const { standby, lag } = await this.options.probe(member);
      const state = lag > this.options.maxLagSeconds ? 'lagging' : 'up';
      this.update(member, { state, lagSeconds: lag, standby });
    } catch (error) {
      this.update(member, { state: 'down', lagSeconds: null, error: errorLine(error) });
    }
  }

  private update(member: ReplicaMember, change: Partial<ReplicaStatus>): void {
    const before = member.status.state;
    const { error: _previous, ...kept } = member.status;
    member.status = { ...kept, ...change, checkedAt: new Date() };
    if (member.status.state !== before) this.options.events.emit('replica', { ...member.status });
  }
}
