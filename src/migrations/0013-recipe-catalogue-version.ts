import type { Migration } from './migration.js';

/**
 * A version of the recipe catalogue, raised by every statement that changes a recipe's identity or title
 * or any recipe ingredient. A process keeps an index of the catalogue in memory for getCookableRecipes
 * (which recipes use which products), and reads this version with each pantry to know when to rebuild
 * it. It is an MVCC row, not a sequence: an index built in a snapshot carries that snapshot's version,
 * so a change not yet committed can never be mistaken for one already read. Writers of the catalogue
 * queue on its row lock, which suits a catalogue that is imported, not written per request.
 *
 * The ingredient-count trigger's `UPDATE recipes SET ingredient_count` changes neither id nor title, so
 * it raises nothing: a bulk insert of ingredients raises the version once per statement.
 */
export const recipeCatalogueVersion: Migration = {
  name: '0013-recipe-catalogue-version',
  up: /* sql */ `
CREATE TABLE foodsave_recipe_catalogue_version (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    version bigint NOT NULL DEFAULT 0
);
INSERT INTO foodsave_recipe_catalogue_version DEFAULT VALUES;
DO $do$
BEGIN
EXECUTE format($f$
CREATE FUNCTION %1$I.foodsave_raise_recipe_catalogue_version() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, %1$I AS $body$
BEGIN
    UPDATE foodsave_recipe_catalogue_version SET version = version + 1;
    RETURN NULL;
END;
$body$$f$, current_schema());
END;
$do$;
CREATE TRIGGER trg_recipes_catalogue_version AFTER INSERT OR DELETE OR UPDATE OF id, title OR TRUNCATE ON recipes
    FOR EACH STATEMENT EXECUTE FUNCTION foodsave_raise_recipe_catalogue_version();
CREATE TRIGGER trg_recipe_ingredients_catalogue_version AFTER INSERT OR DELETE OR UPDATE OR TRUNCATE ON recipe_ingredients
    FOR EACH STATEMENT EXECUTE FUNCTION foodsave_raise_recipe_catalogue_version();
`,
  down: /* sql */ `
DROP TRIGGER trg_recipe_ingredients_catalogue_version ON recipe_ingredients;
DROP TRIGGER trg_recipes_catalogue_version ON recipes;
DROP FUNCTION foodsave_raise_recipe_catalogue_version();
DROP TABLE foodsave_recipe_catalogue_version;
`,
};
