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
import type { MealPlan } from './meal-plan.js';
import type { Product } from './product.js';
import type { Recipe } from './recipe.js';
import type { DecimalString } from './types.js';

/**
 * A row of `meal_plan_items` (decision 8): a recipe (with servings) or a product (with quantity and
 * unit) in a meal plan. Exactly one of `recipeId` and `productId` is set.
 */
export class MealPlanItem extends Model<InferAttributes<MealPlanItem>, InferCreationAttributes<MealPlanItem>> {
  declare id: CreationOptional<string>;
  declare mealPlanId: ForeignKey<MealPlan['id']>;
  declare recipeId: ForeignKey<Recipe['id']> | null;
  declare productId: ForeignKey<Product['id']> | null;
  declare servings: number | null;
  declare quantity: DecimalString | null;
  declare unit: string | null;
  declare notes: string | null;
  declare createdAt: CreationOptional<Date>;

  declare mealPlan?: NonAttribute<MealPlan>;
  declare recipe?: NonAttribute<Recipe>;
  declare product?: NonAttribute<Product>;
}

/** @internal */
export function initMealPlanItem(placement: ModelPlacement): typeof MealPlanItem {
  class BoundMealPlanItem extends MealPlanItem {}
  BoundMealPlanItem.init(
    {
      id: { type: DataTypes.UUID, primaryKey: true, defaultValue: DataTypes.UUIDV4 },
      mealPlanId: { type: DataTypes.UUID, allowNull: false },
      recipeId: { type: DataTypes.UUID, allowNull: true },
      productId: { type: DataTypes.UUID, allowNull: true },
      servings: { type: DataTypes.INTEGER, allowNull: true },
      quantity: { type: DataTypes.DECIMAL(10, 3), allowNull: true },
      unit: { type: DataTypes.STRING(50), allowNull: true },
      notes: { type: DataTypes.TEXT, allowNull: true },
      createdAt: { type: DataTypes.DATE },
    },
    {
      ...modelOptions(placement, 'MealPlanItem', 'mealPlanItems'),
      underscored: true,
      timestamps: true,
      updatedAt: false,
    },
  );
  return BoundMealPlanItem;
}
