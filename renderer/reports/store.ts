import { createStore, type StoreApi } from 'zustand/vanilla';
import type { BreakGlassApi, ErrorInfo, ExportedReport } from '../../app/contract';
import type { SessionView } from '../../app/views';
import { settle } from '../stores/bridge';
import type { FeatureStoreFactory } from '../stores/context';
import type { PolicyState } from '../stores/policy';

/** A report's format as the contract names it. */
export type ReportFormat = 'md' | 'html' | 'pdf';

/**
 * The Reports view (issue 7): what the report covers (one session, or a period of whole UTC days
 * and optionally one environment), the format, and the last export's result. One store per window
 * (`reportsStore`), so coming back to the view keeps the choices and shows where the last report went.
 */
export interface ReportsState {
  kind: 'session' | 'period';
  sessionId: string;
  query: string;
  from: string;
  to: string;
  /** '' for every environment. */
  environment: string;
  format: ReportFormat;
  sessions: SessionView[];
  environments: string[];
  loadError: ErrorInfo | null;
  exporting: boolean;
  result: ExportedReport | null;
  error: ErrorInfo | null;
  actions: {
    /** Reads the sessions to choose from and the policy's environments. */
    load(): Promise<void>;
    set(patch: Partial<Pick<ReportsState, 'kind' | 'sessionId' | 'query' | 'from' | 'to' | 'environment' | 'format'>>): void;
    exportReport(): Promise<void>;
  };
}

/** Today and the first day of its month, in UTC: report periods are whole UTC days. */
function defaultPeriod(now: number): { from: string; to: string } {
  const to = new Date(now).toISOString().slice(0, 10);
  return { from: `${to.slice(0, 8)}01`, to };
}

/** Creates the Reports view's store over one API; the environments come from the policy source. */
export function createReportsStore(api: BreakGlassApi, policy: StoreApi<PolicyState>, now: () => number = Date.now): StoreApi<ReportsState> {
  return createStore<ReportsState>()((set, get) => ({
    kind: 'session',
    sessionId: '',
    query: '',
    ...defaultPeriod(now()),
    environment: '',
    format: 'md',
    sessions: [],
    environments: [],
    loadError: null,
    exporting: false,
    result: null,
    error: null,
    actions: {
      load: async () => {
        const [sessions, inForce] = await Promise.all([settle(api.sessions.list({})), policy.getState().actions.load()]);
        if (!sessions.ok) {
          set({ loadError: sessions.error });
          return;
        }
        // Newest first, as the service lists them; the first one is preselected until the operator picks.
        const list = sessions.value;
        const current = get().sessionId;
        set({
          sessions: list,
          loadError: null,
          sessionId: current && list.some((s) => s.sessionId === current) ? current : (list[0]?.sessionId ?? ''),
          environments: inForce.policy ? inForce.policy.environments.map((e) => e.id) : [...new Set(list.map((s) => s.environment))].sort(),
        });
      },
      set: (patch) => set({ ...patch, error: null }),
      exportReport: async () => {
        const s = get();
        if (s.exporting) return;
        const scope = s.kind === 'session' ? { sessionId: s.sessionId } : { from: s.from, to: s.to, ...(s.environment ? { environment: s.environment } : {}) };
        set({ exporting: true, error: null, result: null });
        const r = await api.report.export({ scope, format: s.format });
        set(r.ok ? { exporting: false, result: r.value } : { exporting: false, error: r.error });
      },
    },
  }));
}

/** The Reports store of one window (stores/context.tsx `useFeatureStore`). */
export const reportsStore: FeatureStoreFactory<ReportsState> = ({ api, policy }) => ({ store: createReportsStore(api, policy) });
