/**
 * events.ts: the in-process event bus. Services publish state changes, log lines and pull progress;
 * live UI streams (server-sent events) and metrics subscribe. Nothing here touches I/O.
 */
import { EventEmitter } from 'node:events';
import type { ContainerAction, ContainerState, LogEntry } from './types.ts';

/** BusEvents maps event names to their payloads. */
export interface BusEvents {
  state: [{ containerId: number; uuid: string; projectId: number; state: ContainerState; reason: string | null }];
  log: [LogEntry & { uuid: string }];
  progress: [{ containerId: number; uuid: string; status: string; percent: number | null }];
  /** engine-status is a host's engine coming or going (hostId null: the built-in host, DOCKER_HOST). */
  'engine-status': [{ up: boolean; reason: string | null; hostId?: number | null }];
  /** action is published when an action job ends (metrics count starts and their durations). */
  action: [{ containerId: number; uuid: string; action: ContainerAction; ok: boolean; seconds: number; code: string | null }];
}

/** Bus is a typed EventEmitter. */
export class Bus extends EventEmitter<BusEvents> {
  constructor() {
    super();
    this.setMaxListeners(0);
  }
}
