-- Puts one rollup's merged rows in; the stage's columns are the table's, in its order.
INSERT INTO {{ROLLUP_TABLE}} SELECT * FROM {{STAGE_TABLE}}
