import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { useStore, type StoreApi } from 'zustand';
import type { BreakGlassApi } from '../../app/contract';
import { createClockStore, type ClockState } from './clock';
import { createPolicyStore, type PolicyState } from './policy';
import { createPushStore, type PushState } from './push';
import { createSessionDetailStore, type SessionDetailState } from './sessionDetail';
import { createStatusStore, type StatusState } from './status';
import { createUiStore, type UiState } from './ui';

/**
 * The stores every feature shares, one vanilla store per concern (zustand guides: "Initialize
 * state with props"). A feature's own store (the wizard's, the active session's, the board's) is
 * made by the feature itself through {@link useFeatureStore}: this folder knows no feature.
 */
export interface Stores {
  api: BreakGlassApi;
  status: StoreApi<StatusState>;
  push: StoreApi<PushState>;
  clock: StoreApi<ClockState>;
  ui: StoreApi<UiState>;
  /** The one policy source (`policy.get`). */
  policy: StoreApi<PolicyState>;
  /** The one session-detail source (`session.timeline`), shared by every view of a session. */
  details: StoreApi<SessionDetailState>;
}

/** Creates a fresh set of stores bound to one API. */
export function createStores(api: BreakGlassApi, now?: () => number): Stores {
  const status = createStatusStore(api);
  const push = createPushStore(api);
  return {
    api,
    status,
    push,
    clock: createClockStore(now),
    ui: createUiStore(),
    policy: createPolicyStore(api, status),
    details: createSessionDetailStore(api, status, push),
  };
}

/** The event subscriptions of feature stores: started while the stores are connected, stopped with them. */
interface FeatureConnection {
  connect(): () => void;
  stop: (() => void) | null;
}
const featureConnections = new WeakMap<Stores, FeatureConnection[]>();
const connected = new WeakSet<Stores>();

/**
 * Wires main's events into the stores' actions, then loads the first snapshot and the policy.
 * Subscribing first means no change between the load and the subscription is lost. Returns the
 * unsubscribe.
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
    api.on('sync.changed', (sync) => {
      if (sync.state !== 'local-only' && sync.lastFetchAt) stores.details.getState().actions.confirmed(sync.lastFetchAt);
    }),
  ];
  if (typeof window !== 'undefined') {
    const onHash = () => stores.ui.getState().actions.syncFromLocation();
    window.addEventListener('hashchange', onHash);
    unsubscribe.push(() => window.removeEventListener('hashchange', onHash));
  }
  connected.add(stores);
  for (const c of featureConnections.get(stores) ?? []) c.stop ??= c.connect();
  void stores.policy.getState().actions.load();
  void status.load().then(() => {
    clock.tick();
    // A push.changed that arrived while loading is newer than the snapshot's push state.
    const s = stores.status.getState().snapshot;
    if (s && stores.push.getState().status === null) push.receive(s.push);
  });
  return () => {
    unsubscribe.forEach((u) => u());
    connected.delete(stores);
    for (const c of featureConnections.get(stores) ?? []) {
      c.stop?.();
      c.stop = null;
    }
  };
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

/** The stores of this window (or test). */
export function useStores(): Stores {
  const stores = useContext(StoresContext);
  if (!stores) throw new Error('StoresProvider is missing above this component.');
  return stores;
}

/** How a feature makes its own store from the shared stores; `connect` subscribes to main's events and returns the unsubscribe. */
export type FeatureStoreFactory<S> = (stores: Stores) => { store: StoreApi<S>; connect?: () => () => void };

const featureStores = new WeakMap<Stores, Map<FeatureStoreFactory<unknown>, StoreApi<unknown>>>();

/**
 * A feature's own store for this set of stores, created on first use and kept while the set
 * lives (so nothing typed is lost when a panel re-renders): every window and every test gets its
 * own. The feature passes its factory, so the shared stores never import a feature.
 */
export function featureStoreOf<S>(stores: Stores, factory: FeatureStoreFactory<S>): StoreApi<S> {
  let byFactory = featureStores.get(stores);
  if (!byFactory) featureStores.set(stores, (byFactory = new Map()));
  let store = byFactory.get(factory as FeatureStoreFactory<unknown>) as StoreApi<S> | undefined;
  if (!store) {
    const made = factory(stores);
    store = made.store;
    byFactory.set(factory as FeatureStoreFactory<unknown>, store as StoreApi<unknown>);
    if (made.connect) {
      let list = featureConnections.get(stores);
      if (!list) featureConnections.set(stores, (list = []));
      list.push({ connect: made.connect, stop: connected.has(stores) ? made.connect() : null });
    }
  }
  return store;
}

/** {@link featureStoreOf} for the stores of this component's window. */
export function useFeatureStore<S>(factory: FeatureStoreFactory<S>): StoreApi<S> {
  return featureStoreOf(useStores(), factory);
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
/** Reads the policy source through a selector. */
export const usePolicy = <T,>(selector: (s: PolicyState) => T): T => useStore(useStores().policy, selector);
