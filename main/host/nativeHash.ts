import { createHash } from 'node:crypto';
import { installSha256Hex } from '../../app/chain';

// Imported for its effect by the evidence store and verify: every record hash in this process
// (sealing, verifying) through node:crypto instead of JavaScript (app/chain.ts says why).
installSha256Hex((text) => createHash('sha256').update(text).digest('hex'));
