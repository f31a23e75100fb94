import { randomUUID } from 'node:crypto';
import type { AdminRepositories, Foodsave } from '../../src/index.js';

let n = 0;
/** A unique suffix, so tests in one file never collide on unique columns. */
export const unique = (prefix: string) => `${prefix}-${process.pid}-${++n}-${randomUUID().slice(0, 8)}`;

/** A new user, created through the back-office repositories (`db.admin` or `createAdminRepositories`). */
export async function makeUser(admin: AdminRepositories | Foodsave, name = 'user') {
  const users = 'admin' in admin ? admin.admin.users : admin.users;
  const username = unique(name).slice(0, 50);
  return users.create({ username, email: `${username}@example.com` });
}
