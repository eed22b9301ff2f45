-- Calls whose provider never reported usage (cancelled or broken streams) are billed on the edge's estimate.
ALTER TABLE usage_record ADD COLUMN usage_estimated boolean NOT NULL DEFAULT false;
