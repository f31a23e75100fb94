/**
 * The pure logic behind failover and read routing, without a server: which host the next connection
 * tries first, which connections a failover retires, and which replicas a read may use, in what order.
 * The real thing, on real streaming replication, is test/replication.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { resolveConnectionSettings } from '../src/index.js';
import { EngineEvents } from '../src/engine/engine-events.js';
import { HostTracker } from '../src/engine/host-selection.js';
import { ReplicaSet, type ReplicaMember } from '../src/engine/replica-set.js';
import type { ReplicaStatus } from '../src/engine/replica-status.js';

const hostsOf = (tracker: HostTracker) => tracker.order().map((h) => h.host.host);

describe('HostTracker', () => {
  const threeHosts = () => new HostTracker(resolveConnectionSettings('postgres://u@a:1,b:2,c:3/db?target_session_attrs=read-write'));

  it('tries the hosts in URL order, then starting with the one that last served', () => {
    const tracker = threeHosts();
    expect(hostsOf(tracker)).toEqual(['a', 'b', 'c']);
    tracker.stamp({}, 1);
    expect(hostsOf(tracker)).toEqual(['b', 'c', 'a']);
  });

  it('retires every connection of the generation a failure was reported in, and searches from the next host', () => {
    const tracker = threeHosts();
    const [first, second] = [{}, {}];
    tracker.stamp(first, 0);
    tracker.stamp(second, 0);
    expect(tracker.stale(first)).toBe(false);
    tracker.suspect(first);
    expect([tracker.stale(first), tracker.stale(second)]).toEqual([true, true]);
    expect(hostsOf(tracker)).toEqual(['b', 'c', 'a']);
    expect(tracker.hostOf(second)).toEqual({ host: 'a', port: 1 });

    // A report about an already retired connection changes nothing; a fresh connection is current.
    const fresh = {};
    tracker.stamp(fresh, 1);
    tracker.suspect(second);
    expect(tracker.stale(fresh)).toBe(false);
    expect(hostsOf(tracker)).toEqual(['b', 'c', 'a']);
  });

  it('never retires connections for one host with target_session_attrs=any, which has nowhere else to go', () => {
    const tracker = new HostTracker(resolveConnectionSettings('postgres://u@a:1/db'));
    const connection = {};
    tracker.stamp(connection, 0);
    expect(tracker.choosing).toBe(false);
    tracker.suspect(connection);
    expect(tracker.stale(connection)).toBe(false);
  });

  it('treats a connection it never stamped (an adopted pool) as current', () => {
    const tracker = threeHosts();
    tracker.suspect({});
    expect(tracker.stale({})).toBe(false);
  });
});

describe('ReplicaSet', () => {
  const member = (name: string): ReplicaMember =>
    ({ name, settings: undefined, sequelize: undefined, status: { name, state: 'unknown', lagSeconds: null, standby: null, checkedAt: null } }) as unknown as ReplicaMember;

  function replicaSet(lags: Record<string, number | Error>) {
    const events = new EngineEvents();
    const changes: ReplicaStatus[] = [];
    events.on('replica', (e) => changes.push(e));
    const set = new ReplicaSet(Object.keys(lags).map(member), {
      maxLagSeconds: 5,
      intervalMs: 60_000,
      events,
      probe: async (m) => {
        const lag = lags[m.name]!;
        if (lag instanceof Error) throw lag;
        return { standby: true, lag };
      },
    });
    return { set, changes, lags };
  }

  it('checks on the first read, then hands out the replicas that are up in turn', async () => {
    const { set } = replicaSet({ r1: 0, r2: 1, r3: 0.5 });
    try {
      const firsts: string[] = [];
      for (let i = 0; i < 6; i++) firsts.push((await set.candidates())[0]!.name);
      expect(firsts).toEqual(['r1', 'r2', 'r3', 'r1', 'r2', 'r3']);
      expect((await set.candidates()).map((m) => m.name)).toHaveLength(3);
    } finally {
      set.close();
    }
  });

  it('skips a replica past the lag bound and one whose check fails, reporting each change once', async () => {
    const { set, changes, lags } = replicaSet({ r1: 0, r2: 9, r3: new Error('connect ECONNREFUSED 127.0.0.1:3') });
    try {
      expect((await set.candidates()).map((m) => m.name)).toEqual(['r1']);
      expect(set.status().map((s) => [s.name, s.state, s.lagSeconds])).toEqual([
        ['r1', 'up', 0],
        ['r2', 'lagging', 9],
        ['r3', 'down', null],
      ]);
      expect(set.status()[2]!.error).toBe('connect ECONNREFUSED 127.0.0.1:3');
      await set.check();
      expect(changes.map((c) => `${c.name} ${c.state}`)).toEqual(['r1 up', 'r2 lagging', 'r3 down']);

      lags.r2 = 1;
      lags.r3 = 0;
      await set.check();
      expect((await set.candidates()).map((m) => m.name).sort()).toEqual(['r1', 'r2', 'r3']);
      expect(set.status()[2]!.error).toBeUndefined();
    } finally {
      set.close();
    }
  });

  it('takes a replica out at once when a read loses its connection, until a check finds it again', async () => {
    const { set } = replicaSet({ r1: 0, r2: 0 });
    try {
      const [r1] = await set.candidates();
      set.markDown(r1!, new Error('Connection terminated unexpectedly'));
      expect((await set.candidates()).map((m) => m.name)).toEqual(['r2']);
      await set.check();
      expect((await set.candidates()).map((m) => m.name).sort()).toEqual(['r1', 'r2']);
    } finally {
      set.close();
    }
  });
});
