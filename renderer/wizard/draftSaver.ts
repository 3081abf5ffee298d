import type { StoreApi } from 'zustand/vanilla';
import type { BreakGlassApi } from '../../app/contract';
import { settle } from '../stores/bridge';
import { toDraft } from './fields';
import type { WizardState } from './state';

/** Debounce of the draft save while typing. */
export const SAVE_DELAY_MS = 300;
/** Retry of a failed draft save. */
export const SAVE_RETRY_MS = 5_000;

/** Keeps the draft on disk in step with the fields (issue 4: nothing typed is lost to a reload or a restart). */
export interface DraftSaver {
  /** Something changed: save shortly (debounced). */
  changed(): void;
  /** Saves now if anything changed; resolves when the draft on disk holds it (or the save failed). */
  saveNow(): Promise<void>;
  /** While a declaration commits, no save may land: the service discards the draft when it succeeds. */
  suppress(on: boolean): void;
  /** Forgets unsaved changes and any scheduled save (after a declaration or a discard); resolves once a running save ended. */
  reset(): Promise<void>;
}

/** Creates the saver over the wizard store; saves go through `draft.save`, one at a time. */
export function createDraftSaver(api: BreakGlassApi, store: Pick<StoreApi<WizardState>, 'getState' | 'setState'>): DraftSaver {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let saving: Promise<void> | null = null;
  let again = false;
  /** Set when something changed since the last save started. */
  let dirty = false;
  let suppressed = false;
  const get = store.getState;
  const setDraft = (patch: Partial<WizardState['draft']>) => store.setState({ draft: { ...get().draft, ...patch } });

  const clear = () => {
    if (timer) clearTimeout(timer);
    timer = null;
  };

  const schedule = (delay = SAVE_DELAY_MS) => {
    if (suppressed) return;
    clear();
    timer = setTimeout(() => {
      timer = null;
      void saveNow();
    }, delay);
  };

  const saveNow = async (): Promise<void> => {
    clear();
    if (saving) {
      again = dirty || again;
      return saving;
    }
    if (!dirty || suppressed) return;
    saving = (async () => {
      do {
        again = false;
        dirty = false;
        const s = get();
        setDraft({ saving: true });
        // draft.save is refused in observer mode and by a full disk: the fields stay on screen either way.
        const r = await settle(api.draft.save(toDraft(s.fields, s.step, s.maxStep)));
        if (r.ok) setDraft({ saving: false, exists: true, savedAt: r.value.savedAt, error: null });
        else {
          dirty = true;
          setDraft({ saving: false, error: r.error });
          schedule(SAVE_RETRY_MS);
          break;
        }
      } while (again && dirty && !suppressed);
    })().finally(() => {
      saving = null;
    });
    return saving;
  };

  return {
    changed() {
      dirty = true;
      schedule();
    },
    saveNow,
    suppress(on) {
      suppressed = on;
      if (!on && dirty) schedule();
    },
    async reset() {
      dirty = false;
      clear();
      if (saving) await saving;
    },
  };
}
