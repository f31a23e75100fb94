import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { expectNoPassword, useTestDatabase } from './support/test-database.js';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const t = useTestDatabase({ label: 'example', migrate: false });

describe('examples/quickstart.ts', () => {
  it('runs against DATABASE_URL: migrates, creates a user, a conversation and a receipt, prints spending stats', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/quickstart.ts'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: t.url },
    });
    expect(stdout).toContain('server: PostgreSQL');
    expect(stdout).toContain('migrations applied: 0001-initial-schema, 0002-pantry-ledger, 0003-search-and-matching, 0004-same-owner-references, 0005-recipes-by-ingredient-count, 0006-date-kinds, 0007-exact-amounts, 0008-recipe-ingredients-by-product, 0009-functions-own-search-path, 0010-category-tree-bounds');
    expect(stdout).toContain('assistant: Spinach and feta omelette');
    expect(stdout).toContain("spending this month: { totalSpent: '32.57', receiptCount: 2, avgReceipt: '16.29' }");
    expect(stdout).toMatch(/stocked 4 lots: 0\.250 kg until/);
    expect(stdout).toContain('wasted 0.300 kg of apples, worth 0.42');
    expect(stdout).toMatch(/cook: Spinach omelette .* \(missing 0, uses food expiring \d{4}-\d{2}-\d{2}/);
    expect(stdout).toMatch(/cook: Apple pie .* \(missing 1/);
    expect(stdout).toMatch(/buy: 200\.000 g Spinach/);
    expect(stdout).not.toMatch(/buy: .*(Eggs|Feta)/);
    expect(stdout.replace(/\s+/g, ' ')).toContain("waste this month: { wastedValue: '0.42', consumedValue: '0.66', purchasedValue: '9.51', wastedShare: '0.0442' }");
    expect(stdout).toContain('closed cleanly');
    expectNoPassword(stdout, t.url);
  });
});
