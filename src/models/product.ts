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
import type { Category } from './category.js';
import type { JsonObject } from './types.js';

/** A row of `products`: a kind of food, shared by all users. */
export class Product extends Model<InferAttributes<Product>, InferCreationAttributes<Product>> {
  declare id: CreationOptional<string>;
  declare name: string;
  declare categoryId: ForeignKey<Category['id']> | null;
  declare nutritionalInfo: CreationOptional<JsonObject>;
  declare storageInfo: CreationOptional<JsonObject>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  declare category?: NonAttribute<Category>;
}

/** @internal */
export function initProduct(placement: ModelPlacement): typeof Product {
  class BoundProduct extends Product {}
  BoundProduct.init(
    {
      id: { type: DataTypes.UUID, primaryKey: true, defaultValue: DataTypes.UUIDV4 },
      name: { type: DataTypes.STRING(255), allowNull: false },
      categoryId: { type: DataTypes.UUID, allowNull: true },
      nutritionalInfo: { type: DataTypes.JSONB, defaultValue: {} },
      storageInfo: { type: DataTypes.JSONB, defaultValue: {} },
      createdAt: { type: DataTypes.DATE },
      updatedAt: { type: DataTypes.DATE },
    },
    { ...modelOptions(placement, 'Product', 'products'), underscored: true, timestamps: true },
  );
  return BoundProduct;
}
