/**
 * The bench's hot paths: each call as the library makes it, through a user scope, and as hand-written
 * node-postgres code doing the same work (owner check included), sent unnamed or named, as the superuser
 * or as a role held to row-level security.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { ReceiptItemInput } from '../src/index.js';
import type { lib } from './library.js';

/** What a hand-written call runs its statements on: the pool, or one connection it holds. */
export type Target = pg.Pool | pg.PoolClient;

/** Runs one statement the way a side sends it: unnamed, or named after a hash of its text. */
type Query = (text: string, values: unknown[]) => Promise<pg.QueryResult>;
export type Sender = (target: Target) => Query;
export const unnamed: Sender = (target) => (text, values) => target.query(text, values);
/** As a hand-written app prepares its statements: one name per text, pg's `{ name, text, values }`. */
export const named: Sender = (target) => (text, values) =>
  target.query({ name: `b_${createHash('sha256').update(text).digest('hex').slice(0, 40)}`, text, values });

/**
 * How hand-written code reaches the server for one user's call. As the superuser ({@link asSuperuser})
 * it uses the pool as it is, with the owner check in its SQL. Held to row-level security
 * ({@link asScopedRole}) it also has to tell the policies who the user is first.
 */
export type Reach = <T>(userId: string, work: (target: Target) => Promise<T>) => Promise<T>;

export const asSuperuser = (pool: pg.Pool): Reach => (_userId, work) => work(pool);

/**
 * As an app without the library does it under the same policies: take a connection, set the setting
 * the policies read (`foodsave.user_id`) for the session, run the call on that connection, give it back.
 * The setting stays on the connection; the next call sets its own before anything else runs.
 */
export const asScopedRole =
  (pool: pg.Pool, send: Sender): Reach =>
  async (userId, work) => {
    const client = await pool.connect();
    try {
      await send(client)("SELECT set_config('foodsave.user_id', $1, false)", [userId]);
      return await work(client);
    } finally {
      client.release();
    }
  };

/** A user's scope, from one of the library's engines. */
export type As = (userId: string) => ReturnType<ReturnType<typeof lib.createFoodsave>['forUser']>;
export interface Case {
  name: string;
  /** The library's call, through the scope of the engine it is given. */
  library: (as: As) => Promise<unknown>;
  /** The hand-written call, given the way to send its statements and to reach the server as the user. */
  raw: (send: Sender, reach: Reach) => Promise<unknown>;
}

/** The loaded rows the calls pick from at random. */
export interface BenchData {
  userIds: string[];
  conversations: { id: string; owner: string }[];
  receipts: { id: string; owner: string }[];
}

export const pick = <T>(list: T[]): T => list[Math.floor(Math.random() * list.length)]!;

const USER_COLS = 'id, username, email, created_at AS "createdAt", updated_at AS "updatedAt", preferences, email_lower AS "emailLower"';
const CONV_COLS = 'id, user_id AS "userId", session_id AS "sessionId", title, created_at AS "createdAt", updated_at AS "updatedAt", metadata';
const MSG_COLS = 'id, conversation_id AS "conversationId", content, role, agent_used AS "agentUsed", confidence, created_at AS "createdAt", metadata';
// Every column of the lot, as the library returns it.
const PANTRY_COLS =
  'id, user_id AS "userId", product_id AS "productId", quantity, unit, expiry_date AS "expiryDate", added_date AS "addedDate", notes, ' +
  'purchase_date AS "purchaseDate", opened_at AS "openedAt", unit_price AS "unitPrice", store_name AS "storeName", receipt_item_id AS "receiptItemId", date_kind AS "dateKind"';

/** The eight hot paths, in the order of the bench's tables. */
export function hotPathCases(d: BenchData): Case[] {
  return [...conversationCases(d), ...receiptCases(d), pantryCase(d)];
}

function conversationCases({ userIds, conversations }: BenchData): Case[] {
  return [
    {
      name: 'get by id',
      library: (as) => as(pick(userIds)).account.get(),
      raw: (send, reach) => {
        const u = pick(userIds);
        return reach(u, async (db) => (await send(db)(`SELECT ${USER_COLS} FROM users WHERE id = $1`, [u])).rows[0] ?? null);
      },
    },
    {
      name: "a user's conversations",
      library: (as) => as(pick(userIds)).conversations.list({ limit: 50 }),
      raw: (send, reach) => {
        const u = pick(userIds);
        return reach(u, async (db) => (await send(db)(`SELECT ${CONV_COLS} FROM conversations WHERE user_id = $1 ORDER BY updated_at DESC, id OFFSET 0 LIMIT 50`, [u])).rows);
      },
    },
    {
      name: 'context window (20)',
      library: (as) => {
        const c = pick(conversations);
        return as(c.owner).conversations.getContextWindow(c.id, 20);
      },
      raw: (send, reach) => {
        const c = pick(conversations);
        return reach(c.owner, async (db) => {
          const { rows } = await send(db)(
            `SELECT ${MSG_COLS} FROM messages WHERE conversation_id = $1 AND EXISTS (SELECT 1 FROM conversations WHERE id = $1 AND user_id = $2)
              ORDER BY created_at DESC, id DESC LIMIT 20`,
            [c.id, c.owner],
          );
          return rows.reverse();
        });
      },
    },
    {
      name: 'add a message',
      library: (as) => {
        const c = pick(conversations);
        return as(c.owner).conversations.addMessage(c.id, { content: 'Use the spinach first.', role: 'assistant', agentUsed: 'pantry-agent' });
      },
      raw: (send, reach) => {
        const c = pick(conversations);
        return reach(
          c.owner,
          async (db) =>
            (
              await send(db)(
                `INSERT INTO messages (conversation_id, content, role, agent_used, created_at)
                 SELECT id, $3, $4, $5, clock_timestamp() FROM conversations WHERE id = $1 AND user_id = $2 RETURNING ${MSG_COLS}`,
                [c.id, c.owner, 'Use the spinach first.', 'assistant', 'pantry-agent'],
              )
            ).rows[0],
        );
      },
    },
  ];
}

function receiptCases({ userIds, receipts }: BenchData): Case[] {
  return [
    {
      name: 'create a receipt, 30 items',
      library: (as) => as(pick(userIds)).receipts.createWithItems({ storeName: 'Bench', totalAmount: '112.20', purchaseDate: '2026-11-20' }, receiptItems()),
      raw: (send, reach) => {
        const u = pick(userIds);
        return reach(u, (db) => rawCreateReceipt(send, db, u));
      },
    },
    {
      name: 'read a receipt with items',
      library: (as) => {
        const r = pick(receipts);
        return as(r.owner).receipts.getReceiptWithItems(r.id);
      },
      raw: (send, reach) => {
        const r = pick(receipts);
        return reach(r.owner, async (db) => {
          const { rows } = await send(db)(
            `SELECT r.id, r.user_id, r.store_name, r.total_amount, r.purchase_date, r.receipt_date, r.image_path, r.ocr_confidence, r.metadata, r.conversation_id,
                    i.id AS item_id, i.product_name, i.quantity, i.unit_price, i.total_price, i.category_id, i.created_at, i.product_id, i.unit
               FROM receipts r LEFT JOIN receipt_items i ON i.receipt_id = r.id WHERE r.id = $1 AND r.user_id = $2 ORDER BY i.created_at, i.id`,
            [r.id, r.owner],
          );
          if (rows.length === 0) return null;
          const first = rows[0] as Record<string, unknown>;
          return { ...first, items: rows.filter((row: Record<string, unknown>) => row.item_id) };
        });
      },
    },
    {
      name: 'spending stats',
      library: (as) => as(pick(userIds)).receipts.getSpendingStats({ from: '2026-01-01', to: '2026-12-31' }),
      raw: (send, reach) => {
        const u = pick(userIds);
        return reach(
          u,
          async (db) =>
            (
              await send(db)(
                `SELECT coalesce(sum(total_amount), 0.00)::text AS "totalSpent", count(id)::int AS "receiptCount", round(avg(total_amount), 2)::text AS "avgReceipt"
                   FROM receipts WHERE user_id = $1 AND purchase_date >= $2 AND purchase_date <= $3`,
                [u, '2026-01-01', '2026-12-31'],
              )
            ).rows[0],
        );
      },
    },
  ];
}

function pantryCase({ userIds }: BenchData): Case {
  return {
    name: 'pantry expiring within 3 days',
    library: (as) => as(pick(userIds)).pantry.getExpiringWithin(3),
    raw: (send, reach) => {
      const u = pick(userIds);
      return reach(u, async (db) => (await send(db)(`SELECT ${PANTRY_COLS} FROM pantry_items WHERE user_id = $1 AND quantity > 0 AND expiry_date <= current_date + $2::int ORDER BY expiry_date`, [u, 3])).rows);
    },
  };
}

function receiptItems(): ReceiptItemInput[] {
  return Array.from({ length: 30 }, (_, i) => ({ productName: `Item ${i}`, quantity: '1.5', unitPrice: '2.49', totalPrice: '3.74', unit: 'kg' }));
}

/** The usual hand-written version: a transaction with the receipt, then one multi-row VALUES insert. */
async function rawCreateReceipt(send: Sender, target: Target, userId: string): Promise<unknown> {
  // A transaction needs one connection: the one the call holds, or one of the pool's.
  const held = 'release' in target;
  const client = held ? target : await target.connect();
  const query = send(client);
  try {
    await client.query('BEGIN');
    const receipt = (
      await query(`INSERT INTO receipts (user_id, store_name, total_amount, purchase_date) VALUES ($1, $2, $3, $4) RETURNING *`, [userId, 'Bench', '112.20', '2026-11-20'])
    ).rows[0] as { id: string };
    const values: unknown[] = [];
    const tuples = receiptItems().map((item) => {
      values.push(receipt.id, item.productName, item.quantity, item.unitPrice, item.totalPrice, item.unit);
      const b = values.length - 6;
      return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, clock_timestamp())`;
    });
    const items = (
      await query(`INSERT INTO receipt_items (receipt_id, product_name, quantity, unit_price, total_price, unit, created_at) VALUES ${tuples.join(', ')} RETURNING *`, values)
    ).rows;
    await client.query('COMMIT');
    return { ...receipt, items };
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    if (!held) client.release();
  }
}
