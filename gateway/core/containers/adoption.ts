/**
 * adoption.ts: whether an engine container without Portico's labels may be taken as a record's.
 * Containers imported from Kiosc (docs/kiosc-import.md) name the Docker container Kiosc started;
 * Portico follows it until its next recreate. A wrong id in the imported row must never hand
 * Portico someone else's container (which its next recreate would remove), so the engine
 * container must look like the one Kiosc made for this record.
 */
import type { ContainerInfo } from '../engine/engine.ts';
import type { Container } from '../types.ts';
import { LABELS } from './spec.ts';
import { GATEWAY_LABEL } from './zombies.ts';

/** adoptable tells whether `info` (found by `c.dockerId`, without Portico's labels) is `c`'s container. */
export function adoptable(c: Container, info: ContainerInfo): boolean {
  // Portico's own containers (another instance's, or the gateway) are never adopted.
  if (info.labels[LABELS.managed] || info.labels[LABELS.instance] || info.labels[LABELS.container] || info.labels[GATEWAY_LABEL]) return false;
  // Kiosc recorded the image it started; without that, the TITLE variable Kiosc sets in every container.
  if (c.imageId) return info.imageId === c.imageId;
  return (info.env ?? []).includes(`TITLE=${c.title}`);
}
