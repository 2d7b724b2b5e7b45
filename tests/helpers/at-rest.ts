/** Scans a SQLite database's files (.db, -wal, -shm) for values, in every form they could take on disk. */
import { existsSync, readFileSync } from 'node:fs';

/** IEEE-754 double and float, both byte orders. */
export function binaryForms(v: number): Buffer[] {
  const be = Buffer.alloc(8);
  be.writeDoubleBE(v);
  const le = Buffer.alloc(8);
  le.writeDoubleLE(v);
  const fbe = Buffer.alloc(4);
  fbe.writeFloatBE(v);
  const fle = Buffer.alloc(4);
  fle.writeFloatLE(v);
  return [be, le, fbe, fle];
}

/** Every way a value could sit in the files: UTF-8, UTF-16, IEEE-754 double and float. */
export function needles(value: string | number): Buffer[] {
  if (typeof value === 'string') return [Buffer.from(value, 'utf8'), Buffer.from(value, 'utf16le')];
  return [Buffer.from(String(value)), ...binaryForms(value)];
}

export function databaseFiles(db: string): Buffer[] {
  return [db, `${db}-wal`, `${db}-shm`].filter((f) => existsSync(f)).map((f) => readFileSync(f));
}

export function foundIn(files: Buffer[], value: string | number): boolean {
  return needles(value).some((n) => files.some((f) => f.includes(n)));
}
