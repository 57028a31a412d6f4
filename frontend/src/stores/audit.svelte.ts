// audit.svelte.ts: the audit log — every decision and external call, newest
// first — and whether its hash chain is intact.
import type { Api, ApiError, AuditCheckDTO, AuditEntryDTO } from '../api';
import { toApiError } from '../api';

export const auditPage = 100;

export class AuditStore {
  entries = $state.raw<AuditEntryDTO[]>([]);
  total = $state(0);
  check = $state.raw<AuditCheckDTO | null>(null);
  loading = $state(false);
  loaded = $state(false);
  checking = $state(false);
  error = $state.raw<ApiError | null>(null);

  constructor(private api: Pick<Api, 'AuditLog' | 'VerifyAudit'>) {}

  /** load reads the newest page (the log is append-only: the end is newest). */
  async load(): Promise<void> {
    this.loading = true;
    try {
      const head = await this.api.AuditLog(0, 1);
      const offset = Math.max(0, head.total - auditPage);
      const page = await this.api.AuditLog(offset, auditPage);
      this.total = page.total;
      this.entries = [...page.entries].sort((a, b) => b.seq - a.seq);
      this.error = null;
      this.loaded = true;
    } catch (e) {
      this.error = toApiError(e);
    } finally {
      this.loading = false;
    }
  }

  async verify(): Promise<void> {
    this.checking = true;
    try {
      this.check = await this.api.VerifyAudit();
      this.error = null;
    } catch (e) {
      this.error = toApiError(e);
    } finally {
      this.checking = false;
    }
  }
}
