/**
 * The console's views and their addresses (`#/board`, `#/sessions/<id>`, …): a hash, so the
 * back button works and a view survives a reload without the app protocol serving other paths.
 */
export type Route =
  | { view: 'home' }
  | { view: 'board' }
  | { view: 'session'; sessionId: string }
  | { view: 'reviews' }
  | { view: 'review'; sessionId: string }
  | { view: 'reports' }
  | { view: 'settings' };

/** The views an observer (the commander's read-only console, issue 6) may open. */
const OBSERVER_VIEWS: ReadonlySet<Route['view']> = new Set(['board', 'session']);

const SESSION_ID = /^bg-\d{8}-\d{6}-[0-9a-f]{8}$/;

/** Reads a location hash; anything unknown is the home screen. */
export function parseHash(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return '';
    }
  });
  const [first, second] = parts;
  switch (first) {
    case 'board':
      return { view: 'board' };
    case 'sessions':
      return second && SESSION_ID.test(second) ? { view: 'session', sessionId: second } : { view: 'board' };
    case 'reviews':
      return second && SESSION_ID.test(second) ? { view: 'review', sessionId: second } : { view: 'reviews' };
    case 'reports':
      return { view: 'reports' };
    case 'settings':
      return { view: 'settings' };
    default:
      return { view: 'home' };
  }
}

/** The hash of a route (the href of a link to it). */
export function hrefOf(route: Route): string {
  switch (route.view) {
    case 'home':
      return '#/';
    case 'board':
      return '#/board';
    case 'session':
      return `#/sessions/${route.sessionId}`;
    case 'reviews':
      return '#/reviews';
    case 'review':
      return `#/reviews/${route.sessionId}`;
    case 'reports':
      return '#/reports';
    case 'settings':
      return '#/settings';
  }
}

/** The route actually shown: an observer sees the board and session pages only (issue 6). */
export function allowedRoute(route: Route, observer: boolean): Route {
  if (!observer || OBSERVER_VIEWS.has(route.view)) return route;
  return { view: 'board' };
}
