import { describe, expect, it } from 'vitest';
import { CabineError, codeOf } from '../../../src/shared/errors';

describe('codeOf: the stable code of anything thrown', () => {
  it('reads the code of our own errors and of foreign ones (Node, SQLite, the hub)', () => {
    expect(codeOf(new CabineError('HUB_UNAVAILABLE', { fr: '', en: '' }))).toBe('HUB_UNAVAILABLE');
    expect(codeOf(Object.assign(new Error('exists'), { code: 'EEXIST' }))).toBe('EEXIST');
    expect(codeOf({ code: 'SQLITE_FULL', message: 'database or disk is full' })).toBe('SQLITE_FULL');
  });

  it('is undefined when there is no code to read, whatever was thrown', () => {
    for (const thrown of [new Error('plain'), {}, { code: 42 }, { code: null }, 'a string', 7, null, undefined]) {
      expect(codeOf(thrown)).toBeUndefined();
    }
  });
});
