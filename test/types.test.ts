import { describe, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import type {
  AdminRepositories,
  ConversationRecord,
  CreateReceiptInput,
  CreateUserInput,
  DecimalString,
  Engine,
  FoodsaveDbError,
  FoodsaveErrorCode,
  MessageRecord,
  ReceiptWithItems,
  SpendingStats,
  UpdateConversationInput,
  UpdateUserInput,
  UserRecord,
  UserScope,
} from '../src/index.js';
import type { HealthReport } from '../src/entries/ops.js';
import type { createUserSchema } from '../src/entries/schemas.js';

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
    expectTypeOf<HealthReport['status']>().toEqualTypeOf<'healthy' | 'degraded' | 'unhealthy'>();
  });

  it('has no `any` in the repository signatures', () => {
    type Repo = AdminRepositories['conversations'];
    expectTypeOf<ReturnType<Repo['get']>>().not.toBeAny();
    expectTypeOf<Awaited<ReturnType<Repo['get']>>>().toEqualTypeOf<ConversationRecord | null>();
    expectTypeOf<Parameters<Repo['create']>[0]>().not.toBeAny();
    expectTypeOf<Awaited<ReturnType<AdminRepositories['users']['getByEmail']>>>().toEqualTypeOf<UserRecord | null>();
    expectTypeOf<Parameters<AdminRepositories['receipts']['createWithItems']>[1]>().not.toBeAny();
    expectTypeOf<Engine['models']['User']['prototype']['username']>().toEqualTypeOf<string>();
  });

  it('has no `any` in the user scope signatures', () => {
    type Conversations = UserScope['conversations'];
    expectTypeOf<ReturnType<Conversations['get']>>().not.toBeAny();
    expectTypeOf<Awaited<ReturnType<Conversations['get']>>>().toEqualTypeOf<ConversationRecord | null>();
    expectTypeOf<Parameters<Conversations['create']>[0]>().not.toBeAny();
    expectTypeOf<Awaited<ReturnType<UserScope['account']['get']>>>().toEqualTypeOf<UserRecord | null>();
    expectTypeOf<Parameters<UserScope['receipts']['createWithItems']>[1]>().not.toBeAny();
  });

  it('types error codes as the FoodsaveErrorCode union, not string', () => {
    expectTypeOf<FoodsaveDbError['code']>().toEqualTypeOf<FoodsaveErrorCode>();
    expectTypeOf<FoodsaveDbError['code']>().not.toEqualTypeOf<string>();
    expectTypeOf<string>().not.toExtend<FoodsaveDbError['code']>();
    expectTypeOf<'NOT_FOUND'>().toExtend<FoodsaveErrorCode>();
  });

  it('leaves the owner out of the user scope: no userId input, no back-office methods', () => {
    type ConversationInput = Parameters<UserScope['conversations']['create']>[0];
    expectTypeOf<ConversationInput>().not.toHaveProperty('userId');
    expectTypeOf<ConversationInput>().toHaveProperty('sessionId');
    // The back-office input does name the user.
    expectTypeOf<Parameters<AdminRepositories['conversations']['create']>[0]>().toHaveProperty('userId');
    expectTypeOf<UserScope['receipts']>().not.toHaveProperty('getUserReceipts');
    expectTypeOf<AdminRepositories['receipts']>().toHaveProperty('getUserReceipts');
  });
});
