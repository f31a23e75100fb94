import type { Migration } from './migration.js';

/**
 * The design document's "Core Tables" and "Indexes", with decisions 3 to 10 applied:
 * TIMESTAMPTZ timestamps, NUMERIC receipt quantities, ON DELETE rules, CHECK constraints,
 * case-insensitive unique email, unique session id, the relations the diagram draws, and the
 * `updated_at` trigger.
 */
export const initialSchema: Migration = {
  name: '0001-initial-schema',
  up: /* sql */ `
CREATE TABLE users (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    username VARCHAR(50) UNIQUE NOT NULL,
    email VARCHAR(255) UNIQUE NOT NULL,
    created_at TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    preferences JSONB DEFAULT '{}'
);
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));

CREATE TABLE conversations (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID REFERENCES users(id) ON DELETE CASCADE,
    session_id VARCHAR(100) NOT NULL,
    title VARCHAR(255),
    created_at TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    metadata JSONB DEFAULT '{}'
);

CREATE TABLE messages (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    conversation_id UUID REFERENCES conversations(id) ON DELETE CASCADE,
    content TEXT NOT NULL,
    role VARCHAR(20) NOT NULL CONSTRAINT messages_role_check CHECK (role IN ('user', 'assistant', 'system', 'tool')),
    agent_used VARCHAR(50),
    confidence FLOAT CONSTRAINT messages_confidence_check CHECK (confidence BETWEEN 0 AND 1),
    created_at TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    metadata JSONB DEFAULT '{}'
);

CREATE TABLE receipts (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID REFERENCES users(id) ON DELETE CASCADE,
    store_name VARCHAR(255),
    total_amount DECIMAL(10,2) CONSTRAINT receipts_total_amount_check CHECK (total_amount >= 0),
    purchase_date DATE,
    receipt_date TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    image_path VARCHAR(500),
    ocr_confidence FLOAT CONSTRAINT receipts_ocr_confidence_check CHECK (ocr_confidence BETWEEN 0 AND 1),
    metadata JSONB DEFAULT '{}',
    conversation_id UUID REFERENCES conversations(id) ON DELETE SET NULL
);

CREATE TABLE categories (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    name VARCHAR(100) NOT NULL,
    parent_id UUID REFERENCES categories(id) ON DELETE SET NULL,
    description TEXT,
    created_at TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT categories_parent_not_self_check CHECK (parent_id <> id)
);

CREATE TABLE products (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    name VARCHAR(255) NOT NULL,
    category_id UUID REFERENCES categories(id) ON DELETE SET NULL,
    nutritional_info JSONB DEFAULT '{}',
    storage_info JSONB DEFAULT '{}',
    created_at TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE receipt_items (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    receipt_id UUID REFERENCES receipts(id) ON DELETE CASCADE,
    product_name VARCHAR(255) NOT NULL,
    quantity NUMERIC(10,3) DEFAULT 1,
    unit_price DECIMAL(10,2),
    total_price DECIMAL(10,2),
    category_id UUID REFERENCES categories(id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    product_id UUID REFERENCES products(id) ON DELETE SET NULL,
    unit VARCHAR(50)
);

CREATE TABLE pantry_items (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID REFERENCES users(id) ON DELETE CASCADE,
    product_id UUID REFERENCES products(id) ON DELETE RESTRICT,
    quantity DECIMAL(10,3) CONSTRAINT pantry_items_quantity_check CHECK (quantity >= 0),
    unit VARCHAR(50),
    expiry_date DATE,
    added_date TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    notes TEXT
);

CREATE TABLE recipes (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    title VARCHAR(255) NOT NULL,
    description TEXT,
    instructions TEXT,
    cooking_time INTEGER CONSTRAINT recipes_cooking_time_check CHECK (cooking_time > 0),
    difficulty_level INTEGER CONSTRAINT recipes_difficulty_level_check CHECK (difficulty_level BETWEEN 1 AND 5),
    servings INTEGER CONSTRAINT recipes_servings_check CHECK (servings > 0),
    tags TEXT[],
    created_at TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE recipe_ingredients (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    recipe_id UUID REFERENCES recipes(id) ON DELETE CASCADE,
    product_id UUID REFERENCES products(id) ON DELETE RESTRICT,
    quantity DECIMAL(10,3) CONSTRAINT recipe_ingredients_quantity_check CHECK (quantity >= 0),
    unit VARCHAR(50),
    notes TEXT
);

CREATE TABLE recipe_categories (
    recipe_id UUID NOT NULL REFERENCES recipes(id) ON DELETE CASCADE,
    category_id UUID NOT NULL REFERENCES categories(id) ON DELETE CASCADE,
    PRIMARY KEY (recipe_id, category_id)
);

CREATE TABLE meal_plans (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID REFERENCES users(id) ON DELETE CASCADE,
    plan_date DATE NOT NULL,
    meal_type VARCHAR(20) CONSTRAINT meal_plans_meal_type_check CHECK (meal_type IN ('breakfast', 'lunch', 'dinner', 'snack')),
    recipe_id UUID REFERENCES recipes(id) ON DELETE SET NULL,
    notes TEXT,
    created_at TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE meal_plan_items (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    meal_plan_id UUID NOT NULL REFERENCES meal_plans(id) ON DELETE CASCADE,
    recipe_id UUID REFERENCES recipes(id) ON DELETE CASCADE,
    product_id UUID REFERENCES products(id) ON DELETE RESTRICT,
    servings INTEGER CONSTRAINT meal_plan_items_servings_check CHECK (servings > 0),
    quantity DECIMAL(10,3) CONSTRAINT meal_plan_items_quantity_check CHECK (quantity >= 0),
    unit VARCHAR(50),
    notes TEXT,
    created_at TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT meal_plan_items_one_target_check CHECK (num_nonnulls(recipe_id, product_id) = 1)
);

-- The document's ten indexes, by name.
CREATE INDEX idx_conversations_user_id ON conversations(user_id);
-- Unique as well (decision 6): get_by_session_id returns one row or none.
CREATE UNIQUE INDEX idx_conversations_session_id ON conversations(session_id);
CREATE INDEX idx_messages_conversation_id ON messages(conversation_id);
CREATE INDEX idx_messages_created_at ON messages(created_at);
CREATE INDEX idx_receipts_user_id ON receipts(user_id);
CREATE INDEX idx_receipts_purchase_date ON receipts(purchase_date);
CREATE INDEX idx_receipt_items_receipt_id ON receipt_items(receipt_id);
CREATE INDEX idx_products_category_id ON products(category_id);
CREATE INDEX idx_pantry_items_user_id ON pantry_items(user_id);
CREATE INDEX idx_pantry_items_expiry_date ON pantry_items(expiry_date);

-- Indexes the repositories' hot queries need (decision 4): each serves one ORDER BY without a sort.
CREATE INDEX idx_conversations_user_updated ON conversations(user_id, updated_at DESC);
CREATE INDEX idx_messages_conversation_created ON messages(conversation_id, created_at);
CREATE INDEX idx_receipts_user_purchase_date ON receipts(user_id, purchase_date DESC);
CREATE INDEX idx_pantry_items_user_expiry ON pantry_items(user_id, expiry_date);
CREATE INDEX idx_categories_parent_id ON categories(parent_id);
CREATE INDEX idx_recipe_ingredients_recipe_id ON recipe_ingredients(recipe_id);
CREATE INDEX idx_recipe_categories_category_id ON recipe_categories(category_id);
CREATE INDEX idx_meal_plans_user_date ON meal_plans(user_id, plan_date);
CREATE INDEX idx_meal_plan_items_meal_plan_id ON meal_plan_items(meal_plan_id);
-- Foreign keys with RESTRICT / SET NULL are checked on every parent delete; index their columns.
CREATE INDEX idx_pantry_items_product_id ON pantry_items(product_id);
CREATE INDEX idx_recipe_ingredients_product_id ON recipe_ingredients(product_id);
CREATE INDEX idx_receipt_items_product_id ON receipt_items(product_id);
CREATE INDEX idx_receipts_conversation_id ON receipts(conversation_id);

-- Decision 5: any UPDATE, even raw SQL, moves updated_at.
CREATE FUNCTION foodsave_set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;
CREATE TRIGGER users_set_updated_at BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION foodsave_set_updated_at();
CREATE TRIGGER conversations_set_updated_at BEFORE UPDATE ON conversations
    FOR EACH ROW EXECUTE FUNCTION foodsave_set_updated_at();
CREATE TRIGGER products_set_updated_at BEFORE UPDATE ON products
    FOR EACH ROW EXECUTE FUNCTION foodsave_set_updated_at();
CREATE TRIGGER recipes_set_updated_at BEFORE UPDATE ON recipes
    FOR EACH ROW EXECUTE FUNCTION foodsave_set_updated_at();

-- Decision 5: a new message moves its conversation's updated_at (the document orders by it).
CREATE FUNCTION foodsave_touch_conversation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE conversations SET updated_at = now() WHERE id = NEW.conversation_id;
    RETURN NULL;
END;
$$;
CREATE TRIGGER messages_touch_conversation AFTER INSERT ON messages
    FOR EACH ROW EXECUTE FUNCTION foodsave_touch_conversation();
`,
  down: /* sql */ `
DROP TABLE IF EXISTS meal_plan_items, meal_plans, recipe_categories, recipe_ingredients, recipes,
    pantry_items, receipt_items, products, categories, receipts, messages, conversations, users CASCADE;
DROP FUNCTION IF EXISTS foodsave_touch_conversation();
DROP FUNCTION IF EXISTS foodsave_set_updated_at();
`,
};
