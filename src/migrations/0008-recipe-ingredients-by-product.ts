import type { Migration } from './migration.js';

/**
 * The recipes that use a product, from the index alone. "What can I cook" goes from each product in the
 * pantry to the recipes that use it; with `recipe_id` carried in the product index, that is an
 * index-only scan (once vacuum has marked the table's pages all-visible, as it does for a table that is
 * mostly read), which the planner prefers at the server's default `random_page_cost` (4) to reading the
 * whole of `recipe_ingredients`. Same name and key as before, so the foreign-key checks of product
 * deletes use it as they did. It is larger: an index with INCLUDE columns is not deduplicated.
 */
export const recipeIngredientsByProduct: Migration = {
  name: '0008-recipe-ingredients-by-product',
  up: /* sql */ `
DROP INDEX idx_recipe_ingredients_product_id;
CREATE INDEX idx_recipe_ingredients_product_id ON recipe_ingredients(product_id) INCLUDE (recipe_id);
`,
  down: /* sql */ `
DROP INDEX idx_recipe_ingredients_product_id;
CREATE INDEX idx_recipe_ingredients_product_id ON recipe_ingredients(product_id);
`,
};
