// The roster (issue 15): schema, key parsing, signer lookup and git's allowed_signers.
export * from './schema';
export * from './sshKey';
export * from './lookup';
export * from './allowedSigners';
export * from './unprovenRecords';
