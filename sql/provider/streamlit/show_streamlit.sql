-- One row (name, url_id, ...) when the app exists, none when it is gone.
SHOW STREAMLITS LIKE {{NAME}} IN SCHEMA {{SCHEMA}}
