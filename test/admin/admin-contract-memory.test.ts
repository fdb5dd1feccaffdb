import { adminContract } from './admin-contract.ts';

adminContract('memory engine', () => ({ env: () => ({}), keysOf: null }));
