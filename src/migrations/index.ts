import { initialSchema } from './0001-initial-schema.js';
import { pantryLedger } from './0002-pantry-ledger.js';
import { searchAndMatching } from './0003-search-and-matching.js';
import { sameOwnerReferences } from './0004-same-owner-references.js';
import { recipesByIngredientCount } from './0005-recipes-by-ingredient-count.js';
import { dateKinds } from './0006-date-kinds.js';
import { exactAmounts } from './0007-exact-amounts.js';
import { recipeIngredientsByProduct } from './0008-recipe-ingredients-by-product.js';
import { functionsOwnSearchPath } from './0009-functions-own-search-path.js';
import { categoryTreeBounds } from './0010-category-tree-bounds.js';
import { rowLevelSecurity } from './0011-row-level-security.js';
import { categoryTreeSerialised } from './0012-category-tree-serialised.js';
import { recipeCatalogueVersion } from './0013-recipe-catalogue-version.js';
import { childPoliciesWithoutFunctions } from './0014-child-policies-without-functions.js';
import { triggersOnlyWhenNeeded } from './0015-triggers-only-when-needed.js';
import { policiesReadTheScopeOnce } from './0016-policies-read-the-scope-once.js';
import { usersEmailLower } from './0017-users-email-lower.js';
import type { Migration } from './migration.js';

/** The library's migrations, oldest first. Append only: an applied migration must never change. */
export const migrations: readonly Migration[] = [initialSchema, pantryLedger, searchAndMatching, sameOwnerReferences, recipesByIngredientCount, dateKinds, exactAmounts, recipeIngredientsByProduct, functionsOwnSearchPath, categoryTreeBounds, rowLevelSecurity, categoryTreeSerialised, recipeCatalogueVersion, childPoliciesWithoutFunctions, triggersOnlyWhenNeeded, policiesReadTheScopeOnce, usersEmailLower];
