/**
 * The names in the contract (app/contract.ts), without their schemas: the preload and the API
 * builder need only these, and must not bundle zod into the sandboxed preload. contract.ts checks
 * at compile time that its table has exactly these keys.
 */
export const CALL_NAMES = [
  'status.get',
  'policy.get',
  'preconditions.check',
  'draft.get',
  'draft.save',
  'draft.discard',
  'session.declare',
  'session.note',
  'session.runCommand',
  'session.stopCommand',
  'session.extend',
  'session.close',
  'session.review',
  'sessions.list',
  'session.timeline',
  'ledger.verify',
  'push.now',
  'remote.get',
  'remote.set',
  'remote.test',
  'session.copyEnvironment',
  'session.openShell',
  'settings.get',
  'settings.set',
  'report.export',
  'board.get',
  'board.open',
  'board.rows',
  'sync.fetch',
  'sync.watch',
  'terminal.open',
  'terminal.write',
  'terminal.resize',
  'terminal.close',
  'session.recordings',
  'forward.status',
  'forward.test',
  'roster.status',
  'roster.init',
  'ack.acknowledge',
  'session.acknowledged',
] as const;

/** A call's name, e.g. `session.declare`. */
export type CallName = (typeof CALL_NAMES)[number];

/** Every event main sends to the UI. */
export const EVENTS = ['state.changed', 'countdown.warning', 'push.changed', 'command.output', 'command.ended', 'sync.changed', 'terminal.output', 'terminal.ended', 'forward.changed'] as const;

/** An event's name. */
export type EventName = (typeof EVENTS)[number];

/** The IPC channel of a call or event: derived here, nowhere else. */
export function channelOf(name: CallName | EventName): string {
  return `breakglass:${name}`;
}

/** The call names grouped for the preload: `{ session: ['declare', …], … }`. */
export function callGroups(): Record<string, string[]> {
  const groups: Record<string, string[]> = {};
  for (const name of CALL_NAMES) {
    const [g, m] = name.split('.') as [string, string];
    (groups[g] ??= []).push(m);
  }
  return groups;
}
