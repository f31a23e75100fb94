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
  extensions: ['pg_trgm'],
  up: /* sql */ `
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX idx_products_name_trgm ON products USING gin (lower(name) gin_trgm_ops);
CREATE INDEX idx_recipes_tags ON recipes USING gin (tags);
CREATE INDEX idx_meal_plan_items_recipe_id ON meal_plan_items(recipe_id);
CREATE INDEX idx_meal_plan_items_product_id ON meal_plan_items(product_id);
CREATE INDEX idx_receipt_items_category_id ON receipt_items(category_id);

-- How many ingredients each recipe has, kept by a trigger, so ranking recipes by missing ingredients
-- reads only the ingredients that touch the pantry (getCookableRecipes).
ALTER TABLE recipes ADD COLUMN ingredient_count INTEGER NOT NULL DEFAULT 0;
UPDATE recipes r SET ingredient_count = (SELECT count(*) FROM recipe_ingredients i WHERE i.recipe_id = r.id);
CREATE FUNCTION foodsave_count_ingredients() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') AND OLD.recipe_id IS NOT NULL THEN
        UPDATE recipes SET ingredient_count = ingredient_count - 1 WHERE id = OLD.recipe_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.recipe_id IS NOT NULL THEN
        UPDATE recipes SET ingredient_count = ingredient_count + 1 WHERE id = NEW.recipe_id;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER recipe_ingredients_count AFTER INSERT OR DELETE OR UPDATE OF recipe_id ON recipe_ingredients
    FOR EACH ROW EXECUTE FUNCTION foodsave_count_ingredients();

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
DROP TRIGGER IF EXISTS recipe_ingredients_count ON recipe_ingredients;
DROP FUNCTION IF EXISTS foodsave_count_ingredients();
ALTER TABLE recipes DROP COLUMN IF EXISTS ingredient_count;
DROP TABLE IF EXISTS product_matches;
DROP INDEX IF EXISTS idx_receipt_items_category_id;
DROP INDEX IF EXISTS idx_meal_plan_items_product_id;
DROP INDEX IF EXISTS idx_meal_plan_items_recipe_id;
DROP INDEX IF EXISTS idx_recipes_tags;
DROP INDEX IF EXISTS idx_products_name_trgm;
`,
};
