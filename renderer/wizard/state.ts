import type { Committed, ErrorInfo } from '../../app/contract';
import type { Policy } from '../../app/policy';
import type { PreconditionResult } from '../../app/service';
import type { GovernedPathRow, StepIndex, WizardFields } from './fields';

/**
 * The declaration wizard's state (issue 4): the fields as typed, the step, which errors are
 * showing, the host's precondition checks, the locally kept draft and the declaration in flight.
 * One vanilla store (zustand guides) made of slices (wizard/slices/), changed only through its
 * actions; the actions call the preload API.
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
  /** The policy in force, from the policy source (renderer/stores/policy.ts). */
  policy: Policy | null;
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

/** The data of the wizard's state, without its actions. */
export type WizardData = Omit<WizardState, 'actions'>;

/** No draft on disk, nothing being saved. */
export const NO_DRAFT: DraftState = { exists: false, savedAt: null, saving: false, error: null, resumedFrom: null, confirmingDiscard: false };

/** No check run yet. */
export const NO_CHECKS: PreconditionsState = { status: 'idle', results: null, checkedFor: null, checkedAt: null, error: null, rowInFlight: null };

/** No declaration in flight. */
export const NOT_DECLARING: DeclaringState = { status: 'idle', startedAt: null, error: null };
