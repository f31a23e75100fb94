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

/** A row of `categories`: a tree through `parent_id`. */
export class Category extends Model<InferAttributes<Category>, InferCreationAttributes<Category>> {
  declare id: CreationOptional<string>;
  declare name: string;
  declare parentId: ForeignKey<Category['id']> | null;
  declare description: string | null;
  declare createdAt: CreationOptional<Date>;

  declare parent?: NonAttribute<Category>;
  declare children?: NonAttribute<Category[]>;
  declare products?: NonAttribute<Product[]>;
}

/** @internal */
export function initCategory(placement: ModelPlacement): typeof Category {
  class BoundCategory extends Category {}
  BoundCategory.init(
    {
      id: { type: DataTypes.UUID, primaryKey: true, defaultValue: DataTypes.UUIDV4 },
      name: { type: DataTypes.STRING(100), allowNull: false },
      parentId: { type: DataTypes.UUID, allowNull: true },
      description: { type: DataTypes.TEXT, allowNull: true },
      createdAt: { type: DataTypes.DATE },
    },
    {
      ...modelOptions(placement, 'Category', 'categories'),
      underscored: true,
      timestamps: true,
      updatedAt: false,
    },
  );
  return BoundCategory;
}
