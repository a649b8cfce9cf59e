-- The owner role runs EVALUATE_ALERTS, which sends through the integration.
GRANT USAGE ON INTEGRATION {{INTEGRATION}} TO ROLE {{ROLE}}
