import type { Engine } from '../engine/create-engine.js';
import { createUnitRegistry, type UnitRegistry } from '../values/units.js';
import { checkOptions } from '../db/options.js';
import { createAdminRepositories, type AdminRepositories, type Catalog } from './admin-repositories.js';
import { buildUserScope, type UserScope } from './user-scope.js';

/** Options of {@link createFoodsave}. */
export interface FoodsaveOptions {
  /** The unit registry used to read units (your aliases). Default: `createUnitRegistry()`. */
  units?: UnitRegistry;
}

/** The library's one way in: a user's scope, the shared catalogue, and the back-office repositories. */
export interface Foodsave {
  readonly engine: Engine;
  readonly units: UnitRegistry;
  /** The shared catalogue: products, categories, recipes. */
  readonly catalog: Catalog;
  /** Back-office repositories over every user's rows. Not for code that serves one user. */
  readonly admin: AdminRepositories;
  /**
   * Everything one user may do. The id is checked here (a malformed one is a `ValidationError` naming
   * `userId`); the scope makes no round trip and is cheap to create per request.
   */
  forUser(userId: string): UserScope;
}

/**
 * Binds the library to an engine.
 *
 * @example
 * ```ts
 * const db = createFoodsave(engine);
 * const me = db.forUser(userId);
 * const conversation = await me.conversations.create({ sessionId: 'web-42', title: 'Dinner ideas' });
 * await me.conversations.addMessage(conversation.id, { content: 'What can I cook tonight?', role: 'user' });
 * const ideas = await me.recipes.getCookableRecipes({ maxMissing: 1 });
 * ```
 */
export function createFoodsave(engine: Engine, options: FoodsaveOptions = {}): Foodsave {
  checkOptions(options, ['units'], 'createFoodsave');
  const units = options.units ?? createUnitRegistry();
  const admin = createAdminRepositories(engine);
  return Object.freeze({
    engine,
    units,
    admin,
    catalog: Object.freeze({ products: admin.products, categories: admin.categories, recipes: admin.recipes }),
    forUser: (userId: string) => buildUserScope(engine, userId, units),
  });
}
