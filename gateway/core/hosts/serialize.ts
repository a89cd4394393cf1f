/**
 * serialize.ts: how a container host is shown (REST API, CLI, UI): the TLS material as what it
 * says about itself (subject, issuer, expiry, fingerprint), and the client key never, only `<masked>`.
 */
import { X509Certificate } from 'node:crypto';
import type { HostRecord } from '../store/hosts.ts';
import type { HostStatus } from './registry.ts';
import { MASKED } from './validate.ts';

/** CertSummary is what a certificate says about itself. */
export interface CertSummary { subject: string; issuer: string; valid_to: string; fingerprint256: string }

function summary(pem: string): CertSummary | null {
  try {
    const c = new X509Certificate(pem);
    return { subject: c.subject.replace(/\n/g, ', '), issuer: c.issuer.replace(/\n/g, ', '), valid_to: new Date(c.validTo).toISOString(), fingerprint256: c.fingerprint256 };
  } catch {
    return null;
  }
}

/** serializeHost is a host's public shape: never its key. */
export function serializeHost(h: HostRecord, status: HostStatus, used: { containers: number; templates: number }): Record<string, unknown> {
  return {
    id: h.id, name: h.name, url: h.url, mode: h.mode, builtin: h.builtin, default: h.isDefault,
    publish_address: h.publishAddress,
    tls: h.tls ? { ca: summary(h.tls.ca), cert: summary(h.tls.cert), key: MASKED } : null,
    status: { engine: status.up ? 'up' : 'down', reason: status.reason, since: status.since },
    containers: used.containers, templates: used.templates,
    created_at: h.createdAt, modified_at: h.modifiedAt,
  };
}
