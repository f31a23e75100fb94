import {
  DataTypes,
  Model,
  type CreationOptional,
  type ForeignKey,
  type InferAttributes,
  type InferCreationAttributes,
  type NonAttribute,
} from 'sequelize';
import { modelOptions, type ModelPlacement } from './model-naming.js';
import type { Product } from './product.js';
import type { Recipe } from './recipe.js';
import type { DecimalString } from './types.js';

/** A row of `recipe_ingredients`. */
export class RecipeIngredient extends Model<
  InferAttributes<RecipeIngredient>,
  InferCreationAttributes<RecipeIngredient>
> {
  declare id: CreationOptional<string>;
  declare recipeId: ForeignKey<Recipe['id']> | null;
  declare productId: ForeignKey<Product['id']> | null;
  /** NUMERIC(10,3), not negative. */
  declare quantity: DecimalString | null;
  declare unit: string | null;
  declare notes: string | null;

  declare recipe?: NonAttribute<Recipe>;
  declare product?: NonAttribute<Product>;
}

/** @internal */
export function initRecipeIngredient(placement: ModelPlacement): typeof RecipeIngredient {
  class BoundRecipeIngredient extends RecipeIngredient {}
  BoundRecipeIngredient.init(
    {
      id: { type: DataTypes.UUID, primaryKey: true, defaultValue: DataTypes.UUIDV4 },
      recipeId: { type: DataTypes.UUID, allowNull: true },
      productId: { type: DataTypes.UUID, allowNull: true },
      quantity: { type: DataTypes.DECIMAL(10, 3), allowNull: true },
      unit: { type: DataTypes.STRING(50), allowNull: true },
      notes: { type: DataTypes.TEXT, allowNull: true },
    },
    {
      ...modelOptions(placement, 'RecipeIngredient', 'recipeIngredients'),
      underscored: true,
      timestamps: false,
    },
  );
  return BoundRecipeIngredient;
}
