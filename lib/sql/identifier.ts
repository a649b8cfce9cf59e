/**
 * Snowflake's rule for the names Wallmonitor writes without quotes, shared by the config module
 * (which refuses other names before anything is created), the SQL renderer (which refuses to
 * render them) and the provider (which checks its inputs).
 *
 * An unquoted identifier starts with a letter or an underscore, continues with letters, digits,
 * underscores and dollar signs, is at most 255 characters, and is stored and resolved in upper
 * case (https://docs.snowflake.com/en/sql-reference/identifiers-syntax). Wallmonitor accepts only
 * the upper-case spelling, so the name in Snowflake is exactly the name in config.
 */

const UNQUOTED_NAME = "[A-Z_][A-Z0-9_$]{0,254}";

/** One unquoted UPPERCASE identifier. */
export const IDENTIFIER_PATTERN = new RegExp(`^${UNQUOTED_NAME}$`);

/** DATABASE.SCHEMA.NAME of unquoted UPPERCASE identifiers, as schema objects (and agents) are named. */
export const QUALIFIED_NAME_PATTERN = new RegExp(`^${UNQUOTED_NAME}\\.${UNQUOTED_NAME}\\.${UNQUOTED_NAME}$`);
