import * as pulumi from "@pulumi/pulumi";

/**
 * Names. Snowflake names are always explicit and UPPERCASE (the Snowflake provider would
 * otherwise add a random suffix); Pulumi resource names are derived from the component's name
 * so that two instances of a component never collide.
 */

/** `"DB"."SCHEMA"."NAME"`: the quoted form the Snowflake provider uses in grants. */
export function quotedName(...parts: string[]): string {
    return parts.map((part) => `"${part}"`).join(".");
}

/** `my-stack-agent-events-history` from `my-stack` and `AGENT_EVENTS_HISTORY`. */
export function childName(componentName: string, snowflakeName: string): string {
    return `${componentName}-${snowflakeName.toLowerCase().replace(/_/g, "-")}`;
}

/** Options every child of a component gets: its parent, the role's provider, the component's dependencies. */
export function childOptions(
    parent: pulumi.Resource,
    provider: pulumi.ProviderResource,
    dependsOn?: pulumi.Input<pulumi.Input<pulumi.Resource>[]> | pulumi.Input<pulumi.Resource>,
): pulumi.CustomResourceOptions {
    return { parent, provider, dependsOn };
}
