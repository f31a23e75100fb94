import type { Migration } from './migration.js';

/**
 * The pantry as a ledger (issue 5): lots know their purchase, price, store and whether they are open,
 * and every change to a lot is journalled in `pantry_events`, with enough of the lot's previous state
 * to undo it. Waste has a reason and a money value.
 */
export const pantryLedger: Migration = {
  name: '0002-pantry-ledger',
  up: /* sql */ `
ALTER TABLE pantry_items
    ADD COLUMN purchase_date DATE,
    ADD COLUMN opened_at TIMESTAMPTZ,
    ADD COLUMN unit_price NUMERIC(12,4) CONSTRAINT pantry_items_unit_price_check CHECK (unit_price >= 0),
    ADD COLUMN store_name VARCHAR(255),
    ADD COLUMN receipt_item_id UUID REFERENCES receipt_items(id) ON DELETE SET NULL;

CREATE TABLE pantry_events (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    pantry_item_id UUID REFERENCES pantry_items(id) ON DELETE SET NULL,
    product_id UUID REFERENCES products(id) ON DELETE RESTRICT,
    event_type VARCHAR(20) NOT NULL
        CONSTRAINT pantry_events_event_type_check CHECK (event_type IN ('added', 'consumed', 'wasted', 'opened', 'adjusted')),
    -- Amount moved, in the lot's unit. Only an adjustment can be negative.
    quantity NUMERIC(10,3) NOT NULL,
    unit VARCHAR(50),
    value NUMERIC(10,2),
    waste_reason VARCHAR(20)
        CONSTRAINT pantry_events_waste_reason_check CHECK (waste_reason IN ('expired', 'spoiled', 'leftover', 'other')),
    receipt_item_id UUID REFERENCES receipt_items(id) ON DELETE SET NULL,
    recipe_id UUID REFERENCES recipes(id) ON DELETE SET NULL,
    -- The lot before this event, so the event can be undone.
    previous_quantity NUMERIC(10,3),
    previous_expiry_date DATE,
    previous_opened_at TIMESTAMPTZ,
    undone_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT pantry_events_quantity_check CHECK (quantity >= 0 OR event_type = 'adjusted'),
    CONSTRAINT pantry_events_reason_check CHECK ((event_type = 'wasted') = (waste_reason IS NOT NULL))
);
CREATE INDEX idx_pantry_events_user_created ON pantry_events(user_id, created_at);
CREATE INDEX idx_pantry_events_item_created ON pantry_events(pantry_item_id, created_at);
CREATE INDEX idx_pantry_events_product_id ON pantry_events(product_id);
CREATE INDEX idx_pantry_events_receipt_item_id ON pantry_events(receipt_item_id);
CREATE INDEX idx_pantry_events_recipe_id ON pantry_events(recipe_id);
CREATE INDEX idx_pantry_items_receipt_item_id ON pantry_items(receipt_item_id);
-- Use-first order for one product: earliest expiry, then opened lots, then the oldest purchase.
CREATE INDEX idx_pantry_items_user_product_use_first ON pantry_items(user_id, product_id, expiry_date, (opened_at IS NULL), added_date);
`,
  down: /* sql */ `
DROP TABLE IF EXISTS pantry_events;
DROP INDEX IF EXISTS idx_pantry_items_receipt_item_id;
DROP INDEX IF EXISTS idx_pantry_items_user_product_use_first;
ALTER TABLE pantry_items
    DROP COLUMN IF EXISTS purchase_date,
    DROP COLUMN IF EXISTS opened_at,
    DROP COLUMN IF EXISTS unit_price,
    DROP COLUMN IF EXISTS store_name,
    DROP COLUMN IF EXISTS receipt_item_id;
`,
};
