-- One row per staged file: name (<stage name in lower case>/<path>), size, md5, last_modified.
LIST {{STAGE_PATH}}
