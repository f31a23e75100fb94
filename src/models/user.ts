import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type NonAttribute,
} from 'sequelize';
import { modelOptions, type ModelPlacement } from './model-naming.js';
import type { Conversation } from './conversation.js';
import type { MealPlan } from './meal-plan.js';
import type { PantryItem } from './pantry-item.js';
import type { Receipt } from './receipt.js';
import type { JsonObject } from './types.js';

/** A row of `users`. */
export class User extends Model<InferAttributes<User>, InferCreationAttributes<User>> {
  declare id: CreationOptional<string>;
  declare username: string;
  declare email: string;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
  declare preferences: CreationOptional<JsonObject>;

  declare conversations?: NonAttribute<Conversation[]>;
  declare receipts?: NonAttribute<Receipt[]>;
  declare pantryItems?: NonAttribute<PantryItem[]>;
  declare mealPlans?: NonAttribute<MealPlan[]>;
}

/** @internal Binds a fresh `User` class to one engine's Sequelize instance. */
export function initUser(placement: ModelPlacement): typeof User {
  class BoundUser extends User {}
  BoundUser.init(
    {
      id: { type: DataTypes.UUID, primaryKey: true, defaultValue: DataTypes.UUIDV4 },
      username: { type: DataTypes.STRING(50), allowNull: false },
      email: { type: DataTypes.STRING(255), allowNull: false },
      createdAt: { type: DataTypes.DATE },
      updatedAt: { type: DataTypes.DATE },
      preferences: { type: DataTypes.JSONB, defaultValue: {} },
    },
    { ...modelOptions(placement, 'User', 'users'), underscored: true, timestamps: true },
  );
  return BoundUser;
}
