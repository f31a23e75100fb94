import {
  DataTypes,
  Model,
  type ForeignKey,
  type InferAttributes,
  type InferCreationAttributes,
} from 'sequelize';
import { modelOptions, type ModelPlacement } from './model-naming.js';
import type { Category } from './category.js';
import type { Recipe } from './recipe.js';

/** A row of `recipe_categories` (decision 8): the "categories tag recipes" relation of the diagram. */
export class RecipeCategory extends Model<InferAttributes<RecipeCategory>, InferCreationAttributes<RecipeCategory>> {
  declare recipeId: ForeignKey<Recipe['id']>;
  declare categoryId: ForeignKey<Category['id']>;
}

/** @internal */
export function initRecipeCategory(placement: ModelPlacement): typeof RecipeCategory {
  class BoundRecipeCategory extends RecipeCategory {}
  BoundRecipeCategory.init(
    {
      recipeId: { type: DataTypes.UUID, primaryKey: true, allowNull: false },
      categoryId: { type: DataTypes.UUID, primaryKey: true, allowNull: false },
    },
    {
      ...modelOptions(placement, 'RecipeCategory', 'recipeCategories'),
      underscored: true,
      timestamps: false,
    },
  );
  return BoundRecipeCategory;
}
