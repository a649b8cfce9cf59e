-- REMOVE matches by prefix: every staged file whose path starts with this one goes.
REMOVE {{STAGE_PATH}}
