import { EventEmitter } from 'node:events';
import type { ReplicaStatus } from './replica-status.js';

/** What the engine reports about itself. Echo logging and metrics hooks both listen here. */
export interface EngineEventMap {
  /** A statement finished. `error` is set when it failed. */
  query: [event: QueryEvent];
  /** A connection was handed out after waiting `waitMs`. */
  acquire: [event: { waitMs: number }];
  /** Waiting for a connection failed, usually on the pool timeout. */
  acquireTimeout: [event: { waitMs: number; error: Error }];
  /** A connection went back to the pool. */
  release: [event: Record<string, never>];
  /** A new server connection was opened. */
  connect: [event: Record<string, never>];
  /** A server connection was closed. `reason` says why when the library closed it. */
  disconnect: [event: { reason?: string }];
  /** A read replica changed state (up, lagging, down). */
  replica: [event: ReplicaStatus];
}

export interface QueryEvent {
  sql: string;
  durationMs: number;
  error?: Error;
  /** The replica (`host:port`) that ran it; absent when the primary did. */
  replica?: string;
}

/** A typed, per-engine event emitter. Never process-wide (decision 13). */
export class EngineEvents extends EventEmitter<EngineEventMap> {}
