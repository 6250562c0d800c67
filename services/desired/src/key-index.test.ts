import { describe, expect, it } from 'vitest';
import { KeyIndex } from './key-index.ts';

describe('KeyIndex.claim', () => {
  it('publishes a new document under its key and reports no previous key', () => {
    const index = new KeyIndex();
    expect(index.claim('id-a', 'k1')).toBeUndefined();
    expect(index.keyOf('id-a')).toBe('k1');
    expect(index.ownerOf('k1')).toBe('id-a');
  });

  it('moves a document to another key, returning the old one and freeing it', () => {
    const index = new KeyIndex();
    index.claim('id-a', 'k1');
    expect(index.claim('id-a', 'k2')).toBe('k1');
    expect(index.ownerOf('k1')).toBeUndefined();
    expect(index.ownerOf('k2')).toBe('id-a');
    expect(index.claim('id-a', 'k2')).toBe('k2');
    expect(index.size).toBe(1);
  });

  it('refuses a key another document holds and changes nothing', () => {
    const index = new KeyIndex();
    index.claim('id-a', 'k1');
    index.claim('id-b', 'k2');
    expect(index.claim('id-b', 'k1')).toEqual({ heldBy: 'id-a' });
    expect(index.keyOf('id-b')).toBe('k2');
    expect(index.ownerOf('k1')).toBe('id-a');
  });

  it('lets a freed key be claimed again', () => {
    const index = new KeyIndex();
    index.claim('id-a', 'k1');
    index.removeDocument('id-a');
    expect(index.claim('id-b', 'k1')).toBeUndefined();
    expect(index.ownerOf('k1')).toBe('id-b');
  });
});
