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
import type { MealPlanItem } from './meal-plan-item.js';
import type { Recipe } from './recipe.js';
import type { User } from './user.js';
import type { DateOnlyString } from './types.js';

/** The meal types a plan may have (a CHECK constraint, decision 10). */
export const MEAL_TYPES = ['breakfast', 'lunch', 'dinner', 'snack'] as const;
export type MealType = (typeof MEAL_TYPES)[number];

/** A row of `meal_plans`: one meal on one day. `recipeId` is the main dish. */
export class MealPlan extends Model<InferAttributes<MealPlan>, InferCreationAttributes<MealPlan>> {
  declare id: CreationOptional<string>;
  declare userId: ForeignKey<User['id']> | null;
  declare planDate: DateOnlyString;
  declare mealType: MealType | null;
  declare recipeId: ForeignKey<Recipe['id']> | null;
  declare notes: string | null;
  declare createdAt: CreationOptional<Date>;

  declare user?: NonAttribute<User>;
  declare recipe?: NonAttribute<Recipe>;
  declare items?: NonAttribute<MealPlanItem[]>;
}

/** @internal */
export function initMealPlan(placement: ModelPlacement): typeof MealPlan {
  class BoundMealPlan extends MealPlan {}
  BoundMealPlan.init(
    {
      id: { type: DataTypes.UUID, primaryKey: true, defaultValue: DataTypes.UUIDV4 },
      userId: { type: DataTypes.UUID, allowNull: true },
      planDate: { type: DataTypes.DATEONLY, allowNull: false },
      mealType: { type: DataTypes.STRING(20), allowNull: true },
      recipeId: { type: DataTypes.UUID, allowNull: true },
      notes: { type: DataTypes.TEXT, allowNull: true },
      createdAt: { type: DataTypes.DATE },
    },
    {
      ...modelOptions(placement, 'MealPlan', 'mealPlans'),
      underscored: true,
      timestamps: true,
      updatedAt: false,
    },
  );
  return BoundMealPlan;
}
