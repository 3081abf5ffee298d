import { formatPolicyProblems } from './policy';
import type { PolicyInForce } from './ports';

/**
 * What every view says about the policy in force beside it (issue 12 item 5, issue 15): an
 * invalid newest policy.yaml and the one that stays in force; a policy.yaml on the organisation
 * branch that governance never adopted (a plain commit, too few approvals), which is not in force.
 */
export function policyNotices(policy: PolicyInForce): string[] {
  if (!policy.ok) return [];
  const notices: string[] = [];
  if (policy.rejected) {
    notices.push(`The newest policy.yaml is invalid (${formatPolicyProblems(policy.rejected.problems).replace(/\n/g, '; ')}); the last valid policy (sha256 ${policy.sha256.slice(0, 12)}) stays in force until it is fixed.`);
  }
  if (policy.notInForce) {
    notices.push(`policy.yaml on the organisation branch (sha256 ${policy.notInForce.sha256.slice(0, 12)}) is not in force: ${policy.notInForce.reason.replace(/: the change is not in force\.$/, '.')} The ${policy.source === 'built-in' ? 'built-in policy' : `governed policy (sha256 ${policy.sha256.slice(0, 12)})`} applies until roster admins adopt a change (breakglass policy propose / approve).`);
  }
  return notices;
}
