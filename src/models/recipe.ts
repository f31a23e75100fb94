import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type NonAttribute,
} from 'sequelize';
import { modelOptions, type ModelPlacement } from './model-naming.js';
import type { Category } from './category.js';
import type { RecipeIngredient } from './recipe-ingredient.js';

/** A row of `recipes`. */
export class Recipe extends Model<InferAttributes<Recipe>, InferCreationAttributes<Recipe>> {
  declare id: CreationOptional<string>;
  declare title: string;
  declare description: string | null;
  declare instructions: string | null;
  /** Minutes, positive. */
  declare cookingTime: number | null;
  /** 1 to 5. */
  declare difficultyLevel: number | null;
  /** Positive. */
  declare servings: number | null;
  declare tags: string[] | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
  /** Number of ingredients, kept by a trigger. */
  declare ingredientCount: CreationOptional<number>;

  declare ingredients?: NonAttribute<RecipeIngredient[]>;
  declare categories?: NonAttribute<Category[]>;
}

/** @internal */
export function initRecipe(placement: ModelPlacement): typeof Recipe {
  class BoundRecipe extends Recipe {}
  BoundRecipe.init(
    {
      id: { type: DataTypes.UUID, primaryKey: true, defaultValue: DataTypes.UUIDV4 },
      title: { type: DataTypes.STRING(255), allowNull: false },
      description: { type: DataTypes.TEXT, allowNull: true },
      instructions: { type: DataTypes.TEXT, allowNull: true },
      cookingTime: { type: DataTypes.INTEGER, allowNull: true },
      difficultyLevel: { type: DataTypes.INTEGER, allowNull: true },
      servings: { type: DataTypes.INTEGER, allowNull: true },
      tags: { type: DataTypes.ARRAY(DataTypes.TEXT), allowNull: true },
      createdAt: { type: DataTypes.DATE },
      updatedAt: { type: DataTypes.DATE },
      ingredientCount: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    },
    { ...modelOptions(placement, 'Recipe', 'recipes'), underscored: true, timestamps: true },
  );
  return BoundRecipe;
}
