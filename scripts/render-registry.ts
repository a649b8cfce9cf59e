/**
 * Writes what the Streamlit dashboard needs from the model registry into
 * streamlit/dashboard/registry_views.py: the dashboard folder is deployed alone, so it cannot
 * read sql/*\/models.yml. The file is committed; test/registry.test.ts fails when it differs from
 * what this script would write.
 * Usage: `npm run render-registry`
 */
import * as fs from "fs";
import * as path from "path";

import { dashboardViewNames, defaultRegistry, Registry } from "../lib/sql/registry";

export const REGISTRY_VIEWS_FILE = path.resolve(__dirname, "..", "streamlit", "dashboard", "registry_views.py");

export function registryViewsModule(registry: Registry): string {
    const names = dashboardViewNames(registry).map((name) => `    "${name}",\n`).join("");
    return `"""Generated from the model registry (sql/*/models.yml) by \`npm run render-registry\`; do not edit.

DASHBOARD_VIEWS: the views the dashboard may query, those declared with \`dashboard: true\`. The
registry allows that only for a view the viewer role reads, never one with conversation text.
"""

DASHBOARD_VIEWS = frozenset({
${names}})
`;
}

if (require.main === module) {
    fs.writeFileSync(REGISTRY_VIEWS_FILE, registryViewsModule(defaultRegistry()));
    process.stdout.write(`wrote ${path.relative(process.cwd(), REGISTRY_VIEWS_FILE)}\n`);
}
