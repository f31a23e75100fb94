import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TABLE_NAMES } from '../src/models/model-naming.js';

const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'src');
/** The code that sends statements at run time; migrations run with their own search_path. */
const RUNTIME_DIRS = ['db', 'repositories', 'domain', 'scope', 'ops'];

describe('statements name the schema', () => {
  it('no run-time SQL names a library table without its schema (they go through T or TableMeta.ref)', () => {
    const names = [...Object.values(TABLE_NAMES), 'foodsave_db_migrations'].join('|');
    const bare = new RegExp(`\\b(FROM|JOIN|INTO|UPDATE|TABLE)\\s+(${names})\\b`, 'g');
    const found: string[] = [];
    for (const dir of RUNTIME_DIRS) {
      for (const file of readdirSync(path.join(src, dir), { recursive: true }) as string[]) {
        if (!file.endsWith('.ts')) continue;
        const text = readFileSync(path.join(src, dir, file), 'utf8');
        for (const m of text.matchAll(bare)) found.push(`src/${dir}/${file}: ${m[0]}`);
      }
    }
    expect(found).toEqual([]);
  });

  it('the pg_trgm operators and functions are qualified too', () => {
    const unqualified = /(?<![\w.}])(similarity|word_similarity)\(|\)\s+<?%\s+lower\(/g;
    const found: string[] = [];
    for (const dir of RUNTIME_DIRS) {
      for (const file of readdirSync(path.join(src, dir), { recursive: true }) as string[]) {
        if (!file.endsWith('.ts')) continue;
        for (const m of readFileSync(path.join(src, dir, file), 'utf8').matchAll(unqualified)) found.push(`src/${dir}/${file}: ${m[0]}`);
      }
    }
    expect(found).toEqual([]);
  });
});
