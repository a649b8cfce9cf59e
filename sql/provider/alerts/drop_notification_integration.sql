-- An email or webhook integration; the same statement drops either type.
DROP NOTIFICATION INTEGRATION IF EXISTS {{INTEGRATION}}
