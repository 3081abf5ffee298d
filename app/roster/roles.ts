/**
 * The roles of issue 15: acting (operator), reviewing (reviewer), acknowledging (commander),
 * changing the roster (roster-admin). Apart from the roster's schema so that the CLI's help text
 * names them without building any schema (issue 18).
 */
export const ROSTER_ROLES = ['operator', 'reviewer', 'commander', 'roster-admin'] as const;

/** One roster role. */
export type RosterRole = (typeof ROSTER_ROLES)[number];
