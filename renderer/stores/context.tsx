import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { useStore, type StoreApi } from 'zustand';
import type { BreakGlassApi } from '../../app/contract';
import { createClockStore, type ClockState } from './clock';
import { createPushStore, type PushState } from './push';
import { createStatusStore, type StatusState } from './status';
import { createUiStore, type UiState } from './ui';
import { wizardStoreOf, type WizardState } from '../wizard/store';
import { createSessionStore, type SessionUiState } from '../session/store';

/** One vanilla store per concern (zustand guides: "Initialize state with props"). */
export interface Stores {
  api: BreakGlassApi;
  status: StoreApi<StatusState>;
  push: StoreApi<PushState>;
  clock: StoreApi<ClockState>;
  ui: StoreApi<UiState>;
  /** The active session view (issue 5): actions, command runs, timelines. */
  session: StoreApi<SessionUiState>;
}

/** Creates a fresh set of stores bound to one API. */
export function createStores(api: BreakGlassApi, now?: () => number): Stores {
  return { api, status: createStatusStore(api), push: createPushStore(api), clock: createClockStore(now), ui: createUiStore(), session: createSessionStore(api) };
}

/**
 * Wires main's events into the stores' actions, then loads the first snapshot. Subscribing
 * first means no change between the load and the subscription is lost. Returns the unsubscribe.
 */
export function connectStores(stores: Stores): () => void {
  const { api } = stores;
  const status = stores.status.getState().actions;
  const push = stores.push.getState().actions;
  const clock = stores.clock.getState().actions;
  const unsubscribe = [
    api.on('state.changed', (snapshot) => {
      // A fresh reading first: a session that just appeared must not show a countdown up to a tick old.
      clock.tick();
      status.receive(snapshot);
      push.receive(snapshot.push);
    }),
    api.on('push.changed', (p) => {
      push.receive(p);
      // A remote set or removed changes no evidence, so no snapshot follows: fetch one.
      const shown = stores.status.getState().snapshot?.repository.remote ?? null;
      if ((p.state === 'local-only' ? null : p.remote) !== shown) void status.load();
    }),
    api.on('countdown.warning', (w) => status.warn(w)),
  ];
  if (typeof window !== 'undefined') {
    const onHash = () => stores.ui.getState().actions.syncFromLocation();
    window.addEventListener('hashchange', onHash);
    unsubscribe.push(() => window.removeEventListener('hashchange', onHash));
  }
  unsubscribe.push(stores.session.getState().actions.connect());
  void status.load().then(() => {
    clock.tick();
    // A push.changed that arrived while loading is newer than the snapshot's push state.
    const s = stores.status.getState().snapshot;
    if (s && stores.push.getState().status === null) push.receive(s.push);
  });
  return () => unsubscribe.forEach((u) => u());
}

const StoresContext = createContext<Stores | null>(null);

/** Provides the stores (fresh ones unless given) and keeps them connected while mounted. */
export function StoresProvider({ api, stores: given, children }: { api: BreakGlassApi; stores?: Stores; children: ReactNode }) {
  const [stores] = useState(() => given ?? createStores(api));
  useEffect(() => {
    const disconnect = connectStores(stores);
    const stopClock = stores.clock.getState().actions.start();
    return () => {
      disconnect();
      stopClock();
    };
  }, [stores]);
  return <StoresContext.Provider value={stores}>{children}</StoresContext.Provider>;
}

function useStores(): Stores {
  const stores = useContext(StoresContext);
  if (!stores) throw new Error('StoresProvider is missing above this component.');
  return stores;
}

/** The console's API (window.breakglass, or the test's): for views that call it directly. */
export const useApi = (): BreakGlassApi => useStores().api;

/** Reads the status store through a selector. */
export const useStatus = <T,>(selector: (s: StatusState) => T): T => useStore(useStores().status, selector);
/** Reads the push store through a selector. */
export const usePush = <T,>(selector: (s: PushState) => T): T => useStore(useStores().push, selector);
/** Reads the clock through a selector. */
export const useClock = <T,>(selector: (s: ClockState) => T): T => useStore(useStores().clock, selector);
/** Reads the UI store through a selector. */
export const useUi = <T,>(selector: (s: UiState) => T): T => useStore(useStores().ui, selector);
/** Reads the session view's store through a selector. */
export const useSession = <T,>(selector: (s: SessionUiState) => T): T => useStore(useStores().session, selector);
/** Reads the declaration wizard's store (issue 4) through a selector: one per set of stores, kept outside the panels so nothing typed is lost when they re-render. */
export const useWizard = <T,>(selector: (s: WizardState) => T): T => useStore(wizardStoreOf(useStores()), selector);
