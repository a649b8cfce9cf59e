-- Body of EVALUATE_ALERTS_TASK: evaluates every rule as of now.
CALL {{PROCEDURE}}(NULL)
