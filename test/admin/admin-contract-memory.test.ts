import { adminContract } from './admin-contract.ts';
import { adminExactlyOnceContract } from './admin-contract-exactly-once.ts';

adminContract('memory engine', () => ({ env: () => ({}), keysOf: null }));
adminExactlyOnceContract('memory engine', () => ({ env: () => ({}), keysOf: null }));
