import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, PolicySchema } from '../../app/policy';
import { adoptionMessage, approvalPath, approvalsRequired, ApprovalSchema, newProposalId, parseGovernancePath, proposalPath } from '../../app/roster/governance';
import type { Roster } from '../../app/roster/schema';

// Governed changes of roster.yaml and policy.yaml (issue 15): paths, ids, the number of admins.

const admins = (n: number): Roster => ({
  version: 1,
  hosts: [],
  people: Array.from({ length: n + 1 }, (_, i) => ({ id: `p${i}`, name: `Person ${i}`, email: `p${i}@example.com`, roles: i < n ? ['roster-admin'] : ['operator'], keys: [{ key: 'ssh-ed25519 AAAA' }] })),
}) as Roster;

describe('governance', () => {
  it('proposal ids and paths round-trip; anything else under governance/ is not a governance path', () => {
    const id = newProposalId(Date.parse('2026-12-02T01:02:03Z'));
    expect(id).toMatch(/^gov-20261202-010203-[0-9a-f]{8}$/);
    expect(parseGovernancePath(proposalPath(id, 'roster.yaml'))).toEqual({ kind: 'proposal', id, file: 'roster.yaml' });
    expect(parseGovernancePath(proposalPath(id, 'policy.yaml'))).toEqual({ kind: 'proposal', id, file: 'policy.yaml' });
    expect(parseGovernancePath(approvalPath(id, 'grace'))).toEqual({ kind: 'approval', id, personId: 'grace' });
    for (const p of [`governance/${id}/README.md`, `governance/${id}/approval-Grace.json`, 'governance/gov-1/roster.yaml', `sessions/${id}/roster.yaml`, `governance/${id}/sub/roster.yaml`]) expect(parseGovernancePath(p)).toBeNull();
    expect(adoptionMessage('policy.yaml', id)).toContain(`\n\nBreakglass-Proposal: ${id}\n`);
  });

  it('the number of approvals is the policy\'s (default 2), never more than the roster has admins, never less than 1', () => {
    expect(approvalsRequired(admins(3), DEFAULT_POLICY)).toBe(2);
    expect(approvalsRequired(admins(1), DEFAULT_POLICY)).toBe(1);
    expect(approvalsRequired(admins(5), { governanceApprovals: 4 })).toBe(4);
    expect(approvalsRequired(admins(2), { governanceApprovals: 4 })).toBe(2);
    expect(approvalsRequired(admins(0), null)).toBe(1);
  });

  it('the policy bounds governanceApprovals; an approval names the proposal, the file and what it approves', () => {
    const base = { ...DEFAULT_POLICY };
    expect(PolicySchema.safeParse({ ...base, governanceApprovals: 0 }).success).toBe(false);
    expect(PolicySchema.safeParse({ ...base, governanceApprovals: 11 }).success).toBe(false);
    expect(PolicySchema.safeParse({ ...base, governanceApprovals: 3 }).success).toBe(true);
    const id = newProposalId(Date.now());
    expect(ApprovalSchema.safeParse({ proposal: id, file: 'roster.yaml', proposedSha256: 'a'.repeat(64), approver: 'grace' }).success).toBe(true);
    expect(ApprovalSchema.safeParse({ proposal: id, file: 'README.md', proposedSha256: 'a'.repeat(64), approver: 'grace' }).success).toBe(false);
    expect(ApprovalSchema.safeParse({ proposal: id, file: 'roster.yaml', proposedSha256: 'a'.repeat(64), approver: 'grace', extra: 1 }).success).toBe(false);
  });
});
