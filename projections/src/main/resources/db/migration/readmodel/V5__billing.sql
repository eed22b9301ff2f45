-- Issue #5 (billing): prices, the usage ledger and the daily billing read model.

-- Every price of every provider model (PriceSet events, admin-read-model processor): the price in
-- force at instant t is the row with the latest effective_from <= t. Amounts: USD per million tokens.
CREATE TABLE rm_price (
    provider_id                  text        NOT NULL,
    model                        text        NOT NULL,
    effective_from               timestamptz NOT NULL,
    input_per_million_usd        numeric     NOT NULL,
    output_per_million_usd       numeric     NOT NULL,
    cached_input_per_million_usd numeric     NOT NULL,
    set_at                       timestamptz NOT NULL,
    change_index                 bigint      NOT NULL,
    PRIMARY KEY (provider_id, model, effective_from)
);
CREATE INDEX rm_price_change ON rm_price (change_index);

-- usage_record is the ledger: one row per usage event (event_id = idempotence key), the raw event
-- as received (payload, the JSON text) and its cost, fixed when the event was first consumed (null = no price).
ALTER TABLE usage_record
    ADD COLUMN user_id              text,
    ADD COLUMN cached_prompt_tokens bigint NOT NULL DEFAULT 0,
    ADD COLUMN cost_micros          bigint,
    ADD COLUMN unpriced             boolean NOT NULL DEFAULT false,
    ADD COLUMN price_effective_from timestamptz,
    ADD COLUMN payload              text;
CREATE INDEX usage_record_time ON usage_record (occurred_at);

-- Billing read model: per tenant × user × API key × public model × provider (and its model) × UTC day.
-- cost_micros = Σ cost of the priced calls (USD micros); unpriced_requests = calls without a price.
CREATE TABLE billing_daily (
    tenant_id            text,
    user_id              text,
    api_key_id           text,
    model                text,
    provider_id          text,
    provider_model       text,
    day                  date   NOT NULL,
    requests             bigint NOT NULL,
    prompt_tokens        bigint NOT NULL,
    cached_prompt_tokens bigint NOT NULL,
    completion_tokens    bigint NOT NULL,
    cost_micros          bigint NOT NULL,
    unpriced_requests    bigint NOT NULL,
    errors               bigint NOT NULL,
    CONSTRAINT billing_daily_key UNIQUE NULLS NOT DISTINCT (tenant_id, day, user_id, api_key_id, model, provider_id, provider_model)
);

-- Calls recorded before prices existed: no cost known, flagged as unpriced when they reached a provider.
UPDATE usage_record SET unpriced = (provider_id IS NOT NULL);
INSERT INTO billing_daily
SELECT tenant_id, user_id, api_key_id, model, provider_id, provider_model, (occurred_at AT TIME ZONE 'UTC')::date,
       count(*), sum(prompt_tokens), sum(cached_prompt_tokens), sum(completion_tokens), coalesce(sum(cost_micros), 0),
       count(*) FILTER (WHERE unpriced), count(*) FILTER (WHERE outcome <> 'SUCCESS')
FROM usage_record
GROUP BY 1, 2, 3, 4, 5, 6, 7;
