import {
  DataTypes,
  Model,
  type CreationOptional,
  type ForeignKey,
  type InferAttributes,
  type InferCreationAttributes,
  type NonAttribute,
  type Sequelize,
} from 'sequelize';
import type { Product } from './product.js';
import type { User } from './user.js';
import type { DateOnlyString, DecimalString } from './types.js';

/** A row of `pantry_items`: one lot of a product in a user's pantry. */
export class PantryItem extends Model<InferAttributes<PantryItem>, InferCreationAttributes<PantryItem>> {
  declare id: CreationOptional<string>;
  declare userId: ForeignKey<User['id']> | null;
  declare productId: ForeignKey<Product['id']> | null;
  /** NUMERIC(10,3), not negative. */
  declare quantity: DecimalString | null;
  declare unit: string | null;
  declare expiryDate: DateOnlyString | null;
  declare addedDate: CreationOptional<Date>;
  declare notes: string | null;

  declare user?: NonAttribute<User>;
  declare product?: NonAttribute<Product>;
}

/** @internal */
export function initPantryItem(sequelize: Sequelize): typeof PantryItem {
  class BoundPantryItem extends PantryItem {}
  BoundPantryItem.init(
    {
      id: { type: DataTypes.UUID, primaryKey: true, defaultValue: DataTypes.UUIDV4 },
      userId: { type: DataTypes.UUID, allowNull: true },
      productId: { type: DataTypes.UUID, allowNull: true },
      quantity: { type: DataTypes.DECIMAL(10, 3), allowNull: true },
      unit: { type: DataTypes.STRING(50), allowNull: true },
      expiryDate: { type: DataTypes.DATEONLY, allowNull: true },
      addedDate: { type: DataTypes.DATE, defaultValue: DataTypes.NOW },
      notes: { type: DataTypes.TEXT, allowNull: true },
    },
    { sequelize, modelName: 'PantryItem', tableName: 'pantry_items', underscored: true, timestamps: false },
  );
  return BoundPantryItem;
}
