import { describe, expect, it } from 'vitest';
import { allowedRoute, hrefOf, parseHash, type Route } from '../../renderer/routes';

const ID = 'bg-20261128-131000-0a1b2c3d';

describe('console routes', () => {
  const every: Route[] = [
    { view: 'home' },
    { view: 'board' },
    { view: 'session', sessionId: ID },
    { view: 'reviews' },
    { view: 'review', sessionId: ID },
    { view: 'reports' },
    { view: 'settings' },
  ];

  it('reads back every route from its link, so back/forward and reloads land on the same view', () => {
    for (const route of every) expect(parseHash(hrefOf(route))).toEqual(route);
  });

  it('treats anything it does not know as the home screen, and a malformed session id as its list', () => {
    expect(parseHash('')).toEqual({ view: 'home' });
    expect(parseHash('#/nowhere')).toEqual({ view: 'home' });
    expect(parseHash('#/sessions/../../etc/passwd')).toEqual({ view: 'board' });
    expect(parseHash('#/sessions/%E0%A4%A')).toEqual({ view: 'board' });
    expect(parseHash('#/reviews/not-a-session')).toEqual({ view: 'reviews' });
  });

  it('shows an observer the board and session pages only (issue 6); everything else becomes the board', () => {
    for (const route of every) {
      const shown = allowedRoute(route, true);
      if (route.view === 'board' || route.view === 'session') expect(shown).toEqual(route);
      else expect(shown).toEqual({ view: 'board' });
    }
    for (const route of every) expect(allowedRoute(route, false)).toEqual(route);
  });
});
