import './zodConfig';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { BreakGlassApi, CallRequest, Committed, Draft, ErrorInfo } from '../../app/contract';
import { PersonSchema } from '../../app/identity';
import type { Policy } from '../../app/policy';
import type { PreconditionResult } from '../../app/service';
import type { SessionView } from '../../app/views';
import { bridgeFailure, type StatusState } from '../stores/status';
import type { UiState } from '../stores/ui';
import { emptyFields, emptyRow, fromDraft, REVIEW_STEP, toDraft, withRequiredPaths, type GovernedPathRow, type StepIndex, type WizardFields } from './fields';
import { stepIssues, stepOfPath, toDeclaration, validateFields, type FieldIssues } from './validate';

/**
 * The declaration wizard's state (issue 4): the fields as typed, the step, which errors are
 * showing, the host's precondition checks, the locally kept draft and the declaration in flight.
 * One vanilla store (zustand guides), changed only through its actions; the actions call the
 * preload API. It lives beside the other stores, not in a component, so that nothing typed is
 * lost when the panel around it re-renders (a session declared meanwhile by the CLI, say).
 */

/** The host's precondition checks (procedure.md §3) for the inputs they were run with. */
export interface PreconditionsState {
  status: 'idle' | 'checking' | 'done' | 'failed';
  results: PreconditionResult[] | null;
  /** The inputs (environment, incident ID, operator) the results answer, as a key. */
  checkedFor: string | null;
  checkedAt: string | null;
  /** The call itself failed (not a check): the reason. */
  error: ErrorInfo | null;
  /** The row whose "Check again" started the running check, for its progress label. */
  rowInFlight: string | null;
}

/** The declaration call. */
export interface DeclaringState {
  status: 'idle' | 'declaring' | 'failed';
  startedAt: number | null;
  error: ErrorInfo | null;
}

/** The draft kept locally (never in the evidence repository). */
export interface DraftState {
  /** A draft exists on disk: offered back on the home screen. */
  exists: boolean;
  savedAt: string | null;
  saving: boolean;
  error: ErrorInfo | null;
  /** When the fields were restored from a saved draft: its time, for the "resumed" note. */
  resumedFrom: string | null;
  /** Asking "discard the draft?" before doing it. */
  confirmingDiscard: boolean;
}

/** The wizard's state. */
export interface WizardState {
  phase: 'idle' | 'loading' | 'ready' | 'error';
  loadError: ErrorInfo | null;
  policy: Policy | null;
  policySha: string | null;
  fields: WizardFields;
  step: StepIndex;
  maxStep: StepIndex;
  /** Field paths the operator has left: their errors show (issue 4, "as soon as the field is left"). */
  touched: ReadonlySet<string>;
  /** Steps on which "Next" (or "Declare") was pressed: every error of the step shows. */
  attempted: ReadonlySet<number>;
  /** Bumped to ask the step to move the focus to its first error. */
  focusRequest: number;
  /** Bumped to ask the wizard to move the focus to the step's heading. */
  headingRequest: number;
  /** Why "Next" did not move on, shown beside it. */
  blocked: string | null;
  /** A "Next" that must wait for the checks is running. */
  advancing: boolean;
  draft: DraftState;
  preconditions: PreconditionsState;
  declaring: DeclaringState;
  /** The last declaration committed from this wizard (the home screen focuses its session). */
  declared: { sessionId: string; incidentId: string; commit: string } | null;
  actions: WizardActions;
}

/** What the wizard can do. */
export interface WizardActions {
  /** Reads the policy and the saved draft (once; later calls return the same promise). */
  init(): Promise<void>;
  /** Re-reads the policy in force (it changed in the repository). */
  refreshPolicy(): Promise<void>;
  /** Changes fields; the draft is saved shortly after. */
  update(patch: Partial<WizardFields>): void;
  updateRow(key: string, patch: Partial<Pick<GovernedPathRow, 'path' | 'failure'>>): void;
  addRow(): string;
  removeRow(key: string): void;
  toggleScope(scope: string, on: boolean): void;
  /** The operator left a field: its errors show from now on. */
  touch(path: string): void;
  next(): Promise<void>;
  back(): void;
  /** Jumps to a step already reached; forward jumps stop at the first step with a problem. */
  goTo(step: StepIndex): Promise<void>;
  /** Runs the host's checks for the current inputs (`row`: which "Check again" asked). */
  checkPreconditions(row?: string): Promise<PreconditionResult[] | null>;
  declare(): Promise<Committed | null>;
  /** Saves the draft now (step changes, closing the wizard). */
  saveNow(): Promise<void>;
  askDiscard(ask: boolean): void;
  discard(): Promise<void>;
  /** The home screen has shown (and focused) the declared session. */
  acknowledgeDeclared(): void;
}

/** Debounce of the draft save while typing. */
const SAVE_DELAY_MS = 300;
/** Retry of a failed draft save. */
const SAVE_RETRY_MS = 5_000;

/** The key of the inputs the precondition checks depend on. */
export function preconditionKey(fields: WizardFields): string {
  return JSON.stringify({ environment: fields.environment, incidentId: fields.incidentId.trim(), operator: operatorOf(fields) });
}

/** The operator, when it is a well-formed person (the checks take it only then). */
export function operatorOf(fields: WizardFields): { name: string; email: string } | null {
  const p = PersonSchema.safeParse({ name: fields.operatorName, email: fields.operatorEmail });
  return p.success ? p.data : null;
}

/** This host's active session in `environment`, if any (procedure.md §5: one per environment). */
export function activeSessionIn(open: readonly SessionView[] | undefined, environment: string): SessionView | null {
  if (!environment) return null;
  return open?.find((s) => s.mine && s.phase === 'active' && s.environment === environment) ?? null;
}

/** Every issue the wizard shows: the schema's, the active-session conflict and the confirmation. */
export function wizardIssues(policy: Policy | null, fields: WizardFields, open: readonly SessionView[] | undefined): FieldIssues {
  const out = new Map<string, readonly string[]>(policy ? validateFields(policy, fields) : []);
  const conflict = activeSessionIn(open, fields.environment);
  if (conflict) {
    out.set('environment', [
      ...(out.get('environment') ?? []),
      `Pick another environment: ${conflict.environment} already has an active session on this host (${conflict.incidentId}), and only one may be active per environment.`,
    ]);
  }
  const incident = fields.incidentId.trim();
  const typed = fields.confirmation.trim();
  if (typed === '') out.set('confirmation', [`Type the incident ID${incident ? ` ${incident}` : ''} to confirm the declaration.`]);
  else if (typed !== incident) out.set('confirmation', [`"${typed}" does not match the incident ID ${incident || '(none entered yet)'}: type it exactly as shown above.`]);
  return out;
}

/** Issues that block leaving a step (the confirmation only blocks declaring). */
function blocking(issues: FieldIssues, step: StepIndex): Array<{ path: string; messages: readonly string[] }> {
  const list = stepIssues(issues, step);
  if (step === REVIEW_STEP && issues.has('confirmation')) list.push({ path: 'confirmation', messages: issues.get('confirmation')! });
  return list;
}

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** Creates the wizard store, bound to one API and to the status and UI stores it reads. */
export function createWizardStore(api: BreakGlassApi, status: StoreApi<StatusState>, ui: StoreApi<UiState>): StoreApi<WizardState> {
  let initPromise: Promise<void> | null = null;
  let saveTimer: ReturnType<typeof setTimeout> | null = null;
  let saving: Promise<void> | null = null;
  let saveAgain = false;
  /** Set when something changed since the last save started. */
  let dirty = false;
  /** No saves while the declaration is committing: the service discards the draft when it succeeds. */
  let saveSuppressed = false;
  let checking: Promise<PreconditionResult[] | null> | null = null;
  let checkingKey: string | null = null;

  const identity = () => status.getState().snapshot?.gitIdentity ?? null;
  /** The wizard as it starts afresh, after a declaration and after "discard": one place, so the two cannot drift. */
  const emptyWizard = (policy: Parameters<typeof emptyFields>[0]): Partial<WizardState> => ({
    fields: emptyFields(policy, identity()),
    step: 0,
    maxStep: 0,
    touched: new Set(),
    attempted: new Set(),
    blocked: null,
    draft: { exists: false, savedAt: null, saving: false, error: null, resumedFrom: null, confirmingDiscard: false },
    preconditions: { status: 'idle', results: null, checkedFor: null, checkedAt: null, error: null, rowInFlight: null },
    declaring: { status: 'idle', startedAt: null, error: null },
  });
  const open = () => status.getState().snapshot?.open;

  const store = createStore<WizardState>()((set, get) => {
    const issues = () => wizardIssues(get().policy, get().fields, open());

    const scheduleSave = (delay = SAVE_DELAY_MS) => {
      if (saveSuppressed) return;
      if (saveTimer) clearTimeout(saveTimer);
      saveTimer = setTimeout(() => {
        saveTimer = null;
        void saveNow();
      }, delay);
    };

    const saveNow = async (): Promise<void> => {
      if (saveTimer) {
        clearTimeout(saveTimer);
        saveTimer = null;
      }
      if (saving) {
        saveAgain = dirty || saveAgain;
        return saving;
      }
      if (!dirty || saveSuppressed) return;
      saving = (async () => {
        do {
          saveAgain = false;
          dirty = false;
          const s = get();
          set({ draft: { ...s.draft, saving: true } });
          // draft.save is refused in observer mode and by a full disk: the fields stay on screen either way.
          const r = await api.draft.save(toDraft(s.fields, s.step, s.maxStep)).catch((e: unknown) => bridgeFailure(e));
          if (r.ok) set({ draft: { ...get().draft, saving: false, exists: true, savedAt: r.value.savedAt, error: null } });
          else {
            dirty = true;
            set({ draft: { ...get().draft, saving: false, error: r.error } });
            scheduleSave(SAVE_RETRY_MS);
            break;
          }
        } while (saveAgain && dirty && !saveSuppressed);
      })().finally(() => {
        saving = null;
      });
      return saving;
    };

    const changed = () => {
      dirty = true;
      scheduleSave();
    };

    const moveTo = (step: StepIndex) => {
      const s = get();
      set({ step, maxStep: Math.max(s.maxStep, step) as StepIndex, blocked: null, headingRequest: s.headingRequest + 1 });
      dirty = true;
      void saveNow();
    };

    /** Shows every error of `step` and asks for the focus on the first one. */
    const refuse = (step: StepIndex, message: string) => {
      const s = get();
      const attempted = new Set(s.attempted);
      attempted.add(step);
      set({ step, attempted, blocked: message, focusRequest: s.focusRequest + 1, headingRequest: s.step === step ? s.headingRequest : s.headingRequest + 1, advancing: false });
    };

    /** Validates one step as "Next" does: true when it may be left. */
    const checkStep = async (step: StepIndex): Promise<boolean> => {
      const list = blocking(issues(), step);
      if (list.length > 0) {
        refuse(step, list.length === 1 ? '1 field needs attention on this step: fix it, then continue.' : `${list.length} fields need attention on this step: fix them, then continue.`);
        return false;
      }
      if (step === 1) {
        const s = get();
        const fresh = s.preconditions.status === 'done' && s.preconditions.checkedFor === preconditionKey(s.fields);
        const results = fresh ? s.preconditions.results : await get().actions.checkPreconditions();
        if (!results) {
          refuse(1, 'The checks could not be run: see the reason above, then check again.');
          return false;
        }
        const failed = results.filter((r) => r.status === 'fail');
        if (failed.length > 0) {
          refuse(1, `${count(failed.length, 'check')} failed. ${failed.length === 1 ? 'It blocks' : 'They block'} the declaration: fix what ${failed.length === 1 ? 'it says' : 'they say'}, then press "Check again".`);
          return false;
        }
      }
      return true;
    };

    return {
      phase: 'idle',
      loadError: null,
      policy: null,
      policySha: null,
      fields: emptyFields(null, null),
      step: 0,
      maxStep: 0,
      touched: new Set(),
      attempted: new Set(),
      focusRequest: 0,
      headingRequest: 0,
      blocked: null,
      advancing: false,
      draft: { exists: false, savedAt: null, saving: false, error: null, resumedFrom: null, confirmingDiscard: false },
      preconditions: { status: 'idle', results: null, checkedFor: null, checkedAt: null, error: null, rowInFlight: null },
      declaring: { status: 'idle', startedAt: null, error: null },
      declared: null,
      actions: {
        init() {
          initPromise ??= (async () => {
            set({ phase: 'loading', loadError: null });
            const [policy, draft] = await Promise.all([
              api.policy.get({}).catch((e: unknown) => bridgeFailure(e)),
              api.draft.get({}).catch((e: unknown) => bridgeFailure(e)),
            ]);
            if (!policy.ok || !policy.value.policy) {
              initPromise = null;
              set({ phase: 'error', loadError: policy.ok ? { code: 'refused', message: `The policy is invalid: ${policy.value.problems.join(' ')}` } : policy.error });
              return;
            }
            const p = policy.value.policy;
            const sha = status.getState().snapshot?.policy;
            set({ policy: p, policySha: sha?.ok ? sha.sha256 : null });
            const saved: Draft | null = draft.ok ? draft.value : null;
            if (saved) {
              const restored = fromDraft(saved);
              set({
                phase: 'ready',
                fields: { ...restored.fields, governedPaths: withRequiredPaths(restored.fields.governedPaths, p, restored.fields.trigger) },
                step: restored.step,
                maxStep: restored.maxStep,
                draft: { ...get().draft, exists: true, savedAt: restored.savedAt, resumedFrom: restored.savedAt },
              });
            } else {
              set({ phase: 'ready', fields: emptyFields(p, identity()) });
            }
          })();
          return initPromise;
        },

        async refreshPolicy() {
          const r = await api.policy.get({}).catch((e: unknown) => bridgeFailure(e));
          if (!r.ok || !r.value.policy) return;
          const p = r.value.policy;
          const sha = status.getState().snapshot?.policy;
          const s = get();
          set({ policy: p, policySha: sha?.ok ? sha.sha256 : null, fields: { ...s.fields, governedPaths: withRequiredPaths(s.fields.governedPaths, p, s.fields.trigger) } });
        },

        update(patch) {
          const s = get();
          const fields = { ...s.fields, ...patch };
          if (patch.trigger !== undefined && patch.trigger !== s.fields.trigger) {
            fields.governedPaths = withRequiredPaths(fields.governedPaths, s.policy, fields.trigger);
          }
          if (patch.environment !== undefined && patch.environment !== s.fields.environment && s.policy) {
            // Scopes are per environment: keep only those the new environment offers.
            const env = s.policy.environments.find((e) => e.id === patch.environment);
            const allowed = new Set(env?.scopes.map((x) => x.id) ?? []);
            fields.scopes = fields.scopes.filter((x) => allowed.has(x));
          }
          set({ fields, blocked: null });
          changed();
        },

        updateRow(key, patch) {
          const s = get();
          set({ fields: { ...s.fields, governedPaths: s.fields.governedPaths.map((r) => (r.key === key ? { ...r, ...patch, path: r.required ? r.path : patch.path ?? r.path } : r)) } });
          changed();
        },

        addRow() {
          const row = emptyRow();
          const s = get();
          set({ fields: { ...s.fields, governedPaths: [...s.fields.governedPaths, row] } });
          changed();
          return row.key;
        },

        removeRow(key) {
          const s = get();
          set({ fields: { ...s.fields, governedPaths: s.fields.governedPaths.filter((r) => r.key !== key) } });
          changed();
        },

        toggleScope(scope, on) {
          const s = get();
          const scopes = on ? [...new Set([...s.fields.scopes, scope])] : s.fields.scopes.filter((x) => x !== scope);
          get().actions.update({ scopes });
        },

        touch(path) {
          const s = get();
          if (s.touched.has(path)) return;
          const touched = new Set(s.touched);
          touched.add(path);
          set({ touched });
        },

        async next() {
          const s = get();
          if (s.advancing || s.declaring.status === 'declaring') return;
          if (s.step >= REVIEW_STEP) return;
          set({ advancing: true });
          const ok = await checkStep(s.step);
          set({ advancing: false });
          if (ok) moveTo((s.step + 1) as StepIndex);
        },

        back() {
          const s = get();
          if (s.step === 0 || s.declaring.status === 'declaring') return;
          moveTo((s.step - 1) as StepIndex);
        },

        async goTo(step) {
          const s = get();
          if (s.advancing || s.declaring.status === 'declaring' || step === s.step || step > s.maxStep) return;
          if (step < s.step) return moveTo(step);
          set({ advancing: true });
          for (let i = s.step; i < step; i++) {
            if (!(await checkStep(i as StepIndex))) return;
          }
          set({ advancing: false });
          moveTo(step);
        },

        checkPreconditions(row) {
          const fields = get().fields;
          const key = preconditionKey(fields);
          // One check at a time: the same inputs share the running one; new inputs run right after it.
          if (checking) return checkingKey === key ? checking : checking.then(() => get().actions.checkPreconditions(row));
          checkingKey = key;
          const operator = operatorOf(fields);
          const incidentId = fields.incidentId.trim().slice(0, 500);
          set({ preconditions: { ...get().preconditions, status: 'checking', error: null, rowInFlight: row ?? null } });
          checking = (async () => {
            const r = await api.preconditions
              .check({
                ...(fields.environment ? { environment: fields.environment.slice(0, 63) } : {}),
                ...(incidentId ? { incidentId } : {}),
                ...(operator ? { operator } : {}),
              })
              .catch((e: unknown) => bridgeFailure(e));
            if (r.ok) {
              set({ preconditions: { status: 'done', results: r.value, checkedFor: key, checkedAt: new Date().toISOString(), error: null, rowInFlight: null } });
              return r.value;
            }
            set({ preconditions: { ...get().preconditions, status: 'failed', error: r.error, rowInFlight: null } });
            return null;
          })().finally(() => {
            checking = null;
          });
          return checking;
        },

        async declare() {
          const s = get();
          if (s.declaring.status === 'declaring' || s.step !== REVIEW_STEP) return null;
          // Everything again, exactly as "Next" would: a problem sends the operator to its step and field.
          const all = issues();
          const first = blocking(all, REVIEW_STEP)[0];
          if (first) {
            const step = first.path === 'confirmation' ? REVIEW_STEP : stepOfPath(first.path);
            const n = blocking(all, REVIEW_STEP).length;
            refuse(step, step === REVIEW_STEP
              ? 'Type the incident ID exactly as shown to confirm, then declare.'
              : `${count(n, 'field')} must be fixed before declaring. This step has the first one.`);
            return null;
          }
          const pre = s.preconditions;
          if (pre.status === 'done' && pre.checkedFor === preconditionKey(s.fields) && pre.results?.some((r) => r.status === 'fail')) {
            refuse(REVIEW_STEP, 'A precondition failed: go to Preconditions, fix it and check again.');
            return null;
          }
          set({ declaring: { status: 'declaring', startedAt: Date.now(), error: null }, blocked: null });
          // The draft on disk holds everything typed before the commit is attempted; no save may land after it.
          await saveNow();
          saveSuppressed = true;
          // Plain JSON, as the contract takes it (an unset field is absent, not undefined).
          const declaration = JSON.parse(JSON.stringify(toDeclaration(get().fields))) as CallRequest<'session.declare'>['declaration'];
          const r = await api.session.declare({ declaration }).catch((e: unknown) => bridgeFailure(e));
          saveSuppressed = false;
          if (!r.ok) {
            // Fail closed (procedure.md §1): no session exists; every field stays as typed, and the draft too.
            set({ declaring: { status: 'failed', startedAt: null, error: r.error } });
            if (dirty) scheduleSave();
            return null;
          }
          // The service discarded the draft with the commit; start the next declaration clean.
          dirty = false;
          if (saveTimer) clearTimeout(saveTimer);
          saveTimer = null;
          set({
            ...emptyWizard(get().policy),
            declared: { sessionId: r.value.sessionId, incidentId: s.fields.incidentId.trim(), commit: r.value.commit },
          });
          ui.getState().actions.closeDeclare();
          return r.value;
        },

        saveNow,

        acknowledgeDeclared() {
          set({ declared: null });
        },

        askDiscard(ask) {
          set({ draft: { ...get().draft, confirmingDiscard: ask } });
        },

        async discard() {
          if (get().declaring.status === 'declaring') return;
          if (saveTimer) clearTimeout(saveTimer);
          saveTimer = null;
          dirty = false;
          if (saving) await saving;
          const r = await api.draft.discard({}).catch((e: unknown) => bridgeFailure(e));
          if (!r.ok) {
            set({ draft: { ...get().draft, error: r.error, confirmingDiscard: false } });
            return;
          }
          set({
            ...emptyWizard(get().policy),
            headingRequest: get().headingRequest + 1,
          });
        },
      },
    };
  });

  // The policy may change under the console (a pull, an edit): the wizard validates with the one in force.
  status.subscribe((s, prev) => {
    const sha = s.snapshot?.policy.ok ? s.snapshot.policy.sha256 : null;
    const before = prev.snapshot?.policy.ok ? prev.snapshot.policy.sha256 : null;
    const w = store.getState();
    if (sha && sha !== before && w.phase === 'ready' && w.policySha !== sha) void w.actions.refreshPolicy();
    // The git identity arrives with the first snapshot: prefill the operator if nothing was typed.
    const id = s.snapshot?.gitIdentity;
    if (id && !prev.snapshot?.gitIdentity && w.phase === 'ready' && !w.draft.exists && !w.fields.operatorName && !w.fields.operatorEmail) {
      store.setState({ fields: { ...w.fields, operatorName: id.name, operatorEmail: id.email } });
    }
  });

  return store;
}

const wizardStores = new WeakMap<object, StoreApi<WizardState>>();

/**
 * The wizard store of one set of stores (renderer/stores/context.tsx), created on first use and
 * bound to that set's API, status and UI stores: every window and every test gets its own.
 */
export function wizardStoreOf(stores: { api: BreakGlassApi; status: StoreApi<StatusState>; ui: StoreApi<UiState> }): StoreApi<WizardState> {
  let s = wizardStores.get(stores);
  if (!s) wizardStores.set(stores, (s = createWizardStore(stores.api, stores.status, stores.ui)));
  return s;
}
