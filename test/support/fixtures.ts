import { randomUUID } from 'node:crypto';
import type { Repositories } from '../../src/index.js';

let n = 0;
/** A unique suffix, so tests in one file never collide on unique columns. */
export const unique = (prefix: string) => `${prefix}-${process.pid}-${++n}-${randomUUID().slice(0, 8)}`;

export async function makeUser(repos: Repositories, name = 'user') {
  const username = unique(name).slice(0, 50);
  return repos.users.create({ username, email: `${username}@example.com` });
}
