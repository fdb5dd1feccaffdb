const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

interface CryptoLike {
  getRandomValues(array: Uint8Array): Uint8Array;
}

/** A random id from [A-Za-z0-9_-], from crypto.getRandomValues when the platform has it. */
export function randomId(length = 16, random: () => number = Math.random): string {
  const bytes = new Uint8Array(length);
  const crypto = (globalThis as { crypto?: Partial<CryptoLike> }).crypto;
  if (crypto && typeof crypto.getRandomValues === 'function') crypto.getRandomValues(bytes);
  else for (let i = 0; i < length; i++) bytes[i] = Math.floor(random() * 256);
  let id = '';
  for (const byte of bytes) id += ALPHABET[byte & 63];
  return id;
}
