import type { Migration } from './migration.js';

/**
 * Typo-tolerant product search (pg_trgm), tag search on recipes, and the receipt-line matches a user
 * has accepted, so the next receipt from the same store is matched without asking.
 *
 * `pg_trgm` is a trusted extension (PostgreSQL 13+), so a database owner can create it. `down` leaves it
 * installed: extensions are shared by the whole database, and other code may use it.
 */
export const searchAndMatching: Migration = {
  name: '0003-search-and-matching',
  up: /* sql */ `
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX idx_products_name_trgm ON products USING gin (lower(name) gin_trgm_ops);
CREATE INDEX idx_recipes_tags ON recipes USING gin (tags);
CREATE INDEX idx_meal_plan_items_recipe_id ON meal_plan_items(recipe_id);
CREATE INDEX idx_meal_plan_items_product_id ON meal_plan_items(product_id);
CREATE INDEX idx_receipt_items_category_id ON receipt_items(category_id);

CREATE TABLE product_matches (
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- Lower-cased store name ('' when unknown) and receipt line, as matched.
    store_key VARCHAR(255) NOT NULL,
    line_key VARCHAR(255) NOT NULL,
    product_id UUID NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    times INTEGER NOT NULL DEFAULT 1 CONSTRAINT product_matches_times_check CHECK (times > 0),
    last_used_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, store_key, line_key)
);
CREATE INDEX idx_product_matches_product_id ON product_matches(product_id);
`,
  down: /* sql */ `
DROP TABLE IF EXISTS product_matches;
DROP INDEX IF EXISTS idx_receipt_items_category_id;
DROP INDEX IF EXISTS idx_meal_plan_items_product_id;
DROP INDEX IF EXISTS idx_meal_plan_items_recipe_id;
DROP INDEX IF EXISTS idx_recipes_tags;
DROP INDEX IF EXISTS idx_products_name_trgm;
`,
};
