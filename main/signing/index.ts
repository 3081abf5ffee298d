// SSH signatures for evidence commits (issue 15): sign through ssh-agent or the host key, parse and
// verify SSHSIG in-process, split and verify signed commits, and commit signed records.
export { agentSigner, keyFileSigner, listAgentKeys, TOUCH_PROMPT, type AgentKey, type AgentSignerOptions, type CommitSigner } from './signer';
export { ensureHostKey, hostKeySigner, HOST_KEY_FILE, type HostKey } from './hostKey';
export { parseSshSignature, verifySshSignature, dearmorSshSignature, type SshSignature, type SshSigVerification, type SshSigFailure, type SecurityKeySignature } from './sshsig';
export { splitSignedCommit, addCommitSignature, verifyCommitSignature, verifyCommitSignatures, committerSeconds, type CommitSignatureCheck, type CommitSignatureFailure, type ObjectFormat, type SplitCommit } from './commitSignature';
export { RecordCommitter, RecordCommitConflict, RecordCommitRequestSchema, type RecordCommitRequest, type RecordCommitResult } from './recordCommit';
export { SshToolFailure, type SshFailureReason } from './sshTools';
export { SignatureCheckPool } from './verifyPool';
