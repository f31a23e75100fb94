import type { Migration } from './migration.js';

/**
 * Recipes by their number of ingredients, so "what can I cook" finds recipes with nothing in stock but
 * few enough ingredients to fit `maxMissing` with an index scan instead of reading every recipe.
 */
export const recipesByIngredientCount: Migration = {
  name: '0005-recipes-by-ingredient-count',
  up: /* sql */ `
CREATE INDEX idx_recipes_ingredient_count ON recipes(ingredient_count);
`,
  down: /* sql */ `
DROP INDEX idx_recipes_ingredient_count;
`,
};
