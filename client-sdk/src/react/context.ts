import { createContext } from 'react';
import type { SyncClient } from '../types.js';

export const SyncClientContext = createContext<SyncClient | null>(null);
