import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { ConsoleHost } from '../browser/host';

/**
 * The wizard's draft as e2e tests start from it (issue 4): a complete, valid set of fields, saved
 * through the console's own call and offered back on reload, so a test can begin at a later step.
 */

/** The operator every test types (git config of the evidence repository says the same: each workspace's `gitIdentity`). */
export const ADA = { name: 'Ada Lovelace', email: 'ada@example.com' };
export const JUSTIFICATION = 'State lock held by a crashed pipeline blocks every governed apply; manual lock repair is the only path to restore service.';

/** The fields of a complete, valid wizard draft (the wizard's own draft format). */
export function goodFields(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    trigger: 'backend-lock-integrity',
    governedPaths: [{ path: 'CI/CD pipeline apply', failure: 'State lock held by crashed job 7f3c', required: false }],
    materialRisk: 'Customer API degraded; SLA breach in 45 minutes.',
    attestations: { notExpediency: true, notRoutineChange: true, notGovernanceAvoidance: true },
    incidentId: 'INC-12345',
    justification: JUSTIFICATION,
    operatorName: ADA.name,
    operatorEmail: ADA.email,
    environment: 'production',
    scopes: ['state-lock'],
    duration: '30',
    confirmation: '',
    ...overrides,
  };
}

/**
 * Saves a draft through the console's own call (as the wizard does), then reloads the page so the
 * console offers it back: the fastest honest way to start a test at a later step.
 */
export async function resumeAt(host: ConsoleHost, step: number, overrides: Record<string, unknown> = {}, button = 'Declare break-glass'): Promise<void> {
  // A wizard already open saves its own fields a moment after the last change (debounced): left
  // running, that save could land after this one and be the draft offered back. Reloading first
  // stops its timer; the draft saved below is then the last.
  await host.page.reload();
  await host.page.locator('main[aria-busy="false"]').waitFor();
  const saved = await host.backend.dispatch('draft.save', { step, fields: { ...goodFields(overrides), maxStep: step } });
  expect(saved.ok).toBe(true);
  await host.page.reload();
  await host.page.getByText('An unfinished declaration is saved on this host').waitFor();
  await host.page.getByRole('button', { name: button, exact: true }).click();
  await stepHeading(host.page, step + 1).waitFor();
}

export const TITLES = ['Trigger', 'Preconditions', 'Incident and justification', 'Scope and duration', 'Review and declare'];
export const stepHeading = (page: Page, n: number) => page.getByRole('heading', { name: `Step ${n} of 5: ${TITLES[n - 1]}`, exact: true });
