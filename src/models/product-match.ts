import {
  DataTypes,
  Model,
  type CreationOptional,
  type ForeignKey,
  type InferAttributes,
  type InferCreationAttributes,
} from 'sequelize';
import { modelOptions, type ModelPlacement } from './model-naming.js';
import type { Product } from './product.js';
import type { User } from './user.js';

/** A row of `product_matches`: a receipt line a user matched to a product, remembered per store. */
export class ProductMatch extends Model<InferAttributes<ProductMatch>, InferCreationAttributes<ProductMatch>> {
  declare userId: ForeignKey<User['id']>;
  /** Lower-cased store name, `''` when unknown. */
  declare storeKey: string;
  /** Lower-cased, trimmed receipt line. */
  declare lineKey: string;
  declare productId: ForeignKey<Product['id']>;
  declare times: CreationOptional<number>;
  declare lastUsedAt: CreationOptional<Date>;
}

/** @internal */
export function initProductMatch(placement: ModelPlacement): typeof ProductMatch {
  class BoundProductMatch extends ProductMatch {}
  BoundProductMatch.init(
    {
      userId: { type: DataTypes.UUID, primaryKey: true, allowNull: false },
      storeKey: { type: DataTypes.STRING(255), primaryKey: true, allowNull: false },
      lineKey: { type: DataTypes.STRING(255), primaryKey: true, allowNull: false },
      productId: { type: DataTypes.UUID, allowNull: false },
      times: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 },
      lastUsedAt: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW },
    },
    { ...modelOptions(placement, 'ProductMatch', 'productMatches'), underscored: true, timestamps: false },
  );
  return BoundProductMatch;
}
