/**
 * What a Git source of the dashboard may look like, shared by the config module (which refuses
 * anything else before a resource is declared) and the Git Streamlit provider (which checks its
 * inputs again). Snowflake addresses a repository's content as `@repo/branches/<name>/`,
 * `@repo/tags/<name>/` or `@repo/commits/<sha>/`
 * (https://docs.snowflake.com/en/developer-guide/git/git-operations).
 */

/** An https URL without credentials, query or fragment (a Git origin or an allowed prefix of one). */
export const HTTPS_URL_PATTERN = /^https:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?(\/[A-Za-z0-9._~%+-]+)*\/?$/;
/** `branches/<name>` or `tags/<name>` (names of letters, digits, _ . - and /, no `..`), or `commits/<40-hex sha>`. */
export const GIT_REF_PATTERN =
    /^((branches|tags)\/(?!.*\.\.)[A-Za-z0-9_][A-Za-z0-9_.-]*(\/[A-Za-z0-9_][A-Za-z0-9_.-]*)*|commits\/[0-9a-f]{40})$/;
/** A full commit SHA: Snowflake's `/commits/<sha>/` paths take the whole hash. */
export const GIT_COMMIT_PATTERN = /^[0-9a-f]{40}$/;
/** A folder inside the repository (`.` for its root), without `..`. */
export const GIT_APP_PATH_PATTERN = /^(\.|(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*)$/;
export const GIT_USERNAME_PATTERN = /^[A-Za-z0-9._@+-]{1,255}$/;
