import { describe, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import type {
  ConversationRecord,
  CreateReceiptInput,
  CreateUserInput,
  DecimalString,
  Engine,
  HealthReport,
  MessageRecord,
  ReceiptWithItems,
  Repositories,
  SpendingStats,
  UpdateConversationInput,
  UpdateUserInput,
  UserRecord,
  createUserSchema,
} from '../src/index.js';

// Type-level tests: checked by `tsc --noEmit` (npm test runs it first); the bodies never run queries.
describe('public types', () => {
  it('derives input types from the zod schemas', () => {
    expectTypeOf<CreateUserInput>().toEqualTypeOf<z.input<typeof createUserSchema>>();
    expectTypeOf<CreateUserInput>().toHaveProperty('username').toEqualTypeOf<string>();
    expectTypeOf<CreateReceiptInput['totalAmount']>().toEqualTypeOf<string | number | null | undefined>();
  });

  it('keeps owner and identity fields out of update inputs', () => {
    expectTypeOf<UpdateConversationInput>().not.toHaveProperty('userId');
    expectTypeOf<UpdateConversationInput>().not.toHaveProperty('id');
    expectTypeOf<UpdateUserInput>().not.toHaveProperty('createdAt');
  });

  it('returns precise record types, with exact decimals as strings', () => {
    expectTypeOf<ReceiptWithItems['totalAmount']>().toEqualTypeOf<DecimalString | null>();
    expectTypeOf<ReceiptWithItems['items'][number]['unitPrice']>().toEqualTypeOf<DecimalString | null>();
    expectTypeOf<SpendingStats>().toEqualTypeOf<{ totalSpent: string; receiptCount: number; avgReceipt: string | null }>();
    expectTypeOf<MessageRecord['role']>().toEqualTypeOf<'user' | 'assistant' | 'system' | 'tool'>();
    expectTypeOf<HealthReport['status']>().toEqualTypeOf<'healthy' | 'unhealthy'>();
  });

  it('has no `any` in the repository signatures', () => {
    type Repo = Repositories['conversations'];
    expectTypeOf<ReturnType<Repo['get']>>().not.toBeAny();
    expectTypeOf<Awaited<ReturnType<Repo['get']>>>().toEqualTypeOf<ConversationRecord | null>();
    expectTypeOf<Parameters<Repo['create']>[0]>().not.toBeAny();
    expectTypeOf<Awaited<ReturnType<Repositories['users']['getByEmail']>>>().toEqualTypeOf<UserRecord | null>();
    expectTypeOf<Parameters<Repositories['receipts']['createWithItems']>[1]>().not.toBeAny();
    expectTypeOf<Engine['models']['User']['prototype']['username']>().toEqualTypeOf<string>();
  });
});
