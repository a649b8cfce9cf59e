-- Uploads one file as it is (no compression), replacing the staged copy. The driver sends
-- this text without its comment lines: it recognises a PUT by the text's first characters.
PUT {{SOURCE_FILE}} {{STAGE_DIRECTORY}} AUTO_COMPRESS = FALSE OVERWRITE = TRUE
