-- The evaluation time when the task runs (naive UTC, like every timestamp here).
SELECT SYSDATE() AS AS_OF
